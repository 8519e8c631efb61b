"""The only code that writes the shared credentials file (``~/.aws/credentials``): :class:`CredentialsFile`.

It reads with :mod:`mfa_tui.core.credentials.reader`, decides ownership with
:mod:`mfa_tui.core.credentials.ownership`, and edits and checks with
:mod:`mfa_tui.core.credentials.editor` and :mod:`mfa_tui.core.credentials.verify`.

Other tools lost users' profiles by rewriting this file whole (aws-mfa#39, leapp#228);
this module edits only what mfa-tui owns and leaves every other byte as it was.

Ownership rule
--------------
mfa-tui may write a section ``[NAME]`` only when the caller asks for a registry profile
``NAME`` and one of these holds:

- the file has no ``[NAME]`` section yet: it is appended at the end, after one blank line;
- ``[NAME]`` carries the marker ``mfa_tui_managed = true`` (a key mfa-tui writes into
  every section it owns; botocore ignores unknown keys) and holds no long-term keys;
- ``[NAME]`` holds another tool's temporary credentials (``aws_session_token``, as
  aws-mfa writes it, no long-term keys) and the caller passes ``adopt``; the section is
  then updated in place and gets the marker.

A section with long-term keys (``aws_access_key_id`` without a session token) is never
written, marker or not. Any other existing section is not ours. By default one refused
profile refuses the whole call: nothing at all is written. With ``skip_refused`` (what a
refresh uses) the refused profiles are left out and returned with their reasons, and
every other profile is written; the decision is made under the lock, on the file as it
is then. :meth:`CredentialsFile.refusals` gives the same answers without the lock, so a
refresh can leave out a refused profile before spending an AWS call on it.

How a write keeps everything else
---------------------------------
The file is read exactly as botocore's :mod:`configparser` reads it (the truth for
ownership and for :meth:`CredentialsFile.read`; a reader of the same rules that costs a
fraction of configparser's time, which is used only to name the line of a file it would
refuse). It is cut at its column-0 headers, and only the sections written are edited: by
splicing lines when in mfa-tui's own form, else by configupdater, which keeps every line
and can edit options in place (:mod:`mfa_tui.core.credentials.editor`); the rest is copied.
The write is refused, file untouched, when configupdater cannot reproduce a section byte
for byte, when the two parsers see different sections or keys, when any region outside
the owned sections changes by a byte (apart from the line break and blank line that
separate an appended section from the file's last line), or when the result, read again
as botocore reads it, differs anywhere but in the owned sections. A UTF-8 BOM is kept; CRLF files stay CRLF; a file
with mixed line endings keeps them and gets LF on the lines mfa-tui writes.

Inside an owned section, keys are updated where they stand (a key's own continuation
lines are dropped, comment lines among them are kept) and missing keys are added after
the last key; removing a section removes everything up to the next section header.
Every write is atomic (:func:`mfa_tui.core.fileio.atomic_write`: temp file, fsync,
rename; 0600 on create, never widened; a read-only file is refused; temp files that
killed writers left behind are swept) and happens under a
:class:`filelock.FileLock` at ``<dir>/.<name>.mfa-tui.lock`` held from read to rename,
so concurrent mfa-tui processes never lose each other's profiles. A symlinked file is
written through to its target, so dotfile setups keep their link; a hard-linked or
bind-mounted one is written in place. The file and its lock file keep their owner, so
``sudo mfa-tui`` leaves them the user's.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from mfa_tui.core.credentials import reader
from mfa_tui.core.credentials.ownership import (
    ProfileCredentials, check_ownership, check_request, has_long_term_keys, has_marker, refusal, refusal_message,
    values_for,
)
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.fileio import held_lock, make_dirs, mode_of, open_to_others, sweep_stale_temp_files

__all__ = ["CredentialsFile"]

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another process's write; a write takes milliseconds."""


class CredentialsFile:
    """The shared credentials file at ``path``: read it, and edit mfa-tui's sections in it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # ── reading ─────────────────────────────────────────────────────────────
    def read(self) -> dict[str, dict[str, str]]:
        """Section -> keys (lower-cased, as botocore sees them); ``{}`` when the file is missing.

        A ``[DEFAULT]`` section is returned as a plain section. Raises
        :class:`CredentialsFileError` naming the line when the file cannot be parsed.
        """
        return {name: dict(keys) for name, keys in self._sections().items()}

    def _sections(self) -> dict[str, dict[str, str]]:
        """:meth:`read` without the copy, for readers that change nothing."""
        return reader.read_sections(self.path)

    def key_ids(self) -> dict[str, str | None]:
        """Section -> its ``aws_access_key_id`` (None when it has none); ``{}`` when the file is missing.

        What a status needs to tell whether a profile's section still holds the credentials
        mfa-tui wrote, read with a line scan instead of :meth:`read`'s full parse: 7 ms instead
        of 43 ms for 1000 sections, which keeps the dashboard's first frame within its bench
        target (figure 4). For every file :meth:`read` accepts it gives the same key ids
        (``tests/core/test_credentials_key_ids.py`` checks it); it does not validate, so a
        broken file is still reported by :meth:`read` and by the writer. Raises
        :class:`CredentialsFileError` when the file cannot be read.
        """
        data = reader.read_file(self.path)
        return {} if data is None else reader.scan_key_ids(self.path, data)

    def long_term_keys(self, profile: str) -> tuple[str, str] | None:
        """``(access_key_id, secret_access_key)`` when ``[profile]`` holds long-term keys."""
        keys = self._sections().get(profile)
        if keys is None or not has_long_term_keys(keys) or "aws_secret_access_key" not in keys:
            return None
        return keys["aws_access_key_id"], keys["aws_secret_access_key"]

    def refusals(self, names: Iterable[str], *, adopt: bool | Collection[str] = False) -> dict[str, str]:
        """Which of ``names`` a write would refuse now, each with its one-line reason.

        Read without the lock: an early answer (so no AWS call is spent on a profile that
        cannot be written), not the final one, which :meth:`write` makes under the lock.
        Raises :class:`CredentialsFileError` when the file cannot be read or parsed.
        """
        names = list(names)
        adopted = set(names) if adopt is True else set(adopt or ())
        sections = self._sections()
        return {
            name: refusal_message(self.path, name, why)
            for name in names
            if name in sections and (why := refusal(sections[name], name in adopted, name=name))
        }

    def owned_profiles(self) -> set[str]:
        """Sections mfa-tui owns: marked and holding no long-term keys."""
        return {name for name, keys in self._sections().items() if has_marker(keys) and not has_long_term_keys(keys)}

    def permission_warning(self) -> str | None:
        """A one-line warning when the file is readable or writable by group or others."""
        mode = mode_of(self.path)
        what = open_to_others(mode) if mode is not None else None
        if what is None:
            return None
        return f"{self.path} is {what} by others (mode {mode:04o}); fix with `chmod 600 {self.path}`"

    # ── writing ─────────────────────────────────────────────────────────────
    def write(
        self,
        updates: list[ProfileCredentials],
        *,
        remove: Iterable[str] = (),
        adopt: bool | Collection[str] = False,
        skip_refused: bool = False,
    ) -> dict[str, str]:
        """Write all ``updates`` and drop the ``remove`` sections in one locked, atomic write.

        ``adopt`` (True, or a collection of profile names) lets mfa-tui take over sections
        holding another tool's temporary credentials. A profile whose section is not
        mfa-tui's refuses the whole call (:class:`CredentialsFileError`, file unchanged)
        unless ``skip_refused``: then refused profiles are left out, everything else is
        written, and the refused ones are returned as profile -> one-line reason (read
        under the lock, so authoritative). Returns ``{}`` when nothing was refused. The
        file cannot be parsed or edited exactly: :class:`CredentialsFileError`, file
        unchanged, whatever ``skip_refused`` says.
        """
        updates = list(updates)
        remove = list(dict.fromkeys(remove))
        check_request(self.path, updates, remove)
        if not updates and not remove:
            return {}
        adopted = {u.profile for u in updates} if adopt is True else set(adopt or ())
        target = Path(os.path.realpath(self.path))
        _ensure_parent(target)
        lock_file = target.parent / f".{target.name}.mfa-tui.lock"
        with held_lock(
            lock_file, guarding=target, timeout=LOCK_TIMEOUT, error=CredentialsFileError, then="nothing was written"
        ):
            # Also when the write turns out to change nothing (atomic_write sweeps on its own).
            sweep_stale_temp_files(target)
            return self._write_locked(target, updates, remove, adopted, skip_refused)

    def _write_locked(
        self, target: Path, updates: list[ProfileCredentials], remove: list[str], adopted: set[str], skip_refused: bool
    ) -> dict[str, str]:
        from mfa_tui.core.credentials import editor, verify  # local: the editor imports configparser, which only a write needs

        before_bytes = reader.read_file(target) or b""
        text, bom = reader.decode(self.path, before_bytes)
        sections = reader.sections_copy(self.path, text)
        refused = check_ownership(self.path, sections, updates, remove, adopted, raise_=not skip_refused)
        if refused:
            updates = [u for u in updates if u.profile not in refused]
            remove = [r for r in remove if r not in refused]
        wanted = {u.profile: values_for(u, sections.get(u.profile)) for u in updates}
        if not wanted and not any(r in sections for r in remove):
            return refused
        after_bytes = editor.edit(self.path, text, bom, sections, wanted, [r for r in remove if r in sections])
        if after_bytes == before_bytes:
            return refused
        after_sections = reader.sections_copy(self.path, reader.decode(self.path, after_bytes)[0])
        verify.verify(self.path, sections, after_sections, wanted, set(remove))
        editor.write_or_nothing(target, after_bytes)
        return refused


def _ensure_parent(target: Path) -> None:
    """Create a missing ~/.aws as 0700 (root creating it in another user's home gives it to them);
    an existing directory's mode is the user's business."""
    try:
        make_dirs(target.parent, 0o700)
    except OSError as exc:
        raise CredentialsFileError(f"{target.parent}: cannot create directory: {exc.strerror or exc}") from None
