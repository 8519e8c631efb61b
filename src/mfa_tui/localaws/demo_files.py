"""The files the demo world writes for mfa-tui and the AWS CLI: the registry, ~/.aws/credentials, ~/.aws/config.

Plain text and data built from the identities and roles that :func:`~mfa_tui.localaws.demo.build_world` made; no I/O.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REGION = "us-east-1"


def code_command(home: Path) -> list[str]:
    """The demo device's code as a code source: ``mfa-tui demo code --home HOME`` (``--identity`` follows)."""
    return [sys.executable, "-m", "mfa_tui", "demo", "code", "--home", str(home)]


def registry(
    endpoint: str,
    acct_list: list[tuple[str, str]],
    identities: dict[str, Any],
    roles: list[tuple[str, str, str]],
    direct_profile: bool = True,
    *,
    code_command: list[str] | None = None,
    alice_command: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    alice, bob = identities["alice"], identities["bob"]
    profiles: dict[str, dict[str, Any]] = {"alice": {"identity": "alice", "tags": ["mfa"]}}
    for acct_name, role_name, arn in roles:
        profiles[f"{acct_name}-{role_name.lower()}"] = {"identity": "alice", "role_arn": arn, "duration": "1h"}
    # One direct profile: the ReadOnly role of the last account (prod in the default world).
    readonly = [r for r in roles if r[1] == "ReadOnly"]
    direct = readonly[-1] if readonly else (roles[-1] if roles else None)
    if direct is not None and direct_profile:
        acct_name, role_name, arn = direct
        profiles[f"{acct_name}-{role_name.lower()}-direct"] = {
            "identity": "alice",
            "role_arn": arn,
            "strategy": "direct",
            "duration": "4h" if role_name == "ReadOnly" else "1h",
            "tags": ["direct"],
        }
    registry: dict[str, Any] = {
        "settings": {"mfa_session_duration": "12h", "role_duration": "1h"},
        "accounts": {name: {"id": acct_id, "alias": name} for name, acct_id in acct_list},
        "identities": {
            "alice": {
                "source_profile": alice.source_profile,
                "mfa_serial": alice.mfa_serial,
                "region": REGION,
                "endpoint_url": endpoint,
                "account": "identity",
                "user_name": "alice",
            },
            "bob": {
                "source_profile": bob.source_profile,
                "region": REGION,
                "endpoint_url": endpoint,
                "account": "identity",
                "user_name": "bob",
            },
        },
        "profiles": profiles,
    }
    if alice_command and code_command:
        registry["identities"]["alice"] |= {"code_source": "command", "code_command": [*code_command, "--identity", "alice"]}
    carol = identities.get("carol")
    if carol is not None and code_command:
        # Zero typing: her codes come from the demo device through a registry setting, as a user's would.
        registry["identities"]["carol"] = {
            "source_profile": carol.source_profile,
            "mfa_serial": carol.mfa_serial,
            "region": REGION,
            "endpoint_url": endpoint,
            "account": "identity",
            "user_name": "carol",
            "code_source": "command",
            "code_command": [*code_command, "--identity", "carol"],
        }
        profiles["carol"] = {"identity": "carol", "tags": ["mfa", "no-typing"]}
    return registry, list(profiles)


def credentials_text(identities: dict[str, Any]) -> str:
    lines = ["# Long-term keys of the mfa-tui demo users (local AWS only)."]
    for ident in identities.values():
        lines += [
            "",
            f"[{ident.source_profile}]",
            f"aws_access_key_id = {ident.access_key_id}",
            f"aws_secret_access_key = {ident.secret_access_key}",
        ]
    return "\n".join(lines) + "\n"


def aws_config_text(endpoint: str, profiles: list[str], identities: dict[str, Any]) -> str:
    lines = ["# Every demo profile talks to the local AWS. No role_arn here: it would shadow mfa-tui's profiles."]
    for name in [i.source_profile for i in identities.values()] + profiles:
        lines += ["", f"[profile {name}]", f"region = {REGION}", f"endpoint_url = {endpoint}"]
    return "\n".join(lines) + "\n"
