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
profile (see :func:`_encode`), so :mod:`mfa_tui.core.session.peek` can pick out one
profile without parsing the other thousand. Writers go through :meth:`StateStore.update`,
which locks, re-reads, applies a change and writes, so two processes never lose each
other's entries. A corrupt or unreadable file, or anything there that is no file at all (a
named pipe, which a plain ``open()`` would wait on forever, or a directory), is moved aside to
``state.json.corrupt-<UTC time>`` and replaced by an empty state, with a warning in
:attr:`StateStore.warnings` for the caller to show; it never raises. Root updating another
user's state (``sudo``) leaves the directory, file and lock file theirs (:mod:`mfa_tui.core.fileio`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mfa_tui.core import paths
from mfa_tui.core.clock import Clock, SystemClock, parse_time, rfc3339
from mfa_tui.core.errors import FileError, StateError
from mfa_tui.core.fileio import NotAFileError, atomic_write, ensure_private_dir, held_lock, open_regular
from mfa_tui.core.models import Credentials, WhoAmI
from mfa_tui.core.session.peek import STATE_FILE, STATE_VERSION, state_file_name  # one definition for both readers
from mfa_tui.core.totp import DeviceCodes

_DEFAULT_REGISTRY = object()
"""``StateStore``'s default: the registry that ``mfa-tui`` without ``--config`` uses."""

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another process's update; an update takes milliseconds."""


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

        ``only`` names the profiles wanted (the dashboard's first screenful): the file is still
        parsed and its identities decoded and checked, but the other profiles' entries are left
        out unread, so a problem in one of them is found by the next full load.
        """
        self.warnings = []
        data, problem = self._read()
        if problem is None:
            state, problem = _decode(data, only) if data is not None else (SessionState(), None)
            if problem is None:
                return state
        try:
            self._set_aside(data, problem)
        except StateError as exc:
            self._warn(f"{self.path}: {problem}; {exc}")
        return SessionState()

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
                    state, problem = _decode(data)
                if problem is not None:
                    self._set_aside_locked(problem)
                    state = SessionState()
                fn(state)
                for pst in state.profiles.values():
                    pst.last_error = _one_line(pst.last_error)
                atomic_write(self.path, _encode(state))
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


# ── JSON ────────────────────────────────────────────────────────────────────
class _Corrupt(Exception):
    """The file's content is not a state this version understands."""


def _decode(data: bytes, only: Collection[str] | None = None) -> tuple[SessionState, str | None]:
    """The state in ``data`` (with only the profiles named in ``only``, if given), or an empty state and why not.

    This is the dashboard's start-up path (one entry per profile, 1000 of them in the bench), so
    the checks below are written for speed: a time string is parsed once however many fields
    repeat it (a profile's ``expires_at`` is its credentials' expiration), and each field is
    type-checked inline. What is accepted and rejected is the same as when each field was checked
    by its own call (a file with several problems may now be reported by a different one of them).
    """
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict):
            raise _Corrupt("not a JSON object")
        if doc.get("version") != STATE_VERSION:
            raise _Corrupt(f"unknown version {doc.get('version')!r} (expected {STATE_VERSION})")
        times: dict[str, datetime] = {}
        identities = {name: _identity(v, times) for name, v in _table(doc, "identities").items()}
        devices = {serial: _device(v) for serial, v in _table(doc, "devices").items()}
        entries = _table(doc, "profiles")
        if only is not None:
            entries = {name: entries[name] for name in only if name in entries}
        registry = doc.get("registry")
        if registry is not None and not (
            isinstance(registry, list) and len(registry) == 2 and all(isinstance(x, str) for x in registry)
        ):
            raise _Corrupt("registry is not a [path, stamp] pair")
        state = SessionState(
            identities=identities, profiles={name: _profile(v, times) for name, v in entries.items()},
            devices=devices, registry=tuple(registry) if registry else None,
        )
    except _Corrupt as exc:
        return SessionState(), f"is corrupt: {exc}"
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, bad times
        return SessionState(), "is corrupt: not valid JSON"
    return state, None


def _table(doc: dict, key: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise _Corrupt(f"{key} is not a table of tables")
    return value


def _get(obj: dict, key: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is int):
        raise _Corrupt(f"{key} has the wrong type")
    return value


def _text(obj: dict, key: str) -> str | None:
    """``_get(obj, key, str)``, inline-fast for the common cases."""
    value = obj.get(key)
    if value is None or type(value) is str:
        return value
    return _get(obj, key, str)


def _texts(obj: dict, keys: tuple[str, ...]) -> list[str | None]:
    """``[_get(obj, key, str) for key in keys]`` in one call (the checks are the same)."""
    values = [obj.get(key) for key in keys]
    for key, value in zip(keys, values):
        if value is not None and type(value) is not str:
            _get(obj, key, str)  # raises with the usual message (or accepts a str subclass)
    return values


_CREDENTIAL_TEXTS = ("access_key_id", "secret_access_key", "session_token")
_WHOAMI_TEXTS = ("arn", "account", "user_id", "expected_account")
_PROFILE_TEXTS = ("assumed_role_arn", "source_identity", "last_error", "identity", "kind", "binding")


def _time(obj: dict, key: str, times: dict[str, datetime]) -> datetime | None:
    value = _text(obj, key)
    if value is None:
        return None
    when = times.get(value)
    if when is None:
        try:
            # What this module writes (RFC 3339 with Z) parses straight to aware UTC on 3.11+.
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
        if when is None or when.tzinfo is not UTC:
            when = parse_time(value)  # anything else: the general parser (or its ValueError)
        times[value] = when
    return when


def _credentials(obj: dict, key: str, times: dict[str, datetime]) -> Credentials | None:
    value = _get(obj, key, dict)
    if value is None:
        return None
    parts = _texts(value, _CREDENTIAL_TEXTS)
    expiration = _time(value, "expiration", times)
    if None in parts or expiration is None:
        raise _Corrupt(f"{key} is incomplete")
    return Credentials(*parts, expiration=expiration)


def _identity(obj: dict, times: dict[str, datetime]) -> IdentityState:
    return IdentityState(
        mfa_credentials=_credentials(obj, "mfa_credentials", times),
        binding=_text(obj, "binding"),
        key_id=_text(obj, "key_id"),
    )


def _device(obj: dict) -> DeviceCodes:
    sent = _get(obj, "sent", list) or []
    if not all(isinstance(p, list) and len(p) == 2 and type(p[0]) is int and isinstance(p[1], str) for p in sent):
        raise _Corrupt("sent is not a list of [step, code] pairs")
    return DeviceCodes(accepted_step=_get(obj, "accepted_step", int), sent=tuple((step, code) for step, code in sent))


def _profile(obj: dict, times: dict[str, datetime]) -> ProfileState:
    who = _get(obj, "whoami", dict)
    whoami = None
    if who is not None:
        checked_at = _time(who, "checked_at", times)
        arn, account, user_id, expected = _texts(who, _WHOAMI_TEXTS)
        if arn is None or account is None or user_id is None or checked_at is None:
            raise _Corrupt("whoami is incomplete")
        whoami = WhoAmI(arn, account, user_id, checked_at=checked_at, expected_account=expected)
    assumed_role_arn, source_identity, last_error, identity, kind, binding = _texts(obj, _PROFILE_TEXTS)
    return ProfileState(
        credentials=_credentials(obj, "credentials", times),
        expires_at=_time(obj, "expires_at", times),
        last_refresh=_time(obj, "last_refresh", times),
        assumed_role_arn=assumed_role_arn,
        source_identity=source_identity,
        last_error=last_error,
        whoami=whoami,
        identity=identity,
        kind=kind,
        binding=binding,
    )


def _opt_time(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def _encode_credentials(creds: Credentials | None) -> dict | None:
    if creds is None:
        return None
    return {
        "access_key_id": creds.access_key_id,
        "secret_access_key": creds.secret_access_key,
        "session_token": creds.session_token,
        "expiration": rfc3339(creds.expiration),
    }


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _encode(state: SessionState) -> bytes:
    identities = {
        name: {"mfa_credentials": _encode_credentials(ist.mfa_credentials), "binding": ist.binding, "key_id": ist.key_id}
        for name, ist in state.identities.items()
    }
    devices = {
        serial: {"accepted_step": codes.accepted_step, "sent": [[int(step), str(code)] for step, code in codes.sent]}
        for serial, codes in state.devices.items()
    }
    profiles = {}
    for name, pst in state.profiles.items():
        who = pst.whoami
        profiles[name] = {
            "credentials": _encode_credentials(pst.credentials),
            "expires_at": _opt_time(pst.expires_at),
            "last_refresh": _opt_time(pst.last_refresh),
            "assumed_role_arn": pst.assumed_role_arn,
            "source_identity": pst.source_identity,
            "last_error": _one_line(pst.last_error),
            "whoami": None
            if who is None
            else {
                "arn": who.arn,
                "account": who.account,
                "user_id": who.user_id,
                "checked_at": rfc3339(who.checked_at),
                "expected_account": who.expected_account,
            },
            "identity": pst.identity,
            "kind": pst.kind,
            "binding": pst.binding,
        }
    # Still one JSON document, laid out so that every profile's entry is one line starting
    # with its JSON-encoded name (identities all on one line, so no other line starts like
    # that): credential-process finds one profile with a substring search and decodes only
    # that line (state_peek.peek_credentials). JSON strings never hold a raw newline, so a
    # newline in the file is always this layout's.
    compact = {"separators": (",", ":")}
    lines = [
        f'{{"version":{STATE_VERSION},',
        f'"registry":{json.dumps(list(state.registry) if state.registry else None, **compact)},',
        f'"devices":{json.dumps(devices, **compact)},',
        f'"identities":{json.dumps(identities, **compact)},',
        '"profiles":{',
    ]
    entries = [f"{json.dumps(name)}:{json.dumps(entry, **compact)}" for name, entry in profiles.items()]
    body = ",\n".join(entries)
    return ("\n".join(lines) + "\n" + (body + "\n" if body else "") + "}}\n").encode("utf-8")
