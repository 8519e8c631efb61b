"""A role's trust policy: read by fetch_role (GetRole) and decided by the evaluator for the caller."""

from __future__ import annotations

import json

import pytest

from mfa_tui.core.policy.trust import NO_MFA_NEEDED, NOT_TRUSTED, REQUIRES_MFA, UNKNOWN, trust_verdict

ALICE = "arn:aws:iam::111111111111:user/alice"
ROLE = "arn:aws:iam::222222222222:role/Admin"


def trust(condition: dict | None = None, principal: object = None, effect: str = "Allow") -> dict:
    stmt = {"Effect": effect, "Principal": principal or {"AWS": ALICE}, "Action": "sts:AssumeRole"}
    if condition:
        stmt["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [stmt]}


@pytest.mark.parametrize(("policy", "verdict"), [
    (trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}), REQUIRES_MFA),
    (trust({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}), REQUIRES_MFA),
    (trust(), NO_MFA_NEEDED),
    # A "false" IfExists test allows long-term keys (the key is absent): not an MFA requirement.
    (trust({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}), NO_MFA_NEEDED),
    (trust(principal={"AWS": "arn:aws:iam::111111111111:root"},
           condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}), REQUIRES_MFA),
    (trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, principal={"AWS": "arn:aws:iam::333333333333:root"}),
     NOT_TRUSTED),
    (json.dumps(trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}})), REQUIRES_MFA),
])
def test_verdicts(policy, verdict):
    assert trust_verdict(policy, ROLE, ALICE).verdict == verdict


def test_an_mfa_condition_that_does_not_apply_to_the_caller_is_not_a_requirement():
    # Bob's statement has the MFA condition; alice's has none.
    policy = trust()
    policy["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"},
                                "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
    assert trust_verdict(policy, ROLE, ALICE).verdict == NO_MFA_NEEDED


def test_unknown_without_a_policy_or_caller():
    assert trust_verdict(None, ROLE, ALICE).verdict == UNKNOWN
    assert trust_verdict(trust(), ROLE, None).verdict == UNKNOWN

