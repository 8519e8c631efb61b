"""The trust-policy evaluator behind the local AWS's AssumeRole (pure: no server)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from mfa_tui.localaws.trust import allows

ALICE = ["111111111111", "arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:user/alice"]
MFA = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}
NO_MFA = {"aws:MultiFactorAuthPresent": "false"}
LONG_TERM: dict[str, str] = {}


def policy(principal="arn:aws:iam::111111111111:root", condition=None, effect="Allow", action="sts:AssumeRole"):
    statement = {"Effect": effect, "Principal": principal if principal == "*" else {"AWS": principal}, "Action": action}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize(
    ("operator", "context", "expected"),
    [
        ("Bool", MFA, True),
        ("Bool", NO_MFA, False),
        ("Bool", LONG_TERM, False),
        ("BoolIfExists", MFA, True),
        ("BoolIfExists", NO_MFA, False),
        ("BoolIfExists", LONG_TERM, True),
    ],
)
def test_mfa_present_conditions(operator, context, expected):
    doc = policy(condition={operator: {"aws:MultiFactorAuthPresent": "true"}})
    assert allows(doc, ALICE, context) is expected


def test_force_mfa_style_deny_matches_missing_and_false_keys():
    doc = policy(principal="*")
    doc["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    assert allows(doc, ALICE, MFA)
    assert not allows(doc, ALICE, NO_MFA)
    assert not allows(doc, ALICE, LONG_TERM)


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("arn:aws:iam::111111111111:user/alice", True),
        (["arn:aws:iam::999999999999:root", "111111111111"], True),
        ("*", True),
        ("arn:aws:iam::111111111111:user/bob", False),
        ("arn:aws:iam::222222222222:root", False),
    ],
)
def test_principals(principal, expected):
    assert allows(policy(principal), ALICE, LONG_TERM) is expected


def test_service_principals_do_not_match_users():
    doc = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert not allows(doc, ALICE, MFA)


@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:*", "*", ["sts:TagSession", "sts:AssumeRole"]])
def test_actions_that_cover_assume_role(action):
    assert allows(policy(action=action), ALICE, LONG_TERM)


def test_other_actions_do_not():
    assert not allows(policy(action="sts:AssumeRoleWithSAML"), ALICE, LONG_TERM)


def test_external_id_and_mfa_age():
    doc = policy(
        condition={
            "StringEquals": {"sts:ExternalId": ["a-1", "b-2"]},
            "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
        }
    )
    assert allows(doc, ALICE, {**MFA, "sts:ExternalId": "b-2"})
    assert not allows(doc, ALICE, {**MFA, "sts:ExternalId": "c-3"})
    assert not allows(doc, ALICE, MFA)
    assert not allows(doc, ALICE, {**MFA, "aws:MultiFactorAuthAge": "7200", "sts:ExternalId": "a-1"})


def test_unknown_operators_and_broken_documents_fail_closed():
    assert not allows(policy(condition={"ForAnyValue:StringEquals": {"aws:x": "y"}}), ALICE, MFA)
    assert not allows(policy(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), ALICE, MFA)
    assert not allows("{not json", ALICE, MFA)
    assert not allows(json.dumps({"Statement": "nope"}), ALICE, MFA)
    assert not allows(json.dumps([]), ALICE, MFA)


def test_url_encoded_documents_are_read():
    assert allows(quote(json.dumps(policy())), ALICE, LONG_TERM)


@pytest.mark.parametrize(
    ("external_id", "expected"),
    [("team[a]-1", True), ("teama-1", False)],
)
def test_brackets_are_ordinary_characters_as_in_iam(external_id, expected):
    # fnmatch would read "[a]" as a character class; IAM has only * and ?.
    doc = policy(condition={"StringLike": {"sts:ExternalId": "team[a]-*"}})
    assert allows(doc, ALICE, {"sts:ExternalId": external_id}) is expected


def test_action_brackets_are_literal():
    assert not allows(policy(action="sts:Assume[R]ole"), ALICE, LONG_TERM)
    assert allows(policy(action="sts:Assume?ole"), ALICE, LONG_TERM)
