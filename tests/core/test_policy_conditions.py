"""A table of condition cases per operator family: each row is a Condition block, a request
context and whether the condition holds (checked through a one-statement Allow policy)."""

from __future__ import annotations

import base64

import pytest

from mfa_tui.core.policy.evaluator import Result, evaluate
from mfa_tui.core.policy.conditions import parse_operator
from mfa_tui.core.policy.wildcards import PolicyDefect, normalize_context

ABSENT: dict = {}


def holds(condition: dict, context: dict) -> bool:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]}
    d = evaluate([doc], "s3:GetObject", "*", context)
    assert not d.problems, d.problems
    return d.result is Result.ALLOWED


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


STRING = [
    ({"StringEquals": {"k": "abc"}}, {"k": "abc"}, True),
    ({"StringEquals": {"k": "abc"}}, {"k": "ABC"}, False),
    ({"StringEquals": {"k": "abc"}}, ABSENT, False),
    ({"StringEquals": {"k": ["x", "abc"]}}, {"k": "abc"}, True),  # values OR
    ({"StringEquals": {"k": "abc"}}, {"k": ["zzz", "abc"]}, True),  # multi-valued request: any
    ({"StringEquals": {"k": "a*"}}, {"k": "abc"}, False),  # no wildcards in Equals
    ({"StringEquals": {"AWS:UserName": "alice"}}, {"aws:username": "alice"}, True),  # keys case-insensitive
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "c"}, True),
    ({"StringNotEquals": {"k": ["a", "b"]}}, {"k": "b"}, False),  # NOR of the values
    ({"StringNotEquals": {"k": "a"}}, ABSENT, True),  # negated + absent holds
    ({"StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, True),
    ({"StringNotEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abc"}, False),
    ({"StringNotEqualsIgnoreCase": {"k": "ABC"}}, {"k": "abd"}, True),
    ({"StringLike": {"k": "ab*"}}, {"k": "abc"}, True),
    ({"StringLike": {"k": "ab*"}}, {"k": "ABc"}, False),  # case-sensitive
    ({"StringLike": {"k": "a?c"}}, {"k": "abc"}, True),
    ({"StringLike": {"k": "a?c"}}, {"k": "abbc"}, False),
    ({"StringLike": {"k": "home/*"}}, {"k": "home/a/b"}, True),
    ({"StringNotLike": {"k": "ab*"}}, {"k": "xyz"}, True),
    ({"StringNotLike": {"k": "ab*"}}, {"k": "abz"}, False),
    ({"StringNotLike": {"k": "ab*"}}, ABSENT, True),
    ({"StringEqualsIfExists": {"k": "a"}}, ABSENT, True),
    ({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}, False),
    ({"StringLikeIfExists": {"k": "a*"}}, {"k": "ab"}, True),
    ({"StringEquals": {"k": "${aws:username}"}}, {"k": "alice", "aws:username": "alice"}, True),
    ({"StringEquals": {"k": "${aws:username}"}}, {"k": "alice"}, False),  # unresolved: no match
    ({"StringNotEquals": {"k": "${aws:username}"}}, ABSENT, True),  # absent key never needs the value
]

NUMERIC = [
    ({"NumericEquals": {"k": "10"}}, {"k": "10.0"}, True),
    ({"NumericEquals": {"k": "10"}}, {"k": "11"}, False),
    ({"NumericEquals": {"k": "10"}}, {"k": "ten"}, False),  # request value not a number: no match
    ({"NumericEquals": {"k": "10"}}, ABSENT, False),
    ({"NumericNotEquals": {"k": "10"}}, {"k": "11"}, True),
    ({"NumericNotEquals": {"k": "10"}}, {"k": "10"}, False),
    ({"NumericNotEquals": {"k": "10"}}, ABSENT, True),
    ({"NumericLessThan": {"k": "10"}}, {"k": "9"}, True),
    ({"NumericLessThan": {"k": "10"}}, {"k": "10"}, False),
    ({"NumericLessThanEquals": {"k": "10"}}, {"k": "10"}, True),
    ({"NumericLessThanEquals": {"k": "10"}}, {"k": "10.5"}, False),
    ({"NumericGreaterThan": {"k": "10"}}, {"k": "11"}, True),
    ({"NumericGreaterThan": {"k": "10"}}, {"k": "10"}, False),
    ({"NumericGreaterThanEquals": {"k": "10"}}, {"k": "10"}, True),
    ({"NumericGreaterThanEquals": {"k": "10"}}, {"k": "9"}, False),
    ({"NumericLessThan": {"k": 10}}, {"k": "-3"}, True),  # JSON number in the policy
    ({"NumericLessThanIfExists": {"k": "10"}}, ABSENT, True),
    ({"NumericLessThanIfExists": {"k": "10"}}, {"k": "11"}, False),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": "300"}, True),
    ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"aws:MultiFactorAuthAge": 7200}, False),
]

DATE = [
    ({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2025-12-31T23:59:59Z"}, True),
    ({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2026-01-01T00:00:00Z"}, False),
    ({"DateLessThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2026-01-01T00:00:00Z"}, True),
    ({"DateGreaterThan": {"k": "1700000000"}}, {"k": "2024-01-01T00:00:00Z"}, True),  # epoch in the policy
    ({"DateGreaterThan": {"k": "2024-01-01"}}, {"k": "1600000000"}, False),  # epoch in the request
    ({"DateGreaterThanEquals": {"k": "2024-01-01T00:00:00Z"}}, {"k": "2024-01-01T01:00:00+01:00"}, True),
    ({"DateEquals": {"k": "2026-01-01T00:00:00Z"}}, {"k": "2026-01-01T01:00:00+01:00"}, True),
    ({"DateEquals": {"k": "2026-01-01T00:00:00Z"}}, {"k": "not a date"}, False),
    ({"DateNotEquals": {"k": "2026-01-01T00:00:00Z"}}, ABSENT, True),
    ({"DateNotEquals": {"k": "2026-01-01T00:00:00Z"}}, {"k": "2026-01-02T00:00:00Z"}, True),
    ({"DateLessThanIfExists": {"k": "2026-01-01T00:00:00Z"}}, ABSENT, True),
    ({"DateEquals": {"k": "2026-01-01T00:00:00z"}}, {"k": "2026-01-01T00:00:00Z"}, True),  # RFC 3339 lower-case z
    ({"DateEquals": {"k": "2026-01-01T00:00:00"}}, {"k": "1767225600"}, True),  # naive is UTC
    ({"DateLessThan": {"k": "1767225600.5"}}, {"k": " 2026-01-01T00:00:00Z "}, True),  # fractional epoch
    ({"DateGreaterThan": {"k": "-1"}}, {"k": "1970-01-01T00:00:00Z"}, True),  # negative epoch
]

BOOL = [
    ({"Bool": {"k": "true"}}, {"k": "true"}, True),
    ({"Bool": {"k": "true"}}, {"k": "TRUE"}, True),
    ({"Bool": {"k": "true"}}, {"k": "false"}, False),
    ({"Bool": {"k": "true"}}, ABSENT, False),
    ({"Bool": {"k": True}}, {"k": True}, True),  # JSON booleans on both sides
    ({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, ABSENT, False),  # docs/aws-behaviour.md, "MultiFactorAuthPresent in policies, and simulating them": long-term keys slip through
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, ABSENT, True),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {"aws:MultiFactorAuthPresent": "false"}, True),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {"aws:MultiFactorAuthPresent": "true"}, False),
]

BINARY = [
    ({"BinaryEquals": {"k": b64("hello")}}, {"k": b64("hello")}, True),
    ({"BinaryEquals": {"k": b64("hello")}}, {"k": b64("bye")}, False),
    ({"BinaryEquals": {"k": b64("hello")}}, {"k": "%%%"}, False),
    ({"BinaryEquals": {"k": b64("hello")}}, ABSENT, False),
    ({"BinaryEqualsIfExists": {"k": b64("hello")}}, ABSENT, True),
]

IP = [
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, True),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, False),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "2001:db8::1"}, False),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ABSENT, False),
    ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.5"]}}, {"aws:SourceIp": "203.0.113.5"}, True),
    ({"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}, {"aws:SourceIp": "2001:db8:1234:5678::1"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, True),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, False),
    ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ABSENT, True),
    ({"IpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"}}, ABSENT, True),
]

ARN = [
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111111111111:topic-*"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:topic-a"}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111111111111:topic-*"}}, {"aws:SourceArn": "arn:aws:sns:us-east-1:222222222222:topic-a"}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}}, {"aws:SourceArn": "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:s"}, True),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, {"aws:PrincipalArn": "arn:aws:iam::1:2:role/Admin"}, False),
    ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, {"aws:PrincipalArn": "not-an-arn"}, False),
    ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Admin"}, True),
    ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Admin"}}, {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/admin"}, False),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, {"aws:PrincipalArn": "arn:aws:iam::1:role/Dev"}, True),
    ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, {"aws:PrincipalArn": "arn:aws:iam::1:role/Admin"}, False),
    ({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, ABSENT, True),
    ({"ArnLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}, ABSENT, True),
    (
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}},
        {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/alice", "aws:PrincipalAccount": "111111111111"},
        True,
    ),
]

NULL = [
    ({"Null": {"k": "true"}}, ABSENT, True),
    ({"Null": {"k": "true"}}, {"k": "x"}, False),
    ({"Null": {"k": "false"}}, {"k": "x"}, True),
    ({"Null": {"k": "false"}}, ABSENT, False),
    ({"Null": {"k": True}}, {"k": []}, True),  # an empty list counts as absent
    ({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}, False),
]

SETS = [
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["x", "a"]}, True),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["x"]}, False),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}, ABSENT, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "b"]}, True),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "x"]}, False),
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, ABSENT, True),  # vacuously true
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "x"]}, True),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "b"]}, False),
    ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, ABSENT, False),
    ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["x", "y"]}, True),
    ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:TagKeys": ["a", "y"]}, False),
    ({"ForAnyValue:StringLike": {"aws:TagKeys": "Owner:*"}}, {"aws:TagKeys": ["Cost", "Owner:Legal"]}, True),
    ({"ForAnyValue:StringEqualsIfExists": {"k": "a"}}, ABSENT, False),  # IfExists changes nothing on sets
    ({"ForAllValues:NumericLessThan": {"k": "10"}}, {"k": ["1", "2"]}, True),
    ({"ForAllValues:NumericLessThan": {"k": "10"}}, {"k": ["1", "20"]}, False),
    ({"ForAnyValue:StringEqualsIgnoreCase": {"k": "ABC"}}, {"k": ["x", "abc"]}, True),
]

COMBINED = [
    ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "2"}, True),  # keys AND
    ({"StringEquals": {"a": "1", "b": "2"}}, {"a": "1", "b": "3"}, False),
    ({"StringEquals": {"a": "1"}, "NumericLessThan": {"n": "5"}}, {"a": "1", "n": "4"}, True),  # operators AND
    ({"StringEquals": {"a": "1"}, "NumericLessThan": {"n": "5"}}, {"a": "1", "n": "6"}, False),
    ({}, ABSENT, True),
]


def _cases(*tables):
    return [pytest.param(c, ctx, exp, id=f"{next(iter(c), 'empty')}-{i}") for table in tables for i, (c, ctx, exp) in enumerate(table)]


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(STRING))
def test_string_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(NUMERIC))
def test_numeric_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(DATE))
def test_date_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(BOOL, BINARY))
def test_bool_and_binary_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(IP))
def test_ip_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(ARN))
def test_arn_operators(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(NULL))
def test_null_operator(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), _cases(SETS, COMBINED))
def test_set_operators_and_combination(condition, context, expected):
    assert holds(condition, context) is expected


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ({"NumericLessThan": {"k": "soon"}}, "number 'soon'"),
        ({"DateLessThan": {"k": "tomorrow"}}, "date 'tomorrow'"),
        ({"IpAddress": {"k": "300.1.1.1"}}, "IP address"),
        ({"BinaryEquals": {"k": "%%%"}}, "base64"),
        ({"Null": {"k": "maybe"}}, "must be true or false"),
        ({"NullIfExists": {"k": "true"}}, "not valid"),
        ({"StringEquals": {"k": []}}, "no values"),
        ({"StringEquals": {"k": {"nested": 1}}}, "values must be"),
        ({"StringEquals": "k"}, "must map keys to values"),
        ({"StringEquals": {"k": "${oops"}}, None),  # not a variable: plain text, no defect
        ({"StringEquals": {"k": "${a b}"}}, "malformed policy variable"),
    ],
)
def test_bad_policy_values_are_defects(condition, fragment):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]}
    d = evaluate([doc], "s3:GetObject", "*", {"k": "1"})
    assert d.result is Result.IMPLICIT_DENY
    if fragment is None:
        assert d.problems == ()
    else:
        assert len(d.problems) == 1 and fragment in d.problems[0], d.problems


def test_operator_names_parse():
    op = parse_operator("ForAnyValue:StringNotLikeIfExists")
    assert (op.qualifier, op.base, op.if_exists) == ("any", "stringnotlike", True)
    assert parse_operator("ForAllValues:ArnLike").qualifier == "all"
    with pytest.raises(PolicyDefect, match="unknown condition operator"):
        parse_operator("StringSortOf")


def test_context_normalisation():
    assert normalize_context({"AWS:MultiFactorAuthPresent": True, "n": 3, "l": ["a", 1], "e": []}) == {
        "aws:multifactorauthpresent": ("true",),
        "n": ("3",),
        "l": ("a", "1"),
    }
    with pytest.raises(ValueError, match="context key 'x'"):
        normalize_context({"x": {"no": 1}})
