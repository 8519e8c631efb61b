"""The local AWS's newer fault hooks, seen from a plain boto3 client (no mfa-tui code involved).

- ``hang_seconds``: a request is held without an answer (the client's read timeout fires), and
  clearing the faults releases it at once;
- ``missing_credentials``: AssumeRole / GetSessionToken answer well-formed XML without
  ``<Credentials>``, for a given number of answers, while the call itself happens;
- ``signature_window_seconds``: a request signed too far from the local AWS's clock is refused in
  AWS's words ("Signature expired" / "Signature not yet current").
"""

from __future__ import annotations

import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError
from localaws_helpers import error_of

from mfa_tui.localaws.faults import Faults, signature_refusal, without_credentials


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


def test_the_request_time_is_checked_as_aws_does(local_aws, demo_world, client, frozen_clock):
    sts = client("sts", demo_world.keys("alice"))
    local_aws.faults.set(signature_window_seconds=300)
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")  # the frozen clock is near real time

    frozen_clock.advance(-600)  # the local AWS is 10 minutes behind: our request comes from its future
    code, message, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("Signature not yet current: ") and "is still later than" in message
    assert message.endswith(" + 5 min.)")

    frozen_clock.advance(1200)  # now 10 minutes ahead: our request looks old
    code, message, _ = error_of(sts.get_caller_identity)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("Signature expired: ") and message.endswith(" - 5 min.)")


def test_signature_refusal_wording():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
    assert signature_refusal("20261130T120400Z", now, 300) is None
    ahead = signature_refusal("20261130T121000Z", now, 300)
    assert ahead.message == (
        "Signature not yet current: 20261130T121000Z is still later than 20261130T120500Z (20261130T120000Z + 5 min.)"
    )
    behind = signature_refusal("20261130T115000Z", now, 300)
    assert behind.message == (
        "Signature expired: 20261130T115000Z is now earlier than 20261130T115500Z (20261130T120000Z - 5 min.)"
    )
    assert signature_refusal(None, now, 300) is None and signature_refusal("garbage", now, 300) is None


def test_without_credentials_keeps_the_rest_of_the_document():
    body = (b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId></Credentials>"
            b"<AssumedRoleUser><Arn>a</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>")
    assert without_credentials(body) == (
        b"<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>a</Arn></AssumedRoleUser>"
        b"</AssumeRoleResult></AssumeRoleResponse>"
    )


@pytest.mark.parametrize("kwargs", [
    dict(hang_seconds=-1), dict(missing_credentials={"GetCallerIdentity": 1}),
    dict(missing_credentials={"AssumeRole": -1}), dict(signature_window_seconds=0),
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
