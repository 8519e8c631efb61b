"""``mfa-tui init [--example]``: create the registry's folder and a starter registry.

Written at the configured path (``--config``, ``$MFA_TUI_CONFIG`` or the default). The starter is
an empty, commented registry; ``--example`` writes ``config.example.toml`` instead (every key
with its comment; its accounts and identities are placeholders to replace). An existing file is
never replaced: one line, exit 2.
"""

from __future__ import annotations


def register(parser) -> None:
    parser.add_argument(
        "--example", action="store_true",
        help="write the commented example (every key explained) instead of an empty starter",
    )


def run(args) -> int:
    from mfa_tui.core import paths
    from mfa_tui.core.registry.starter import create_registry

    path = create_registry(paths.config_path(args.config), example=args.example)
    print(f"Created {path}.")
    if args.example:
        print("Its accounts and identities are placeholders: replace them, then `mfa-tui config check`.")
    else:
        print("Fill it from ~/.aws with `mfa-tui import` (a dry run; then --write), or open the dashboard: `mfa-tui`.")
    return 0
