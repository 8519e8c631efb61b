"""IAM users' permissions boundaries, which moto does not keep (docs/aws-behaviour.md,
"Permissions boundaries of users").

moto 5.2.5 has boundaries for roles only: it does not implement PutUserPermissionsBoundary or
DeleteUserPermissionsBoundary and ignores CreateUser's ``PermissionsBoundary``. The local AWS
answers the first two here and finishes CreateUser after moto made the user. The boundary's ARN
is kept on moto's own user object (``permissions_boundary_arn``, the attribute moto's roles use),
so it goes with the user when the user is deleted or moto is reset, and GetUser shows it as
AWS does (moto's serialiser reads ``permissions_boundary``). Authorisation reads it through
:func:`mfa_tui.localaws.backends.user_policies`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mfa_tui.localaws import backends
from mfa_tui.localaws.wire import AwsRequest, no_such_entity, result_body, validation_error, xml_fields

BOUNDARY_TYPE = "PermissionsBoundaryPolicy"


def set_boundary(user: Any, policy_arn: str | None) -> None:
    """Give moto's ``user`` the boundary ``policy_arn`` (None: remove it)."""
    user.permissions_boundary_arn = policy_arn
    user.permissions_boundary = (
        {"PermissionsBoundaryType": BOUNDARY_TYPE, "PermissionsBoundaryArn": policy_arn} if policy_arn else None
    )


def boundary_arn(user: Any) -> str | None:
    """The user's boundary policy ARN, if it has one."""
    return getattr(user, "permissions_boundary_arn", None)


def _policy_arn(request: AwsRequest, account: str) -> str:
    arn = request.params.get("PermissionsBoundary") or ""
    if not arn.startswith("arn:aws:iam::") or ":policy/" not in arn:
        raise validation_error(f"Value ({arn}) for parameter PermissionsBoundary is invalid.")
    backend = backends.existing(account)
    if backend is None or (arn not in backend.managed_policies and arn not in getattr(backend, "aws_managed_policies", {})):
        raise no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")
    return arn


def _user(request: AwsRequest, account: str) -> Any:
    name = request.params.get("UserName") or ""
    found = backends.user(account, name)
    if found is None:
        raise no_such_entity(f"The user with name {name} cannot be found.")
    return found


def put(account: str, request: AwsRequest) -> bytes:
    """PutUserPermissionsBoundary: the user and the policy must exist."""
    user = _user(request, account)
    set_boundary(user, _policy_arn(request, account))
    return result_body("iam", "PutUserPermissionsBoundary", "")


def delete(account: str, request: AwsRequest) -> bytes:
    """DeleteUserPermissionsBoundary."""
    set_boundary(_user(request, account), None)
    return result_body("iam", "DeleteUserPermissionsBoundary", "")


def after_create_user(account: str, request: AwsRequest) -> Callable[[bytes], bytes] | None:
    """For CreateUser with ``PermissionsBoundary``: check the policy first (a Refusal stops the
    call before moto makes the user), and return what sets it on the user moto made and adds it
    to moto's answer, as AWS's CreateUser shows it."""
    if not request.params.get("PermissionsBoundary"):
        return None
    arn = _policy_arn(request, account)
    name = request.params.get("UserName") or ""

    def finish(body: bytes) -> bytes:
        user = backends.user(account, name)
        if user is None:
            return body
        set_boundary(user, arn)
        shown = xml_fields(PermissionsBoundaryType=BOUNDARY_TYPE, PermissionsBoundaryArn=arn)
        return body.replace(b"</User>", f"<PermissionsBoundary>{shown}</PermissionsBoundary></User>".encode(), 1)

    return finish
