"""``mfa-tui keys rotate NAME``: a new long-term access key for an identity, made and checked on its MFA session.

Under a force-MFA policy ``iam:CreateAccessKey``, ``DeleteAccessKey`` and ``ListAccessKeys`` are
denied without MFA, so every IAM call here is signed with the identity's live MFA session (the CLI
gets one first, asking for a code as ``mfa-tui refresh`` does). The steps (:func:`rotate`):

1. list the user's keys (AWS allows two per user): with two, the other one is deleted first only
   when the caller named it and it is inactive;
2. create a new key;
3. check it with GetCallerIdentity, retrying while IAM makes it known everywhere (IAM is eventually
   consistent: docs/aws-behaviour.md, "A new access key may not work at once");
4. store it where the identity keeps its keys (the keyring item, or its credentials-file section,
   edited exactly);
5. delete the old key.

A failure after step 2 always leaves a working key: before step 4 the new key is deleted again and
the old one is untouched; after step 4 the new key is stored and works. The one-line error says
which key is where. Secrets are never in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws.errors import translate_error
from mfa_tui.core.clock import Clock, utc
from mfa_tui.core.credentials import longterm
from mfa_tui.core.errors import ConfigError, MfaTuiError, NeedsCodeError
from mfa_tui.core.keys.move import check_key, keyring_label
from mfa_tui.core.keystore import store
from mfa_tui.core.models import Credentials, Identity

CHECK_WAITS = (0.0, 1.0, 2.0, 4.0, 8.0)
"""Seconds to wait before each GetCallerIdentity check of a new key (IAM is eventually consistent)."""


@dataclass(frozen=True)
class AccessKey:
    access_key_id: str
    status: str
    created: datetime | None


@dataclass(frozen=True)
class RotationPlan:
    identity: str
    user: str
    current: str
    """The key the identity uses now."""
    keys: list[AccessKey]
    where: str
    """Where the identity keeps its key (said in every line)."""
    delete_first: str | None = None
    """The other (inactive) key, deleted before the new one is made."""

    def steps(self) -> list[str]:
        out = []
        if self.delete_first:
            out.append(f"delete the inactive key {self.delete_first} of IAM user {self.user}")
        out += [
            f"create a new access key for IAM user {self.user} (signed with the MFA session)",
            "check it with GetCallerIdentity",
            f"store it in {self.where}, replacing {self.current}",
            f"delete the old key {self.current}",
        ]
        return out


@dataclass(frozen=True)
class Rotated:
    identity: str
    old: str
    new: str
    created: datetime | None
    where: str
    deleted_first: str | None = None
    warnings: list[str] = field(default_factory=list)


def where_keys_are(identity: Identity, credentials_path: Path) -> str:
    if identity.keys == "keyring":
        return keyring_label(identity.name)
    return f"[{identity.source_profile}] of {credentials_path}"


def _iam(identity: Identity, session: Credentials):
    keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
    return aws.client("iam", keys, region=identity.region, endpoint_url=identity.endpoint_url)


def _call(identity: Identity, client, method: str, what: str, **params: Any) -> dict:
    try:
        return getattr(client, method)(**params)
    except Exception as exc:  # botocore raises many types; one line each
        raise translate_error(exc, what=what, endpoint=identity.endpoint_url) from None


def user_of(identity: Identity, session: Credentials, clock: Clock) -> str:
    if identity.user_name:
        return identity.user_name
    from mfa_tui.core.aws import sts

    keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
    client = aws.client("sts", keys, region=identity.region, endpoint_url=identity.endpoint_url)
    arn = sts.caller_identity(client, what=f"identity {identity.name}", clock=clock, endpoint=identity.endpoint_url).arn
    if ":user/" not in arn:
        raise ConfigError(f"identity {identity.name} is {arn}, not an IAM user: it has no access keys to rotate")
    return arn.rsplit("/", 1)[-1]


def list_keys(identity: Identity, session: Credentials, user: str | None) -> list[AccessKey]:
    """The user's keys (``user`` None: the signing user's own, as IAM infers it from the key)."""
    params = {"UserName": user} if user else {}
    answer = _call(identity, _iam(identity, session), "list_access_keys", f"listing {user or identity.name}'s access keys",
                   **params)
    return [
        AccessKey(k["AccessKeyId"], k.get("Status", "?"), utc(k["CreateDate"]) if k.get("CreateDate") else None)
        for k in answer.get("AccessKeyMetadata", [])
    ]


def plan(identity: Identity, session: Credentials, current: str, credentials_path: Path, clock: Clock,
         *, delete: str | None = None) -> RotationPlan:
    """What :func:`rotate` will do; refuses (one line naming the keys) what it must not do."""
    user = user_of(identity, session, clock)
    keys = list_keys(identity, session, user)
    where = where_keys_are(identity, credentials_path)
    if current not in {k.access_key_id for k in keys}:
        raise ConfigError(f"identity {identity.name} uses key {current} ({where}), which IAM user {user} does not have")
    others = [k for k in keys if k.access_key_id != current]
    delete_first = None
    if others:
        other = others[0]
        if delete is None:
            raise ConfigError(
                f"IAM user {user} already has two access keys: {current} (in use, {where}) and {other.access_key_id} "
                f"({other.status.lower()}); AWS allows two. Pass --delete {other.access_key_id} to delete it first "
                "(only an inactive key)"
            )
        if delete != other.access_key_id:
            raise ConfigError(f"--delete {delete}: IAM user {user}'s other key is {other.access_key_id} "
                              f"({current} is the one in use and is deleted by the rotation itself)")
        if other.status != "Inactive":
            raise ConfigError(
                f"--delete {delete}: that key is {other.status.lower()}, and something may still use it; deactivate it "
                f"first (`aws iam update-access-key --user-name {user} --access-key-id {delete} --status Inactive`)"
            )
        delete_first = delete
    elif delete is not None:
        raise ConfigError(f"--delete {delete}: IAM user {user} has no other key than {current}")
    return RotationPlan(identity.name, user, current, keys, where, delete_first)


def rotate(identity: Identity, session: Credentials, the_plan: RotationPlan, credentials_path: Path, clock: Clock,
           *, say: Callable[[str], None] = lambda _l: None, waits: tuple[float, ...] = CHECK_WAITS,
           sleep: Callable[[float], None] = time.sleep, store_hook: Callable[[], None] | None = None) -> Rotated:
    """Run ``the_plan`` (see the module docstring). ``store_hook`` runs just before the store (tests inject failures there)."""
    iam = _iam(identity, session)
    user, old, where = the_plan.user, the_plan.current, the_plan.where
    if the_plan.delete_first:
        _call(identity, iam, "delete_access_key", f"deleting key {the_plan.delete_first}",
              UserName=user, AccessKeyId=the_plan.delete_first)
        say(f"deleted the inactive key {the_plan.delete_first}")
    made = _call(identity, iam, "create_access_key", f"creating a key for {user}", UserName=user)["AccessKey"]
    new, secret = made["AccessKeyId"], made["SecretAccessKey"]
    created = utc(made["CreateDate"]) if made.get("CreateDate") else None
    say(f"created key {new}")
    try:
        _check(identity, new, secret, clock, waits, sleep)
        if store_hook is not None:
            store_hook()
        _store(identity, credentials_path, old, new, secret)
    except BaseException as exc:
        raise _undo_new(identity, iam, user, new, old, where, exc) from None
    finally:
        del secret, made
    say(f"stored key {new} in {where}")
    failed = _delete_key(identity, iam, user, old, "the old key")
    if failed:
        raise MfaTuiError(f"new key {new} is in {where} and works; the old key {old} is still active in IAM {failed}")
    return Rotated(identity.name, old, new, created, where, the_plan.delete_first)


def _check(identity: Identity, key_id: str, secret: str, clock: Clock, waits, sleep) -> None:
    last: MfaTuiError | None = None
    for wait in waits:
        if wait:
            sleep(wait)
        try:
            check_key(identity, key_id, secret, clock, what=f"checking the new key {key_id}")
            return
        except MfaTuiError as exc:
            last = exc
    assert last is not None
    raise last


def _store(identity: Identity, credentials_path: Path, old: str, new: str, secret: str) -> None:
    if identity.keys == "keyring":
        stored = store.read(identity.name)
        if stored is None or stored.access_key_id != old:
            raise store.KeystoreError(f"{keyring_label(identity.name)} no longer holds key {old}")
        store.write(identity.name, new, secret)
    else:
        longterm.replace_keys(credentials_path, identity.source_profile, old, new, secret)


def _delete_key(identity: Identity, iam, user: str, key: str, what: str) -> str | None:
    """Delete ``key`` in IAM; None when done, else why not and the command that does it by hand."""
    try:
        _call(identity, iam, "delete_access_key", f"deleting {what} {key}", UserName=user, AccessKeyId=key)
    except MfaTuiError as exc:
        return f"({exc}): delete it with `aws iam delete-access-key --user-name {user} --access-key-id {key}`"
    return None


def _undo_new(identity: Identity, iam, user: str, new: str, old: str, where: str, exc: BaseException) -> MfaTuiError:
    """Delete the new key again; the line says what failed and where the working key is."""
    reason = str(exc) if isinstance(exc, MfaTuiError) else f"{type(exc).__name__}"
    if isinstance(exc, KeyboardInterrupt):
        reason = "interrupted"
    failed = _delete_key(identity, iam, user, new, "the new key")
    if failed:
        return MfaTuiError(
            f"rotation stopped ({reason}); your key {old} still works from {where}; the new key {new} exists in IAM "
            f"but is stored nowhere and could not be deleted {failed}"
        )
    return MfaTuiError(f"rotation stopped ({reason}); the new key {new} was deleted; your key {old} is unchanged in {where}")


def needs_session(identity: Identity) -> NeedsCodeError:
    return NeedsCodeError(f"identity {identity.name} has no live MFA session; a code is needed to rotate its key")


def follow_new_key(sessions, name: str, old: str, new: str) -> None:
    """The identity's MFA session was made with ``old``: mark it as the new key's, so it is kept.

    ``sessions`` is the service's :class:`~mfa_tui.core.session.store.SessionStore`. The session
    stays what AWS says it is: a refresh checks it with GetCallerIdentity before using it.
    """
    import dataclasses

    def apply(state) -> None:
        ist = state.identities.get(name)
        if ist is not None and ist.key_id in (None, old):
            state.identities[name] = dataclasses.replace(ist, key_id=new)

    sessions.update(apply)
