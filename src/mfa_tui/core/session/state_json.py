"""The state file's JSON: decoding it (every field checked) and encoding it (one line per profile).

:func:`decode` is the dashboard's start-up path and :func:`encode` writes the layout the
``credential-process`` fast path (:mod:`.peek`) reads: compact JSON with one line per profile.
:class:`~mfa_tui.core.session.state.StateStore` is their only caller.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from mfa_tui.core.clock import parse_time, rfc3339
from mfa_tui.core.models import Credentials, WhoAmI
from mfa_tui.core.session.entries import IdentityState, ProfileState, SessionState
from mfa_tui.core.session.lines import END, PROFILES, SORTED, Entries
from mfa_tui.core.session.peek import STATE_VERSION  # one definition for both readers
from mfa_tui.core.totp import DeviceCodes


class _Corrupt(Exception):
    """The file's content is not a state this version understands."""


def decode(data: bytes, only: Collection[str] | None = None) -> tuple[SessionState, str | None]:
    """The state in ``data`` (with only the profiles named in ``only``, if given), or an empty state and why not."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
        return SessionState(), "is corrupt: not valid JSON"
    if only is not None and isinstance(doc, dict) and isinstance(doc.get("profiles"), dict):
        doc["profiles"] = {name: doc["profiles"][name] for name in only if name in doc["profiles"]}
    return _decode_doc(doc)


def decode_some(fd: int, only: Collection[str]) -> SessionState | None:
    """The state in the file open on ``fd``, with just ``only``'s profile entries; None to read it in full.

    Everything above the profiles (version, registry, devices, identities) is decoded and checked,
    and of the profiles just the named entries, each found on its own line (:class:`.lines.Entries`).
    The other entries, and whether the rest of the file is well-formed, are left to the next full
    decode. A file in another layout (hand-written) or with a problem in what was read gives None:
    the full decode then reports it. Protects bench figure 4 (dashboard first frame at 5,000
    profiles ≤ 1.3× the bare app, CPU; bench/dash_bench.py) and ``status P``'s cost: parsing the
    whole 5 MB state cost ~20 ms of that frame for a screenful of rows.
    """
    entries = Entries.open(fd)
    if entries is None:
        return None
    try:
        doc = json.loads(entries.head[:-len(PROFILES)] + b'\n"profiles":{}}')
        if not isinstance(doc, dict):
            return None
        for name in only:
            line = entries.line(json.dumps(name).encode("ascii"))
            if line is not None:
                doc["profiles"][name] = json.loads(line)
    except (ValueError, RecursionError):
        return None
    state, problem = _decode_doc(doc)
    return state if problem is None else None


def _decode_doc(doc: Any) -> tuple[SessionState, str | None]:
    """The state in the parsed document, or an empty state and why not.

    This is the dashboard's start-up path (one entry per profile, 1000 of them in the bench), so
    the checks below are written for speed: a time string is parsed once however many fields
    repeat it (a profile's ``expires_at`` is its credentials' expiration), and each field is
    type-checked inline. What is accepted and rejected is the same as when each field was checked
    by its own call (a file with several problems may now be reported by a different one of them).
    """
    try:
        if not isinstance(doc, dict):
            raise _Corrupt("not a JSON object")
        if doc.get("version") != STATE_VERSION:
            raise _Corrupt(f"unknown version {doc.get('version')!r} (expected {STATE_VERSION})")
        times: dict[str, datetime] = {}
        identities = {name: _identity(v, times) for name, v in _table(doc, "identities").items()}
        devices = {serial: _device(v) for serial, v in _table(doc, "devices").items()}
        entries = _table(doc, "profiles")
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
    except ValueError:  # bad times
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
# ProfileState's text fields, each stored under its own name.
_PROFILE_TEXTS = ("assumed_role_arn", "source_identity", "last_error", "identity", "kind", "binding")


def _time(obj: dict, key: str, times: dict[str, datetime]) -> datetime | None:
    value = _text(obj, key)
    if value is None:
        return None
    when = times.get(value)
    if when is None:
        when = times[value] = parse_time(value)  # a ValueError for a bad time
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
    return ProfileState(
        credentials=_credentials(obj, "credentials", times),
        expires_at=_time(obj, "expires_at", times),
        last_refresh=_time(obj, "last_refresh", times),
        whoami=whoami,
        **dict(zip(_PROFILE_TEXTS, _texts(obj, _PROFILE_TEXTS))),
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


def one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def encode(state: SessionState) -> bytes:
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
            "last_error": one_line(pst.last_error),
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
    # that), the lines in byte order: credential-process (.peek), `status P` and the first
    # screenful (decode_some) find a profile's line with a few small reads (.lines). JSON
    # strings never hold a raw newline, so a newline in the file is always this layout's.
    compact = {"separators": (",", ":")}
    lines = [
        f'{{"version":{STATE_VERSION},',
        f'"registry":{json.dumps(list(state.registry) if state.registry else None, **compact)},',
        f'"devices":{json.dumps(devices, **compact)},',
        f'"identities":{json.dumps(identities, **compact)},',
    ]
    # ensure_ascii (json's default) keeps every line ASCII, so str order is .lines' byte order.
    entries = sorted(f"{json.dumps(name)}:{json.dumps(entry, **compact)}" for name, entry in profiles.items())
    body = ",\n".join(entries)
    # The lines the readers look for are written from their one definition (.lines: SORTED, PROFILES, END).
    return "\n".join(lines).encode("utf-8") + SORTED + PROFILES + (body + "\n" if body else "").encode("utf-8") + END
