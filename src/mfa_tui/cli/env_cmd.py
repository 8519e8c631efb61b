"""``mfa-tui env PROFILE [--shell sh|fish|powershell]``: lines to ``eval`` in a shell.

Prints the profile's secret key and session token: the user asked for them. Never prompts;
re-mints a chained role from a live MFA session if needed.
"""

from __future__ import annotations

import shlex

from mfa_tui.cli.common import open_service
from mfa_tui.core.clock import rfc3339


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE")
    parser.add_argument("--shell", choices=["sh", "fish", "powershell"], default="sh")


def lines(values: dict[str, str], shell: str) -> list[str]:
    if shell == "fish":
        return [f"set -gx {k} {shlex.quote(v)};" for k, v in values.items()]
    if shell == "powershell":
        return ["$Env:{} = '{}'".format(k, v.replace("'", "''")) for k, v in values.items()]
    return [f"export {k}={shlex.quote(v)}" for k, v in values.items()]


def run(args) -> int:
    service = open_service(args)
    creds = service.credentials(args.profile, min_left=60)
    profile = service.registry.profiles[args.profile]
    region = profile.region or service.registry.identities[profile.identity].region
    values = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": rfc3339(creds.expiration),
        "AWS_REGION": region,
    }
    print("\n".join(lines(values, args.shell)))
    return 0
