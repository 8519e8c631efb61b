"""Deleting a device when the long-term keys may not: the identity's live MFA session, or one line saying how.

A force-MFA policy (AWS's own self-manage-MFA example, the demo's) denies
DeleteVirtualMFADevice and DeactivateMFADevice to a request without MFA, and an enrolment is
signed with long-term keys. So on AccessDenied the call is made again with the identity's live
MFA session (:attr:`Enrolment.session_iam <mfa_tui.core.enroll.device.Enrolment.session_iam>`).
Without one, an unfinished device is left where it is, unassigned (it grants nothing), and
:func:`left_behind_note` says how to delete it later; :func:`remove` refuses with what to run first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.errors import AccessDeniedError, AwsError, MfaTuiError

_DENIED = ("AccessDenied", "AccessDeniedException")


def left_behind_note(serial: str, identity: str | None, profile: str | None) -> str:
    """The one line shown when an unfinished device could not be deleted without MFA."""
    who = identity or "NAME"
    return (
        f"the unfinished device {serial} stays unassigned and grants nothing; the identity's policy lets it be "
        f"deleted only with MFA: run `aws iam delete-virtual-mfa-device --serial-number {serial} "
        f"--profile {profile or who}` (or `mfa-tui refresh {profile or who}` then "
        f"`mfa-tui enroll {who} --delete {serial}`)"
    )


def needs_session_line(identity: str | None, profile: str | None, action: str) -> str:
    """Why :func:`remove` refused: the call needs MFA and the identity has no live MFA session."""
    return (
        f"iam:{action} needs MFA under this identity's policy and it has no live MFA session: "
        f"run `mfa-tui refresh {profile or identity or 'NAME'}` first"
    )


def _session_client(flow: Any) -> Any | None:
    make: Callable[[], Any] | None = getattr(flow, "session_iam", None)
    try:
        return make() if make is not None else None
    except MfaTuiError:  # an unreadable state file: as if there were no session
        return None


def call_with_mfa(flow: Any, action: str, method: str, *, session_first: bool = False, **params: Any) -> bool:
    """Call ``method`` with the long-term keys, then on AccessDenied with the live MFA session.

    ``session_first``: use the live MFA session when there is one, the long-term keys only without.

    Returns False when both were refused or there is no session (nothing changed); True when it
    succeeded or the entity is already gone. Any other error propagates as the caller's
    one-line :class:`AwsError`.
    """
    clients: tuple[Any, ...] = (flow.iam, None)
    if session_first:
        session = _session_client(flow)
        clients = (session,) if session is not None else (flow.iam,)
    for client in clients:
        if client is None:
            client = _session_client(flow)
            if client is None:
                return False
        try:
            getattr(client, method)(**params)
            return True
        except Exception as exc:  # botocore raises many types
            code = aws_errors.error_code(exc)
            if code == "NoSuchEntity":
                raise AwsError(f"{flow.what}: no MFA device {params.get('SerialNumber')}", code=code) from None
            if code not in _DENIED:
                raise flow._translate(exc, action) from None
    return False


def delete_unfinished(flow: Any, serial: str) -> bool:
    """Delete the unfinished device ``serial``; True when it is gone.

    On a refusal with no usable MFA session sets ``flow.left_behind`` to :func:`left_behind_note`
    and returns False (never raises for that).
    """
    try:
        deleted = call_with_mfa(flow, "DeleteVirtualMFADevice", "delete_virtual_mfa_device", SerialNumber=serial)
    except AwsError as error:
        if error.code == "NoSuchEntity":
            return True
        raise
    if not deleted:
        flow.left_behind = left_behind_note(serial, flow.identity, flow.session_profile)
    return deleted


def remove(flow: Any, serial: str, assigned: bool) -> None:
    """Deactivate (when assigned) then delete a virtual device, with the MFA session when needed."""
    if assigned and not call_with_mfa(
        flow, "DeactivateMFADevice", "deactivate_mfa_device", session_first=True, UserName=flow.user_name, SerialNumber=serial
    ):
        raise AccessDeniedError(f"{flow.what}: {needs_session_line(flow.identity, flow.session_profile, 'DeactivateMFADevice')}",
                                code="AccessDenied")
    if ":mfa/" in serial:
        try:
            deleted = call_with_mfa(flow, "DeleteVirtualMFADevice", "delete_virtual_mfa_device", session_first=True,
                                    SerialNumber=serial)
        except AwsError as error:
            if error.code == "NoSuchEntity" and assigned:
                return
            raise
        if not deleted:
            raise AccessDeniedError(
                f"{flow.what}: {needs_session_line(flow.identity, flow.session_profile, 'DeleteVirtualMFADevice')}",
                code="AccessDenied",
            )
    elif not assigned:
        raise AwsError(f"{flow.what}: no MFA device {serial} is assigned to this user", code="NoSuchEntity")


def attach_session(flow: Any, reg: Any, identity: Any, mfa_session: Callable[[], Any] | None,
                   make: Callable[..., Any]) -> None:
    """Give ``flow`` the identity's MFA-session profile name and a way to sign with its live session.

    ``mfa_session`` is read at the moment a delete needs it (a refresh may happen meanwhile).
    """
    flow.session_profile = next(
        (p.name for p in reg.profiles.values() if p.identity == identity.name and p.role_arn is None), None
    )
    if mfa_session is None:
        return

    def session_iam() -> Any | None:
        creds = mfa_session()
        if creds is None:
            return None
        keys = aws.Keys(creds.access_key_id, creds.secret_access_key, creds.session_token)
        return make("iam", keys, region=identity.region, endpoint_url=identity.endpoint_url)

    flow.session_iam = session_iam
