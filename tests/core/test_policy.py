"""The evaluator on real policies: the seed's force-MFA policy, AWS's self-manage-MFA example,
an MFA-protected bucket policy, and AWS's decision rules (deny wins, wildcards, variables,
boundaries, defects reported and never treated as true)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mfa_tui.core.policy.documents import check_document
from mfa_tui.core.policy.evaluator import Decision, Result, evaluate

DATA = Path(__file__).parent.parent / "data" / "policies"


def load(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


FORCE_MFA = load("force_mfa")
SELF_MANAGE = load("self_manage_mfa")
ADMIN = load("admin")
BUCKET = load("bucket_mfa")

ALICE = {
    "aws:username": "alice",
    "aws:userid": "AIDAEXAMPLEALICE",
    "aws:PrincipalAccount": "111111111111",
    "aws:PrincipalArn": "arn:aws:iam::111111111111:user/alice",
}
LONG_TERM = dict(ALICE)
NO_MFA = {**ALICE, "aws:MultiFactorAuthPresent": "false"}
MFA = {**ALICE, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300"}
ALICE_ARN = "arn:aws:iam::111111111111:user/alice"


def decide(policies, action, resource="*", context=None, **kw) -> Decision:
    return evaluate(policies, action, resource, context, **kw)


# ── The seed's force-MFA policy (with an admin allow beside it) ──────────────────


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (LONG_TERM, Result.EXPLICIT_DENY),  # key absent: BoolIfExists holds -> denied
        (NO_MFA, Result.EXPLICIT_DENY),  # key false -> denied
        (MFA, Result.ALLOWED),  # key true -> the Deny does not apply; admin allows
    ],
    ids=["long-term", "no-mfa-session", "mfa-session"],
)
def test_force_mfa_blocks_everything_but_mfa_setup_without_mfa(context, expected):
    d = decide([FORCE_MFA, ADMIN], "s3:ListAllMyBuckets", context=context, names=["ForceMFA", "Admin"])
    assert d.result == expected
    if expected is Result.EXPLICIT_DENY:
        assert [s.label() for s in d.deciding] == ["ForceMFA#DenyAllExceptListedIfNoMFA"]
    else:
        assert [s.label() for s in d.deciding] == ["Admin#0"]


@pytest.mark.parametrize("context", [LONG_TERM, NO_MFA, MFA], ids=["long-term", "no-mfa", "mfa"])
@pytest.mark.parametrize("action", ["sts:GetSessionToken", "iam:EnableMFADevice", "IAM:listmfadevices"])
def test_force_mfa_exempts_its_not_actions(action, context):
    d = decide([FORCE_MFA, ADMIN], action, context=context)
    assert d.result is Result.ALLOWED


def test_plain_bool_lets_long_term_keys_through_where_bool_if_exists_does_not():
    # docs/aws-behaviour.md, "MultiFactorAuthPresent in policies, and simulating them": Bool {"false"} misses requests where the key is absent.
    bool_only = json.loads(json.dumps(FORCE_MFA).replace("BoolIfExists", "Bool"))
    assert decide([bool_only, ADMIN], "ec2:DescribeInstances", context=LONG_TERM).result is Result.ALLOWED
    assert decide([bool_only, ADMIN], "ec2:DescribeInstances", context=NO_MFA).result is Result.EXPLICIT_DENY


# ── AWS's "self-manage MFA" example policy ─────────────────────────────────────


@pytest.mark.parametrize(
    ("action", "resource", "long_term", "no_mfa", "mfa"),
    [
        # The MFA set-up actions work before MFA (that is the point of the policy).
        ("iam:EnableMFADevice", ALICE_ARN, "allowed", "allowed", "allowed"),
        ("iam:ResyncMFADevice", ALICE_ARN, "allowed", "allowed", "allowed"),
        ("iam:ListMFADevices", ALICE_ARN, "allowed", "allowed", "allowed"),
        ("iam:CreateVirtualMFADevice", "arn:aws:iam::111111111111:mfa/alice", "allowed", "allowed", "allowed"),
        ("iam:ListVirtualMFADevices", "*", "allowed", "allowed", "allowed"),
        # Deactivating needs MFA: it is not among the Deny's exceptions.
        ("iam:DeactivateMFADevice", ALICE_ARN, "explicit_deny", "explicit_deny", "allowed"),
        # Someone else's user: never allowed; only explicitly denied where the Deny applies.
        ("iam:EnableMFADevice", "arn:aws:iam::111111111111:user/bob", "implicit_deny", "implicit_deny", "implicit_deny"),
        ("iam:DeactivateMFADevice", "arn:aws:iam::111111111111:user/bob", "explicit_deny", "explicit_deny", "implicit_deny"),
        # Everything else is denied without MFA and simply not granted with it.
        ("s3:ListAllMyBuckets", "*", "explicit_deny", "explicit_deny", "implicit_deny"),
        ("iam:ChangePassword", ALICE_ARN, "explicit_deny", "explicit_deny", "implicit_deny"),
    ],
)
def test_self_manage_mfa_example(action, resource, long_term, no_mfa, mfa):
    got = [decide([SELF_MANAGE], action, resource, ctx).result for ctx in (LONG_TERM, NO_MFA, MFA)]
    assert got == [long_term, no_mfa, mfa]


def test_self_manage_mfa_without_a_user_name_grants_nothing_on_users():
    # A role session has no aws:username: the ${aws:username} statement does not apply.
    ctx = {k: v for k, v in MFA.items() if k != "aws:username"}
    d = decide([SELF_MANAGE], "iam:EnableMFADevice", ALICE_ARN, ctx)
    assert d.result is Result.IMPLICIT_DENY
    assert any("${aws:username} has no value" in n for n in d.notes)


# ── An MFA-protected bucket policy (resource-policy style, aws:MultiFactorAuthAge) ──

TAX = "arn:aws:s3:::amzn-s3-demo-bucket/taxdocuments/2025.pdf"
PUBLIC = "arn:aws:s3:::amzn-s3-demo-bucket/public/readme.txt"


@pytest.mark.parametrize(
    ("action", "resource", "age", "expected"),
    [
        ("s3:GetObject", TAX, None, "explicit_deny"),  # Null: no MFA age -> denied
        ("s3:GetObject", TAX, "300", "allowed"),
        ("s3:GetObject", TAX, "7200", "explicit_deny"),  # older than an hour
        ("s3:GetObject", PUBLIC, None, "allowed"),
        ("s3:DeleteObject", PUBLIC, "300", "allowed"),  # NumericLessThan 3600
        ("s3:DeleteObject", PUBLIC, "3600", "implicit_deny"),  # not less than
        ("s3:DeleteObject", PUBLIC, None, "implicit_deny"),  # key absent: NumericLessThan fails
        ("s3:deleteobject", TAX, "300", "allowed"),
    ],
)
def test_mfa_protected_bucket(action, resource, age, expected):
    ctx = dict(ALICE)
    if age is not None:
        ctx.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": age})
    assert decide([BUCKET], action, resource, ctx).result == expected


def test_bucket_principal_of_another_account_does_not_match():
    ctx = {**MFA, "aws:PrincipalAccount": "999999999999", "aws:PrincipalArn": "arn:aws:iam::999999999999:user/eve"}
    assert decide([BUCKET], "s3:DeleteObject", PUBLIC, ctx).result is Result.IMPLICIT_DENY
    assert decide([BUCKET], "s3:GetObject", PUBLIC, ctx).result is Result.ALLOWED  # Principal "*"


def test_principal_needs_a_known_requester():
    d = decide([BUCKET], "s3:DeleteObject", PUBLIC, {"aws:MultiFactorAuthAge": "1"})
    assert d.result is Result.IMPLICIT_DENY
    assert any("names no principal" in n for n in d.notes)


# ── Decision rules ─────────────────────────────────────────────────────────────


def test_explicit_deny_wins_over_any_allow():
    deny = {"Version": "2012-10-17", "Statement": {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}
    d = decide([ADMIN, deny, ADMIN], "s3:GetObject", "arn:aws:s3:::b/k")
    assert d.result is Result.EXPLICIT_DENY
    assert [s.sid for s in d.deciding] == ["NoS3"]
    assert len(d.matched) == 3  # both allows applied too


def test_no_policies_is_an_implicit_deny():
    d = decide([], "s3:GetObject")
    assert d.result is Result.IMPLICIT_DENY and d.deciding == () and d.reason == "no statement allows it"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("S3:GETOBJECT", "s3:getobject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetOObject", False),
        ("s3:*", "s3express:CreateSession", False),
        ("*", "anything:AtAll", True),
        ("iam:*MFADevice", "iam:EnableMFADevice", True),
        ("iam:*MFADevice", "iam:ListMFADevices", False),
    ],
)
def test_action_matching(pattern, action, expected):
    doc = {"Statement": {"Effect": "Allow", "Action": pattern, "Resource": "*"}}
    assert decide([doc], action).allowed is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a", False),  # case-sensitive
        ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/x.jpg", True),
        ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1-test/x.jpg", False),
        ("arn:aws:iam::*:user/alice", "arn:aws:iam::111111111111:user/alice", True),
        ("arn:aws:iam::1111111111??:user/*", "arn:aws:iam::111111111122:user/x", True),
        ("arn:aws:iam::*", "arn:aws:iam::111111111111:user/alice", True),  # trailing * crosses colons
        ("arn:aws:*:us-east-1:*", "arn:aws:lambda:us-east-1:111111111111:function:f", True),
        ("arn:aws:e*2:*:*:instance/*", "arn:aws:ec2:us-east-1:111111111111:instance/i-1", True),
        ("arn:aws:e*2:us-east-1:*", "arn:aws:ec:x2:us-east-1:1:x", False),  # inner * stays in its segment
        ("arn:aws:e*:us-east-1:*", "arn:aws:ec2:xx:us-east-1:1:x", True),  # a segment-ending * does not
        ("*", "*", True),
        ("arn:aws:s3:::*", "*", False),  # "*" as the request's resource is literal
    ],
)
def test_resource_matching(pattern, resource, expected):
    doc = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": pattern}}
    assert decide([doc], "s3:GetObject", resource).allowed is expected


def test_not_action_and_not_resource():
    doc = {
        "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"},
        ]
    }
    assert decide([doc], "s3:GetObject", "arn:aws:s3:::public/x").allowed
    assert not decide([doc], "s3:GetObject", "arn:aws:s3:::secret/x").allowed
    assert not decide([doc], "iam:GetUser", "arn:aws:s3:::public/x").allowed


# ── Policy variables ───────────────────────────────────────────────────────────


def _var_doc(resource, version="2012-10-17", condition=None):
    st = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}
    if condition:
        st["Condition"] = condition
    doc = {"Statement": [st]}
    if version:
        doc["Version"] = version
    return doc


@pytest.mark.parametrize(
    ("resource_pattern", "context", "resource", "expected"),
    [
        ("arn:aws:s3:::home/${aws:username}/*", {"aws:username": "alice"}, "arn:aws:s3:::home/alice/f", True),
        ("arn:aws:s3:::home/${aws:username}/*", {"aws:username": "alice"}, "arn:aws:s3:::home/bob/f", False),
        ("arn:aws:s3:::home/${AWS:UserName}/*", {"aws:username": "alice"}, "arn:aws:s3:::home/alice/f", True),
        ("arn:aws:s3:::home/${aws:username}/*", {}, "arn:aws:s3:::home//f", False),  # no value: no match
        ("arn:aws:s3:::home/${aws:username, 'guest'}/*", {}, "arn:aws:s3:::home/guest/f", True),
        ("arn:aws:s3:::acct-${aws:PrincipalAccount}/*", {"aws:PrincipalAccount": "111111111111"}, "arn:aws:s3:::acct-111111111111/x", True),
        ("arn:aws:s3:::${aws:userid}/*", {"aws:userid": "AIDA1"}, "arn:aws:s3:::AIDA1/x", True),
        # Escapes are literal characters, not wildcards.
        ("arn:aws:s3:::b/${*}", {}, "arn:aws:s3:::b/*", True),
        ("arn:aws:s3:::b/${*}", {}, "arn:aws:s3:::b/anything", False),
        ("arn:aws:s3:::b/${?}${$}", {}, "arn:aws:s3:::b/?$", True),
        # Substituted values are literal too: a '*' in a user name is not a wildcard.
        ("arn:aws:s3:::home/${aws:username}", {"aws:username": "a*"}, "arn:aws:s3:::home/abc", False),
        # A multi-valued key cannot be a variable.
        ("arn:aws:s3:::home/${aws:username}", {"aws:username": ["a", "b"]}, "arn:aws:s3:::home/a", False),
    ],
)
def test_policy_variables_in_resources(resource_pattern, context, resource, expected):
    assert decide([_var_doc(resource_pattern)], "s3:GetObject", resource, context).allowed is expected


def test_variables_are_literal_text_in_old_policy_versions():
    pattern = "arn:aws:s3:::home/${aws:username}"
    old = _var_doc(pattern, version="2008-10-17")
    assert not decide([old], "s3:GetObject", "arn:aws:s3:::home/alice", {"aws:username": "alice"}).allowed
    assert decide([old], "s3:GetObject", pattern, {"aws:username": "alice"}).allowed
    assert not decide([_var_doc(pattern, version=None)], "s3:GetObject", "arn:aws:s3:::home/alice", {"aws:username": "alice"}).allowed


def test_unresolved_variable_makes_a_deny_not_apply():
    deny = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"},
    }
    # With a user name, other homes are denied; without one the statement is invalid and ignored.
    assert decide([deny, ADMIN], "s3:GetObject", "arn:aws:s3:::home/bob/x", {"aws:username": "alice"}).result is Result.EXPLICIT_DENY
    assert decide([deny, ADMIN], "s3:GetObject", "arn:aws:s3:::home/bob/x", {}).result is Result.ALLOWED


def test_variables_in_string_conditions_and_if_exists_shortcut():
    cond = {"StringEquals": {"s3:prefix": "${aws:username}/"}}
    doc = _var_doc("*", condition=cond)
    assert decide([doc], "s3:GetObject", "*", {"aws:username": "alice", "s3:prefix": "alice/"}).allowed
    assert not decide([doc], "s3:GetObject", "*", {"aws:username": "alice", "s3:prefix": "bob/"}).allowed
    # IfExists with the key absent holds without needing the variable's value.
    doc2 = _var_doc("*", condition={"StringEqualsIfExists": {"s3:prefix": "${aws:username}/"}})
    assert decide([doc2], "s3:GetObject", "*", {}).allowed


# ── Permissions boundary ───────────────────────────────────────────────────────

S3_ONLY = {"Version": "2012-10-17", "Statement": {"Sid": "S3Only", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}


def test_boundary_intersects_with_identity_policies():
    d = evaluate([ADMIN], "s3:GetObject", boundary=[S3_ONLY], names=["Admin"], boundary_names=["Boundary"])
    assert d.result is Result.ALLOWED
    assert {s.label() for s in d.deciding} == {"Admin#0", "Boundary#S3Only (boundary)"}
    d = evaluate([ADMIN], "ec2:DescribeInstances", boundary=[S3_ONLY])
    assert d.result is Result.IMPLICIT_DENY
    assert d.identity_result is Result.ALLOWED and d.boundary_result is Result.IMPLICIT_DENY
    assert "not by the permissions boundary" in d.reason
    # The boundary alone grants nothing.
    assert evaluate([], "s3:GetObject", boundary=[S3_ONLY]).result is Result.IMPLICIT_DENY


def test_explicit_deny_in_the_boundary_wins():
    boundary = [ADMIN, FORCE_MFA]
    assert evaluate([ADMIN], "s3:GetObject", boundary=boundary, context=NO_MFA).result is Result.EXPLICIT_DENY
    assert evaluate([ADMIN], "s3:GetObject", boundary=boundary, context=MFA).result is Result.ALLOWED
    d = evaluate([ADMIN], "s3:GetObject", boundary=boundary, context=NO_MFA)
    assert d.deciding[0].boundary and d.deciding[0].sid == "DenyAllExceptListedIfNoMFA"


def test_an_empty_boundary_allows_nothing_but_none_means_no_boundary():
    assert evaluate([ADMIN], "s3:GetObject", boundary=[]).result is Result.IMPLICIT_DENY
    assert evaluate([ADMIN], "s3:GetObject", boundary=None).result is Result.ALLOWED


# ── Defects: reported, never treated as true ───────────────────────────────────


@pytest.mark.parametrize("effect", ["Allow", "Deny"])
def test_unknown_operator_is_reported_and_the_statement_never_matches(effect):
    st = {"Sid": "Odd", "Effect": effect, "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"aws:username": "alice"}}}
    d = decide([{"Statement": [st]}, ADMIN], "s3:GetObject", context={"aws:username": "alice"}, names=["Odd", "Admin"])
    assert d.result is Result.ALLOWED  # the odd Deny does not apply; Admin allows
    assert [s.label() for s in d.matched] == ["Admin#0"]
    assert d.problems == ("Odd statement Odd: unknown condition operator 'StringEqualz'; statement ignored",)
    assert d.warnings == d.problems


def test_unknown_operator_is_reported_even_when_another_key_already_fails():
    st = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:username": "bob"}, "Frobnicate": {"k": "v"}},
    }
    d = decide([{"Statement": st}], "s3:GetObject", context={"aws:username": "alice"})
    assert d.result is Result.IMPLICIT_DENY and "Frobnicate" in d.problems[0]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "allow", "Action": "*", "Resource": "*"}, "Effect must be"),
        ({"Effect": "Allow", "Resource": "*"}, "no Action or NotAction"),
        ({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}, "both Action and NotAction"),
        ({"Effect": "Allow", "Action": "*"}, "no Resource or NotResource"),
        ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "Action must be a string"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"k": "ten"}}}, "number 'ten'"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"k": "yes"}}}, "boolean 'yes'"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:Null": {"k": "true"}}}, "Null takes no prefix"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": ["x"]}, "Condition must be an object"),
        ("not a statement", "statement is not an object"),
    ],
)
def test_malformed_statements_are_problems(statement, message):
    d = decide([{"Statement": [statement]}], "s3:GetObject", context={"k": "1"})
    assert d.result is Result.IMPLICIT_DENY
    assert len(d.problems) == 1 and message in d.problems[0], d.problems
    # Structural defects show without a request; bad values only when the condition is evaluated.
    value_defect = message.startswith(("number", "boolean"))
    assert bool(check_document({"Statement": [statement]})) is not value_defect


def test_documents_as_json_text_and_url_encoded():
    from urllib.parse import quote

    text = json.dumps(ADMIN)
    assert decide([text], "s3:GetObject").allowed
    assert decide([quote(text)], "s3:GetObject").allowed
    d = decide(["{not json", 42], "s3:GetObject")
    assert d.result is Result.IMPLICIT_DENY
    assert len(d.problems) == 2 and "not valid JSON" in d.problems[0]


def test_check_document_lists_defects_without_a_request():
    doc = {
        "Statement": [
            {"Sid": "Fine", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "Bad", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {}}},
        ]
    }
    assert check_document(doc) == ["statement Bad: unknown condition operator 'StringEqualz'"]
    assert check_document(FORCE_MFA) == [] and check_document(SELF_MANAGE) == [] and check_document(BUCKET) == []


def test_decision_to_dict_is_json():
    d = decide([FORCE_MFA, ADMIN], "s3:ListAllMyBuckets", context=NO_MFA, names=["ForceMFA", "Admin"])
    out = json.loads(json.dumps(d.to_dict()))
    assert out["result"] == "explicit_deny"
    assert out["deciding"] == ["ForceMFA#DenyAllExceptListedIfNoMFA"]
    assert out["reason"] == "denied by ForceMFA#DenyAllExceptListedIfNoMFA"
