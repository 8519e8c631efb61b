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



# The pane and the local AWS's AssumeRole decide with one rule (core/policy/trust.py): a statement
# whose Principal does not name the caller never lets them in, whatever its conditions say.
BOB = "arn:aws:iam::111111111111:user/bob"
NAMELESS = [
    # No Principal at all: a trust policy statement must have one (AWS refuses the document).
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
    # NotPrincipal is not allowed in a trust policy, even when it leaves the caller in.
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": BOB},
                                             "Action": "sts:AssumeRole"}]},
]


@pytest.mark.parametrize("policy", NAMELESS)
def test_a_statement_that_does_not_name_the_caller_does_not_trust_them(policy):
    verdict = trust_verdict(policy, ROLE, ALICE)
    assert verdict.verdict == NOT_TRUSTED
    assert any("Principal" in p for p in verdict.problems)


def test_a_role_session_is_named_by_its_session_arn_or_its_role():
    session = "arn:aws:sts::111111111111:assumed-role/Ops/alice"
    by_session = trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, principal={"AWS": session})
    by_role = trust(principal={"AWS": "arn:aws:iam::111111111111:role/Ops"})
    assert trust_verdict(by_session, ROLE, session).verdict == REQUIRES_MFA
    assert trust_verdict(by_role, ROLE, session).verdict == NO_MFA_NEEDED
    assert trust_verdict(by_role, ROLE, ALICE).verdict == NOT_TRUSTED


@pytest.mark.parametrize("policy", [*NAMELESS, trust(), trust(principal={"AWS": BOB}),
                                    trust({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, principal="*")])
def test_the_pane_and_the_local_aws_agree(policy):
    from mfa_tui.localaws.trust import allows

    names = ["111111111111", "arn:aws:iam::111111111111:root", ALICE]
    mfa = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"}
    pane_lets_in = trust_verdict(policy, ROLE, ALICE).verdict in (REQUIRES_MFA, NO_MFA_NEEDED)
    assert allows(policy, names, mfa) is pane_lets_in
