"""``mfa-tui keys move NAME [--back]``: an identity's long-term key between its credentials-file section and the keyring.

Forward (:func:`move`): copy the key from ``[source_profile]`` into the keyring, check it with
GetCallerIdentity (read back from the keyring, so the round trip is proven), set
``keys = "keyring"`` in the registry (exact edit), then remove the section from the credentials file
(exact edit, 0600 backup, every other byte kept). Back (:func:`move_back`): check the keyring's key,
set the registry back, append ``[source_profile]`` with the key, then delete the keyring item.

Any failure before the last file edit undoes what was done, so the registry and the credentials file
are as they were; the one line raised says what failed. The registry keeps ``source_profile`` in both
directions: it names the section the key came from and goes back to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.credentials import longterm
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.errors import ConfigError, MfaTuiError
from mfa_tui.core.keystore import store
from mfa_tui.core.models import Identity, Registry
from mfa_tui.core.registry import edit


@dataclass(frozen=True)
class Moved:
    """What a move did: the key id (never the secret) and where it is now."""

    identity: str
    access_key_id: str
    arn: str
    where: str
    backup: Path | None = None


def identity_of(registry: Registry, name: str) -> Identity:
    identity = registry.identities.get(name)
    if identity is None:
        known = ", ".join(sorted(registry.identities)) or "none"
        raise ConfigError(f"identity {name!r} is not in {registry.path} (identities: {known})")
    return identity


def check_key(identity: Identity, key_id: str, secret: str, clock: Clock, *, what: str) -> str:
    """GetCallerIdentity with the key; its ARN, or the one-line AWS error."""
    client = aws.client("sts", aws.Keys(key_id, secret), region=identity.region, endpoint_url=identity.endpoint_url)
    return sts.caller_identity(client, what=what, clock=clock, endpoint=identity.endpoint_url).arn


def keyring_label(name: str) -> str:
    return f"the keyring item {store.SERVICE}/{name}"


def move(registry: Registry, name: str, credentials_path: Path, *, clock: Clock | None = None,
         aws_config_path: Path | None = None) -> Moved:
    """Move ``name``'s key from its credentials-file section into the keyring (see the module docstring)."""
    clock = clock or SystemClock()
    identity = identity_of(registry, name)
    if identity.keys == "keyring":
        raise ConfigError(f"identity {name} already keeps its keys in the keyring; `mfa-tui keys move {name} --back` moves them back")
    store.backend()  # no usable backend: one line with the fixes, before anything is read
    section = identity.source_profile
    sharing = sorted(i.name for i in registry.identities.values()
                     if i.name != name and i.source_profile == section and i.keys != "keyring")
    if sharing:
        raise ConfigError(
            f"identity {name}: [{section}] is also the key of {', '.join(sharing)}; removing it would break "
            f"{'them' if len(sharing) > 1 else 'it'}; nothing was changed"
        )
    found = CredentialsFile(credentials_path).long_term_keys(section)
    if found is None:
        raise ConfigError(f"identity {name}: no long-term key in [{section}] of {credentials_path} to move; nothing was changed")
    key_id, _secret = found
    before = _raw_keys(registry.path, name)
    if store.read(name) is not None:
        raise ConfigError(
            f"{keyring_label(name)} already exists; remove it (`keyring del {store.SERVICE} {name}`) or move back first; "
            "nothing was changed"
        )
    store.write(name, key_id, found[1])
    del found, _secret
    try:
        stored = store.read(name)
        if stored is None or stored.access_key_id != key_id:
            raise store.KeystoreError(f"{keyring_label(name)} did not read back")
        arn = check_key(identity, stored.access_key_id, stored.secret_access_key, clock,
                        what=f"checking {name}'s key {key_id}")
        del stored
        edit.set_value(registry.path, ("identities", name), "keys", "keyring", aws_config_path=aws_config_path)
    except BaseException:
        _forget(name)
        raise
    try:
        backup = longterm.remove_keys(credentials_path, section, key_id)
    except BaseException:
        _undo_registry(registry, name, aws_config_path, before)
        _forget(name)
        raise
    return Moved(name, key_id, arn, keyring_label(name), backup)


def move_back(registry: Registry, name: str, credentials_path: Path, *, clock: Clock | None = None,
              aws_config_path: Path | None = None) -> Moved:
    """Move ``name``'s key from the keyring back into ``[source_profile]`` of the credentials file."""
    clock = clock or SystemClock()
    identity = identity_of(registry, name)
    if identity.keys != "keyring":
        raise ConfigError(f"identity {name} keeps its keys in [{identity.source_profile}] of the credentials file, not the keyring")
    section = identity.source_profile
    if section in CredentialsFile(credentials_path).read():
        raise ConfigError(f"{credentials_path} already has a section [{section}]; rename or remove it first; nothing was changed")
    stored = store.read(name)
    if stored is None:
        raise store.KeystoreError(f"{keyring_label(name)} does not exist: there is no key to move back; nothing was changed")
    key_id = stored.access_key_id
    arn = check_key(identity, key_id, stored.secret_access_key, clock, what=f"checking {name}'s key {key_id}")
    # Set, not removed: the undo below then puts "keyring" back on the very same line.
    edit.set_value(registry.path, ("identities", name), "keys", "source_profile", aws_config_path=aws_config_path)
    try:
        backup = longterm.add_keys(credentials_path, section, key_id, stored.secret_access_key)
    except BaseException:
        _undo_registry(registry, name, aws_config_path, "keyring")
        raise
    finally:
        del stored
    try:
        store.delete(name)
    except MfaTuiError as exc:
        raise MfaTuiError(
            f"key {key_id} is back in [{section}] of {credentials_path} and the registry uses it, but "
            f"{keyring_label(name)} could not be deleted ({exc}); delete it with `keyring del {store.SERVICE} {name}`"
        ) from None
    return Moved(name, key_id, arn, f"[{section}] of {credentials_path}", backup)


def _forget(name: str) -> None:
    """Undo a keyring write; a failure here must not hide the error being raised."""
    try:
        store.delete(name)
    except MfaTuiError:
        pass


def _raw_keys(path: Path, name: str) -> str | None:
    """The identity's ``keys`` as the file spells it (None when absent), to undo an edit exactly."""
    import tomllib

    from mfa_tui.core.registry.read import read_text, strip_bom

    try:
        text, _problems = read_text(Path(path))
        raw = tomllib.loads(strip_bom(text or ""))
        value = raw["identities"][name].get("keys")
    except (KeyError, TypeError, ValueError, MfaTuiError):
        return None
    return value if isinstance(value, str) else None


def _undo_registry(registry: Registry, name: str, aws_config_path: Path | None, value: str | None) -> None:
    """Put ``keys`` back as it was (``value``; None: absent)."""
    try:
        edit.set_value(registry.path, ("identities", name), "keys", value, aws_config_path=aws_config_path)
    except MfaTuiError:
        pass
