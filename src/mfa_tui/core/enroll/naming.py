"""Names around a new virtual MFA device: a default name not already taken, and the authenticator label.

The default name skips the user's devices and every virtual device name in the account (names
are unique per account): a device left behind by a cancelled enrolment, unassigned but still in
IAM, or another user's device of that name.

The label is the otpauth URI's account part, what an authenticator app lists the entry as:
it carries the device name as well as ``user@account``, so two devices of one user (a phone
and a backup) are told apart in the app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mfa_tui.core.enroll import iam_devices


def unique_device_name(base: str, taken: Iterable[str]) -> str:
    """``base`` if no device has that name, else ``base-2``, ``base-3``… (case-insensitive, as IAM compares)."""
    used = {name.lower() for name in taken}
    if base.lower() not in used:
        return base
    n = 2
    while f"{base}-{n}".lower() in used:
        n += 1
    return f"{base}-{n}"


def default_device_name(flow: Any, devices: Sequence[Any]) -> str:
    """The user name, or the first ``name-N`` free in the account, for ``flow``'s user (``devices``: its devices).

    The account's listing is best effort: when ListVirtualMFADevices is refused or fails, only
    ``devices`` count (creating a taken name then says so, and offers an unassigned one).
    """
    taken = [device_name_of(d.serial) for d in devices]
    try:
        taken += iam_devices.virtual_device_names(flow.iam)
    except Exception:  # botocore raises many types; the name is only a default
        pass
    return unique_device_name(flow.user_name, taken)


def device_name_of(serial: str) -> str:
    """The name part of a virtual device's ARN (``arn:aws:iam::1:mfa/alice-phone`` -> ``alice-phone``)."""
    return serial.split(":mfa/", 1)[-1].rsplit("/", 1)[-1] if ":mfa/" in serial else serial


def authenticator_label(user_name: str, account_id: str | None, device_name: str | None) -> str:
    """``alice@111111111111 (alice-phone)``: who, where, and which device (the name only when it adds something)."""
    label = f"{user_name}@{account_id}" if account_id else user_name
    if device_name and device_name != user_name:
        label += f" ({device_name})"
    return label
