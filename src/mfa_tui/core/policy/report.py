"""What an identity may do with and without MFA, asked of AWS: the report for a registry profile.

The pure MFA matrix is :mod:`mfa_tui.core.policy.matrix`; this module does the AWS I/O around it:

1. :mod:`mfa_tui.core.policy.fetch` reads a principal's policies from IAM (refusals recorded,
   never fatal).
2. :func:`analyse` evaluates the matrix locally (:func:`~mfa_tui.core.policy.matrix.local_matrix`)
   and, with a ``simulator`` client, asks ``iam:SimulatePrincipalPolicy`` the same questions
   (:func:`simulate`): AWS's answers sit beside the local ones, disagreements marked; when AWS
   refuses (or the endpoint does not implement it, like moto) the report says why and keeps
   the local answer.
3. :func:`report_for_profile` chains these for a registry profile; the CLI's ``mfa-tui policy``
   and the dashboard's policy pane both use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import Principal, fetch_role, fetch_user, first_line
from mfa_tui.core.policy.matrix import DEFAULT_MFA_AGE, PolicyReport, PrincipalReport, local_matrix, request_contexts

# SimulatePrincipalPolicy's ContextKeyType for the keys the contexts carry; others are strings.
_CONTEXT_TYPES = {
    "aws:multifactorauthpresent": "boolean",
    "aws:securetransport": "boolean",
    "aws:multifactorauthage": "numeric",
    "aws:epochtime": "numeric",
    "aws:currenttime": "date",
    "aws:tokenissuetime": "date",
}
_AWS_DECISIONS = {"allowed": Result.ALLOWED, "explicitdeny": Result.EXPLICIT_DENY, "implicitdeny": Result.IMPLICIT_DENY}
_SIMULATE_CHUNK = 50


# ── AWS's own answer ─────────────────────────────────────────────────────────


def analyse(
    principal: Principal,
    *,
    actions: Sequence[str] = (),
    mfa_age: int = DEFAULT_MFA_AGE,
    clock: Clock | None = None,
    region: str = "us-east-1",
    resources: Mapping[str, str] | None = None,
    simulator=None,
) -> PrincipalReport:
    """Evaluate the matrix for ``principal``; ask AWS too when ``simulator`` (an IAM client) is given.

    ``actions``: extra actions the user typed. ``resources``: action -> resource overrides
    (e.g. ``sts:AssumeRole`` -> the role's ARN).
    """
    now = (clock or SystemClock()).now()
    report = local_matrix(principal, now=now, actions=actions, mfa_age=mfa_age, region=region, resources=resources)
    if simulator is None:
        return report
    contexts = request_contexts(principal, mfa_age=mfa_age, now=now, region=region)
    answers, simulation = simulate(simulator, principal, [(r.action, r.resource) for r in report.rows], contexts)
    rows = [
        replace(row, **{name: replace(cell, aws=answers[(name, row.action)])
                        for name, cell in row.cells.items() if (name, row.action) in answers})
        for row in report.rows
    ]
    return replace(report, rows=rows, simulation=simulation)


def _entries(context: Mapping[str, str]) -> list[dict]:
    return [
        {
            "ContextKeyName": key,
            "ContextKeyValues": [value],
            "ContextKeyType": _CONTEXT_TYPES.get(key.lower(), "string"),
        }
        for key, value in context.items()
    ]


def simulate(iam, principal: Principal, requests: Sequence[tuple[str, str]],
             contexts: Mapping[str, Mapping[str, str]]) -> tuple[dict[tuple[str, str], Result], str]:
    """Ask ``iam:SimulatePrincipalPolicy`` the matrix's questions.

    Returns ``({(context, action): result}, "used")``, or ``({}, "AWS simulation unavailable:
    <reason>")`` as soon as one call fails: a partial answer would mislead more than none.
    """
    if not principal.arn:
        return {}, "AWS simulation unavailable: the principal's ARN is unknown"
    by_resource: dict[str, list[str]] = {}
    for action, resource in requests:
        by_resource.setdefault(resource, []).append(action)
    answers: dict[tuple[str, str], Result] = {}
    canonical = {a.lower(): a for a, _ in requests}
    try:
        paginator = iam.get_paginator("simulate_principal_policy")
        for name, context in contexts.items():
            entries = _entries(context)
            for resource, actions in by_resource.items():
                for i in range(0, len(actions), _SIMULATE_CHUNK):
                    params = {"PolicySourceArn": principal.arn, "ActionNames": actions[i : i + _SIMULATE_CHUNK],
                              "ContextEntries": entries}
                    if resource != "*":
                        params["ResourceArns"] = [resource]
                    for page in paginator.paginate(**params):
                        for result in page.get("EvaluationResults", []):
                            action = canonical.get(str(result.get("EvalActionName", "")).lower())
                            decision = _AWS_DECISIONS.get(str(result.get("EvalDecision", "")).lower())
                            if action is not None and decision is not None:
                                answers[(name, action)] = decision
    except Exception as exc:  # noqa: BLE001 - any failure only means "no AWS answer"
        return {}, f"AWS simulation unavailable: {_simulation_error(exc)}"
    return answers, "used"


def _simulation_error(exc: BaseException) -> str:
    from mfa_tui.core.aws import errors as aws_errors

    code = aws_errors.error_code(exc)
    if code:
        message = aws_errors.error_message(exc).strip().rstrip(".")
        return f"{code}: {message}" if message else code
    return first_line(exc)


# ── A registry profile's report ──────────────────────────────────────────────

LIVE_MARGIN = 60
"""Cached credentials with less than this many seconds left are not used to read policies."""


def _live(creds, now: datetime):
    return creds if creds is not None and (creds.expiration - now).total_seconds() > LIVE_MARGIN else None


def _user_name(identity, keys, registry, clock: Clock, notes: list[str]) -> tuple[str, str | None]:
    """The identity's IAM user name and account.

    ``user_name`` from the registry when set; else GetCallerIdentity (needs no permission,
    docs/aws-behaviour.md, "GetCallerIdentity needs no permission"), which is exact; else the MFA device's name, which is only a convention
    (AWS lets a virtual device have any name), so it comes last and with a note.
    """
    from mfa_tui.core.aws import clients as aws
    from mfa_tui.core.aws import sts
    from mfa_tui.core.errors import AwsError

    account = identity.account_id
    if identity.account and identity.account in registry.accounts:
        account = registry.accounts[identity.account].id
    if identity.user_name:
        return identity.user_name, account
    client = aws.client("sts", keys, region=identity.region, endpoint_url=identity.endpoint_url)
    try:
        who = sts.caller_identity(client, what=f"identity {identity.name}", clock=clock, endpoint=identity.endpoint_url)
    except AwsError as exc:
        if not identity.mfa_serial:
            raise
        name = identity.mfa_serial.rsplit("/", 1)[-1]
        notes.append(f"{exc}; assuming IAM user {name!r} from the MFA device's name (set user_name to be sure)")
        return name, account
    if ":user/" not in who.arn:
        from mfa_tui.core.errors import ConfigError

        raise ConfigError(f"identity {identity.name}: its keys belong to {who.arn}, not an IAM user; set user_name")
    return who.arn.rsplit("/", 1)[-1], who.account


def report_for_profile(
    service,
    profile_name: str,
    *,
    actions: Sequence[str] = (),
    mfa_age: int = DEFAULT_MFA_AGE,
    simulate_with_aws: bool = True,
) -> PolicyReport:
    """Build the report for a registry profile through a :class:`~mfa_tui.core.service.facade.Service`.

    The identity's policies are read with its live MFA session when the state holds one (a
    force-MFA policy refuses most IAM reads to anything else), otherwise with its long-term
    keys (IAM refuses session tokens without MFA: docs/aws-behaviour.md, "What MFA-session credentials may call"). For a role profile the
    role's own policies are read with the profile's live role session, or with the user's
    credentials when the role is in the user's account; the user's matrix also asks
    ``sts:AssumeRole`` on the role. Raises ConfigError for an unknown profile and AwsError when
    AWS rejects the credentials or cannot be reached; everything else lands in the report.
    """
    from mfa_tui.core.aws import clients as aws
    from mfa_tui.core.errors import AwsError

    profile = service.select([profile_name])[0]
    registry = service.registry
    identity = registry.identities[profile.identity]
    clock = service.clock
    now = clock.now()
    notes: list[str] = []
    mfa_creds = _live(service.mfa_session(identity.name), now)
    if mfa_creds is not None:
        keys = aws.Keys(mfa_creds.access_key_id, mfa_creds.secret_access_key, mfa_creds.session_token)
        read_with = f"the MFA session of identity {identity.name}"
    else:
        keys = service.long_term_keys(identity)
        read_with = f"the long-term keys of identity {identity.name}"

    def clients(k):
        kw = {"region": identity.region, "endpoint_url": identity.endpoint_url}
        # The simulation is best effort: one retry, not botocore's full back-off against an
        # endpoint that does not implement it (moto answers HTTP 500).
        sim = aws.client("iam", k, max_attempts=1, **kw) if simulate_with_aws else None
        return aws.client("iam", k, **kw), sim

    user_name, account = _user_name(identity, keys, registry, clock, notes)
    iam, sim = clients(keys)
    user = fetch_user(iam, user_name, account_id=account)
    user.read_with = read_with
    if mfa_creds is None and any("AccessDenied" in line for line in user.unreadable):
        notes.append(
            f"identity {identity.name}'s policy requires MFA to read its policies and it has no live MFA session, "
            f"so this shows only what its long-term keys could read: run `mfa-tui refresh {profile.name}` first"
        )
    overrides = {"sts:AssumeRole": profile.role_arn} if profile.role_arn else {}
    extra = tuple(actions) + (("sts:AssumeRole",) if profile.role_arn else ())
    reports = [analyse(user, actions=extra, mfa_age=mfa_age, clock=clock, region=identity.region,
                       resources=overrides, simulator=sim)]

    if profile.role_arn:
        role_name = profile.role_arn.rsplit("/", 1)[-1]
        role_creds = _live(service.current_credentials(profile), now)
        role_keys = None
        if role_creds is not None:
            role_keys = aws.Keys(role_creds.access_key_id, role_creds.secret_access_key, role_creds.session_token)
            role_read_with = f"the role session of profile {profile.name}"
        elif profile.role_account_id and profile.role_account_id == user.account_id:
            role_keys, role_read_with = keys, read_with
        else:
            notes.append(
                f"could not read role {profile.role_arn}: profile {profile.name} has no live session and the role is "
                f"in another account; run `mfa-tui refresh {profile.name}` and try again"
            )
        if role_keys is not None:
            try:
                role_iam, role_sim = clients(role_keys)
                role = fetch_role(role_iam, role_name, account_id=profile.role_account_id)
            except AwsError as exc:
                notes.append(f"could not read role {profile.role_arn}: {exc}")
            else:
                role.read_with = role_read_with
                reports.append(analyse(role, actions=actions, mfa_age=mfa_age, clock=clock, region=identity.region,
                                       simulator=role_sim))
    return PolicyReport(profile.name, identity.name, now, mfa_age, reports, notes)
