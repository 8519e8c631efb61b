"""``mfa-tui env PROFILE [--shell sh|bash|zsh|fish|powershell]``: lines to ``eval`` in a shell.

Prints the profile's secret key and session token: the user asked for them. Never prompts;
re-mints a chained role from a live MFA session if needed. What it prints is
:mod:`mfa_tui.core.service.env`'s, the same block the dashboard's ``C`` copies.
"""

from __future__ import annotations

from mfa_tui.cli.common import open_service
from mfa_tui.core.service.env import SHELLS, env_values, export_lines


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE")
    parser.add_argument("--shell", choices=SHELLS, default="sh")


def run(args) -> int:
    service = open_service(args)
    print("\n".join(export_lines(env_values(service, args.profile), args.shell)))
    return 0
