"""What the session state remembers: per identity, per profile, per MFA device.

The records :class:`~mfa_tui.core.session.state.StateStore` reads and writes (the file's
JSON is :mod:`.state_json`); the session store (:mod:`.store`) keeps them true to the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core.models import Credentials, WhoAmI
from mfa_tui.core.totp import DeviceCodes


@dataclass
class IdentityState:
    """What is remembered about one identity (an IAM user with one MFA device)."""

    mfa_credentials: Credentials | None = field(default=None, repr=False)
    """The live (or last) MFA session from GetSessionToken."""
    binding: str | None = None
    """What made the session (endpoint, region, user, device; :func:`mfa_tui.core.session.store.identity_binding`).
    A session whose binding differs from the registry's identity now is not served."""
    key_id: str | None = None
    """The long-term access key id that made the session: new keys mean a new session."""

    @property
    def mfa_expires_at(self) -> datetime | None:
        return self.mfa_credentials.expiration if self.mfa_credentials else None


@dataclass
class ProfileState:
    """What is remembered about one profile of the registry."""

    credentials: Credentials | None = field(default=None, repr=False)
    """The credentials last written for this profile."""
    expires_at: datetime | None = None
    last_refresh: datetime | None = None
    assumed_role_arn: str | None = None
    source_identity: str | None = None
    last_error: str | None = None
    """One line: why the last refresh of this profile failed; None after a success."""
    whoami: WhoAmI | None = None
    identity: str | None = None
    """The registry identity the profile hangs off (lets credential-process skip the registry)."""
    kind: str | None = None
    """``ProfileKind`` value at the last refresh."""
    binding: str | None = None
    """What the credentials were made for (kind, identity, role, external id, endpoint;
    :func:`mfa_tui.core.session.store.profile_binding`). Credentials whose binding differs from the
    registry's profile now belong to an old role and are not served."""


@dataclass
class SessionState:
    """Everything in a state file."""

    identities: dict[str, IdentityState] = field(default_factory=dict)
    profiles: dict[str, ProfileState] = field(default_factory=dict)
    devices: dict[str, DeviceCodes] = field(default_factory=dict)
    """MFA device serial -> what its codes have done (:class:`~mfa_tui.core.totp.DeviceCodes`)."""
    registry: tuple[str, str] | None = None
    """(registry path, registry stamp) this state was last checked against; see :mod:`mfa_tui.core.session.peek`."""

    def identity(self, name: str) -> IdentityState:
        """The identity's entry, created empty if missing."""
        return self.identities.setdefault(name, IdentityState())

    def profile(self, name: str) -> ProfileState:
        """The profile's entry, created empty if missing."""
        return self.profiles.setdefault(name, ProfileState())
