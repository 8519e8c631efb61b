"""``mfa-tui doctor``'s fleet check: above 200 profiles, suggest ``output = "credential-process"``.

botocore parses the whole shared credentials file in every AWS CLI and SDK process; at 5,000
sections that costs each call a few tenths of a second (bench/output_modes.py measures it). A
profile in credential-process mode keeps its credentials out of that file.
"""

from __future__ import annotations

from mfa_tui.core.models import CREDENTIAL_PROCESS_SUGGESTED_ABOVE, Registry
from mfa_tui.core.service.findings import INFO, DoctorReport


def check_fleet(report: DoctorReport, registry: Registry) -> None:
    in_file = [p for p in registry.profiles.values() if p.output != "credential-process"]
    if len(in_file) > CREDENTIAL_PROCESS_SUGGESTED_ABOVE:
        report.add(
            "fleet", str(registry.path), INFO,
            f"{len(in_file)} profiles write to the credentials file, which every AWS CLI and SDK call parses whole; "
            'set output = "credential-process" on them (e.g. `mfa-tui import organization ... --output '
            'credential-process` for new ones) to keep each call fast',
        )
