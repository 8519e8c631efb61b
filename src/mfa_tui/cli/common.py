"""Pieces shared by the CLI commands: opening the service, tables, JSON, prompts."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime

from mfa_tui.core.clock import format_duration, rfc3339


_stores: list = []
"""The state stores of the services opened by this command, whose warnings are still to be shown."""


def report_later(store) -> None:
    """Have :func:`report_state_warnings` show the warnings ``store`` meets (a corrupt state set aside)."""
    if all(known is not store for known in _stores):
        _stores.append(store)


def report_state_warnings() -> None:
    """Print each state or file warning not yet shown as ``mfa-tui: warning: …`` on stderr (never stdout).

    File warnings say a write had to be done differently (in place, for a bind-mounted or
    hard-linked file), once per file.

    :func:`mfa_tui.cli.run_guarded` calls it after every command, failed or not.
    """
    stores, _stores[:] = list(_stores), []
    warnings = [w for store in stores for w in store.take_warnings()]
    fileio = sys.modules.get("mfa_tui.core.fileio")  # not imported: nothing was written
    warnings += fileio.take_warnings() if fileio else []
    for warning in warnings:
        print(f"mfa-tui: warning: {warning}", file=sys.stderr)


def open_service(args):
    """The :class:`~mfa_tui.core.service.facade.Service` for the registry named by the global ``--config``."""
    from mfa_tui.core.service.facade import Service

    service = Service.open(args.config)
    report_later(service.state_store)
    # Every command that opens the service names a credentials file others can read (stderr, so
    # JSON output and `env`/`credential-process` stdout stay clean).
    warning = service.credentials_file.permission_warning()
    if warning:
        print(f"mfa-tui: warning: {warning}", file=sys.stderr)
    return service


def iso(dt: datetime | None) -> str | None:
    return rfc3339(dt) if dt else None


def left(dt: datetime | None, now: datetime) -> str:
    if dt is None:
        return "-"
    seconds = (dt - now).total_seconds()
    return format_duration(seconds) if seconds > 0 else "expired"


def colour_wanted(out=None) -> bool:
    """Colour only for a terminal that shows it, and never with ``NO_COLOR`` set (https://no-color.org)."""
    out = out or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def print_table(headers: list[str], rows: list[list[str]], out=None, *, paint=None) -> None:
    """An aligned table. ``paint(column, cell)`` may return an ANSI SGR code (``"32"``) for a cell.

    Colour is added only when :func:`colour_wanted`, around the cell's text and not its
    padding, so the columns line up and a pipe gets exactly the plain table.
    """
    out = out or sys.stdout
    if paint is None or not colour_wanted(out):
        paint = _no_paint
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), file=out)
    for row in rows:
        cells = []
        for column, (cell, width) in enumerate(zip(row, widths, strict=True)):
            sgr = paint(column, cell)
            shown = f"\x1b[{sgr}m{cell}\x1b[0m" if sgr and cell else cell
            cells.append(shown + " " * (width - len(cell)))
        print("  ".join(cells).rstrip(), file=out)


def _no_paint(column: int, cell: str) -> None:
    return None


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def add_profile_args(parser, *, nargs: str = "*", help: str = "profile names (default: all)") -> None:
    parser.add_argument("profiles", nargs=nargs, metavar="PROFILE", help=help)


def add_actions(parser):
    """The ACTION slot of a command with actions (``mfa-tui config check``): add each with ``.add_parser``."""
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)
