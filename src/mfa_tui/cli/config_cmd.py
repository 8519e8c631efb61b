"""``mfa-tui config check [PATH]`` and ``mfa-tui config path``: the registry from the command line.

``check`` prints every problem of the registry, one per line as
``PATH:LINE:COL: where: message`` (the same text the dashboard's error screen shows),
and exits 2; a valid registry gets one summary line and exit 0. ``path`` prints the
registry path mfa-tui would use (``--config``, else ``$MFA_TUI_CONFIG``, else the user
config dir). Neither imports boto3 or Textual.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mfa_tui.cli.common import add_actions


def register(parser) -> None:
    actions = add_actions(parser)
    check = actions.add_parser(
        "check",
        help="validate the registry; list every problem (exit 2) or print a summary (exit 0)",
        description="Validate the registry and list every problem at once.",
    )
    check.add_argument("path", nargs="?", metavar="PATH", help="registry file (default: the resolved registry path)")
    actions.add_parser("path", help="print the registry path mfa-tui uses", description="Print the registry path.")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def run(args) -> int:
    from mfa_tui.core.paths import config_path

    if args.action == "path":
        print(config_path(args.config))
        return 0
    from mfa_tui.core.registry import load as registry
    from mfa_tui.core.errors import RegistryError

    path = Path(args.path).expanduser() if args.path else config_path(args.config)
    try:
        loaded = registry.load(path)
    except RegistryError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"mfa-tui: {path}: {_plural(len(exc.problems), 'problem', 'problems')}", file=sys.stderr)
        return 2
    print(
        f"{path}: valid — {_plural(len(loaded.accounts), 'account', 'accounts')}, "
        f"{_plural(len(loaded.identities), 'identity', 'identities')}, "
        f"{_plural(len(loaded.profiles), 'profile', 'profiles')}"
    )
    return 0
