"""The local AWS's newer fault hooks, seen from a plain boto3 client (no mfa-tui code involved).

- ``hang_seconds``: a request is held without an answer (the client's read timeout fires), and
  clearing the faults releases it at once;
- ``missing_credentials``: AssumeRole / GetSessionToken answer well-formed XML without
  ``<Credentials>``, for a given number of answers, while the call itself happens.

(The signing-time check is no longer a fault: test_localaws_auth_requests.py.)
"""

from __future__ import annotations

import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError
from localaws_helpers import error_of

from mfa_tui.localaws.faults import Faults, without_credentials


def test_a_hung_request_gets_no_answer_and_is_released_by_clear(local_aws, demo_world, client):
    local_aws.faults.set(hang_seconds=60)
    impatient = client("sts", demo_world.keys("alice"),
                       Config(read_timeout=0.5, retries={"mode": "standard", "total_max_attempts": 1}))
    with pytest.raises(ReadTimeoutError):
        impatient.get_caller_identity()
    assert local_aws.count("GetCallerIdentity") == 1

    # Held requests wake as soon as the faults change; the next request is answered normally.
    decision = local_aws.faults.decide("GetCallerIdentity")
    assert decision.hang == 60
    woke = threading.Event()
    threading.Thread(target=lambda: (Faults.hold(decision), woke.set()), daemon=True).start()
    local_aws.faults.clear()
    assert woke.wait(10)
    assert impatient.get_caller_identity()["Arn"].endswith(":user/alice")


def test_answers_without_credentials_for_a_count_of_calls(local_aws, demo_world, client):
    local_aws.faults.set(missing_credentials={"GetSessionToken": 2})
    sts = client("sts", demo_world.keys("alice"))
    for _ in range(2):
        answer = sts.get_session_token(DurationSeconds=900)
        assert "Credentials" not in answer and answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert local_aws.faults.missing_credentials_left("GetSessionToken") == 0
    assert sts.get_session_token(DurationSeconds=900)["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_an_assume_role_without_credentials_still_happened(local_aws, demo_world, client):
    local_aws.faults.set(missing_credentials={"AssumeRole": 1})
    sts = client("sts", demo_world.keys("alice"))
    serial = demo_world.alice_serial
    session = sts.get_session_token(DurationSeconds=3600, SerialNumber=serial, TokenCode=demo_world.code())
    chained = client("sts", session["Credentials"])
    role = demo_world.role_arns[0]
    answer = chained.assume_role(RoleArn=role, RoleSessionName="tt")
    assert "Credentials" not in answer
    assert answer["AssumedRoleUser"]["Arn"].startswith(role.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/"))
    assert local_aws.faults.missing_credentials_left("AssumeRole") == 0
    assert "Credentials" in chained.assume_role(RoleArn=role, RoleSessionName="tt")


def test_a_refused_call_does_not_use_up_a_missing_credentials_answer(local_aws, demo_world, client):
    local_aws.faults.set(missing_credentials={"GetSessionToken": 1})
    sts = client("sts", demo_world.keys("alice"))
    code, _, _ = error_of(sts.get_session_token, DurationSeconds=10)  # below the 900 s minimum
    assert code == "ValidationError"
    assert local_aws.faults.missing_credentials_left("GetSessionToken") == 1


def test_without_credentials_keeps_the_rest_of_the_document():
    body = (b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId></Credentials>"
            b"<AssumedRoleUser><Arn>a</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>")
    assert without_credentials(body) == (
        b"<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>a</Arn></AssumedRoleUser>"
        b"</AssumeRoleResult></AssumeRoleResponse>"
    )


@pytest.mark.parametrize("kwargs", [
    dict(hang_seconds=-1), dict(missing_credentials={"GetCallerIdentity": 1}),
    dict(missing_credentials={"AssumeRole": -1}),
])
def test_nonsense_hook_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        Faults().set(**kwargs)


def test_the_hang_ends_by_itself_after_its_time():
    faults = Faults()
    faults.set(hang_seconds=0.2)
    decision = faults.decide("AssumeRole")
    started = time.monotonic()
    Faults.hold(decision)
    assert time.monotonic() - started >= 0.15
