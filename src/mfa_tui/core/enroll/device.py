"""Virtual MFA enrolment as one guided flow that cannot leave a half-made device behind.

:class:`Enrolment` drives the IAM calls for one IAM user: list the user's devices,
create a virtual device, show its ``otpauth://`` URI (and QR code), check two
consecutive codes *locally* against the seed before sending them (so a typo or a phone
clock that is off never puts the device out of sync), enable it, and record the serial
in the registry. Until the device is enabled, :meth:`Enrolment.cancel` (also run by the
context manager on any exception, KeyboardInterrupt included) deletes the device this
flow created. Existing devices can be resynced or deactivated and deleted.

Calls are made with the identity's LONG-TERM keys: AWS refuses IAM calls signed with a
session token that carries no MFA (docs/aws-behaviour.md, "What MFA-session credentials may call"), and this flow exists precisely
because the user has no MFA device yet. Deletes needing MFA use its live MFA session (:mod:`.cleanup`).

The seed lives only in a private attribute of the object: never in a message, a repr,
a log or a file; it is dropped once the device is enabled or the flow is cancelled.
(Python cannot wipe a ``str`` from memory; dropping the last reference is the best a
pure-Python program can do.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

from mfa_tui.core.aws import clients as aws, errors as aws_errors
from mfa_tui.core.clock import Clock, seconds_left_in_step
from mfa_tui.core.enroll import cleanup, iam_devices
from mfa_tui.core.enroll.codes import check_consecutive, check_pair, check_two_codes
from mfa_tui.core.enroll.iam_devices import MfaDevice, describe_user, iam_error
from mfa_tui.core.enroll.registry_entry import add_session_profile, record_serial
from mfa_tui.core.errors import AwsError, CodeError, ConfigError, MfaTuiError

MAX_DEVICES = 8
"""AWS's limit of MFA devices per IAM user (docs/aws-behaviour.md, "MFA devices")."""
ISSUER = "AWS"
"""Issuer shown by authenticator apps for the new entry."""

__all__ = ["MAX_DEVICES", "Enrolment", "MfaDevice", "check_consecutive", "check_two_codes", "open_enrolment"]


@dataclass(eq=False, repr=False)
class Enrolment:
    """Create, enable, resync and delete virtual MFA devices of one IAM user.

    ``iam`` is a botocore IAM client signed with the user's long-term keys (see
    :func:`open_enrolment`). With ``registry_path`` and ``identity`` the enabled serial is
    written to ``identities.IDENTITY.mfa_serial``. Thread-safe: the dashboard calls it
    from worker threads, and a cancel waits for an enable in flight (then keeps the
    enabled device) rather than racing it.
    """

    iam: Any
    user_name: str
    """The IAM user whose devices this flow manages (always passed as UserName)."""
    clock: Clock
    _: KW_ONLY
    account_id: str | None = None
    """Used only to label the authenticator entry (``user@account``)."""
    registry_path: Path | None = None
    identity: str | None = None
    temporary_keys: bool = False
    """True when ``iam`` is signed with a session token: an AccessDenied then has a known cause."""
    add_profile: bool = True
    """After enabling, give the identity an MFA-session profile when it has no profile at all."""
    registry_serial: str | None = field(default=None, init=False)
    """The identity's mfa_serial: deleting it is warned about."""
    profile_note: str | None = field(default=None, init=False)
    """What enabling did about that profile (added, or why not), for the CLI and the screen to show."""
    cleanup_error: MfaTuiError | None = field(default=None, init=False)
    """Set when deleting the unfinished device failed while another exception was propagating."""
    session_iam: Callable[[], Any | None] | None = field(default=None, init=False)
    """An IAM client signed with the identity's live MFA session (None without one): deletes need MFA."""
    session_profile: str | None = field(default=None, init=False)
    """The identity's MFA-session profile, for messages."""
    left_behind: str | None = field(default=None, init=False)
    """One line when the unfinished device could not be deleted."""
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False)
    _seed: str | None = field(default=None, init=False)
    _serial: str | None = field(default=None, init=False)
    _created: bool = field(default=False, init=False)
    """True when this flow created the current device (so a cancel must delete it)."""
    _enabled: bool = field(default=False, init=False)
    _finished: bool = field(default=False, init=False)

    def __repr__(self) -> str:  # never the seed
        state = "enabled" if self._enabled else "pending" if self._serial else "new"
        return f"Enrolment(user={self.user_name!r}, serial={self._serial!r}, state={state})"

    # ── state ──
    @property
    def what(self) -> str:
        """How messages name the subject."""
        return describe_user(self.user_name, self.identity)

    @property
    def serial(self) -> str | None:
        """The device being enrolled (created or adopted), once there is one."""
        return self._serial

    @property
    def created(self) -> bool:
        return self._created

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def pending(self) -> bool:
        """A device exists that this flow has not enabled yet."""
        return self._serial is not None and not self._enabled and not self._finished

    @property
    def has_secret(self) -> bool:
        """True while the seed is known (between create and enable/cancel)."""
        return self._seed is not None

    def seconds_left(self) -> int:
        """Seconds until the authenticator shows its next code."""
        return seconds_left_in_step(self.clock.now())

    def secret(self) -> str:
        """The Base32 seed, for the user to copy into an authenticator by hand."""
        if self._seed is None:
            raise ConfigError(f"{self.what}: no secret to show (no new device, or it is already enabled)")
        return self._seed

    def uri(self) -> str:
        """The ``otpauth://totp/…`` URI authenticator apps import (contains the seed)."""
        import pyotp

        from mfa_tui.core.enroll.naming import authenticator_label, device_name_of

        name = device_name_of(self._serial) if self._serial else None
        label = authenticator_label(self.user_name, self.account_id, name)
        return pyotp.TOTP(self.secret()).provisioning_uri(name=label, issuer_name=ISSUER)

    def qr_lines(self, *, invert: bool = False) -> list[str]:
        """The URI as half-block QR text (see :mod:`mfa_tui.core.enroll.qr`)."""
        from mfa_tui.core.enroll.qr import qr_lines

        return qr_lines(self.uri(), invert=invert)

    # ── AWS calls ──
    def _call(self, action: str, call: Callable[..., Any], *args: Any, **params: Any) -> Any:
        try:
            return call(*args, **params)
        except Exception as exc:  # botocore raises many types; all become one-line domain errors
            raise self._translate(exc, action) from None

    def _translate(self, exc: BaseException, action: str) -> AwsError:
        return iam_error(exc, action, what=self.what, temporary_keys=self.temporary_keys)

    def _send_codes(self, method: str, action: str, serial: str, codes: tuple[str, str], refused: str) -> None:
        """EnableMFADevice or ResyncMFADevice; AWS refusing the codes is a :class:`CodeError` ending in ``refused``."""
        try:
            getattr(self.iam, method)(
                UserName=self.user_name, SerialNumber=serial,
                AuthenticationCode1=codes[0], AuthenticationCode2=codes[1],
            )
        except Exception as exc:
            if aws_errors.error_code(exc) == "InvalidAuthenticationCode":
                raise CodeError(f"{self.what}: AWS refused the codes for {serial}{refused}") from None
            raise self._translate(exc, action) from None

    def devices(self) -> list[MfaDevice]:
        """The user's MFA devices (every page of ListMFADevices)."""
        return self._call("ListMFADevices", iam_devices.list_devices, self.iam, self.user_name)

    def find_unassigned(self, name: str) -> str | None:
        """Serial of an unassigned virtual device called ``name`` (left by an earlier attempt), if any."""
        return self._call("ListVirtualMFADevices", iam_devices.find_unassigned, self.iam, name)

    def _refuse_second_device(self) -> None:
        if self._serial is not None and not self._finished:
            raise ConfigError(f"{self.what}: this enrolment already has device {self._serial}")

    def create(self, name: str | None = None) -> str:
        """Create a virtual device (default name: the user name) and keep its seed; returns the serial.

        Refuses when the user already has :data:`MAX_DEVICES` devices. When the name is taken
        raises :class:`AwsError` with ``code == "EntityAlreadyExists"``: pick another name, or
        :meth:`find_unassigned` + :meth:`adopt` an unassigned device of that name.
        """
        name = (name or self.user_name).strip()
        with self._lock:
            self._refuse_second_device()
            if len(self.devices()) >= MAX_DEVICES:
                raise ConfigError(
                    f"{self.what}: already has {MAX_DEVICES} MFA devices, AWS's limit; delete one first"
                )
            try:
                response = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
            except Exception as exc:
                if aws_errors.error_code(exc) is None:
                    # No answer from AWS (timeout, dropped connection): it may have created it.
                    self._recover_interrupted_create(name)
                    raise self._translate(exc, "CreateVirtualMFADevice") from None
                if aws_errors.error_code(exc) == "EntityAlreadyExists":
                    unassigned = self.find_unassigned(name)
                    hint = (
                        f"; an unassigned device {unassigned} exists: use it if your app already has its code, "
                        "or choose another name"
                        if unassigned
                        else "; choose another name"
                    )
                    raise AwsError(
                        f"{self.what}: a virtual MFA device named {name!r} already exists{hint}",
                        code="EntityAlreadyExists",
                    ) from None
                raise self._translate(exc, "CreateVirtualMFADevice") from None
            except BaseException:
                # Interrupted mid-call: AWS may have created the device. The name was free
                # (or the call would have failed), so an unassigned device with it is ours
                # (barring another program creating the same name in the same instant).
                self._recover_interrupted_create(name)
                raise
            device = response["VirtualMFADevice"]
            self._serial = device["SerialNumber"]
            seed = device["Base32StringSeed"]
            # botocore models it as a blob (base64 on the wire), so it arrives as the bytes of
            # the Base32 text.
            self._seed = seed.decode("ascii") if isinstance(seed, bytes) else str(seed)
            # The response also carries the QR PNG; nothing of it is kept.
            del response, device, seed
            self._created, self._enabled, self._finished = True, False, False
            return self._serial

    def _recover_interrupted_create(self, name: str) -> None:
        try:
            serial = self.find_unassigned(name)
            if serial:
                cleanup.delete_unfinished(self, serial)
        except MfaTuiError as error:  # already unwinding; remember, do not mask the interruption
            self.cleanup_error = error
        except Exception as exc:
            self.cleanup_error = self._translate(exc, "DeleteVirtualMFADevice")

    def adopt(self, serial: str) -> None:
        """Enrol an existing unassigned device whose code the user's app already has.

        The seed is unknown, so codes are checked for format only, and a cancel leaves the
        device as it was (this flow did not create it).
        """
        with self._lock:
            self._refuse_second_device()
            self._serial, self._seed = serial, None
            self._created, self._enabled, self._finished = False, False, False

    def check_codes(self, code1: str, code2: str) -> tuple[str, str]:
        """The local check alone (no AWS call); returns the normalised codes."""
        with self._lock:
            if self._serial is None:
                raise ConfigError(f"{self.what}: create a device before entering codes")
            return check_pair(self._seed, code1, code2, self.clock.now(), device=f"device {self._serial}")

    def enable(self, code1: str, code2: str) -> str:
        """Check the codes locally, EnableMFADevice, drop the seed, record the serial; returns it.

        Wrong codes raise :class:`CodeError` before anything is sent. A registry write
        failure after enabling raises :class:`FileError` saying what to add by hand.
        """
        with self._lock:
            if not self.pending:
                raise ConfigError(f"{self.what}: no device waiting to be enabled")
            codes = self.check_codes(code1, code2)
            serial = self._serial
            self._send_codes(
                "enable_mfa_device", "EnableMFADevice", serial, codes,
                "; the device is not enabled: wait for two new consecutive codes and try again",
            )
            self._enabled, self._finished, self._seed = True, True, None
        if self.registry_path is not None and self.identity is not None:
            record_serial(self.registry_path, self.identity, serial)
            if self.add_profile:
                self.profile_note = add_session_profile(self.registry_path, self.identity)
        return serial

    def cancel(self) -> str | None:
        """Abandon the flow: delete the device this flow created unless it is enabled.

        Returns the deleted serial (None when there was nothing to delete). Idempotent. When
        the delete needs MFA and there is no live MFA session, the device stays (unassigned) and
        :attr:`left_behind` says how to delete it later.
        """
        with self._lock:
            self._seed = None
            if not self.pending:
                return None
            serial, created = self._serial, self._created
            deleted = False
            if created:
                try:
                    deleted = cleanup.delete_unfinished(self, serial)
                except AwsError as error:
                    raise type(error)(
                        f"{error}; the unfinished device {serial} is left behind: delete it with "
                        f"`aws iam delete-virtual-mfa-device --serial-number {serial}`",
                        code=error.code,
                    ) from None
            self._finished = True
            return serial if deleted else None

    def __enter__(self) -> Enrolment:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.cancel()
        except MfaTuiError as error:
            if exc is None or isinstance(exc, Exception):
                raise error from exc
            self.cleanup_error = error  # KeyboardInterrupt/SystemExit keep propagating

    # ── existing devices ──
    def resync(self, serial: str, code1: str, code2: str, *, seed: str | None = None) -> None:
        """ResyncMFADevice with two consecutive codes (checked locally only when ``seed`` is known)."""
        codes = check_pair(seed, code1, code2, self.clock.now(), device=f"device {serial}")
        self._send_codes(
            "resync_mfa_device", "ResyncMFADevice", serial, codes,
            ": enter two consecutive codes exactly as your app shows them (its clock may be far off)",
        )

    def remove(self, serial: str) -> None:
        """Deactivate the device (if assigned to the user), then delete it if it is virtual.

        The caller asks for confirmation first. Hardware devices are only deactivated. When
        the policy wants MFA for these calls the identity's live MFA session makes them; without
        one, :class:`AccessDeniedError` says to refresh first.
        """
        with self._lock:
            assigned = any(d.serial == serial for d in self.devices())
            cleanup.remove(self, serial, assigned)
            if serial == self._serial:
                self._finished, self._seed = True, None


# ── building a flow from the registry ──────────────────────────────────────────


def open_enrolment(
    reg: Any,
    identity_name: str,
    *,
    clock: Clock,
    user_name: str | None = None,
    credentials_path: Path | None = None,
    config_path: Path | None = None,
    client_factory: Callable[..., Any] | None = None,
    mfa_session: Callable[[], Any] | None = None,
) -> Enrolment:
    """An :class:`Enrolment` for a registry identity, signed with its long-term keys.

    ``reg`` is a loaded :class:`~mfa_tui.core.models.Registry`. The IAM user is
    ``user_name``, else the identity's ``user_name``, else the keys' own user (GetUser).
    The enabled serial is written to the identity only when the device is the identity's
    own user's: enrolling another user (``--user``) must not repoint the identity.
    ``mfa_session`` returns the identity's live MFA session (or None): deletes that need MFA use it.
    """
    from mfa_tui.core import paths

    identity = reg.identities.get(identity_name)
    if identity is None:
        known = ", ".join(sorted(reg.identities)) or "none"
        raise ConfigError(f"identity {identity_name!r} is not in {reg.path} (identities: {known})")
    creds_path = credentials_path or paths.aws_credentials_path(reg.settings.credentials_file)
    keys = aws.long_term_keys(identity, creds_path, config_path or paths.aws_config_path())
    make = client_factory or aws.client
    iam = make("iam", keys, region=identity.region, endpoint_url=identity.endpoint_url)
    account_id = identity.account_id
    if identity.account and identity.account in reg.accounts:
        account_id = reg.accounts[identity.account].id
    own_name = identity.user_name
    if own_name is None or account_id is None:
        try:
            me = iam.get_user()["User"]
        except Exception as exc:  # botocore raises many types
            raise iam_error(exc, "GetUser", what=describe_user(user_name or "?", identity_name)) from None
        own_name = own_name or me["UserName"]
        parts = me.get("Arn", "").split(":")
        account_id = account_id or (parts[4] if len(parts) > 5 and parts[4].isdigit() else None)
    name = user_name or own_name
    flow = Enrolment(
        iam, name, clock, account_id=account_id, identity=identity_name,
        registry_path=Path(reg.path) if name == own_name else None,
    )
    flow.registry_serial = identity.mfa_serial if name == own_name else None
    cleanup.attach_session(flow, reg, identity, mfa_session, make)
    return flow
