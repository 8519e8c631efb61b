"""``mfa-tui console`` and the dashboard's ``o``: a console sign-in URL for one profile.

The service supplies the role session's credentials (re-minting a chained role from the live MFA
session if needed, never prompting); :mod:`mfa_tui.core.console.signin` turns them into a URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_tui.core.errors import ConfigError
from mfa_tui.core.models import ProfileKind

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service

CONSOLE_MIN_LEFT = 5 * 60
"""Sign in with credentials that have at least this long left (else re-mint a chained role first)."""


def console_url(service: Service, name: str, *, duration: int | None = None, destination: str | None = None) -> str:
    """A sign-in URL for profile ``name``; raises :class:`~mfa_tui.core.errors.MfaTuiError` with one line."""
    from mfa_tui.core.console import signin

    profile = service.select([name])[0]
    if profile.kind is ProfileKind.MFA_SESSION or profile.role_arn is None:
        raise ConfigError(
            f"profile {name} is an MFA session (GetSessionToken), and AWS lets no such session sign in to the "
            "console; use a role profile assumed with it (`mfa-tui console ROLE-PROFILE`, or add one with role_arn)"
        )
    signin.check_duration(duration, chained=profile.kind is ProfileKind.CHAINED_ROLE)
    if destination is not None:
        signin.check_destination(destination)
    identity = service.registry.identities[profile.identity]
    endpoint = signin.endpoint_for(
        profile.role_arn, setting=service.registry.settings.federation_endpoint, identity_endpoint=identity.endpoint_url,
    )
    creds = service.credentials(name, min_left=CONSOLE_MIN_LEFT)
    token = signin.signin_token(creds, endpoint, duration=duration)
    where = destination or signin.destination_for(profile.role_arn, profile.region or identity.region)
    return signin.login_url(endpoint, token, where)
