"""STS calls turned into domain results: MFA sessions, role sessions, who-am-I (and a role's maximum).

Each function takes a client built by :func:`mfa_tui.core.aws.clients.client`, records AWS's
``Date`` header in a :class:`~mfa_tui.core.aws.clients.ClockWatch`, and raises one-line domain
errors naming ``what`` (a profile or identity) on failure. An answer that lacks what the
call must return (no ``Credentials``, a key missing from them, an ``Expiration`` that is not
a time, no ``Arn``) is an :class:`~mfa_tui.core.errors.AwsError` naming the endpoint too,
never a ``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import datetime

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.clock import Clock, utc
from mfa_tui.core.errors import AwsError, ClockSkewError, CodeError
from mfa_tui.core.models import Credentials, WhoAmI


@dataclass(frozen=True)
class RoleSession:
    """AssumeRole's answer."""

    credentials: Credentials
    assumed_role_arn: str
    source_identity: str | None = None


def default_session_name() -> str:
    """The local user name reduced to RoleSessionName's characters ``[\\w+=,.@-]``, 2–64 long."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    name = re.sub(r"[^\w+=,.@-]", "-", user)[:64]
    return name if len(name) >= 2 else "mfa-tui"


_CREDENTIAL_KEYS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


def _credentials(response: dict, *, what: str, endpoint: str | None) -> Credentials:
    """The ``Credentials`` of an STS answer; an answer without usable ones is an :class:`AwsError`."""
    raw = response.get("Credentials")
    if not isinstance(raw, dict):
        raise _malformed(what, endpoint, "without Credentials")
    missing = [key for key in (*_CREDENTIAL_KEYS, "Expiration") if not raw.get(key)]
    if missing:
        raise _malformed(what, endpoint, f"with Credentials lacking {', '.join(missing)}")
    if not all(isinstance(raw[key], str) for key in _CREDENTIAL_KEYS):
        raise _malformed(what, endpoint, "with Credentials that are not text")
    expiration = raw["Expiration"]
    try:
        if isinstance(expiration, str):
            from mfa_tui.core.clock import parse_time

            expiration = parse_time(expiration)
        expiration = utc(expiration)
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise _malformed(what, endpoint, "with an Expiration that is not a time") from None
    return Credentials(
        access_key_id=raw["AccessKeyId"],
        secret_access_key=raw["SecretAccessKey"],
        session_token=raw["SessionToken"],
        expiration=expiration,
    )


def _malformed(what: str, endpoint: str | None, how: str) -> AwsError:
    return AwsError(f"{what}: {endpoint or 'AWS'} answered {how}; try again, and check endpoint_url if it persists")


def _call(client, method: str, params: dict, *, what: str, watch: aws.ClockWatch | None, clock: Clock, endpoint: str | None):
    try:
        response = getattr(client, method)(**params)
    except Exception as exc:  # botocore raises many types; all become one-line domain errors
        if watch is not None:
            watch.observe(getattr(exc, "response", None), clock.now())
        error = aws_errors.translate_error(exc, what=what, endpoint=endpoint)
        if watch is not None and isinstance(error, (CodeError, ClockSkewError)):
            hint = watch.describe()
            if hint:
                error = type(error)(f"{error}; {hint}")
        raise error from None
    if watch is not None:
        watch.observe(response, clock.now())
    return response


def get_session_token(
    client, *, serial: str | None, code: str | None, duration: int, what: str, clock: Clock,
    watch: aws.ClockWatch | None = None, endpoint: str | None = None,
) -> Credentials:
    """GetSessionToken with the identity's long-term keys; with ``serial`` and ``code`` it is an MFA session."""
    params: dict = {"DurationSeconds": int(duration)}
    if serial and code:
        params.update(SerialNumber=serial, TokenCode=code)
    response = _call(client, "get_session_token", params, what=what, watch=watch, clock=clock, endpoint=endpoint)
    return _credentials(response, what=what, endpoint=endpoint)


def assume_role(
    client, *, role_arn: str, session_name: str, duration: int, what: str, clock: Clock,
    external_id: str | None = None, serial: str | None = None, code: str | None = None,
    watch: aws.ClockWatch | None = None, endpoint: str | None = None,
) -> RoleSession:
    """AssumeRole; ``serial``/``code`` only for direct roles (chained roles use the MFA session's keys)."""
    params: dict = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": int(duration)}
    if external_id:
        params["ExternalId"] = external_id
    if serial and code:
        params.update(SerialNumber=serial, TokenCode=code)
    response = _call(client, "assume_role", params, what=what, watch=watch, clock=clock, endpoint=endpoint)
    credentials = _credentials(response, what=what, endpoint=endpoint)
    user = response.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, dict) else None
    source = response.get("SourceIdentity")
    return RoleSession(
        credentials=credentials,
        assumed_role_arn=arn if isinstance(arn, str) else "",
        source_identity=source if isinstance(source, str) else None,
    )


def caller_identity(
    client, *, what: str, clock: Clock, expected_account: str | None = None,
    watch: aws.ClockWatch | None = None, endpoint: str | None = None,
) -> WhoAmI:
    """GetCallerIdentity (docs/aws-behaviour.md, "GetCallerIdentity needs no permission")."""
    response = _call(client, "get_caller_identity", {}, what=what, watch=watch, clock=clock, endpoint=endpoint)
    missing = [key for key in ("Arn", "Account", "UserId") if not isinstance(response.get(key), str)]
    if missing:
        raise _malformed(what, endpoint, f"without {', '.join(missing)}")
    return WhoAmI(
        arn=response["Arn"],
        account=response["Account"],
        user_id=response["UserId"],
        checked_at=clock.now(),
        expected_account=expected_account,
    )


def is_duration_over_max(exc: BaseException) -> bool:
    """True for AWS's 'DurationSeconds exceeds the MaxSessionDuration' validation error."""
    return "maxsessionduration" in str(exc).lower() or is_chaining_cap(exc)


def is_chaining_cap(exc: BaseException) -> bool:
    """True for AWS's refusal of more than 1 hour for a role assumed with temporary keys (role chaining)."""
    return "exceeds the 1 hour session limit" in str(exc).lower()


def role_max_session(
    client, *, role_arn: str, what: str, clock: Clock, watch: aws.ClockWatch | None = None,
    endpoint: str | None = None,
) -> int:
    """The role's ``MaxSessionDuration`` in seconds, read with ``iam:GetRole`` (``client`` is an IAM client).

    AWS's refusal of a too-long AssumeRole does not say the maximum (docs/aws-behaviour.md,
    "A role's maximum session duration"). GetRole sees only roles of the caller's own account,
    so the answer must be the role asked about, with a maximum AWS allows (1 to 12 hours).
    """
    response = _call(client, "get_role", {"RoleName": role_arn.rsplit("/", 1)[-1]},
                     what=what, watch=watch, clock=clock, endpoint=endpoint)
    role = response.get("Role")
    seconds = role.get("MaxSessionDuration") if isinstance(role, dict) else None
    if not isinstance(role, dict) or role.get("Arn") != role_arn:
        raise _malformed(what, endpoint, f"to GetRole without the role {role_arn}")
    if not isinstance(seconds, int) or not 3600 <= seconds <= 43200:
        raise _malformed(what, endpoint, "to GetRole without a MaxSessionDuration of 1 to 12 hours")
    return seconds


def remaining(creds: Credentials | None, now: datetime) -> float:
    """Seconds until ``creds`` expire (negative when past; -inf when absent)."""
    if creds is None:
        return float("-inf")
    return (creds.expiration - now).total_seconds()
