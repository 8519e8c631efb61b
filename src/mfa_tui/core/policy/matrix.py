"""The MFA matrix: what an identity's policies allow with and without MFA, computed locally.

Owns the pure part of the report: the actions asked about (:func:`matrix_actions`,
:func:`resource_for`), each column's request context (:func:`request_contexts`: long-term keys
with ``aws:MultiFactorAuthPresent`` absent, a session without MFA, an MFA session with
``aws:MultiFactorAuthAge``), every cell's decision (:func:`local_matrix`), the report's data
types, the input rules (:func:`check_action`, :func:`check_mfa_age`) and :func:`reevaluate`.
No AWS call: :mod:`mfa_tui.core.policy.report` adds AWS's own answers and reads the policies.
Plain dataclasses with ``to_dict()`` (JSON-ready); never imports Textual or Rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from mfa_tui.core.clock import rfc3339
from mfa_tui.core.errors import ConfigError
from mfa_tui.core.models import MFA_SESSION_MAX
from mfa_tui.core.policy.wildcards import PolicyDefect
from mfa_tui.core.policy.documents import statements
from mfa_tui.core.policy.evaluator import Decision, Result, evaluate
from mfa_tui.core.policy.fetch import Principal

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
NOT_SIMULATED = "AWS simulation not attempted"
""":attr:`PrincipalReport.simulation` when AWS was not asked."""

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


def aws_letter(cell: Cell) -> str:
    """AWS's answer in the narrow AWS column (``A``, ``D``, ``n``), or ``?`` when AWS was not asked this question."""
    return RESULT_LETTERS[cell.aws] if cell.aws is not None else "?"


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


def local_matrix(
    principal: Principal,
    *,
    now: datetime,
    actions: Sequence[str] = (),
    mfa_age: int = DEFAULT_MFA_AGE,
    region: str = "us-east-1",
    resources: Mapping[str, str] | None = None,
) -> PrincipalReport:
    """The matrix for ``principal`` at ``now`` from its policies alone; AWS is not asked.

    ``actions``: extra actions the user typed. ``resources``: action -> resource overrides
    (e.g. ``sts:AssumeRole`` -> the role's ARN). Each decision names the statement that decided it.
    """
    contexts = request_contexts(principal, mfa_age=mfa_age, now=now, region=region)
    identity_docs = [p.document for p in principal.policies]
    names = [p.label for p in principal.policies]
    boundary = [principal.boundary.document] if principal.boundary else None
    boundary_names = [principal.boundary.label] if principal.boundary else None
    warnings: dict[str, None] = {}
    rows: list[MatrixRow] = []
    for action, origin in matrix_actions(principal, actions):
        resource = resource_for(action, principal, resources)
        cells: list[Cell] = []
        for name in CONTEXTS:
            d = evaluate(identity_docs, action, resource, contexts[name], boundary=boundary, names=names,
                         boundary_names=boundary_names)
            cells.append(_cell(d))
            warnings.update(dict.fromkeys(d.warnings))
        rows.append(MatrixRow(action, resource, origin, *cells))
    return PrincipalReport(principal, rows, mfa_age, NOT_SIMULATED, list(warnings), region)


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


# ── Checking input and evaluating again ──────────────────────────────────────

_ACTION_RE = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$")


def check_action(text: str) -> str:
    """``text`` as an action for the matrix (``service:Action``, wildcards allowed), or ConfigError."""
    action = text.strip()
    if not _ACTION_RE.match(action):
        raise ConfigError(f"action {action!r}: expected SERVICE:ACTION, e.g. s3:GetObject")
    return action


def check_mfa_age(seconds: int, what: str = "MFA age") -> int:
    """``seconds`` as the MFA-session column's ``aws:MultiFactorAuthAge``, or ConfigError when outside
    0 to :data:`~mfa_tui.core.models.MFA_SESSION_MAX` (``what`` names the input in the message)."""
    if not 0 <= seconds <= MFA_SESSION_MAX:
        raise ConfigError(f"{what} {seconds}: expected 0 to {MFA_SESSION_MAX} seconds")
    return seconds


def clamp_mfa_age(seconds: int) -> int:
    """``seconds`` brought into the range :func:`check_mfa_age` accepts."""
    return max(0, min(MFA_SESSION_MAX, seconds))


def reevaluate(report: PolicyReport, *, actions: Sequence[str] = (), mfa_age: int | None = None) -> PolicyReport:
    """The same report for more actions or another MFA age, from the policies already read.

    Pure: no AWS call, so the dashboard can answer as the user types. ``actions`` are added
    to those the report already asked about (each once). The request time stays the report's
    ``generated_at``, so only what changed can change the answers. AWS's answers are kept
    where the question is the same one AWS was asked (same action and resource, and for the
    MFA-session column the same MFA age); other cells have none (the CLI shows ``?``).
    """
    age = report.mfa_age if mfa_age is None else mfa_age
    principals: list[PrincipalReport] = []
    for old in report.principals:
        requested = [r.action for r in old.rows if r.origin == "requested"] + list(actions)
        resources = {r.action: r.resource for r in old.rows if r.resource != "*"}
        new = local_matrix(old.principal, now=report.generated_at, actions=requested, mfa_age=age,
                           region=old.region, resources=resources)
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
