"""Fault injection and the Date header of the local AWS."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError
from localaws_fixtures import admin_keys
from localaws_helpers import error_of

from mfa_tui.localaws.faults import Faults


@pytest.fixture
def sts(demo_world, client):
    return client("sts", demo_world.keys("alice"))


def _date(response) -> object:
    return parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"])


def test_throttling_as_aws_sends_it(local_aws, sts):
    local_aws.faults.set(throttle_rate=1.0)
    assert error_of(sts.get_caller_identity) == ("Throttling", "Rate exceeded", 400)


def test_internal_error(local_aws, sts):
    local_aws.faults.set(error_rate=1.0)
    code, _, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("InternalError", 500)


def test_botocore_retries_through_throttling_and_500s(local_aws, demo_world, client):
    # Seed 72 draws 0.07 (throttle), 0.59 (500), 0.99 (through): one call, three attempts.
    local_aws.faults.set(throttle_rate=0.3, error_rate=0.3, seed=72)
    patient = client("sts", demo_world.keys("alice"), Config(retries={"mode": "standard", "total_max_attempts": 3}))
    assert patient.get_caller_identity()["Account"] == "111111111111"
    assert local_aws.count("GetCallerIdentity") == 3


def test_faults_restricted_to_actions_and_with_no_side_effects(local_aws, demo_world, sts):
    local_aws.faults.set(throttle_rate=1.0, actions={"GetSessionToken"})
    sts.get_caller_identity()
    code = demo_world.code()
    assert error_of(sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=code)[0] == "Throttling"
    local_aws.faults.clear()
    # The throttled call did not spend the code.
    sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=code)
    assert local_aws.count("GetSessionToken") == 2


def test_date_header_follows_the_clock_and_the_skew(local_aws, sts, frozen_clock):
    assert _date(sts.get_caller_identity()) == frozen_clock.now()
    frozen_clock.advance(42)
    assert _date(sts.get_caller_identity()) == frozen_clock.now()
    local_aws.faults.set(date_skew_seconds=-300)
    response = sts.get_caller_identity()
    assert (_date(response) - frozen_clock.now()).total_seconds() == -300
    assert response["ResponseMetadata"]["HTTPHeaders"]["date"].count("GMT") == 1  # one Date header only


def test_iam_answers_from_moto_carry_our_date_too(local_aws, demo_world, client, frozen_clock):
    local_aws.faults.set(date_skew_seconds=3600)
    response = client("iam", admin_keys()).list_users()
    assert (_date(response) - frozen_clock.now()).total_seconds() == 3600


def test_slow_answers(local_aws, demo_world, client):
    local_aws.faults.set(delay_seconds=1.0)
    impatient = client(
        "sts", demo_world.keys("alice"), Config(read_timeout=0.2, retries={"mode": "standard", "total_max_attempts": 1})
    )
    with pytest.raises(ReadTimeoutError):
        impatient.get_caller_identity()


def test_same_seed_same_decisions():
    def run(seed):
        faults = Faults()
        faults.set(throttle_rate=0.25, error_rate=0.25, seed=seed)
        return [(d.refusal.code if d.refusal else None) for d in (faults.decide("AssumeRole") for _ in range(200))]

    first, again, other = run(1), run(1), run(2)
    assert first == again and first != other
    assert {"Throttling", "InternalError", None} == set(first)


@pytest.mark.parametrize(
    "kwargs",
    [dict(throttle_rate=1.5), dict(error_rate=-0.1), dict(throttle_rate=0.6, error_rate=0.6), dict(delay_seconds=-1)],
)
def test_nonsense_fault_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        Faults().set(**kwargs)


def test_reset_clears_faults_and_calls(local_aws, sts):
    local_aws.faults.set(throttle_rate=1.0)
    error_of(sts.get_caller_identity)
    local_aws.reset()
    assert local_aws.calls == []
    assert local_aws.faults.plan.throttle_rate == 0.0


def test_an_action_moto_lacks_is_named_not_a_500(local_aws, demo_world, client):
    iam = client("iam", admin_keys())  # alice's long-term keys may not simulate under her force-MFA policy
    code, message, status = error_of(
        iam.simulate_principal_policy, PolicySourceArn="arn:aws:iam::111111111111:user/alice", ActionNames=["s3:ListBucket"]
    )
    assert (code, status) == ("InvalidAction", 400)
    assert message == "The local AWS (moto) does not implement iam:SimulatePrincipalPolicy."
