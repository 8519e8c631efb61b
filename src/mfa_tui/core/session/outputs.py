"""Where a profile's credentials go: the credentials file, or the state behind ``credential_process``.

A profile with ``output = "credential-process"`` keeps its credentials in mfa-tui's state only
(``mfa-tui credential-process NAME`` serves them), and its ``[profile NAME]`` section of the AWS
config file names that command (:mod:`mfa_tui.core.credentials.config_file`). The session store
(:meth:`~mfa_tui.core.session.store.SessionStore.commit`) hands such results here instead of to
the credentials-file writer. Because botocore reads the credentials file before
``credential_process`` (docs/aws-behaviour.md, "Fleet scale: credential_process after the credentials file, and Organizations' account list"), the profile's old
section there, when mfa-tui owns it, is removed in the same commit; one it does not own refuses
the profile, with the reason. A profile back in ``credentials-file`` mode loses its config
section the same way (only a section mfa-tui wrote and that holds nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.models import Registry

if TYPE_CHECKING:
    from mfa_tui.core.credentials.file import CredentialsFile

PROCESS = "credential-process"


def is_process(registry: Registry, name: str) -> bool:
    profile = registry.profiles.get(name)
    return profile is not None and profile.output == PROCESS


def _default_registry() -> Path:
    from mfa_tui.core import paths

    return paths.default_config_path()


def divert(
    registry: Registry,
    ok: list,
    credentials_file: Callable[[], CredentialsFile],
    config_path: Path,
) -> dict[str, str]:
    """Write the config sections of the successful ``ok`` results whose profile is in credential-process mode.

    Also removes their owned credentials-file sections, and the config sections of
    credentials-file profiles mfa-tui had written before. Returns the profiles refused
    (profile -> one-line reason); the caller fails them. Costs nothing when no profile of the
    registry uses credential-process and the config holds no section of mfa-tui's.
    """
    from mfa_tui.core.credentials.config_file import AwsConfigFile, command_for

    process = [r for r in ok if is_process(registry, r.profile)]
    plain = [r.profile for r in ok if not is_process(registry, r.profile)]
    config = AwsConfigFile(config_path)
    try:
        back = sorted(config.owned() & set(plain)) if plain else []
    except CredentialsFileError:
        back = []  # a config mfa-tui cannot read: its credentials-file profiles are unaffected
    if not process and not back:
        return {}
    names = [r.profile for r in process]
    refused: dict[str, str] = {}
    try:
        if names:
            cred = credentials_file()
            sections = cred.read()
            owned = cred.owned_profiles()
            for name in names:
                if name in sections and name not in owned:
                    refused[name] = (f"{cred.path} has its own [{name}], which the AWS CLI reads before credential_process; "
                                     "remove it there or keep this profile's output = \"credentials-file\"")
            stale = [n for n in names if n in owned]
            if stale:
                cred.write([], remove=stale)
        default = _default_registry()
        commands = {}
        for result in process:
            if result.profile in refused:
                continue
            profile = registry.profiles[result.profile]
            identity = registry.identities.get(profile.identity)
            region = profile.region or (identity.region if identity else None)
            commands[result.profile] = (command_for(result.profile, registry.path, default), region)
        refused |= config.write(commands, remove=back)
    except CredentialsFileError as exc:
        refused |= {name: str(exc) for name in names if name not in refused}
    return refused


def config_refusals(registry: Registry, names: list[str], config_path: Path) -> dict[str, str]:
    """Credential-process profiles among ``names`` whose config section is not mfa-tui's (before any AWS call)."""
    from mfa_tui.core.credentials.config_file import AwsConfigFile

    process = [n for n in names if is_process(registry, n)]
    if not process:
        return {}
    try:
        return AwsConfigFile(config_path).refusals(process)
    except CredentialsFileError as exc:
        return {name: str(exc) for name in process}
