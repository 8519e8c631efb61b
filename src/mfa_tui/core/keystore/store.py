"""An identity's long-term access key in the OS keyring, and which keyring backend is in use.

One item per identity: service :data:`SERVICE` (``mfa-tui``), username the identity's name, and as
password a JSON object ``{"aws_access_key_id": …, "aws_secret_access_key": …}``. keyring's own CLI
finds it: ``keyring get mfa-tui alice``.

The backend is chosen as keyring itself chooses, with one difference: a backend keyring does not
recommend (priority below 1, such as keyrings.alt's plaintext file) is used only when the user
chose it (``PYTHON_KEYRING_BACKEND``, keyring's ``keyringrc.cfg``, or ``keyring.set_keyring`` in
the same process). Without a recommended or chosen backend every operation fails with one line
naming the fixes; there is never a silent plaintext fallback.

Key material is read from the keyring at each use and handed back; nothing here keeps it. ``keyring``
is imported inside the functions, so nothing that does not use the keyring pays for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mfa_tui.core.errors import MfaTuiError

SERVICE = "mfa-tui"
"""The keyring item's service name; its username is the identity's name."""

NO_BACKEND_FIX = (
    "no usable OS keyring: start a Secret Service (e.g. gnome-keyring-daemon or KeePassXC) in this session, "
    "or choose keyrings.alt's encrypted file: `pip install keyrings.alt pycryptodome` and "
    "`export PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring` (it asks for a passphrase)"
)
_NOT_BACKENDS = ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring")


class KeystoreError(MfaTuiError):
    """The keyring cannot be used, or it holds no usable item for the identity."""


@dataclass(frozen=True)
class StoredKey:
    """A long-term key read from the keyring. ``repr`` hides the secret."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass(frozen=True)
class BackendReport:
    """Which backend is active and why, and why each other one is not."""

    active: str | None
    why: str
    others: list[tuple[str, str]]
    plaintext: bool = False


def _name(backend: Any) -> str:
    cls = backend if isinstance(backend, type) else type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _chosen() -> tuple[Any | None, str]:
    """The backend the user chose, and how; (None, "") when none was chosen."""
    import keyring.core

    programmatic = getattr(keyring.core, "_keyring_backend", None)
    if programmatic is not None:
        return programmatic, "set in this process (keyring.set_keyring)"
    try:
        env = keyring.core.load_env()
        if env is not None:
            return env, "chosen with PYTHON_KEYRING_BACKEND"
        config = keyring.core.load_config()
        if config is not None:
            return config, f"chosen in {keyring.core._config_path()}"
    except Exception as exc:  # noqa: BLE001 - a named backend that cannot load: one line, never a traceback
        raise KeystoreError(f"the chosen keyring backend cannot be used: {_first_line(exc)}; {NO_BACKEND_FIX}") from None
    return None, ""


def backend() -> Any:
    """The backend to use; :class:`KeystoreError` with the fixes when there is none."""
    chosen, _how = _chosen()
    if chosen is not None:
        if _name(chosen) in _NOT_BACKENDS:
            raise KeystoreError(NO_BACKEND_FIX)
        return chosen
    import keyring.backend
    import keyring.core

    usable = [b for b in keyring.backend.get_all_keyring() if _name(b) not in _NOT_BACKENDS and _priority(b) >= 1]
    if not usable:
        raise KeystoreError(NO_BACKEND_FIX)
    return max(usable, key=_priority)


def _priority(backend: Any) -> float:
    try:
        return float(backend.priority)
    except Exception:  # noqa: BLE001 - a backend that cannot say is not usable
        return -1.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def describe() -> BackendReport:
    """For doctor: the active backend (None when there is none), why, and why the others were not used."""
    import keyring.backend

    try:
        active = backend()
        chosen, how = _chosen()
        why = how if chosen is not None else f"the recommended backend with the highest priority ({_priority(active):g})"
        active_name = _name(active)
    except KeystoreError as exc:
        active, active_name, why = None, None, str(exc)
    others: list[tuple[str, str]] = []
    keyring.backend.get_all_keyring()  # loads the plugins' classes
    for cls in sorted(getattr(keyring.backend.KeyringBackend, "_classes", ()), key=_name):
        name = _name(cls)
        if name == active_name or name.startswith("keyring.backends.chainer") or cls.__module__.startswith(("tests", "test_")):
            continue
        try:
            priority = float(cls.priority)
        except Exception as exc:  # noqa: BLE001 - the reason the backend gives for not being viable
            others.append((name, _first_line(exc)))
            continue
        if name in _NOT_BACKENDS:
            continue
        if priority < 1:
            others.append((name, f"priority {priority:g}, below keyring's recommended 1: used only when chosen"))
        elif active is not None:
            others.append((name, f"priority {priority:g}, lower than the active one's"))
    return BackendReport(active_name, why, others, plaintext=bool(active_name and "Plaintext" in active_name))


def _call(what: str, fn, *args):
    try:
        return fn(*args)
    except KeystoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - any backend failure (locked, dbus gone): one line
        raise KeystoreError(f"keyring {what} failed ({_name(backend_or_none()) or 'no backend'}): {_first_line(exc)}") from None


def backend_or_none() -> Any | None:
    try:
        return backend()
    except KeystoreError:
        return None


def read(identity: str) -> StoredKey | None:
    """The identity's key from the keyring, or None when it has no item. Nothing is kept."""
    ring = backend()
    value = _call("read", ring.get_password, SERVICE, identity)
    if value is None:
        return None
    try:
        data = json.loads(value)
        key_id, secret = data["aws_access_key_id"], data["aws_secret_access_key"]
    except (ValueError, TypeError, KeyError):
        raise KeystoreError(
            f"the keyring item {SERVICE}/{identity} is not mfa-tui's (expected JSON with aws_access_key_id and "
            "aws_secret_access_key)"
        ) from None
    if not (isinstance(key_id, str) and isinstance(secret, str) and key_id and secret):
        raise KeystoreError(f"the keyring item {SERVICE}/{identity} holds an empty or malformed key")
    return StoredKey(key_id, secret)


def write(identity: str, access_key_id: str, secret_access_key: str) -> None:
    """Store (or replace) the identity's item, then read it back: a backend that drops it fails here."""
    ring = backend()
    value = json.dumps({"aws_access_key_id": access_key_id, "aws_secret_access_key": secret_access_key})
    _call("write", ring.set_password, SERVICE, identity, value)
    back = _call("read", ring.get_password, SERVICE, identity)
    if back != value:
        raise KeystoreError(f"the keyring did not keep the item {SERVICE}/{identity} (read back differs)")


def delete(identity: str) -> None:
    """Remove the identity's item; no item is not an error."""
    ring = backend()
    if _call("read", ring.get_password, SERVICE, identity) is None:
        return
    _call("delete", ring.delete_password, SERVICE, identity)
