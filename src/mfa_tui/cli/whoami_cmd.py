"""``mfa-tui whoami [PROFILE...] [--json]``: GetCallerIdentity with each profile's credentials."""

from __future__ import annotations

import sys

from mfa_tui.cli.common import add_profile_args, iso, open_service, print_json, print_table
from mfa_tui.core.models import WhoAmI


def register(parser) -> None:
    add_profile_args(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def run(args) -> int:
    service = open_service(args)
    profiles = service.select(args.profiles)
    results = service.whoami(profiles)
    failed = False
    out, rows = [], []
    for profile in profiles:
        result = results[profile.name]
        if isinstance(result, WhoAmI):
            out.append({
                "profile": profile.name, "arn": result.arn, "account": result.account, "user_id": result.user_id,
                "expected_account": result.expected_account, "account_mismatch": result.mismatch,
                "checked_at": iso(result.checked_at), "error": None,
            })
            flag = f"  ⚠ account {result.account}, registry says {result.expected_account}" if result.mismatch else ""
            rows.append([profile.name, result.arn + flag])
        else:
            failed = True
            out.append({"profile": profile.name, "arn": None, "account": None, "user_id": None,
                        "expected_account": service.registry.account_id_for(profile), "account_mismatch": False,
                        "checked_at": None, "error": str(result)})
            rows.append([profile.name, "-"])
            print(f"mfa-tui: {result}", file=sys.stderr)
    if args.json:
        print_json(out)
    else:
        print_table(["PROFILE", "CALLER"], rows)
    return 1 if failed else 0
