"""Session state: what mfa-tui remembers between runs, in ``<state dir>/state.json``.

Per identity: its MFA session (the GetSessionToken credentials that re-mint chained
roles without a new code) and the TOTP step and codes last spent on its device. Per
profile: its current credentials (so ``mfa-tui credential-process`` can answer without
parsing the credentials file), expiry, last refresh, assumed-role ARN, last error and
the last who-am-I answer.

The file holds secrets: directory 0700, file 0600, replaced atomically. Reading is
the hot path (``credential-process`` runs on every AWS CLI call), so :meth:`StateStore.load`
uses plain ``json`` and ``datetime`` and takes no lock: a reader sees the old file or
the new one thanks to the atomic rename. The file is compact JSON with one line per
profile (see :func:`mfa_tui.core.session.state_json.encode`), so :mod:`mfa_tui.core.session.peek` can pick out one
profile without parsing the other thousand. Writers go through :meth:`StateStore.update`,
which locks, re-reads, applies a change and writes, so two processes never lose each
other's entries. A corrupt or unreadable file, or anything there that is no file at all (a
named pipe, which a plain ``open()`` would wait on forever, or a directory), is moved aside to
``state.json.corrupt-<UTC time>`` and replaced by an empty state, with a warning in
:attr:`StateStore.warnings` for the caller to show; it never raises. Root updating another
user's state (``sudo``) leaves the directory, file and lock file theirs (:mod:`mfa_tui.core.fileio`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path

from mfa_tui.core import paths
from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.errors import FileError, StateError
from mfa_tui.core.fileio import NotAFileError, atomic_write, ensure_private_dir, held_lock, open_regular
from mfa_tui.core.session.entries import SessionState
from mfa_tui.core.session.peek import STATE_FILE, state_file_name  # one definition for both readers
from mfa_tui.core.session.state_json import decode, decode_some, encode, one_line

_DEFAULT_REGISTRY = object()
"""``StateStore``'s default: the registry that ``mfa-tui`` without ``--config`` uses."""

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another process's update; an update takes milliseconds."""



class StateStore:
    """The state file of one registry in ``directory`` (default :func:`mfa_tui.core.paths.state_dir`).

    Each registry has its own file, named after its resolved path
    (:func:`~mfa_tui.core.session.peek.state_file_name`), so ``--config B`` never sees the
    sessions of registry A. ``registry_path`` defaults to the registry ``mfa-tui`` uses with
    no ``--config`` (:func:`mfa_tui.core.paths.config_path`); None gives ``state.json``, a
    store tied to no registry.
    """

    def __init__(
        self, directory: Path | None = None, *, registry_path: Path | None | object = _DEFAULT_REGISTRY,
        clock: Clock | None = None,
    ):
        self.directory = Path(directory) if directory is not None else paths.state_dir()
        if registry_path is _DEFAULT_REGISTRY:
            registry_path = paths.config_path(None)
        self.registry_path = registry_path
        self.path = self.directory / (state_file_name(str(registry_path)) if registry_path is not None else STATE_FILE)
        self.clock = clock or SystemClock()
        self.warnings: list[str] = []
        """Problems met by the last :meth:`load` or :meth:`update` (a file set aside), one line each."""
        self._unreported: list[str] = []
        """Every warning not yet taken by :meth:`take_warnings` (a set-aside is met once, by one load)."""

    def take_warnings(self) -> list[str]:
        """The warnings met since the last call, each once: what a command prints before it exits."""
        taken, self._unreported = self._unreported, []
        return taken

    def load(self, only: Collection[str] | None = None) -> SessionState:
        """The current state; empty when there is none. Never raises for bad content.

        ``only`` names the profiles wanted (the dashboard's first screenful, ``status P``): the
        identities, devices and registry stamp are decoded and checked, and of the profiles just
        the named entries, each read off its own line of :func:`.state_json.encode`'s layout
        (:func:`.state_json.decode_some`; another layout, or a problem in what it read, means a
        full read). The other entries are left unread, so a problem in one of them is found by
        the next full load.
        """
        self.warnings = []
        if only is not None:
            some = self._load_some(only)
            if some is not None:
                return some
        data, problem = self._read()
        if problem is None:
            state, problem = decode(data, only) if data is not None else (SessionState(), None)
            if problem is None:
                return state
        try:
            self._set_aside(data, problem)
        except StateError as exc:
            self._warn(f"{self.path}: {problem}; {exc}")
        return SessionState()

    def _load_some(self, only: Collection[str]) -> SessionState | None:
        """``only``'s entries read off their own lines (:func:`.state_json.decode_some`); None to read in full."""
        try:
            fd = open_regular(self.path)
        except (OSError, FileError):
            return None  # missing or not a file: the full read says so
        try:
            return decode_some(fd, only)
        except OSError:
            return None
        finally:
            os.close(fd)

    def update(self, fn: Callable[[SessionState], None]) -> SessionState:
        """Lock, re-read, apply ``fn`` to the state, write it back; returns the new state."""
        self.warnings = []
        try:
            ensure_private_dir(self.directory)
        except FileError as exc:
            raise StateError(str(exc)) from None
        with held_lock(self._lock_path, guarding=self.path, timeout=LOCK_TIMEOUT, error=StateError):
            try:
                data, problem = self._read()
                state = SessionState()
                if problem is None and data is not None:
                    state, problem = decode(data)
                if problem is not None:
                    self._set_aside_locked(problem)
                    state = SessionState()
                fn(state)
                for pst in state.profiles.values():
                    pst.last_error = one_line(pst.last_error)
                atomic_write(self.path, encode(state))
            except StateError:
                raise
            except FileError as exc:
                raise StateError(str(exc)) from None
        return state

    def _warn(self, line: str) -> None:
        self.warnings.append(line)
        self._unreported.append(line)

    @property
    def _lock_path(self) -> Path:
        return self.directory / f"{self.path.name}.lock"

    def _read(self) -> tuple[bytes | None, str | None]:
        """(bytes, None), (None, None) when missing, or (None, why) when unreadable or no file at all."""
        try:
            with os.fdopen(open_regular(self.path), "rb") as fh:
                return fh.read(), None
        except NotAFileError as exc:
            return None, f"cannot be read: {str(exc).removeprefix(f'{self.path}: ')}"
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or exc})"

    def _set_aside(self, seen: bytes | None, problem: str) -> None:
        """Move a bad file aside under the lock, unless a writer replaced it meanwhile."""
        with held_lock(
            self._lock_path, guarding=self.path, timeout=LOCK_TIMEOUT, error=StateError, then="not moved aside"
        ):
            current, _ = self._read()
            if current == seen:
                self._set_aside_locked(problem)

    def _set_aside_locked(self, problem: str) -> None:
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        aside = self.directory / f"{self.path.name}.corrupt-{stamp}"
        n = 1
        while aside.exists():
            n += 1
            aside = self.directory / f"{self.path.name}.corrupt-{stamp}-{n}"
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateError(f"cannot move it aside to {aside} ({exc.strerror or exc})") from None
        self._warn(f"{self.path}: {problem}; moved it to {aside} and started with an empty session state")
