"""GetSessionToken, AssumeRole and GetCallerIdentity as AWS does them (moto's are stand-ins).

Order of checks in AssumeRole, chosen so a caller can retry a refused duration with the
same code: parameters, then the role and the duration limits (no code spent), then the
MFA code (spent once it matches), then the trust policy. GetSessionToken checks its
parameters before the code. Each answer is the XML STS sends; each refusal is a
:class:`~mfa_tui.localaws.wire.Refusal` with AWS's code and message (docs/aws-behaviour.md, "Error texts worth telling apart").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from mfa_tui.core.clock import Clock
from mfa_tui.core.models import EXTERNAL_ID_RE, SESSION_NAME_RE
from mfa_tui.localaws import backends, trust
from mfa_tui.localaws.callers import SESSION, USER, Caller
from mfa_tui.localaws.ledger import Issued, Ledger
from mfa_tui.localaws.wire import (
    INVALID_CODE,
    UNKNOWN_SERIAL,
    AwsRequest,
    access_denied,
    invalid_token,
    iso,
    result_body,
    validation_error,
    xml_fields,
)

GET_SESSION_TOKEN_MIN, GET_SESSION_TOKEN_MAX, GET_SESSION_TOKEN_DEFAULT = 900, 129600, 43200
ASSUME_ROLE_MIN, ASSUME_ROLE_MAX, ASSUME_ROLE_DEFAULT = 900, 43200, 3600
CHAINING_MAX = 3600

_SERIAL_RE = re.compile(r"^[\w+=/:,.@-]{9,256}$")
# Stricter than the registry's ROLE_ARN_RE on purpose: the registry accepts any partition and a
# loose path so that it can hold what users type, while STS here is the local AWS of partition
# ``aws`` only and checks the role name's own 64-character limit, as AWS does.
_ROLE_ARN_RE = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


@dataclass(frozen=True)
class ActionContext:
    """What the STS and IAM handlers share: the ledger and the clock."""

    ledger: Ledger
    clock: Clock


def _constraint(field: str, text: str) -> Exception:
    return validation_error(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: {text}")


def _duration(request: AwsRequest, lo: int, hi: int, default: int) -> tuple[int, bool]:
    """(seconds, whether the caller asked for them) within AWS's bounds for the action."""
    value = request.param_int("DurationSeconds")
    if value is None:
        return default, False
    if value < lo:
        raise validation_error(
            f"1 validation error detected: Value '{value}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {lo}"
        )
    if value > hi:
        raise validation_error(
            f"1 validation error detected: Value '{value}' at 'durationSeconds' failed to satisfy "
            f"constraint: Member must have value less than or equal to {hi}"
        )
    return value, True


def _mfa_params(request: AwsRequest) -> tuple[str, str] | None:
    """``(serial, code)`` if the request carries MFA, validated like AWS; None without MFA."""
    serial = request.params.get("SerialNumber")
    code = request.params.get("TokenCode")
    if serial is None and code is None:
        return None
    if serial is not None and not _SERIAL_RE.match(serial):
        raise _constraint("serialNumber", "Member must satisfy regular expression pattern: [\\w+=/:,.@-]*")
    if code is not None:
        # The code itself is never echoed: it is a secret until spent.
        if len(code) != 6:
            raise _constraint("tokenCode", "Member must have length of 6")
        if not code.isdigit():
            raise _constraint("tokenCode", "Member must satisfy regular expression pattern: [\\d]*")
    if serial is None:
        raise access_denied(UNKNOWN_SERIAL)
    if code is None:
        raise access_denied(INVALID_CODE)
    return serial, code


def check_code(ctx: ActionContext, caller: Caller, serial: str, code: str) -> datetime:
    """Spend ``code`` of the caller's device ``serial``; returns the authentication time."""
    seed = None
    if caller.user_name is not None:
        seed = backends.user_device_seed(caller.account, caller.user_name, serial)
    if seed is None:
        raise access_denied(UNKNOWN_SERIAL)
    now = ctx.clock.now()
    if not ctx.ledger.spend_code(serial, seed, code, now):
        raise access_denied(INVALID_CODE)
    return now


def _credentials_xml(issued: Issued) -> str:
    return "<Credentials>" + xml_fields(
        AccessKeyId=issued.access_key_id,
        SecretAccessKey=issued.secret_access_key,
        SessionToken=issued.session_token,
        Expiration=iso(issued.expiration),
    ) + "</Credentials>"


def get_session_token(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    if caller is None:
        raise invalid_token()
    if caller.kind != USER:
        raise access_denied("Cannot call GetSessionToken with session credentials")
    duration, _ = _duration(request, GET_SESSION_TOKEN_MIN, GET_SESSION_TOKEN_MAX, GET_SESSION_TOKEN_DEFAULT)
    mfa = _mfa_params(request)
    mfa_time = check_code(ctx, caller, *mfa) if mfa else None
    now = ctx.clock.now()
    issued = ctx.ledger.issue(
        kind="session",
        account=caller.account,
        arn=caller.arn,
        user_id=caller.user_id,
        expiration=now + timedelta(seconds=ctx.ledger.lifetime("session", duration)),
        mfa=mfa is not None,
        mfa_time=mfa_time,
        user_name=caller.user_name,
        source_key=caller.long_term_key,
    )
    return result_body("sts", "GetSessionToken", _credentials_xml(issued))


def get_caller_identity(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    if caller is None:
        raise invalid_token()
    return result_body(
        "sts",
        "GetCallerIdentity",
        xml_fields(Arn=caller.arn, UserId=caller.user_id, Account=caller.account),
    )


def _assume_role_params(request: AwsRequest) -> tuple[str, str, str, str | None]:
    """(role ARN, role account, session name, external id), validated like AWS."""
    role_arn = request.params.get("RoleArn") or ""
    session_name = request.params.get("RoleSessionName") or ""
    external_id = request.params.get("ExternalId")
    if len(role_arn) < 20:
        raise _constraint("roleArn", "Member must have length greater than or equal to 20")
    if not SESSION_NAME_RE.match(session_name):
        raise _constraint(
            "roleSessionName",
            "Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64",
        )
    if external_id is not None and not EXTERNAL_ID_RE.match(external_id):
        raise _constraint("externalId", "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
    match = _ROLE_ARN_RE.match(role_arn)
    if not match:
        raise validation_error(f"{role_arn} is invalid")
    return role_arn, match.group(1), session_name, external_id


def assume_role(ctx: ActionContext, request: AwsRequest, caller: Caller | None) -> bytes:
    if caller is None:
        raise invalid_token()
    role_arn, account, session_name, external_id = _assume_role_params(request)
    duration, asked = _duration(request, ASSUME_ROLE_MIN, ASSUME_ROLE_MAX, ASSUME_ROLE_DEFAULT)
    mfa = _mfa_params(request)
    not_authorized = access_denied(
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )
    role = backends.find_role(account, role_arn)
    if role is None:
        raise not_authorized
    if asked and caller.temporary and duration > CHAINING_MAX:
        raise validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    if asked and duration > int(role.max_session_duration or 3600):
        raise validation_error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

    mfa_time = caller.mfa_time if caller.mfa else None
    if mfa is not None:
        mfa_time = check_code(ctx, caller, *mfa)
    mfa_present = caller.mfa or mfa is not None
    now = ctx.clock.now()
    context: dict[str, str] = {
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": caller.role_arn or caller.arn,
        "sts:RoleSessionName": session_name,
    }
    # Long-term keys carry no MFA key at all (so BoolIfExists matches them); temporary
    # credentials always say true or false (docs/aws-behaviour.md, "MultiFactorAuthPresent in policies, and simulating them").
    if caller.temporary or mfa is not None:
        context["aws:MultiFactorAuthPresent"] = "true" if mfa_present else "false"
    if mfa_present and mfa_time is not None:
        context["aws:MultiFactorAuthAge"] = str(int((now - mfa_time).total_seconds()))
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    source_identity = request.params.get("SourceIdentity")
    if source_identity:
        context["sts:SourceIdentity"] = source_identity
    if not trust.allows(role.assume_role_policy_document, caller.principal_names(), context):
        raise not_authorized

    assumed_arn = f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}"
    issued = ctx.ledger.issue(
        kind="role",
        account=account,
        arn=assumed_arn,
        user_id=f"{role.id}:{session_name}",
        expiration=now + timedelta(seconds=ctx.ledger.lifetime("role", duration)),
        mfa=mfa_present,
        mfa_time=mfa_time,
        role_arn=role.arn,
        role_name=role.name,
        session_name=session_name,
        source_identity=source_identity,
        session_policy=request.params.get("Policy") or None,
        mfa_by_own_code=(mfa is not None and not caller.mfa) or caller.mfa_by_own_code,
        chained=caller.temporary,
    )
    inner = _credentials_xml(issued)
    inner += "<AssumedRoleUser>" + xml_fields(AssumedRoleId=issued.user_id, Arn=assumed_arn) + "</AssumedRoleUser>"
    if request.params.get("Policy"):
        inner += xml_fields(PackedPolicySize=6)
    if source_identity:
        inner += xml_fields(SourceIdentity=source_identity)
    return result_body("sts", "AssumeRole", inner)


HANDLERS = {
    "GetSessionToken": get_session_token,
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
}
"""The STS actions the layer answers itself."""

# GetSessionToken refuses session credentials itself, with its own message.
_SESSION_STS_ACTIONS = {"AssumeRole", "GetCallerIdentity", "GetSessionToken"}


def check_sts_access(action: str, caller: Caller | None) -> None:
    """GetSessionToken credentials may call only AssumeRole and GetCallerIdentity (docs/aws-behaviour.md, "What MFA-session credentials may call")."""
    if caller is not None and caller.kind == SESSION and action not in _SESSION_STS_ACTIONS:
        raise access_denied(f"Cannot call {action} with session credentials")
