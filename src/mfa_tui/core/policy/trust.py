"""Whether a role's trust policy lets a caller assume it, and whether only with MFA: the one trust rule.

:func:`trust_decision` is the rule, used by the policy pane (through :func:`trust_verdict`) and
by the local AWS's AssumeRole (:mod:`mfa_tui.localaws.trust`). See docs/aws-behaviour.md,
"Who a trust policy trusts".

The trust policy is the role's ``AssumeRolePolicyDocument`` (read by
:func:`mfa_tui.core.policy.fetch.fetch_role` from ``iam:GetRole``). The verdict comes from the
pure evaluator (:func:`mfa_tui.core.policy.evaluator.evaluate`), asked ``sts:AssumeRole`` on the
role's ARN by the caller (``aws:PrincipalArn``/``aws:PrincipalAccount``) three ways: with
long-term keys (no MFA key in the request), with a session without MFA
(``aws:MultiFactorAuthPresent`` false) and with a fresh MFA session (present true, age 0).
"MFA required" is then what the decisions say, whatever the conditions are spelled like
(``Bool``/``BoolIfExists``, ``aws:MultiFactorAuthAge`` ``NumericLessThan``, a Deny ``...IfExists``...).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from mfa_tui.core.policy.documents import parse_document, statements
from mfa_tui.core.policy.evaluator import Decision, evaluate
from mfa_tui.core.policy.principals import account_of, principal_names, requester_names
from mfa_tui.core.policy.wildcards import PolicyDefect, Unresolved

ASSUME_ROLE = "sts:AssumeRole"

REQUIRES_MFA = "requires MFA"
NO_MFA_NEEDED = "does not require MFA"
NOT_TRUSTED = "does not let the caller assume it"
UNKNOWN = "unknown (trust policy not read)"


@dataclass(frozen=True)
class TrustVerdict:
    """What the trust policy decides for one caller."""

    verdict: str
    """One of :data:`REQUIRES_MFA`, :data:`NO_MFA_NEEDED`, :data:`NOT_TRUSTED`, :data:`UNKNOWN`."""
    caller: str | None
    problems: tuple[str, ...] = ()

    @property
    def requires_mfa(self) -> bool:
        return self.verdict == REQUIRES_MFA


def _resolved(statement: object, index: int, names: Collection[str], problems: list[str]) -> object:
    """One statement with its ``Principal`` decided for the caller: ``"*"`` when it names them,
    ``{}`` (names nobody) when not, or when the statement has no ``Principal`` or a ``NotPrincipal``
    (not allowed in a trust policy). A ``Resource`` is added for the evaluator."""
    if not isinstance(statement, Mapping):
        return statement  # the evaluator reports it
    where = f"trust policy statement {statement.get('Sid') or index}"
    out = {k: v for k, v in statement.items() if k not in ("Principal", "NotPrincipal")}
    if "Resource" not in out and "NotResource" not in out:
        out["Resource"] = "*"  # a trust policy's resource is the role itself
    names_caller = False
    if "NotPrincipal" in statement or "Principal" not in statement:
        problems.append(f"{where}: a trust policy statement needs a Principal (NotPrincipal is not allowed);"
                        " statement ignored")
    else:
        try:
            names_caller = principal_names(statement["Principal"], names)
        except (PolicyDefect, Unresolved) as exc:
            problems.append(f"{where}: {exc}; statement ignored")
    out["Principal"] = "*" if names_caller else {}
    return out


def trust_decision(trust_policy: object, names: Iterable[str], context: Mapping[str, object],
                   *, role_arn: str | None = None) -> Decision:
    """The one trust rule: may the caller known by ``names`` assume the role under ``trust_policy``?

    ``names``: every way a ``Principal`` can name the caller (:func:`requester_names`). ``context``:
    the request's condition keys (absent keys left out). A statement counts only when its
    ``Principal`` names the caller, its action covers ``sts:AssumeRole`` and its conditions hold;
    the evaluator decides the rest (a matching Deny wins; an operator or value it cannot evaluate
    makes the statement not match, so an unreadable trust policy never lets anyone in).
    """
    names = set(names)
    problems: list[str] = []
    try:
        document = dict(parse_document(trust_policy))
        stmts = statements(document)
    except PolicyDefect:
        document, stmts = trust_policy, None  # the evaluator reports it
    if stmts is not None:
        document["Statement"] = [_resolved(s, i, names, problems) for i, s in enumerate(stmts)]
    decision = evaluate([document], ASSUME_ROLE, role_arn or "*", context, names=["trust policy"])
    return replace(decision, problems=tuple(problems) + decision.problems)


def trust_verdict(trust_policy: dict | None, role_arn: str | None, caller_arn: str | None,
                  *, epoch: int | None = None) -> TrustVerdict:
    """Decide whether ``caller_arn`` may assume ``role_arn`` under ``trust_policy``, and if only with MFA."""
    if trust_policy is None or not caller_arn:
        return TrustVerdict(UNKNOWN, caller_arn)
    names = requester_names(caller_arn)
    base = {"aws:PrincipalArn": caller_arn, "aws:PrincipalAccount": account_of(caller_arn),
            "aws:PrincipalType": "User" if ":user/" in caller_arn else "AssumedRole"}
    if epoch is not None:
        base["aws:EpochTime"] = str(epoch)
    contexts = {
        "long_term": base,
        "no_mfa": {**base, "aws:MultiFactorAuthPresent": "false"},
        "mfa": {**base, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"},
    }
    decisions = {name: trust_decision(trust_policy, names, ctx, role_arn=role_arn) for name, ctx in contexts.items()}
    problems = tuple(dict.fromkeys(p for d in decisions.values() for p in d.problems))
    if not decisions["mfa"].allowed:
        return TrustVerdict(NOT_TRUSTED, caller_arn, problems)
    if decisions["long_term"].allowed or decisions["no_mfa"].allowed:
        return TrustVerdict(NO_MFA_NEEDED, caller_arn, problems)
    return TrustVerdict(REQUIRES_MFA, caller_arn, problems)
