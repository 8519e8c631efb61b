"""Authorisation, after authentication: may this caller do what the request asks?

Owns the request context the local AWS builds for a caller and how the policy types combine;
each policy set is decided by :func:`mfa_tui.core.policy.evaluator.evaluate`, the evaluator
the policy pane uses (docs/aws-behaviour.md, "Policy evaluation logic"):

- identity policies: the IAM user's inline and attached policies and its groups' (for its long-term
  keys and its GetSessionToken sessions), or the role's (for its sessions);
- the permissions boundary (the role's, or the user's: docs/aws-behaviour.md, "Permissions
  boundaries of users"), and AssumeRole's session policy, each of which must allow too;
- for S3, the bucket policy, which can allow on its own within its account and whose deny wins
  like any other.

An explicit deny anywhere denies; otherwise the request is allowed when an identity policy or
the bucket policy allows it and the boundary and session policy (where present) allow it. For a
bucket in another account than the caller's, the identity policy and the bucket policy must both
allow (a role in another account: the identity policy here, its trust policy in
:mod:`~mfa_tui.localaws.trust`; docs/aws-behaviour.md, "Cross-account requests need both accounts").
``sts:GetCallerIdentity`` and ``sts:GetSessionToken`` are always allowed. A request the layer cannot map to an action is
denied, naming it. An unsigned S3 request is anonymous: only a bucket policy that allows everyone
lets it through (:func:`authorise_anonymous`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mfa_tui.core.policy.evaluator import Decision, Result, evaluate
from mfa_tui.localaws import backends
from mfa_tui.localaws.callers import USER, Caller
from mfa_tui.localaws.request_actions import Requested, describe, requested
from mfa_tui.localaws.wire import REST_XML, AwsRequest, access_denied, iso

SOURCE_IP = "127.0.0.1"
ALWAYS_ALLOWED = {"sts:GetCallerIdentity", "sts:GetSessionToken"}
"""Actions AWS allows to any authenticated caller, whatever the policies say: GetCallerIdentity
("no permissions are required"), and GetSessionToken, an authentication operation that policies
cannot control (IAM User Guide, "Permissions for GetSessionToken"). Which credentials may call
GetSessionToken at all (not a session's) is authentication's business, before this."""
_ACCOUNT_FROM_ARN = 4


@dataclass(frozen=True)
class Verdict:
    """The combined answer, with the policy type to name in a denial."""

    result: Result
    policy_type: str = "identity-based policy"
    """``identity-based policy``, ``resource-based policy``, ``permissions boundary`` or ``session policy``."""


def request_context(caller: Caller, now: datetime, *, code_in_call: bool = False, for_resource: bool = False) -> dict:
    """The global condition keys AWS puts in a request made with ``caller``'s credentials.

    ``code_in_call``: the request itself carries an MFA code (AssumeRole or GetSessionToken with
    ``TokenCode``). ``for_resource``: the context a resource-based policy sees, which has no MFA keys
    for a role assumed with its own code (docs/aws-behaviour.md, "MFA context per credential type").
    """
    ctx = {
        "aws:PrincipalArn": caller.role_arn or caller.arn,
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalType": "User" if caller.user_name else "AssumedRole",
        "aws:userid": caller.user_id,
        "aws:SourceIp": SOURCE_IP,
        "aws:CurrentTime": iso(now),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "false",
    }
    if caller.user_name:
        ctx["aws:username"] = caller.user_name
    if code_in_call:
        ctx["aws:MultiFactorAuthPresent"] = "true"
        ctx["aws:MultiFactorAuthAge"] = "0"
    elif caller.kind != USER and not (for_resource and caller.mfa_by_own_code):
        # Temporary credentials always say whether MFA made them; long-term keys say nothing.
        ctx["aws:MultiFactorAuthPresent"] = "true" if caller.mfa else "false"
        if caller.mfa and caller.mfa_time is not None:
            ctx["aws:MultiFactorAuthAge"] = str(max(0, int((now - caller.mfa_time).total_seconds())))
    return ctx


def identity_policies(caller: Caller) -> backends.IdentityPolicies:
    if caller.role_arn:
        return backends.role_policies(caller.account, caller.role_arn)
    return backends.user_policies(caller.account, caller.user_name or "")


def decide(
    policies: backends.IdentityPolicies,
    want: Requested,
    context: dict,
    *,
    session_policy: str | None = None,
    resource_policy: str | None = None,
    resource_context: dict | None = None,
    identity_deny_only: bool = False,
    cross_account: bool = False,
) -> Verdict:
    """Combine the policy types as AWS does; each set is decided by the core evaluator.

    ``identity_deny_only``: only an explicit deny in the identity policies counts (a same-account
    role's trust policy grants AssumeRole by itself). ``cross_account``: the resource is in
    another account, so the identity policies and the resource policy must both allow.
    """
    ident = evaluate(
        policies.documents, want.action, want.resource, context,
        boundary=policies.boundary, names=policies.names, boundary_names=policies.boundary_names,
    )
    session = evaluate([session_policy], want.action, want.resource, context) if session_policy else None
    resource = (
        evaluate([resource_policy], want.action, want.resource, resource_context or context)
        if resource_policy else None
    )
    if ident.result is Result.EXPLICIT_DENY:
        return Verdict(Result.EXPLICIT_DENY, _denied_by(ident))
    for decision, kind in ((resource, "resource-based policy"), (session, "session policy")):
        if decision is not None and decision.result is Result.EXPLICIT_DENY:
            return Verdict(Result.EXPLICIT_DENY, kind)
    identity_alone = ident.identity_result if ident.identity_result is not None else ident.result
    identity_allows = identity_deny_only or identity_alone is Result.ALLOWED
    resource_allows = resource is not None and resource.result is Result.ALLOWED
    if cross_account and identity_allows and not resource_allows:
        return Verdict(Result.IMPLICIT_DENY, "resource-based policy")
    if not (identity_allows or (resource_allows and not cross_account)):
        return Verdict(Result.IMPLICIT_DENY, "identity-based policy")
    if ident.boundary_result is not None and ident.boundary_result is not Result.ALLOWED:
        return Verdict(Result.IMPLICIT_DENY, "permissions boundary")
    if session is not None and session.result is not Result.ALLOWED:
        return Verdict(Result.IMPLICIT_DENY, "session policy")
    return Verdict(Result.ALLOWED)


def _denied_by(decision: Decision) -> str:
    if decision.deciding and all(ref.boundary for ref in decision.deciding):
        return "permissions boundary"
    return "identity-based policy"


def denial_message(caller: Caller, want: Requested, verdict: Verdict) -> str:
    """AWS's text ("Troubleshoot access denied error messages" in the IAM User Guide)."""
    on = f" on resource: {want.resource}" if want.resource != "*" else ""
    head = f"User: {caller.arn} is not authorized to perform: {want.action}{on}"
    article = "an" if verdict.policy_type[0] in "aeiou" else "a"
    if verdict.result is Result.EXPLICIT_DENY:
        return f"{head} with an explicit deny in {article} {verdict.policy_type}"
    return f"{head} because no {verdict.policy_type} allows the {want.action} action"


def anonymous_context(now: datetime) -> dict:
    """The request context of an unsigned request: no principal, no MFA keys."""
    return {"aws:SourceIp": SOURCE_IP, "aws:CurrentTime": iso(now), "aws:EpochTime": str(int(now.timestamp())),
            "aws:SecureTransport": "false"}


def authorise_anonymous(request: AwsRequest, now: datetime) -> None:
    """An unsigned S3 request: allowed only where the bucket policy allows it to everyone
    (``"Principal": "*"``), and never past an explicit deny (docs/aws-behaviour.md,
    "Unsigned and presigned requests"). S3 says only "Access Denied" to anonymous callers."""
    want = requested(request, None)
    policy = backends.bucket_policy(want.bucket) if want is not None and want.bucket else None
    if want is None or policy is None:
        raise access_denied("Access Denied")
    if evaluate([policy], want.action, want.resource, anonymous_context(now)).result is not Result.ALLOWED:
        raise access_denied("Access Denied")


def authorise(request: AwsRequest, caller: Caller | None, now: datetime) -> None:
    """Raise AWS's ``AccessDenied`` unless ``caller`` may make ``request`` (None: an unsigned request)."""
    if caller is None:
        if request.protocol == REST_XML:
            authorise_anonymous(request, now)
        return  # the unsigned STS federation calls: their token is their authority
    want = requested(request, caller)
    if want is None:
        raise access_denied(
            f"User: {caller.arn} is not authorized to perform this request: the local AWS cannot tell which "
            f"IAM action {describe(request)} is, so it denies it"
        )
    if want.action in ALWAYS_ALLOWED:
        return
    code_in_call = want.action in ("sts:AssumeRole", "sts:GetSessionToken") and bool(request.params.get("TokenCode"))
    context = request_context(caller, now, code_in_call=code_in_call)
    bucket_policy = backends.bucket_policy(want.bucket) if want.bucket else None
    same_account_role = want.action == "sts:AssumeRole" and _account_of(want.resource) == caller.account
    owner = backends.bucket_account(want.bucket) if want.bucket else None
    verdict = decide(
        identity_policies(caller),
        want,
        context,
        session_policy=caller.session_policy,
        resource_policy=bucket_policy,
        resource_context=request_context(caller, now, code_in_call=code_in_call, for_resource=True),
        identity_deny_only=same_account_role,
        cross_account=owner is not None and owner != caller.account,
    )
    if verdict.result is not Result.ALLOWED:
        raise access_denied(denial_message(caller, want, verdict))


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[_ACCOUNT_FROM_ARN] if len(parts) > _ACCOUNT_FROM_ARN else ""

