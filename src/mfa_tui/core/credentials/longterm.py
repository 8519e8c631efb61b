"""Exact edits of one section holding an identity's long-term keys (``mfa-tui keys move`` and ``keys rotate``).

:class:`~mfa_tui.core.credentials.file.CredentialsFile` never touches a section with long-term keys;
moving keys to the keyring and rotating them must. These three edits do it the same careful way,
under the same lock, through the same editor and proofs (:mod:`.editor`, :mod:`.verify`):

- :func:`remove_keys`: drop ``[NAME]``, only while it still holds the expected key id;
- :func:`add_keys`: append ``[NAME]`` with a key, only while there is no such section;
- :func:`replace_keys`: set the key of ``[NAME]``, only while it still holds the expected key id.

Every other byte of the file stays as it was (checked before the rename); the previous file is
first kept at ``PATH.mfa-tui-keys.bak`` (0600), and the replacement is atomic.
"""

from __future__ import annotations

import os
from pathlib import Path

from mfa_tui.core.credentials import reader
from mfa_tui.core.credentials.ownership import has_long_term_keys
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.fileio import held_lock, make_dirs, sweep_stale_temp_files
from mfa_tui.core.models import profile_name_problem

LOCK_TIMEOUT = 30.0
BACKUP_SUFFIX = ".mfa-tui-keys.bak"


def backup_path(path: Path) -> Path:
    """Where the file's previous content is kept before a key edit."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + BACKUP_SUFFIX)


def remove_keys(path: Path, name: str, expect_key_id: str) -> Path:
    """Drop section ``[name]``; it must hold long-term key ``expect_key_id``. Returns the backup's path."""
    return _edit(path, name, expect_key_id, None)


def add_keys(path: Path, name: str, key_id: str, secret: str) -> Path:
    """Append ``[name]`` holding the key; refused when the file already has such a section."""
    return _edit(path, name, None, (key_id, secret))


def replace_keys(path: Path, name: str, expect_key_id: str, key_id: str, secret: str) -> Path:
    """Put a new key into ``[name]``, which must hold long-term key ``expect_key_id``."""
    return _edit(path, name, expect_key_id, (key_id, secret))


def _edit(path: Path, name: str, expect: str | None, keys: tuple[str, str] | None) -> Path:
    path = Path(path)
    if profile_name_problem(name):
        raise CredentialsFileError(f"{path}: {name!r} cannot be a section of the credentials file; nothing was written")
    if keys is not None and any(not v or v != v.strip() or any(c in v for c in "\r\n") for v in keys):
        raise CredentialsFileError(f"{path}: [{name}]: the key is not a single-line value; nothing was written")
    target = Path(os.path.realpath(path))
    try:
        make_dirs(target.parent, 0o700)
    except OSError as exc:
        raise CredentialsFileError(f"{target.parent}: cannot create directory: {exc.strerror or exc}") from None
    lock_file = target.parent / f".{target.name}.mfa-tui.lock"
    with held_lock(lock_file, guarding=target, timeout=LOCK_TIMEOUT, error=CredentialsFileError,
                   then="nothing was written"):
        sweep_stale_temp_files(target)
        return _edit_locked(path, target, name, expect, keys)


def _edit_locked(path: Path, target: Path, name: str, expect: str | None, keys: tuple[str, str] | None) -> Path:
    from mfa_tui.core.credentials import editor, verify

    before = reader.read_file(target) or b""
    text, bom = reader.decode(path, before)
    sections = reader.sections_copy(path, text)
    existing = sections.get(name)
    if expect is None:
        if existing is not None:
            raise CredentialsFileError(f"{path}: already has a section [{name}]; nothing was written")
    else:
        held = (existing or {}).get("aws_access_key_id", "").strip()
        if existing is None or not has_long_term_keys(existing) or held != expect:
            raise CredentialsFileError(
                f"{path}: section [{name}] no longer holds the long-term key {expect}; nothing was written"
            )
    if keys is None:
        wanted: dict[str, dict[str, str]] = {}
        removed = [name]
    else:
        values = {"aws_access_key_id": keys[0], "aws_secret_access_key": keys[1]}
        wanted, removed = {name: values}, []
    after = editor.edit(path, text, bom, sections, wanted, removed)
    after_sections = reader.sections_copy(path, reader.decode(path, after)[0])
    verify.verify(path, sections, after_sections, wanted, set(removed))
    if keys is not None and after_sections[name] != {**(existing or {}), **wanted[name]}:
        raise verify.refuse(path, f"section [{name}] would change more than its key")
    backup = backup_path(path)
    if before:
        editor.write_or_nothing(backup, before, mode=0o600)
    editor.write_or_nothing(target, after)
    return backup
