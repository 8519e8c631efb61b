"""Authentication before authorisation: the local AWS checks each request's signature, its
signing time and its session token as AWS does, and refuses in AWS's words.

Seen from plain boto3 clients (no mfa-tui code). Each denial is checked as botocore parses it:
error Code, Message and HTTP status (docs/aws-behaviour.md, "Authentication comes first").
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from localaws_helpers import error_of

from mfa_tui.localaws.authentication import request_time_refusal

MISMATCH = (
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.",
    403,
)
INVALID_TOKEN = ("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def _mfa_session(demo_world, client) -> dict:
    sts = client("sts", demo_world.keys("alice"))
    answer = sts.get_session_token(DurationSeconds=3600, SerialNumber=demo_world.alice_serial,
                                   TokenCode=demo_world.code())
    return answer["Credentials"]


# ── 1. the signature ──────────────────────────────────────────────────────────────────────────


def test_a_long_term_key_with_a_wrong_secret_is_refused(local_aws, demo_world, client):
    key, _ = demo_world.keys("alice")
    sts = client("sts", (key, "not-the-secret-moto-issued"))
    assert error_of(sts.get_caller_identity) == MISMATCH
    assert error_of(sts.get_session_token, DurationSeconds=900) == MISMATCH


def test_the_right_secret_still_works(local_aws, demo_world, client):
    assert client("sts", demo_world.keys("alice")).get_caller_identity()["Arn"].endswith(":user/alice")


def test_a_session_key_with_a_wrong_secret_is_refused(local_aws, demo_world, client):
    creds = _mfa_session(demo_world, client)
    assert client("sts", creds).get_caller_identity()["Arn"].endswith(":user/alice")
    forged = dict(creds, SecretAccessKey=creds["SecretAccessKey"][:-4] + "AAAA")
    assert error_of(client("sts", forged).get_caller_identity) == MISMATCH
    assert error_of(client("iam", forged).list_mfa_devices, UserName="alice") == MISMATCH


def test_iam_calls_are_checked_too(local_aws, demo_world, client):
    key, _ = demo_world.keys("alice")
    assert error_of(client("iam", (key, "wrong")).list_mfa_devices, UserName="alice") == MISMATCH


def test_a_key_nobody_issued_is_invalid_for_every_service(local_aws, demo_world, client):
    stranger = ("AKIAUNKNOWNUNKNOWN00", "x")
    assert error_of(client("sts", stranger).get_caller_identity) == INVALID_TOKEN
    assert error_of(client("iam", stranger).list_users) == INVALID_TOKEN


# ── 3. the session token ──────────────────────────────────────────────────────────────────────


def test_a_long_term_key_with_a_session_token_is_refused(local_aws, demo_world, client):
    key, secret = demo_world.keys("alice")
    bogus = {"AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": "FwoGZXIvYXdzEbogus"}
    assert error_of(client("sts", bogus).get_caller_identity) == INVALID_TOKEN
    assert error_of(client("sts", bogus).get_session_token, DurationSeconds=900) == INVALID_TOKEN


def test_a_session_key_with_an_unknown_token_is_refused(local_aws, demo_world, client):
    creds = _mfa_session(demo_world, client)
    assert error_of(client("sts", dict(creds, SessionToken="FwoGZXIvYXdzEunknown")).get_caller_identity) == INVALID_TOKEN


def test_a_session_key_without_its_token_is_refused(local_aws, demo_world, client):
    creds = _mfa_session(demo_world, client)
    assert error_of(client("sts", (creds["AccessKeyId"], creds["SecretAccessKey"])).get_caller_identity) == INVALID_TOKEN


# ── 2. the signing time ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("seconds", "words"), [
    (20 * 60, "Signature not yet current: "),  # signed 20 minutes ahead of the local AWS
    (-2 * 3600, "Signature expired: "),        # signed 2 hours behind
    (3 * 86400, "Signature not yet current: "),  # signed 3 days ahead
])
def test_a_request_signed_too_far_from_the_local_aws_clock_is_refused(local_aws, demo_world, client, frozen_clock,
                                                                      seconds, words):
    from mfa_tui.core.clock import FrozenClock

    sts = client("sts", demo_world.keys("alice"))
    # Only the local AWS's clock moves (the other way); the client keeps signing on frozen_clock.
    local_aws.clock = FrozenClock(frozen_clock.now())
    local_aws.clock.advance(-seconds)
    code, message, status = error_of(sts.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith(words), message
    assert message.endswith(" + 15 min.)" if seconds > 0 else " - 15 min.)"), message
    assert error_of(sts.get_session_token, DurationSeconds=900)[0] == "SignatureDoesNotMatch"


def test_a_request_within_the_allowed_skew_is_accepted(local_aws, demo_world, client, frozen_clock):
    from mfa_tui.core.clock import FrozenClock

    sts = client("sts", demo_world.keys("alice"))
    local_aws.clock = FrozenClock(frozen_clock.now())
    local_aws.clock.advance(14 * 60)
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")
    local_aws.clock.advance(-28 * 60)
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")


def test_advancing_the_shared_clock_moves_the_signing_time_too(local_aws, demo_world, client, frozen_clock):
    # The suite's clients sign on the test's clock (tests/localaws_fixtures.py), so hours may pass.
    sts = client("sts", demo_world.keys("alice"))
    frozen_clock.advance(5 * 3600)
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")


def test_request_time_wording():
    now = datetime(2026, 1, 1, 0, 30, 0, tzinfo=UTC)
    assert request_time_refusal("20260101T004400Z", now) is None
    behind = request_time_refusal("20260101T000000Z", now)
    assert (behind.code, behind.status) == ("SignatureDoesNotMatch", 403)
    assert behind.message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)"
    )
    ahead = request_time_refusal("20260101T005000Z", now)
    assert ahead.message == (
        "Signature not yet current: 20260101T005000Z is still later than 20260101T004500Z (20260101T003000Z + 15 min.)"
    )
