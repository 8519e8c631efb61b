"""Property tests of the evaluator: AWS's decision rules hold for arbitrary policy sets.

Policies are drawn from a small vocabulary of actions, resources and MFA-style conditions
(including a defective operator) so that statements often overlap and conflict.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_tui.core.policy.evaluator import Result, evaluate

ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:DescribeInstances", "iam:EnableMFADevice", "sts:GetSessionToken"]
ACTION_PATTERNS = ACTIONS + ["s3:*", "*", "iam:*MFA*", "ec2:Describe?nstances", "S3:getobject"]
RESOURCES = ["*", "arn:aws:s3:::b/k", "arn:aws:iam::111111111111:user/alice"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b/*", "arn:aws:iam::*:user/${aws:username}", "arn:aws:s3:::other/*"]
CONDITIONS = [
    None,
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotEquals": {"aws:username": ["bob", "carol"]}},
    {"Null": {"aws:MultiFactorAuthAge": "true"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}},
    {"Frobnicate": {"aws:username": "alice"}},  # unknown: reported, never matches
]


@st.composite
def statements(draw, effect=None):
    stmt: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    action_key = draw(st.sampled_from(["Action", "NotAction"]))
    stmt[action_key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    resource_key = draw(st.sampled_from(["Resource", "Resource", "NotResource"]))
    stmt[resource_key] = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2))
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def _name(policies):
    """Give every statement a unique Sid so matches can be compared across reorderings."""
    n = 0
    for doc in policies:
        for stmt in doc["Statement"]:
            stmt["Sid"] = f"S{n}"
            n += 1
    return policies


policy_sets = st.lists(
    st.lists(statements(), min_size=1, max_size=4).map(lambda s: {"Version": "2012-10-17", "Statement": s}),
    min_size=0,
    max_size=4,
).map(_name)

contexts = st.fixed_dictionaries(
    {},
    optional={
        "aws:MultiFactorAuthPresent": st.sampled_from(["true", "false"]),
        "aws:MultiFactorAuthAge": st.sampled_from(["30", "300", "7200"]),
        "aws:username": st.sampled_from(["alice", "bob"]),
        "aws:TagKeys": st.lists(st.sampled_from(["team-a", "cost"]), max_size=2),
    },
)
requests = st.tuples(st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), contexts)


def names_for(policies):
    return [f"P{i}" for i in range(len(policies))]


@settings(max_examples=150, deadline=None)
@given(policy_sets, requests, statements(effect="Deny"), st.data())
def test_adding_a_deny_never_turns_a_deny_into_an_allow(policies, request, deny, data):
    action, resource, ctx = request
    before = evaluate(policies, action, resource, ctx).result
    where = data.draw(st.integers(0, len(policies)))
    if where == len(policies):
        extended = policies + [{"Version": "2012-10-17", "Statement": [deny]}]
    else:
        extended = [dict(p, Statement=list(p["Statement"])) for p in policies]
        extended[where]["Statement"].insert(data.draw(st.integers(0, len(extended[where]["Statement"]))), deny)
    after = evaluate(extended, action, resource, ctx).result
    assert after in (before, Result.EXPLICIT_DENY)
    if before is not Result.ALLOWED:
        assert after is not Result.ALLOWED


@settings(max_examples=150, deadline=None)
@given(policy_sets, requests)
def test_removing_every_allow_gives_an_implicit_deny(policies, request):
    action, resource, ctx = request
    before = evaluate(policies, action, resource, ctx).result
    denies_only = [dict(p, Statement=[s for s in p["Statement"] if s["Effect"] == "Deny"]) for p in policies]
    after = evaluate(denies_only, action, resource, ctx)
    assert after.result is not Result.ALLOWED
    # The denies are untouched, so the request is explicitly denied exactly when it was before.
    assert (after.result is Result.EXPLICIT_DENY) == (before is Result.EXPLICIT_DENY)
    if before is not Result.EXPLICIT_DENY:
        assert after.result is Result.IMPLICIT_DENY


@settings(max_examples=150, deadline=None)
@given(policy_sets, requests, st.randoms(use_true_random=False))
def test_evaluation_ignores_statement_and_policy_order(policies, request, rnd):
    action, resource, ctx = request
    names = names_for(policies)
    first = evaluate(policies, action, resource, ctx, names=names)
    order = list(range(len(policies)))
    rnd.shuffle(order)
    shuffled = []
    for i in order:
        stmts = list(policies[i]["Statement"])
        rnd.shuffle(stmts)
        shuffled.append(dict(policies[i], Statement=stmts))
    second = evaluate(shuffled, action, resource, ctx, names=[names[i] for i in order])
    assert second.result == first.result
    assert sorted(s.label() for s in second.matched) == sorted(s.label() for s in first.matched)
    assert sorted(second.problems) == sorted(first.problems)
    assert sorted(second.notes) == sorted(first.notes)


@settings(max_examples=150, deadline=None)
@given(policy_sets, policy_sets, requests)
def test_a_boundary_only_ever_narrows(identity, boundary, request):
    action, resource, ctx = request
    alone = evaluate(identity, action, resource, ctx).result
    bounded = evaluate(identity, action, resource, ctx, boundary=boundary).result
    boundary_alone = evaluate(boundary, action, resource, ctx).result
    if bounded is Result.ALLOWED:
        assert alone is Result.ALLOWED and boundary_alone is Result.ALLOWED
    assert (bounded is Result.EXPLICIT_DENY) == (Result.EXPLICIT_DENY in (alone, boundary_alone))


@settings(max_examples=100, deadline=None)
@given(policy_sets, requests)
def test_unknown_operators_never_match(policies, request):
    action, resource, ctx = request
    d = evaluate(policies, action, resource, ctx)
    by_sid = {s["Sid"]: s for p in policies for s in p["Statement"]}
    for ref in d.matched:
        assert "Frobnicate" not in by_sid[ref.sid].get("Condition", {})
