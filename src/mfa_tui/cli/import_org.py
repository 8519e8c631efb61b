"""``mfa-tui import organization --from PROFILE --role NAME [--role …] [--identity ID] [--write] [--json] [--prune]``.

Reads the organisation's accounts with PROFILE's credentials (:mod:`mfa_tui.core.importers.organizations`)
and plans account tables and chained role profiles (:mod:`mfa_tui.core.importers.org_plan`). A dry
run by default; ``--write`` appends (and with ``--prune`` removes suspended and departed accounts).
Exit 0 when the plan was made, 2 for bad input or an AWS failure: one line.
"""

from __future__ import annotations

import sys

from mfa_tui.cli.common import print_json
from mfa_tui.core.errors import MfaTuiError


def run_organization(args) -> int:
    from mfa_tui.cli.common import open_service
    from mfa_tui.core.importers import organizations
    from mfa_tui.core.importers.org_plan import plan_organization, write_org_plan

    if not args.from_profile:
        print("mfa-tui: import organization needs --from PROFILE (a profile allowed organizations:ListAccounts)",
              file=sys.stderr)
        return 2
    if args.prune and not args.write:
        print("mfa-tui: note: --prune removes only with --write; this dry run lists what it would remove", file=sys.stderr)
    try:
        service = open_service(args)
        accounts = organizations.fetch(service, args.from_profile)
        plan = plan_organization(service.registry, accounts, list(args.roles), identity=args.identity,
                                 output=args.output, prune=args.prune)
    except MfaTuiError as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return 2
    if args.write:
        write_org_plan(plan, service.aws_config_path)
    if args.json:
        print_json({**plan.to_json(), "written": bool(args.write)})
    else:
        print_org_plan(plan, written=args.write)
    return 0


def print_org_plan(plan, *, written: bool, out=None) -> None:
    from mfa_tui.core.importers.org_text import plan_lines

    out = out or sys.stdout
    for line in plan_lines(plan, written=written):
        print(line, file=out)
