"""The IAM MFA-device calls where moto is too lenient (docs/aws-behaviour.md, "MFA devices"; docs/libraries.md, "moto does not enforce MFA").

- EnableMFADevice: the two codes must be consecutive codes of the device, the second
  current within one step; moto accepts anything.
- ResyncMFADevice: not implemented by moto; here two consecutive codes within ±10 minutes
  re-align the device (the offset is remembered for later code checks).
- DeleteVirtualMFADevice: refused while the device is assigned to a user (moto deletes it).
- ListMFADevices / DeactivateMFADevice without ``UserName`` act on the calling user.
- Any IAM call with GetSessionToken credentials obtained without MFA is refused.
- Users' permissions boundaries, which moto lacks (:mod:`~mfa_tui.localaws.user_boundaries`).

A handler returns the XML answer, or a :class:`Forward` telling the layer to pass the
request on to moto (with parameters added where needed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from moto.core import DEFAULT_ACCOUNT_ID

from mfa_tui.localaws import backends, user_boundaries
from mfa_tui.localaws.callers import SESSION, Caller
from mfa_tui.localaws.sts_actions import ActionContext
from mfa_tui.localaws.wire import (
    INVALID_AUTH_CODE,
    AwsRequest,
    Refusal,
    invalid_token,
    no_such_entity,
    result_body,
    validation_error,
)

ENABLE_WINDOW = 1
"""Steps the second enrolment code may be away from now."""
RESYNC_WINDOW = 20
"""Steps (±10 minutes) within which ResyncMFADevice finds a drifted device."""


@dataclass(frozen=True)
class Forward:
    """Pass the request on to moto, with ``extra`` parameters added to its body."""

    extra: dict[str, str] | None = None
    after: Callable[[bytes], bytes] | None = None
    """Given moto's successful answer, sets what moto does not keep and returns the answer to send."""


def check_iam_access(caller: Caller | None) -> None:
    """IAM refuses GetSessionToken credentials obtained without MFA (docs/aws-behaviour.md, "What MFA-session credentials may call").

    AWS answers this with ``InvalidClientTokenId`` rather than AccessDenied (reported in
    aws-vault#15, aws-sdk-js#460), which is exactly what confuses users, so we do too.
    """
    if caller is not None and caller.kind == SESSION and not caller.mfa:
        raise invalid_token()


def _account(caller: Caller | None) -> str:
    # Unknown keys reach moto's default account, so check against that one too.
    return caller.account if caller is not None else DEFAULT_ACCOUNT_ID


def _required(request: AwsRequest, name: str) -> str:
    value = request.params.get(name)
    if not value:
        field = name[0].lower() + name[1:]
        raise validation_error(f"1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null")
    return value


def _codes(request: AwsRequest) -> tuple[str, str]:
    codes = []
    for name in ("AuthenticationCode1", "AuthenticationCode2"):
        code = _required(request, name)
        if len(code) != 6 or not code.isdigit():
            field = name[0].lower() + name[1:]
            raise validation_error(
                f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                "Member must have length of 6 and satisfy regular expression pattern: [\\d]+"
            )
        codes.append(code)
    return codes[0], codes[1]


def _user_and_device(request: AwsRequest, caller: Caller | None):
    account = _account(caller)
    user_name = _required(request, "UserName")
    serial = _required(request, "SerialNumber")
    user = backends.user(account, user_name)
    if user is None:
        raise no_such_entity(f"The user with name {user_name} cannot be found.")
    device = backends.virtual_device(account, serial)
    if device is None:
        raise no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return user, device, serial


def enable_mfa_device(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> Forward:
    user, device, serial = _user_and_device(request, caller)
    if device.user is not None or serial in user.mfa_devices:
        raise Refusal("EntityAlreadyExists", "MFA Device is already in use.", 409)
    code1, code2 = _codes(request)
    if not ctx.ledger.spend_pair(serial, device.base32_string_seed, code1, code2, ctx.clock.now(), window=ENABLE_WINDOW):
        raise Refusal("InvalidAuthenticationCode", INVALID_AUTH_CODE, 403)
    return Forward()


def resync_mfa_device(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    user, device, serial = _user_and_device(request, caller)
    if serial not in user.mfa_devices:
        raise no_such_entity(f"MFA device {serial} is not assigned to user {user.name}.")
    code1, code2 = _codes(request)
    if not ctx.ledger.spend_pair(serial, device.base32_string_seed, code1, code2, ctx.clock.now(), window=RESYNC_WINDOW):
        raise Refusal("InvalidAuthenticationCode", INVALID_AUTH_CODE, 403)
    return result_body("iam", "ResyncMFADevice", "")


def delete_virtual_mfa_device(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> Forward:
    serial = _required(request, "SerialNumber")
    device = backends.virtual_device(_account(caller), serial)
    if device is not None and device.user is not None:
        raise Refusal(
            "DeleteConflict",
            f"Cannot delete entity, MFA device {serial} is assigned to user {device.user.name}: deactivate it first.",
            409,
        )
    ctx.ledger.forget_device(serial)
    return Forward()


def default_user_name(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> Forward:
    """Calls whose ``UserName`` defaults to the caller on AWS but is required by moto."""
    if not request.params.get("UserName") and caller is not None and caller.user_name:
        return Forward(extra={"UserName": caller.user_name})
    return Forward()


def put_user_boundary(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    return user_boundaries.put(_account(caller), request)


def delete_user_boundary(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    return user_boundaries.delete(_account(caller), request)


def create_user(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> Forward:
    """moto ignores ``PermissionsBoundary``: checked here, set on the user once moto made it."""
    return Forward(after=user_boundaries.after_create_user(_account(caller), request))


HANDLERS = {
    "EnableMFADevice": enable_mfa_device,
    "ResyncMFADevice": resync_mfa_device,
    "DeleteVirtualMFADevice": delete_virtual_mfa_device,
    "ListMFADevices": default_user_name,
    "DeactivateMFADevice": default_user_name,
    "PutUserPermissionsBoundary": put_user_boundary,
    "DeleteUserPermissionsBoundary": delete_user_boundary,
    "CreateUser": create_user,
}
"""The IAM actions the layer looks at before (or instead of) moto."""
