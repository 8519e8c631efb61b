"""What an identity may do with and without MFA: the MFA matrix, AWS's own answer, and the
report for a registry profile.

1. :mod:`mfa_tui.core.policy.fetch` reads a principal's policies from IAM (refusals recorded,
   never fatal).
2. :func:`analyse` evaluates every action of the matrix with :func:`mfa_tui.core.policy.evaluator.evaluate`
   in three request contexts: long-term keys (``aws:MultiFactorAuthPresent`` absent), a
   session without MFA (``false``) and an MFA session (``true`` with ``aws:MultiFactorAuthAge``).
   Each decision names the statement that decided it.
3. With a ``simulator`` client, the same questions go to ``iam:SimulatePrincipalPolicy`` and
   AWS's answers sit beside the local ones, disagreements marked; when AWS refuses (or the
   endpoint does not implement it, like moto) the report says why and keeps the local answer.
4. :func:`report_for_profile` chains these for a registry profile; the CLI's ``mfa-tui policy``
   and the dashboard's policy pane both use it.
5. :func:`reevaluate` answers again for more actions or another MFA age from the policies
   already read, without calling AWS (the policy pane does this as the user types).

Everything here returns plain dataclasses with ``to_dict()`` (JSON-ready) and never imports
Textual or Rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from mfa_tui.core.clock import Clock, FrozenClock, SystemClock, rfc3339
from mfa_tui.core.policy.evaluator import Decision, Result, evaluate, statements
from mfa_tui.core.policy.conditions import PolicyDefect
from mfa_tui.core.policy.fetch import Principal, fetch_role, fetch_user, first_line

SEED_ACTIONS: tuple[str, ...] = (
    "s3:ListAllMyBuckets",
    "s3:DeleteBucket",
    "ec2:DescribeInstances",
    "lambda:ListFunctions",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:ListMFADevices",
    "iam:ChangePassword",
    "sts:GetSessionToken",
)
"""The seed documents' example actions: always in the matrix."""

DEFAULT_MFA_AGE = 300
"""Seconds since MFA sign-in assumed for the MFA-session column unless the user sets it."""

CONTEXTS: tuple[str, ...] = ("long_term", "no_mfa", "mfa")
"""The matrix columns, in order."""

CONTEXT_TITLES = {"long_term": "long-term keys", "no_mfa": "session without MFA", "mfa": "MFA session"}
CONTEXT_SHORT = {"long_term": "long-term", "no_mfa": "no-MFA", "mfa": "MFA"}
RESULT_WORDS = {Result.ALLOWED: "allowed", Result.EXPLICIT_DENY: "DENIED", Result.IMPLICIT_DENY: "no allow"}
"""How a decision reads in the matrix (CLI and dashboard)."""
RESULT_LETTERS = {Result.ALLOWED: "A", Result.EXPLICIT_DENY: "D", Result.IMPLICIT_DENY: "n"}
"""AWS's answers in the narrow AWS column, long-term / no-MFA / MFA."""

# IAM actions whose resource is the calling user, and those on its virtual MFA device: the
# matrix asks about the principal's own user/device, as the self-manage-MFA policies grant
# them ("arn:aws:iam::*:user/${aws:username}"). Everything else is asked on "*".
_SELF_USER_ACTIONS = frozenset(
    a.lower()
    for a in (
        "iam:ChangePassword", "iam:GetUser", "iam:EnableMFADevice", "iam:DeactivateMFADevice",
        "iam:ResyncMFADevice", "iam:ListMFADevices", "iam:GetMFADevice", "iam:CreateAccessKey",
        "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey", "iam:GetLoginProfile",
        "iam:UpdateLoginProfile", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies",
        "iam:GetUserPolicy", "iam:ListGroupsForUser", "iam:ListSSHPublicKeys", "iam:ListSigningCertificates",
    )
)
_SELF_DEVICE_ACTIONS = frozenset(a.lower() for a in ("iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"))

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


# ── The matrix ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Cell:
    """One decision of the matrix: the local answer, and AWS's when it was asked."""

    result: Result
    deciding: tuple[str, ...] = ()
    """Labels of the deciding statements (``ForceMFA#DenyAllExceptListedIfNoMFA``)."""
    reason: str = ""
    aws: Result | None = None
    """``SimulatePrincipalPolicy``'s EvalDecision; None when AWS was not (or could not be) asked."""

    @property
    def allowed(self) -> bool:
        return self.result is Result.ALLOWED

    @property
    def disagrees(self) -> bool:
        return self.aws is not None and self.aws != self.result

    def to_dict(self) -> dict:
        return {
            "result": str(self.result), "deciding": list(self.deciding), "reason": self.reason,
            "aws": None if self.aws is None else str(self.aws), "disagrees": self.disagrees,
        }


@dataclass(frozen=True)
class MatrixRow:
    """One action in the three contexts."""

    action: str
    resource: str
    origin: str
    """``"requested"`` (the user asked), ``"example"`` (seed list) or ``"policy"`` (named in a policy)."""
    long_term: Cell
    no_mfa: Cell
    mfa: Cell

    @property
    def cells(self) -> dict[str, Cell]:
        return {"long_term": self.long_term, "no_mfa": self.no_mfa, "mfa": self.mfa}

    @property
    def needs_mfa(self) -> bool:
        """Allowed with MFA, and neither with long-term keys nor with a session without MFA."""
        return self.mfa.allowed and not self.long_term.allowed and not self.no_mfa.allowed

    @property
    def long_term_bypass(self) -> bool:
        """A session without MFA is refused but long-term keys pass: the policy tests
        ``Bool`` where ``BoolIfExists`` was meant (docs/aws-behaviour.md, "MultiFactorAuthPresent in policies, and simulating them")."""
        return self.long_term.allowed and not self.no_mfa.allowed

    @property
    def disagrees(self) -> bool:
        return any(c.disagrees for c in self.cells.values())

    @property
    def notes(self) -> list[str]:
        """What stands out about the row, in the words the CLI and the dashboard both show."""
        notes = []
        if self.needs_mfa:
            notes.append("needs MFA")
        if self.long_term_bypass:
            notes.append("long-term keys bypass the MFA check")
        if self.disagrees:
            notes.append("AWS disagrees: " + ", ".join(CONTEXT_SHORT[n] for n, c in self.cells.items() if c.disagrees))
        return notes

    def to_dict(self) -> dict:
        return {
            "action": self.action, "resource": self.resource, "origin": self.origin,
            "needs_mfa": self.needs_mfa, "long_term_bypass": self.long_term_bypass, "disagrees": self.disagrees,
            **{name: cell.to_dict() for name, cell in self.cells.items()},
        }


@dataclass
class PrincipalReport:
    """A principal's policies and its MFA matrix."""

    principal: Principal
    rows: list[MatrixRow]
    mfa_age: int
    simulation: str
    """``"used"`` when AWS answered, else ``"AWS simulation unavailable: <reason>"`` (or not attempted)."""
    warnings: list[str] = field(default_factory=list)
    """Evaluation problems and notes (unknown operators, unresolved variables), once each."""
    region: str = "us-east-1"
    """The ``aws:RequestedRegion`` the matrix was evaluated for (kept for :func:`reevaluate`)."""

    @property
    def simulated(self) -> bool:
        return self.simulation == "used"

    def to_dict(self) -> dict:
        return {
            "principal": self.principal.to_dict(), "mfa_age": self.mfa_age, "simulation": self.simulation,
            "warnings": list(self.warnings), "rows": [r.to_dict() for r in self.rows],
        }


def _concrete(action: object) -> bool:
    return isinstance(action, str) and ":" in action and "*" not in action and "?" not in action


def matrix_actions(principal: Principal, requested: Iterable[str] = ()) -> list[tuple[str, str]]:
    """``(action, origin)`` for the matrix: requested, the seed examples, then every concrete
    action named (in Action or NotAction) by the policies, each once (case-insensitively)."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []

    def add(action: str, origin: str) -> None:
        if action.lower() not in seen:
            seen.add(action.lower())
            out.append((action, origin))

    for action in requested:
        add(action, "requested")
    for action in SEED_ACTIONS:
        add(action, "example")
    named: list[str] = []
    docs = principal.policies + ([principal.boundary] if principal.boundary else [])
    for doc in docs:
        try:
            stmts = statements(doc.document)
        except PolicyDefect:
            continue
        for stmt in stmts:
            if not isinstance(stmt, Mapping):
                continue
            for key in ("Action", "NotAction"):
                value = stmt.get(key)
                for action in value if isinstance(value, list) else [value]:
                    if _concrete(action):
                        named.append(action)
    for action in sorted(named, key=str.lower):
        add(action, "policy")
    return out


def resource_for(action: str, principal: Principal, overrides: Mapping[str, str] | None = None) -> str:
    """The resource the matrix asks about: an override, the principal's own user or MFA device
    for self-service IAM actions, else ``*``."""
    lower = action.lower()
    for key, value in (overrides or {}).items():
        if key.lower() == lower:
            return value
    if principal.kind == "user" and principal.account_id:
        if lower in _SELF_USER_ACTIONS and principal.arn:
            return principal.arn
        if lower in _SELF_DEVICE_ACTIONS:
            return f"arn:aws:iam::{principal.account_id}:mfa/{principal.name}"
    return "*"


def request_contexts(principal: Principal, *, mfa_age: int, now: datetime, region: str = "us-east-1",
                     session_name: str = "mfa-tui") -> dict[str, dict[str, str]]:
    """The request context of each column, with the global keys IAM fills in for this principal."""
    base: dict[str, str] = {
        "aws:CurrentTime": rfc3339(now),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true",
        "aws:RequestedRegion": region,
    }
    if principal.account_id:
        base["aws:PrincipalAccount"] = principal.account_id
    if principal.arn:
        base["aws:PrincipalArn"] = principal.arn
    if principal.kind == "user":
        base["aws:PrincipalType"] = "User"
        base["aws:username"] = principal.name
        if principal.id:
            base["aws:userid"] = principal.id
    else:
        base["aws:PrincipalType"] = "AssumedRole"
        if principal.id:
            base["aws:userid"] = f"{principal.id}:{session_name}"
    return {
        "long_term": dict(base),
        "no_mfa": {**base, "aws:MultiFactorAuthPresent": "false", "aws:TokenIssueTime": rfc3339(now)},
        "mfa": {
            **base,
            "aws:MultiFactorAuthPresent": "true",
            "aws:MultiFactorAuthAge": str(mfa_age),
            "aws:TokenIssueTime": rfc3339(now - timedelta(seconds=mfa_age)),
        },
    }


def _cell(decision: Decision) -> Cell:
    return Cell(decision.result, tuple(s.label() for s in decision.deciding), decision.reason)


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
    contexts = request_contexts(principal, mfa_age=mfa_age, now=now, region=region)
    identity_docs = [p.document for p in principal.policies]
    names = [p.label for p in principal.policies]
    boundary = [principal.boundary.document] if principal.boundary else None
    boundary_names = [principal.boundary.label] if principal.boundary else None
    warnings: dict[str, None] = {}
    planned = [(a, origin, resource_for(a, principal, resources)) for a, origin in matrix_actions(principal, actions)]
    cells: dict[tuple[str, str], Cell] = {}
    for action, _, resource in planned:
        for name in CONTEXTS:
            d = evaluate(identity_docs, action, resource, contexts[name], boundary=boundary, names=names,
                         boundary_names=boundary_names)
            cells[(name, action)] = _cell(d)
            warnings.update(dict.fromkeys(d.warnings))
    if simulator is None:
        simulation = "AWS simulation not attempted"
    else:
        answers, simulation = simulate(simulator, principal, [(a, r) for a, _, r in planned], contexts)
        if answers:
            for key, aws_result in answers.items():
                if key in cells:
                    cells[key] = replace(cells[key], aws=aws_result)
    rows = [
        MatrixRow(action, resource, origin, *(cells[(name, action)] for name in CONTEXTS))
        for action, origin, resource in planned
    ]
    return PrincipalReport(principal, rows, mfa_age, simulation, list(warnings), region)


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
    from mfa_tui.core.aws import clients as aws

    code = aws.error_code(exc)
    if code:
        message = aws.error_message(exc).strip().rstrip(".")
        return f"{code}: {message}" if message else code
    return first_line(exc)


# ── A registry profile's report ──────────────────────────────────────────────

LIVE_MARGIN = 60
"""Cached credentials with less than this many seconds left are not used to read policies."""


@dataclass
class PolicyReport:
    """The report for one registry profile: its identity's user and, for a role profile, the role."""

    profile: str
    identity: str
    generated_at: datetime
    mfa_age: int
    principals: list[PrincipalReport]
    notes: list[str] = field(default_factory=list)
    """What limited the report (which credentials were used, a role that could not be read)."""

    def to_dict(self) -> dict:
        return {
            "profile": self.profile, "identity": self.identity, "generated_at": rfc3339(self.generated_at),
            "mfa_age": self.mfa_age, "notes": list(self.notes), "principals": [p.to_dict() for p in self.principals],
        }


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
    if mfa_creds is None and user.unreadable:
        notes.append(
            f"read with long-term keys (no live MFA session for identity {identity.name}); a force-MFA policy "
            f"refuses most IAM reads without MFA: run `mfa-tui refresh {profile.name}` and try again"
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


# ── Evaluating again without AWS ─────────────────────────────────────────────

_ACTION_RE = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")


def check_action(text: str) -> str:
    """``text`` as an action for the matrix (``service:Action``, wildcards allowed), or ConfigError."""
    action = text.strip()
    if not _ACTION_RE.match(action):
        from mfa_tui.core.errors import ConfigError

        raise ConfigError(f"action {action!r}: expected SERVICE:ACTION, e.g. s3:GetObject")
    return action


def reevaluate(report: PolicyReport, *, actions: Sequence[str] = (), mfa_age: int | None = None) -> PolicyReport:
    """The same report for more actions or another MFA age, from the policies already read.

    Pure: no AWS call, so the dashboard can answer as the user types. ``actions`` are added
    to those the report already asked about (each once). The request time stays the report's
    ``generated_at``, so only what changed can change the answers. AWS's answers are kept
    where the question is the same one AWS was asked (same action and resource, and for the
    MFA-session column the same MFA age); other cells have none (the CLI shows ``?``).
    """
    age = report.mfa_age if mfa_age is None else mfa_age
    clock = FrozenClock(report.generated_at)
    principals: list[PrincipalReport] = []
    for old in report.principals:
        requested = [r.action for r in old.rows if r.origin == "requested"] + list(actions)
        resources = {r.action: r.resource for r in old.rows if r.resource != "*"}
        new = analyse(old.principal, actions=requested, mfa_age=age, clock=clock, region=old.region,
                      resources=resources)
        before = {(r.action.lower(), r.resource): r for r in old.rows}
        rows = []
        for row in new.rows:
            prior = before.get((row.action.lower(), row.resource))
            if prior is not None:
                cells = {
                    name: replace(cell, aws=prior.cells[name].aws)
                    for name, cell in row.cells.items()
                    if name != "mfa" or age == old.mfa_age
                }
                row = replace(row, **cells)
            rows.append(row)
        principals.append(replace(new, rows=rows, simulation=old.simulation))
    return replace(report, mfa_age=age, principals=principals, notes=list(report.notes))
