"""Whether a role's trust policy lets a caller assume it, and whether only with MFA.

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

from dataclasses import dataclass

from collections.abc import Mapping

from mfa_tui.core.policy.conditions import PolicyDefect
from mfa_tui.core.policy.evaluator import evaluate, parse_document

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


def _as_identity_policy(trust_policy: object) -> object:
    """The trust policy with ``Resource: "*"`` on statements without one (a resource policy's
    resource is the role itself), so the evaluator, which needs a Resource, can read it."""
    try:
        document = dict(parse_document(trust_policy))
    except PolicyDefect:
        return trust_policy  # the evaluator reports it
    stmts = document.get("Statement")
    fix = lambda s: {**s, "Resource": "*"} if isinstance(s, Mapping) and "Resource" not in s and "NotResource" not in s else s  # noqa: E731
    if isinstance(stmts, list):
        document["Statement"] = [fix(s) for s in stmts]
    elif isinstance(stmts, Mapping):
        document["Statement"] = fix(stmts)
    return document


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def trust_verdict(trust_policy: dict | None, role_arn: str | None, caller_arn: str | None,
                  *, epoch: int | None = None) -> TrustVerdict:
    """Decide whether ``caller_arn`` may assume ``role_arn`` under ``trust_policy``, and if only with MFA."""
    if trust_policy is None or not caller_arn:
        return TrustVerdict(UNKNOWN, caller_arn)
    base = {"aws:PrincipalArn": caller_arn, "aws:PrincipalAccount": _account_of(caller_arn),
            "aws:PrincipalType": "User" if ":user/" in caller_arn else "AssumedRole"}
    if epoch is not None:
        base["aws:EpochTime"] = str(epoch)
    contexts = {
        "long_term": base,
        "no_mfa": {**base, "aws:MultiFactorAuthPresent": "false"},
        "mfa": {**base, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"},
    }
    policy = _as_identity_policy(trust_policy)
    decisions = {name: evaluate([policy], "sts:AssumeRole", role_arn or "*", ctx, names=["trust policy"])
                 for name, ctx in contexts.items()}
    problems = tuple(dict.fromkeys(p for d in decisions.values() for p in d.problems))
    if not decisions["mfa"].allowed:
        return TrustVerdict(NOT_TRUSTED, caller_arn, problems)
    if decisions["long_term"].allowed or decisions["no_mfa"].allowed:
        return TrustVerdict(NO_MFA_NEEDED, caller_arn, problems)
    return TrustVerdict(REQUIRES_MFA, caller_arn, problems)
