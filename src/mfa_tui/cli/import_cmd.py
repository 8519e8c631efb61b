"""``mfa-tui import [--write] [--json]``: registry entries from the ~/.aws files (``import organization``: :mod:`.import_org`).

A dry run by default: it prints what it would add to the registry and what it skips, with
the reason for each. ``--write`` appends the new tables to the registry (atomic, backed
up); the ~/.aws files are only ever read. Exit 0 when the plan was made (even an empty
one), 2 when the registry or an AWS file cannot be read: one line naming the file.
"""

from __future__ import annotations

import sys
from typing import Any

from mfa_tui.cli.common import print_json
from mfa_tui.core import paths
from mfa_tui.core.importers import aws_files as aws_import
from mfa_tui.core.errors import MfaTuiError


def register(parser) -> None:
    parser.add_argument("source", nargs="?", choices=["organization"],
                        help="organization: accounts and roles from AWS Organizations (else: the ~/.aws files)")
    parser.add_argument("--write", action="store_true", help="save the planned entries to the registry")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.add_argument("--from", dest="from_profile", metavar="PROFILE",
                        help="organization: the profile whose credentials may call organizations:ListAccounts")
    parser.add_argument("--role", dest="roles", action="append", default=[], metavar="NAME",
                        help="organization: a role name to add per account (repeat for more)")
    parser.add_argument("--identity", metavar="ID", help="organization: the identity the roles are assumed from")
    parser.add_argument("--prune", action="store_true",
                        help="organization: with --write, remove suspended accounts and those that left")
    parser.add_argument("--output", choices=["credentials-file", "credential-process"],
                        help="organization: where the new profiles' credentials go")


def run(args) -> int:
    if getattr(args, "source", None) == "organization":
        from mfa_tui.cli.import_org import run_organization

        return run_organization(args)
    registry_path = paths.config_path(args.config)
    try:
        plan = aws_import.plan_import(registry_path)
    except MfaTuiError as exc:
        # Bad input (a broken registry or AWS file): one line naming the file, nothing written.
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return 2
    if args.write:
        # A failed write (disk full, a name added meanwhile) keeps its own exit code via run_guarded.
        aws_import.write_plan(plan)
    if args.json:
        print_json({**plan.to_json(), "written": bool(args.write and plan.additions)})
    else:
        print_plan(plan, written=args.write)
    return 0


def print_plan(plan: aws_import.ImportPlan, *, written: bool, out=None) -> None:
    out = out or sys.stdout
    print(f"Read {plan.config_path} and {plan.credentials_path}.", file=out)
    if plan.additions:
        verb = "Added to" if written else "Would add to"
        print(f"\n{verb} {plan.registry_path}:", file=out)
        width = max(len(a.name) for a in plan.additions)
        for add in plan.additions:
            line = f"  {add.kind:<8}  {add.name:<{width}}  {_describe(add.table)}"
            print(line + (f"  (from {add.source})" if add.source else ""), file=out)
            if add.note:
                print(f"  {'':<8}  {'':<{width}}  note: {add.note}", file=out)
    else:
        print(f"\nNothing new to add to {plan.registry_path}.", file=out)
    if plan.skips:
        print("\nSkipped:", file=out)
        width = max(len(s.name) for s in plan.skips)
        for skip in plan.skips:
            where = f"  ({skip.source})" if skip.source else ""
            print(f"  {skip.kind:<8}  {skip.name:<{width}}  {skip.reason}{where}", file=out)
    if plan.additions and not written:
        n = len(plan.additions)
        print(f"\nDry run: nothing written. Run `mfa-tui import --write` to add these {n} entr{'y' if n == 1 else 'ies'}.", file=out)


def _describe(table: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in table.items())
