"""The environment a shell or a child process needs to act as a profile.

What ``mfa-tui env`` prints and the dashboard's ``C`` copies: the profile's temporary keys, their
expiry (``AWS_CREDENTIAL_EXPIRATION``, which botocore reads), the region under both names (awscli
v1 and boto3 read only ``AWS_DEFAULT_REGION``; newer tools ``AWS_REGION``) and, for an identity on
a custom endpoint such as the local AWS, ``AWS_ENDPOINT_URL``, so the SDK's calls go where the
credentials were made.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from mfa_tui.core.clock import rfc3339

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service

SHELLS = ("sh", "bash", "zsh", "fish", "powershell")
"""Shells :func:`export_lines` writes for; sh, bash and zsh share one syntax."""


def env_values(service: Service, name: str, *, min_left: int = 60) -> dict[str, str]:
    """The variables for profile ``name``, re-minting a chained role if needed; never prompts.

    Raises :class:`~mfa_tui.core.errors.NeedsCodeError` when only a new code would help.
    """
    creds = service.credentials(name, min_left=min_left)
    profile = service.registry.profiles[name]
    identity = service.registry.identities[profile.identity]
    region = profile.region or identity.region
    values = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": rfc3339(creds.expiration),
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    if identity.endpoint_url:
        values["AWS_ENDPOINT_URL"] = identity.endpoint_url
    return values


def export_lines(values: dict[str, str], shell: str) -> list[str]:
    """One line per variable that ``shell`` evaluates to set it (values quoted for that shell)."""
    if shell == "fish":
        return [f"set -gx {k} {shlex.quote(v)};" for k, v in values.items()]
    if shell == "powershell":
        return ["$Env:{} = '{}'".format(k, v.replace("'", "''")) for k, v in values.items()]
    return [f"export {k}={shlex.quote(v)}" for k, v in values.items()]
