"""``mfa-tui status [PROFILE...] [--json] [--check]``: every profile's state and time left.

Reads the registry and the state only; makes no AWS call and never imports boto3. Exits 0;
with ``--check``, 1 when any profile shown is one a plain ``mfa-tui refresh`` would take
(expiring, expired, missing, changed or in error), for scripts and shell prompts. On a
terminal the state words are coloured, unless ``NO_COLOR`` is set or ``TERM`` is ``dumb``.
"""

from __future__ import annotations

from mfa_tui.cli.common import add_profile_args, iso, left, open_service, print_json, print_table
from mfa_tui.core.session.status import is_stale

STATE_COLUMN = 3
STATE_COLOURS = {"valid": "32", "expiring": "33", "expired": "31", "missing": "31", "changed": "35",
                 "refreshing": "36", "error": "1;31"}
"""ANSI SGR codes for the state words (green valid, yellow expiring, red for what needs a refresh)."""


def register(parser) -> None:
    add_profile_args(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    parser.add_argument(
        "--check", action="store_true",
        help="exit 1 when any profile shown is expiring, expired, missing, changed or in error "
        "(what `mfa-tui refresh` would take), else 0; for scripts and shell prompts",
    )


def status_dict(row, now) -> dict:
    """The JSON shape of one row (documented in the README)."""
    return {
        "profile": row.profile,
        "identity": row.identity,
        "account": row.account_id,
        "account_alias": row.account_alias or None,
        "kind": row.kind.value,
        "role_arn": row.role_arn,
        "state": row.state.value,
        "expires_at": iso(row.expires_at),
        "seconds_left": max(0, int((row.expires_at - now).total_seconds())) if row.expires_at else None,
        "mfa_expires_at": iso(row.mfa_expires_at),
        "last_refresh": iso(row.last_refresh),
        "whoami_arn": row.whoami.arn if row.whoami else None,
        "account_mismatch": bool(row.whoami and row.whoami.mismatch),
        "last_error": row.last_error,
    }


def run(args) -> int:
    service = open_service(args)
    names = service.select(args.profiles) if args.profiles else None
    if names:
        # Only the named profiles' state entries and credentials-file sections are read, so
        # `status P` costs about the same at 5,000 profiles as at 10 (bench/run.py --fleet, "status P").
        from mfa_tui.core.service.first_screen import first_screen

        rows = first_screen(service, [p.name for p in names])
    else:
        rows = service.statuses(None, state=service.load_state())
    now = service.clock.now()
    stale = 1 if args.check and any(is_stale(r) for r in rows) else 0
    if args.json:
        print_json([status_dict(r, now) for r in rows])
        return stale
    table = []
    for r in rows:
        account = f"{r.account_alias} ({r.account_id})" if r.account_alias and r.account_id else (r.account_id or "-")
        state = r.state.value + (" ⚠" if r.whoami and r.whoami.mismatch else "")
        table.append([r.profile, account, r.kind.value, state, left(r.expires_at, now), left(r.mfa_expires_at, now)])
    print_table(["PROFILE", "ACCOUNT", "KIND", "STATE", "LEFT", "MFA SESSION"], table, paint=_paint_state)
    errors = [r for r in rows if r.last_error]
    for r in errors:
        print(f"{r.profile}: {r.last_error}")
    return stale


def _paint_state(column: int, cell: str) -> str | None:
    return STATE_COLOURS.get(cell.split(" ")[0]) if column == STATE_COLUMN else None
