"""What enabling a device writes into the registry: the identity's serial and, when it has none, its profile.

Both go through the registry's exact editor. The device is enabled on AWS before either is
written, so a failure here says what to add by hand instead of undoing anything.
"""

from __future__ import annotations

from pathlib import Path

from mfa_tui.core.errors import FileError, MfaTuiError


def record_serial(registry_path: Path, identity: str, serial: str) -> None:
    """Set ``identities.IDENTITY.mfa_serial``; :class:`FileError` saying what to set by hand if that fails."""
    from mfa_tui.core.registry import edit as registry_edit

    try:
        registry_edit.set_value(registry_path, ("identities", identity), "mfa_serial", serial)
    except MfaTuiError as exc:
        raise FileError(
            f"device {serial} is enabled, but {registry_path} was not updated ({exc}); "
            f'set mfa_serial = "{serial}" in [identities.{identity}] by hand'
        ) from None


def add_session_profile(registry_path: Path, identity: str) -> str | None:
    """Give an identity with no profile its MFA-session profile, named after it; returns what was done.

    Without a profile nothing would use the new device: ``[profiles.NAME]`` with just
    ``identity = NAME`` makes the next code refresh it. An identity that already has a profile
    (a session or a role) is left alone. A taken name, or a profile the registry would refuse
    (the name is the identity's ``source_profile``, ~/.aws/config makes it a role), is skipped
    with the reason: the device is enabled either way.
    """
    from mfa_tui.core import paths
    from mfa_tui.core.registry import load as registry
    from mfa_tui.core.registry.edit import add_entries

    name = identity
    try:
        current = registry.load(registry_path)
        if any(p.identity == name for p in current.profiles.values()):
            return None
        if name in current.profiles:
            owner = current.profiles[name].identity
            return f"No profile added: [profiles.{name}] is taken (identity {owner}); add one for {name} by hand."
        add_entries(registry_path, profiles={name: {"identity": name}}, aws_config_path=paths.aws_config_path())
    except MfaTuiError as exc:
        return f"No profile added for identity {name}: {exc}"
    return f"Added profile {name} (the MFA session of identity {name}) to {registry_path}: refresh it with the next code."
