"""The IAM side of enrolment: a user's MFA devices, listed page by page, and IAM errors as one line.

Listing uses botocore's paginators (Marker/IsTruncated), so every page is read, as it is
on the local AWS. Errors name the IAM user (and identity) and, for an AccessDenied on
keys with a session token, say why: AWS refuses IAM calls signed with a session token
that carries no MFA (docs/aws-behaviour.md, "What MFA-session credentials may call").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.clock import utc
from mfa_tui.core.errors import AccessDeniedError, AwsError


@dataclass(frozen=True)
class MfaDevice:
    """One MFA device assigned to the user, as ListMFADevices reports it."""

    serial: str
    """The device ARN (``arn:aws:iam::ACCT:mfa/NAME``; hardware keys have other forms)."""
    user_name: str
    enabled_at: datetime | None
    """When it was enabled (aware UTC)."""

    @property
    def virtual(self) -> bool:
        """True for a virtual (authenticator app) device, the only kind this flow can delete."""
        return ":mfa/" in self.serial

    @property
    def name(self) -> str:
        return self.serial.rsplit("/", 1)[-1]


def describe_user(user_name: str, identity: str | None) -> str:
    """How messages name the subject of an enrolment."""
    return f"IAM user {user_name}" + (f" (identity {identity})" if identity else "")


def list_devices(iam: Any, user_name: str) -> list[MfaDevice]:
    """The user's MFA devices (ListMFADevices, always with UserName: moto and AWS both need it)."""
    found: list[MfaDevice] = []
    for page in iam.get_paginator("list_mfa_devices").paginate(UserName=user_name):
        for item in page.get("MFADevices", []):
            enabled = item.get("EnableDate")
            found.append(MfaDevice(item["SerialNumber"], item.get("UserName", user_name),
                                   utc(enabled) if isinstance(enabled, datetime) else None))
    return found


def find_unassigned(iam: Any, name: str) -> str | None:
    """Serial of an unassigned virtual device called ``name``, if any (ListVirtualMFADevices)."""
    for page in iam.get_paginator("list_virtual_mfa_devices").paginate(AssignmentStatus="Unassigned"):
        for item in page.get("VirtualMFADevices", []):
            serial = item.get("SerialNumber", "")
            # Device names may sit under a path: arn:aws:iam::ACCT:mfa/PATH/NAME.
            if ":mfa/" in serial and serial.rsplit("/", 1)[-1] == name:
                return serial
    return None


def virtual_device_names(iam: Any) -> list[str]:
    """The names of every virtual device in the account, assigned or not (ListVirtualMFADevices).

    A device's name is unique in its account, not per user: one left behind by a cancelled
    enrolment (unassigned, still in IAM) or another user's takes the name.
    """
    names: list[str] = []
    for page in iam.get_paginator("list_virtual_mfa_devices").paginate():
        for item in page.get("VirtualMFADevices", []):
            serial = item.get("SerialNumber", "")
            if ":mfa/" in serial:
                names.append(serial.rsplit("/", 1)[-1])
    return names


def iam_error(exc: BaseException, action: str, *, what: str, temporary_keys: bool = False) -> AwsError:
    """``exc`` from IAM call ``action`` as a one-line error naming ``what``.

    ``temporary_keys``: the client is signed with a session token, so an AccessDenied has a
    known cause.
    """
    code = aws_errors.error_code(exc)
    if code in ("AccessDenied", "InvalidClientTokenId") and (
        temporary_keys or "session" in aws_errors.error_message(exc).lower()
    ):
        return AccessDeniedError(
            f"{what}: AWS refused iam:{action}: IAM calls are refused when signed with a session token "
            "that has no MFA; enrol with the user's long-term access keys",
            code=code,
        )
    if code == "AccessDenied":
        return AccessDeniedError(
            f"{what}: not allowed to call iam:{action}; the user's policies must allow it for "
            f"itself (AccessDenied: {aws_errors.error_message(exc).strip().rstrip('.')})",
            code=code,
        )
    return aws_errors.translate_error(exc, what=f"{what}: iam:{action}")
