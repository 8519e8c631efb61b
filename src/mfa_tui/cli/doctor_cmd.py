"""``mfa-tui doctor [--json] [--offline]``: check this machine's setup and say how to fix what is wrong.

Checks the registry (and profiles shadowed by ``role_arn``/SSO profiles in ~/.aws/config), file
permissions, the credentials file and each identity's long-term keys, the clock against AWS's
``Date`` header (one GetCallerIdentity per endpoint; ``--offline`` skips it) and each
identity's MFA session; see :mod:`mfa_tui.core.service.doctor`.

Exit codes: 0 nothing wrong, 1 at least one problem, 2 the registry does not load (as
``mfa-tui config check``). The text report goes to stdout, one line per finding, each
problem followed by its fix; ``--json`` prints the same findings as one JSON object.
"""

from __future__ import annotations

MARKS = {"ok": "ok     ", "info": "info   ", "problem": "PROBLEM"}


def register(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--offline", action="store_true", help="make no AWS call (skips the clock check and AWS's view of the keys)")


def render(report) -> str:
    """The text report: one line per finding, a fix line under each problem, a summary last."""
    lines = []
    for finding in report.findings:
        lines.append(f"{MARKS[finding.level]} {finding.check:<16} {finding.subject}: {finding.message}")
        if finding.fix:
            lines.append(f"{'':7} {'':16} fix: {finding.fix}")
    count = len(report.problems)
    if report.registry_broken:
        lines.append(f"The registry does not load; {count} problem{'s' * (count != 1)} found.")
    elif count:
        lines.append(f"{count} problem{'s' * (count != 1)} found.")
    else:
        lines.append("No problems found.")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    import sys

    from mfa_tui.cli.common import print_json
    from mfa_tui.core.clock import SystemClock
    from mfa_tui.core.service.doctor import diagnose

    report = diagnose(args.config, clock=SystemClock(), online=not args.offline)
    if args.json:
        print_json(report.to_dict())
    else:
        sys.stdout.write(render(report))
    return report.exit_code
