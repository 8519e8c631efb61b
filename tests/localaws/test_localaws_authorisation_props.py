"""Property: for random policies (the evaluator's own generators), the local AWS's decision on a
mapped action equals what :func:`mfa_tui.core.policy.evaluator.evaluate` says for the same request."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mfa_tui.core.policy.evaluator import Result, evaluate
from mfa_tui.localaws import backends

_spec = importlib.util.spec_from_file_location(
    "policy_generators", Path(__file__).parents[1] / "core" / "test_policy_properties.py"
)
generators = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generators)

ACCOUNT = "111111111111"
BUCKET = "b"
# (action, resource, how to make the request with a client factory)
REQUESTS = {
    "s3:GetObject": (f"arn:aws:s3:::{BUCKET}/k", lambda c: c("s3").get_object(Bucket=BUCKET, Key="k")),
    "s3:PutObject": (f"arn:aws:s3:::{BUCKET}/k", lambda c: c("s3").put_object(Bucket=BUCKET, Key="k", Body=b"x")),
    "iam:EnableMFADevice": (
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        lambda c: c("iam").enable_mfa_device(
            UserName="alice", SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/none", AuthenticationCode1="123456",
            AuthenticationCode2="234567"),
    ),
}


def _decided_by_local_aws(call) -> bool:
    """True if the local AWS let the request past authorisation (moto may still refuse it)."""
    try:
        call()
    except ClientError as exc:
        err = exc.response["Error"]
        return not (err["Code"] == "AccessDenied" and err["Message"].startswith("User: "))
    return True


@pytest.fixture
def setting(authorising_aws, demo_world, client):
    """alice with an MFA session (made before her policies are replaced); bucket ``b`` need not exist."""
    creds = client("sts", demo_world.keys()).get_session_token(
        SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code()
    )["Credentials"]
    user = backends.user(ACCOUNT, "alice")
    user.managed_policies.clear()
    return demo_world, user, {"long_term": demo_world.keys(), "mfa": creds}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    policies=generators.policy_sets,
    action=st.sampled_from(sorted(REQUESTS)),
    kind=st.sampled_from(["long_term", "mfa"]),
)
def test_local_decision_equals_evaluate(setting, client, policies, action, kind):
    world, user, credentials = setting
    user.policies.clear()
    for i, doc in enumerate(policies):
        user.policies[f"P{i}"] = json.dumps(doc)
    resource, make = REQUESTS[action]
    context = {"aws:username": "alice", "aws:PrincipalArn": world.alice.arn, "aws:PrincipalAccount": ACCOUNT}
    if kind == "mfa":
        context |= {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"}
    expected = evaluate(policies, action, resource, context).result is Result.ALLOWED
    event(f"allowed={expected}")
    assert _decided_by_local_aws(lambda: make(lambda service: client(service, credentials[kind]))) == expected
