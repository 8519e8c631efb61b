"""Exact edits of the AWS config file (``~/.aws/config``) for profiles with ``output = "credential-process"``.

Such a profile's credentials live in mfa-tui's state only; the AWS CLI and SDKs get them from
``credential_process = mfa-tui credential-process NAME`` in the profile's ``[profile NAME]``
section, which this module writes, exactly as :mod:`.file` writes the credentials file: the
same reader (botocore's rules), the same splicing editor (:mod:`.editor`), the same proof that
nothing else changed (:mod:`.verify`), one locked, atomic write. Every other section, key,
comment and byte stays as it was.

Ownership: a section mfa-tui wrote carries ``mfa_tui_managed = true``. A section that exists
without the marker is taken over only when it holds no key that makes credentials of its
own (``role_arn``, ``source_profile``, ``credential_process``, SSO, web identity or keys):
such a section is refused, with the key named, and nothing is written for that profile.
A section holding only settings (``region``, ``output``…) gets the two keys added and the
marker. Removing (a profile back in ``credentials-file`` mode) drops only a marked section that
holds nothing but what mfa-tui writes; a marked section with the user's own keys is left as it
is: its ``credential_process`` is then inert, since botocore reads the credentials file first.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from mfa_tui.core.credentials import reader
from mfa_tui.core.credentials.ownership import MARKER_KEY, MARKER_VALUE, has_marker
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.fileio import held_lock, sweep_stale_temp_files

PROCESS_KEY = "credential_process"
OWN_KEYS = frozenset({PROCESS_KEY, MARKER_KEY, "region"})
"""What mfa-tui writes into a config section of its own."""
CREDENTIAL_KEYS = (
    "role_arn", "source_profile", "credential_source", "credential_process", "web_identity_token_file",
    "sso_session", "sso_start_url", "aws_access_key_id", "aws_session_token",
)
"""Keys that give a config section credentials of its own: never overwritten."""
LOCK_TIMEOUT = 30.0


def section_name(profile: str) -> str:
    """The config file's section for ``profile`` (botocore's ``build_profile_map``)."""
    return "default" if profile == "default" else f"profile {profile}"


def program() -> str:
    """How the config names mfa-tui: ``mfa-tui`` when that is on PATH, else this installation's absolute path.

    ``mfa-tui`` on PATH is what a user reads and expects, and survives a reinstall or a synced
    dotfile; an absolute path is used only when PATH would not find it (a venv not activated),
    since then the bare name would fail every AWS call.
    """
    if shutil.which("mfa-tui"):
        return "mfa-tui"
    beside = Path(sys.executable).parent / "mfa-tui"
    return str(beside) if beside.exists() else "mfa-tui"


def command_for(profile: str, registry_path: Path | None = None, default_registry: Path | None = None) -> str:
    """The ``credential_process`` value for ``profile`` (``--config`` only when the registry is not the default)."""
    parts = [program()]
    if registry_path is not None and default_registry is not None \
            and os.path.realpath(registry_path) != os.path.realpath(default_registry):
        parts += ["--config", str(registry_path)]
    parts += ["credential-process", profile]
    return " ".join(shlex.quote(p) for p in parts)


def refusal(keys: dict[str, str], profile: str) -> str | None:
    """Why the config section ``keys`` of ``profile`` is not mfa-tui's to write, or None."""
    if has_marker(keys):
        return None
    found = [k for k in CREDENTIAL_KEYS if k in keys]
    if found:
        return (f"[{section_name(profile)}] already has {found[0]}, not written by mfa-tui; "
                f"remove it there or keep this profile's output = \"credentials-file\"")
    return None


class AwsConfigFile:
    """The AWS config file at ``path``: mfa-tui's ``credential_process`` sections in it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def sections(self) -> dict[str, dict[str, str]]:
        return reader.read_sections(self.path)

    def owned(self) -> set[str]:
        """Profiles whose config section carries mfa-tui's marker (cheap when there is none)."""
        data = reader.read_file(self.path)
        if not data or MARKER_KEY.encode() not in data:
            return set()
        out = set()
        for name, keys in reader.parsed_sections(self.path, reader.decode(self.path, data)[0]).items():
            if has_marker(keys):
                out.add("default" if name == "default" else name[len("profile "):] if name.startswith("profile ") else name)
        return out

    def refusals(self, profiles: list[str]) -> dict[str, str]:
        """Profiles whose section this file would refuse, each with its one-line reason (no lock)."""
        sections = self.sections()
        out = {}
        for name in profiles:
            keys = sections.get(section_name(name))
            why = refusal(keys, name) if keys is not None else None
            if why:
                out[name] = f"{self.path}: {why}"
        return out

    def write(self, commands: dict[str, tuple[str, str | None]], remove: list[str] = ()) -> dict[str, str]:
        """Set ``credential_process`` (and ``region`` when the section has none) per profile; drop ``remove``'s.

        ``commands``: profile -> (command, region). Refused profiles are left out and returned
        with their reasons; everything else is written in one locked, atomic write (nothing when
        the file already says it). Raises :class:`CredentialsFileError` when the file cannot be
        read, parsed or edited exactly; it is then unchanged.
        """
        for name in list(commands) + list(remove):
            if any(c.isspace() for c in name) or "'" in name or '"' in name:
                raise CredentialsFileError(f"{self.path}: profile {name!r}: a name with spaces or quotes cannot be "
                                           "written to the AWS config file by mfa-tui; nothing was written")
        target = Path(os.path.realpath(self.path))
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with held_lock(target.parent / f".{target.name}.mfa-tui.lock", guarding=target, timeout=LOCK_TIMEOUT,
                       error=CredentialsFileError, then="nothing was written"):
            sweep_stale_temp_files(target)
            return self._write_locked(target, commands, list(remove))

    def _write_locked(self, target: Path, commands: dict[str, tuple[str, str | None]], remove: list[str]) -> dict[str, str]:
        from mfa_tui.core.credentials import editor, verify

        before = reader.read_file(target) or b""
        text, bom = reader.decode(self.path, before)
        sections = reader.sections_copy(self.path, text)
        refused: dict[str, str] = {}
        wanted: dict[str, dict[str, str]] = {}
        for name, (command, region) in commands.items():
            section = section_name(name)
            keys = sections.get(section)
            why = refusal(keys, name) if keys is not None else None
            if why:
                refused[name] = f"{self.path}: {why}"
                continue
            values = {PROCESS_KEY: command}
            if region and (keys is None or "region" not in keys):
                values["region"] = region
            values[MARKER_KEY] = MARKER_VALUE
            if keys is None or any(keys.get(k) != v for k, v in values.items()):
                wanted[section] = values
        dropped = []
        for name in remove:
            section = section_name(name)
            keys = sections.get(section)
            if keys is None or not has_marker(keys):
                continue
            if set(keys) <= OWN_KEYS:
                dropped.append(section)
            # else: the section holds the user's keys too and stays; its credential_process is inert,
            # since botocore reads the credentials file (where the profile is written again) first.
        if not wanted and not dropped:
            return refused
        after = editor.edit(self.path, text, bom, sections, wanted, dropped)
        if after == before:
            return refused
        verify.verify(self.path, sections, reader.sections_copy(self.path, reader.decode(self.path, after)[0]),
                      wanted, set(dropped))
        editor.write_or_nothing(target, after)
        return refused
