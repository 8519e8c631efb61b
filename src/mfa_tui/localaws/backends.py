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


@dataclass(frozen=True)
class IdentityPolicies:
    """A principal's policies as moto holds them: documents (JSON text) with their names."""

    documents: list[str]
    names: list[str]
    boundary: list[str] | None = None
    """The permissions boundary's document (None: no boundary)."""
    boundary_names: list[str] | None = None


def _default_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return version.document
    return policy.versions[-1].document if policy.versions else "{}"


def _collect(holder: Any, documents: list[str], names: list[str]) -> None:
    """Inline then attached managed policies of a user, group or role."""
    for name, document in list(holder.policies.items()):
        documents.append(document)
        names.append(name)
    for policy in list(holder.managed_policies.values()):
        documents.append(_default_document(policy))
        names.append(policy.name)


def user_policies(account: str, user_name: str) -> IdentityPolicies:
    """The user's inline and attached policies, those of its groups, and its permissions boundary
    (kept by :mod:`~mfa_tui.localaws.user_boundaries` on moto's user, as ``permissions_boundary_arn``)."""
    documents: list[str] = []
    names: list[str] = []
    backend = existing(account)
    found = backend.users.get(user_name) if backend is not None else None
    if found is None:
        return IdentityPolicies(documents, names)
    _collect(found, documents, names)
    for group in list(backend.groups.values()):
        if found in group.users:
            _collect(group, documents, names)
    return _with_boundary(account, getattr(found, "permissions_boundary_arn", None), documents, names)


def role_policies(account: str, role_arn: str) -> IdentityPolicies:
    """The role's inline and attached policies and its permissions boundary."""
    documents: list[str] = []
    names: list[str] = []
    role = find_role(account, role_arn)
    if role is None:
        return IdentityPolicies(documents, names)
    _collect(role, documents, names)
    return _with_boundary(account, role.permissions_boundary_arn, documents, names)


def _with_boundary(account: str, boundary_arn: str | None, documents: list[str], names: list[str]) -> IdentityPolicies:
    if not boundary_arn:
        return IdentityPolicies(documents, names)
    backend = existing(account)
    policy = backend.managed_policies.get(boundary_arn) if backend is not None else None
    # A boundary that cannot be read allows nothing, as a deleted boundary policy would.
    boundary = [_default_document(policy)] if policy is not None else []
    return IdentityPolicies(documents, names, boundary, [boundary_arn.rsplit("/", 1)[-1]])


def _find_bucket(bucket: str) -> tuple[str, Any] | None:
    """``(owning account, moto's bucket)`` for ``bucket`` (names are global, as on AWS), or None."""
    from moto.s3.models import s3_backends

    for account in list(s3_backends.keys()):
        per_partition = dict.get(s3_backends, account)
        backend = dict.get(per_partition, PARTITION) if per_partition is not None else None
        found = backend.buckets.get(bucket) if backend is not None else None
        if found is not None:
            return account, found
    return None


def bucket_policy(bucket: str) -> str | None:
    """The bucket policy of ``bucket`` (JSON text) in whichever account owns it; None without one."""
    found = _find_bucket(bucket)
    if found is None:
        return None
    policy = found[1].policy
    return policy.decode() if isinstance(policy, bytes) else policy


def bucket_account(bucket: str) -> str | None:
    """The account that owns ``bucket``, or None when no account has it."""
    found = _find_bucket(bucket)
    return found[0] if found is not None else None


def create_bucket(account: str, bucket: str, region: str, policy: str | None = None) -> None:
    """Create ``bucket`` in ``account`` in-process, with ``policy`` (JSON text) as its bucket policy."""
    from moto.s3.models import s3_backends

    backend = s3_backends[account][PARTITION]
    backend.create_bucket(bucket, region)
    if policy is not None:
        backend.put_bucket_policy(bucket, policy.encode())
