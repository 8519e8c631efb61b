"""In-process access to moto's IAM state: users, their keys and devices, roles.

The MFA layer runs in the same process as moto's server, so it reads moto's backends
directly instead of calling itself over HTTP. Only this module knows moto's internal
attribute names (checked against moto 5.2.5, pinned in pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moto.iam.models import iam_backends

PARTITION = "aws"


def iam(account: str) -> Any:
    """moto's IAM backend of ``account`` (created empty on first use, as moto does)."""
    return iam_backends[account][PARTITION]


def existing(account: str) -> Any | None:
    """moto's IAM backend of ``account`` if moto has state for it; never creates one."""
    # dict.get bypasses BackendDict.__getitem__, which would create the account.
    per_partition = dict.get(iam_backends, account)
    return dict.get(per_partition, PARTITION) if per_partition is not None else None


@dataclass(frozen=True)
class LongTermKey:
    """An IAM user's access key as moto holds it."""

    access_key_id: str
    account: str
    user_name: str
    user_arn: str
    user_id: str
    active: bool
    secret_access_key: str = field(default="", repr=False)
    """What requests made with this key must be signed with."""


def find_long_term_key(access_key_id: str) -> LongTermKey | None:
    """The user and account owning ``access_key_id``, or None if no user has it."""
    # list(): requests on other threads may add accounts meanwhile (moto copies too).
    for account in list(iam_backends.keys()):
        backend = existing(account)
        if backend is None:
            continue
        key = backend.access_keys.get(access_key_id)
        if key is None or key.user_name is None:
            continue
        user = backend.users.get(key.user_name)
        if user is None:
            continue
        return LongTermKey(
            access_key_id=access_key_id,
            account=account,
            user_name=user.name,
            user_arn=user.arn,
            user_id=user.id,
            active=key.status == "Active",
            secret_access_key=key.secret_access_key,
        )
    return None


def user_device_seed(account: str, user_name: str, serial: str) -> str | None:
    """The Base32 seed of ``serial`` if it is a virtual device enabled for this user."""
    backend = existing(account)
    if backend is None:
        return None
    user = backend.users.get(user_name)
    if user is None or serial not in user.mfa_devices:
        return None
    device = backend.virtual_mfa_devices.get(serial)
    return device.base32_string_seed if device is not None else None


def virtual_device(account: str, serial: str) -> Any | None:
    """moto's virtual MFA device ``serial`` in ``account``, or None."""
    backend = existing(account)
    return backend.virtual_mfa_devices.get(serial) if backend is not None else None


def device_seed_anywhere(serial: str) -> str | None:
    """The seed of virtual device ``serial`` in whichever account holds it."""
    for account in list(iam_backends.keys()):
        backend = existing(account)
        device = backend.virtual_mfa_devices.get(serial) if backend is not None else None
        if device is not None:
            return device.base32_string_seed
    return None


def find_role(account: str, role_arn: str) -> Any | None:
    """moto's role with this exact ARN in ``account``, or None (never creates the account)."""
    backend = existing(account)
    if backend is None:
        return None
    for role in list(backend.roles.values()):
        if role.arn == role_arn:
            return role
    return None


def user(account: str, user_name: str) -> Any | None:
    backend = existing(account)
    return backend.users.get(user_name) if backend is not None else None
