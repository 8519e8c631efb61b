"""Pure IAM policy evaluation: what AWS would decide for one action, resource and request context.

Used by the MFA report (:mod:`mfa_tui.core.policy.report`) and usable on its own; other tools
call :func:`evaluate` with this exact signature. No I/O, no AWS calls.

The decision logic is AWS's documented one for identity-based policies ("Policy evaluation
logic" in the IAM User Guide):

1. every statement of every policy is matched against the request (order never matters);
2. a matching ``Deny`` gives ``explicit_deny``;
3. otherwise a matching ``Allow`` gives ``allowed``;
4. otherwise the result is ``implicit_deny``.

A permissions boundary (``boundary=``) intersects: the
request is allowed only when both the identity policies and the boundary allow it, and an
explicit deny in either wins. Statements with a ``Principal``/``NotPrincipal`` (resource
policies) are matched against ``aws:PrincipalArn`` / ``aws:PrincipalAccount`` from the context
and otherwise treated like identity statements (same-account evaluation).

Documents are read by :mod:`mfa_tui.core.policy.documents` (:func:`parse_document`,
:func:`statements` and :func:`check_document`). Matching (see
:mod:`mfa_tui.core.policy.wildcards` for wildcards and variables, :mod:`mfa_tui.core.policy.conditions`
for operators):
Action/NotAction case-insensitive with ``*``/``?``; Resource/NotResource case-sensitive,
wildcards within ARN segments; Condition keys case-insensitive, several keys ANDed, several
values ORed. A statement that cannot be evaluated (unknown operator, bad value, missing
element) never matches and is listed in :attr:`Decision.problems`; a statement whose policy
variable has no value in the context does not match either (AWS treats it as invalid) and is
listed in :attr:`Decision.notes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from mfa_tui.core.policy.conditions import condition_holds, parse_operator
from mfa_tui.core.policy.wildcards import (
    Context, PolicyDefect, Unresolved, action_matches, normalize_context, resource_matches,
)
from mfa_tui.core.policy.principals import principal_names, requester_names
from mfa_tui.core.policy.documents import one_of, parse_document, statements

VARIABLES_VERSION = "2012-10-17"
"""Policy variables are substituted only in policies of this Version (older ones take them literally)."""


class Result(StrEnum):
    """An evaluation result; compares equal to its string value."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


@dataclass(frozen=True)
class StatementRef:
    """Where a matching statement is: which policy, which statement, which effect."""

    policy: int
    """Index of the policy in the list given (in the boundary list when ``boundary``)."""
    statement: int
    """Index of the statement in the policy's ``Statement`` list (0 for a single object)."""
    effect: str
    """``"Allow"`` or ``"Deny"``."""
    sid: str | None = None
    name: str | None = None
    """The policy's name, when the caller passed ``names``."""
    boundary: bool = False
    """True for a statement of the permissions boundary."""

    def label(self) -> str:
        """Short, stable text such as ``ForceMFA#DenyAllExceptListedIfNoMFA`` or ``policy 0#1``."""
        policy = self.name or f"policy {self.policy}"
        stmt = self.sid or str(self.statement)
        return f"{policy}#{stmt}" + (" (boundary)" if self.boundary else "")

    def to_dict(self) -> dict:
        return {
            "policy": self.policy,
            "statement": self.statement,
            "effect": self.effect,
            "sid": self.sid,
            "name": self.name,
            "boundary": self.boundary,
            "label": self.label(),
        }


@dataclass(frozen=True)
class Decision:
    """The answer for one request, with the statements behind it."""

    result: Result
    action: str
    resource: str
    matched: tuple[StatementRef, ...] = ()
    """Every statement that applied to the request, Allow and Deny, in policy order."""
    problems: tuple[str, ...] = ()
    """Statements that could not be evaluated (unknown operator, bad value...): never treated as matching."""
    notes: tuple[str, ...] = ()
    """Statements skipped because a policy variable had no value in the context."""
    identity_result: Result | None = None
    """With a boundary: what the identity policies alone decided."""
    boundary_result: Result | None = None
    """With a boundary: what the boundary alone decided."""

    @property
    def allowed(self) -> bool:
        return self.result is Result.ALLOWED

    @property
    def warnings(self) -> tuple[str, ...]:
        """Problems and notes together."""
        return self.problems + self.notes

    @property
    def deciding(self) -> tuple[StatementRef, ...]:
        """The statements that decided: the Denies for an explicit deny, the Allows for an allow."""
        if self.result is Result.EXPLICIT_DENY:
            return tuple(s for s in self.matched if s.effect == "Deny")
        if self.result is Result.ALLOWED:
            return tuple(s for s in self.matched if s.effect == "Allow")
        return ()

    @property
    def reason(self) -> str:
        """One line saying why, naming the deciding statements."""
        labels = ", ".join(s.label() for s in self.deciding)
        if self.result is Result.EXPLICIT_DENY:
            return f"denied by {labels}"
        if self.result is Result.ALLOWED:
            return f"allowed by {labels}"
        if self.boundary_result is not None:
            if self.identity_result is Result.ALLOWED:
                return "allowed by the identity policies but not by the permissions boundary"
            if self.boundary_result is Result.ALLOWED:
                return "allowed by the permissions boundary but by no identity policy"
        return "no statement allows it"

    def to_dict(self) -> dict:
        return {
            "result": str(self.result),
            "action": self.action,
            "resource": self.resource,
            "reason": self.reason,
            "deciding": [s.label() for s in self.deciding],
            "matched": [s.to_dict() for s in self.matched],
            "problems": list(self.problems),
            "notes": list(self.notes),
            "identity_result": None if self.identity_result is None else str(self.identity_result),
            "boundary_result": None if self.boundary_result is None else str(self.boundary_result),
        }


@dataclass
class _SetOutcome:
    result: Result = Result.IMPLICIT_DENY
    matched: list[StatementRef] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _principal_matches(principal: object, ctx: Context) -> bool:
    """Whether a Principal element names the requester given by the context."""
    arn = (ctx.get("aws:principalarn") or ("",))[0]
    account = (ctx.get("aws:principalaccount") or ("",))[0]
    service = (ctx.get("aws:principalservicename") or ("",))[0]
    names = requester_names(arn, account) if arn or account else set()
    return principal_names(principal, names, service)


def _applies(statement: object, action: str, resource: str, ctx: Context, variables: bool) -> bool:
    if not isinstance(statement, Mapping):
        raise PolicyDefect("statement is not an object")
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyDefect(f"Effect must be \"Allow\" or \"Deny\", not {effect!r}")
    actions, not_action = one_of(statement, "Action", "NotAction")
    if action_matches(actions, action) == not_action:
        return False
    # Operators are checked as soon as the action matches, so an unknown operator is
    # reported even when the resource or another condition already rules the statement out.
    condition = statement.get("Condition")
    if isinstance(condition, Mapping):
        for name in condition:
            parse_operator(str(name))
    resources, not_resource = one_of(statement, "Resource", "NotResource")
    if resource_matches(resources, resource, ctx, variables) == not_resource:
        return False
    if "Principal" in statement and "NotPrincipal" in statement:
        raise PolicyDefect("both Principal and NotPrincipal")
    if "Principal" in statement or "NotPrincipal" in statement:
        not_principal = "NotPrincipal" in statement
        principals = statement["NotPrincipal" if not_principal else "Principal"]
        if _principal_matches(principals, ctx) == not_principal:
            return False
    return condition_holds(condition, ctx, variables=variables)


def _evaluate_set(
    policies: Sequence[object],
    action: str,
    resource: str,
    ctx: Context,
    names: Sequence[str] | None,
    boundary: bool,
) -> _SetOutcome:
    out = _SetOutcome()
    for pi, raw in enumerate(policies):
        name = names[pi] if names is not None and pi < len(names) else None
        where_policy = name or f"policy {pi}"
        if boundary:
            where_policy = f"boundary {where_policy}"
        try:
            document = parse_document(raw)
            stmts = statements(document)
        except PolicyDefect as exc:
            out.problems.append(f"{where_policy}: {exc}; policy ignored")
            continue
        variables = document.get("Version") == VARIABLES_VERSION
        for si, stmt in enumerate(stmts):
            sid = stmt.get("Sid") if isinstance(stmt, Mapping) else None
            sid = sid if isinstance(sid, str) and sid else None
            where = f"{where_policy} statement {sid or si}"
            try:
                applies = _applies(stmt, action, resource, ctx, variables)
            except PolicyDefect as exc:
                out.problems.append(f"{where}: {exc}; statement ignored")
                continue
            except Unresolved as exc:
                out.notes.append(f"{where}: {exc}; statement does not apply")
                continue
            if applies:
                out.matched.append(StatementRef(pi, si, stmt["Effect"], sid, name, boundary))
    if any(s.effect == "Deny" for s in out.matched):
        out.result = Result.EXPLICIT_DENY
    elif out.matched:
        out.result = Result.ALLOWED
    return out


def evaluate(
    policies: Sequence[object],
    action: str,
    resource: str = "*",
    context: Mapping[str, object] | None = None,
    *,
    boundary: Sequence[object] | None = None,
    names: Sequence[str] | None = None,
    boundary_names: Sequence[str] | None = None,
) -> Decision:
    """Decide ``action`` on ``resource`` under ``policies`` as AWS would.

    ``policies``: policy documents (dicts as AWS returns them; JSON text is accepted).
    ``context``: condition key -> string or list of strings; a key absent from it is absent
    from the request. ``boundary``: the permissions boundary's documents (None: no boundary).
    ``names`` / ``boundary_names``: labels for the policies, used in statement refs and messages.
    """
    ctx = normalize_context(context)
    ident = _evaluate_set(policies, action, resource, ctx, names, boundary=False)
    if boundary is None:
        return Decision(
            ident.result, action, resource, tuple(ident.matched), tuple(ident.problems), tuple(ident.notes)
        )
    bound = _evaluate_set(boundary, action, resource, ctx, boundary_names, boundary=True)
    if Result.EXPLICIT_DENY in (ident.result, bound.result):
        result = Result.EXPLICIT_DENY
    elif ident.result is Result.ALLOWED and bound.result is Result.ALLOWED:
        result = Result.ALLOWED
    else:
        result = Result.IMPLICIT_DENY
    return Decision(
        result,
        action,
        resource,
        tuple(ident.matched + bound.matched),
        tuple(ident.problems + bound.problems),
        tuple(ident.notes + bound.notes),
        identity_result=ident.result,
        boundary_result=bound.result,
    )

