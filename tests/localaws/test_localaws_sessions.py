"""GetSessionToken and GetCallerIdentity on the local AWS: codes, credentials, durations, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from localaws_fixtures import admin_keys
from localaws_helpers import error_of

INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
UNKNOWN_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code. "
    "Please verify your MFA serial number is valid and associated with this user."
)


@pytest.fixture
def alice_sts(demo_world, client):
    return client("sts", demo_world.keys("alice"))


def _session(demo_world, alice_sts, **kwargs):
    return alice_sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code(), **kwargs)[
        "Credentials"
    ]


def test_right_code_gives_an_mfa_session_that_resolves_to_the_user(demo_world, alice_sts, client):
    creds = _session(demo_world, alice_sts)
    assert creds["AccessKeyId"].startswith("ASIA")
    assert creds["Expiration"] == demo_world.clock.now() + timedelta(hours=12)
    me = client("sts", creds).get_caller_identity()
    assert me["Arn"] == "arn:aws:iam::111111111111:user/alice"
    assert me["Account"] == "111111111111"
    assert me["UserId"] == client("iam", demo_world.keys("alice")).get_user()["User"]["UserId"]


def test_each_call_gives_distinct_credentials(demo_world, alice_sts):
    first = _session(demo_world, alice_sts)
    second = _session(demo_world, alice_sts)
    plain = alice_sts.get_session_token()["Credentials"]
    assert len({c["AccessKeyId"] for c in (first, second, plain)}) == 3
    assert len({c["SecretAccessKey"] for c in (first, second, plain)}) == 3
    assert len({c["SessionToken"] for c in (first, second, plain)}) == 3


def test_wrong_code_is_refused(demo_world, alice_sts):
    good = demo_world.code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    code, message, status = error_of(
        alice_sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=wrong
    )
    assert (code, message, status) == ("AccessDenied", INVALID_CODE, 403)


def test_a_code_is_spent_by_its_first_use(demo_world, alice_sts):
    code = demo_world.code()
    alice_sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=code)
    assert error_of(alice_sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=code)[:2] == (
        "AccessDenied",
        INVALID_CODE,
    )
    # The next step's code works, and an older step's code is refused once a newer one was used.
    older = demo_world.aws.current_code(demo_world.alice_serial)
    alice_sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=demo_world.next_code())
    assert error_of(alice_sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=older)[1] == INVALID_CODE


def test_one_step_of_tolerance_either_way(demo_world, alice_sts, local_aws):
    serial = demo_world.alice_serial
    alice_sts.get_session_token(SerialNumber=serial, TokenCode=local_aws.current_code(serial, offset_steps=-1))
    alice_sts.get_session_token(SerialNumber=serial, TokenCode=local_aws.current_code(serial, offset_steps=1))
    demo_world.clock.advance(5 * 30)
    stale = local_aws.current_code(serial, offset_steps=-2)
    assert error_of(alice_sts.get_session_token, SerialNumber=serial, TokenCode=stale)[1] == INVALID_CODE


@pytest.mark.parametrize(
    "serial",
    [
        "arn:aws:iam::111111111111:user/alice",  # the user's ARN instead of the device's
        "arn:aws:iam::111111111111:mfa/nobody",
        "arn:aws:iam::222222222222:mfa/alice",
    ],
)
def test_wrong_serial_is_refused_with_awss_message(demo_world, alice_sts, serial):
    code, message, status = error_of(alice_sts.get_session_token, SerialNumber=serial, TokenCode=demo_world.code())
    assert (code, message, status) == ("AccessDenied", UNKNOWN_SERIAL, 403)


def test_a_device_of_another_user_is_not_yours(demo_world, client):
    bob = client("sts", demo_world.keys("bob"))
    code, message, _ = error_of(bob.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code())
    assert (code, message) == ("AccessDenied", UNKNOWN_SERIAL)


@pytest.mark.parametrize("token", ["12345", "1234567", "12a456"])
def test_malformed_codes_fail_validation_without_echoing_them(demo_world, alice_sts, token):
    code, message, status = error_of(alice_sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=token)
    assert (code, status) == ("ValidationError", 400)
    assert "tokenCode" in message and token not in message


@pytest.mark.parametrize("seconds", [900, 129600])
def test_duration_limits_are_inclusive(demo_world, alice_sts, seconds):
    creds = _session(demo_world, alice_sts, DurationSeconds=seconds)
    assert creds["Expiration"] == demo_world.clock.now() + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(899, "greater than or equal to 900"), (129601, "less than or equal to 129600")],
)
def test_duration_outside_limits_is_refused(demo_world, alice_sts, seconds, expected):
    code, message, _ = error_of(alice_sts.get_session_token, DurationSeconds=seconds)
    assert code == "ValidationError"
    assert f"Value '{seconds}' at 'durationSeconds'" in message and expected in message


def test_session_credentials_cannot_get_another_session(demo_world, alice_sts, client):
    creds = _session(demo_world, alice_sts)
    code, message, _ = error_of(client("sts", creds).get_session_token)
    assert (code, message) == ("AccessDenied", "Cannot call GetSessionToken with session credentials")


def test_expired_session_is_refused(demo_world, alice_sts, client):
    creds = _session(demo_world, alice_sts, DurationSeconds=900)
    sts = client("sts", creds)
    demo_world.clock.advance(899)
    sts.get_caller_identity()
    demo_world.clock.advance(1)
    code, message, status = error_of(sts.get_caller_identity)
    assert (code, message, status) == ("ExpiredToken", "The security token included in the request is expired", 403)


def test_issued_key_with_a_wrong_or_missing_token_is_invalid(demo_world, alice_sts, client):
    creds = _session(demo_world, alice_sts)
    forged = dict(creds, SessionToken=creds["SessionToken"][:-4] + "AAAA")
    assert error_of(client("sts", forged).get_caller_identity)[0] == "InvalidClientTokenId"
    no_token = client("sts", (creds["AccessKeyId"], creds["SecretAccessKey"]))
    assert error_of(no_token.get_caller_identity)[0] == "InvalidClientTokenId"


def test_unknown_and_inactive_long_term_keys_are_refused(demo_world, client):
    assert error_of(client("sts", ("AKIAUNKNOWNUNKNOWN00", "x")).get_caller_identity)[0] == "InvalidClientTokenId"
    key, secret = demo_world.keys("bob")
    client("iam", admin_keys()).update_access_key(UserName="bob", AccessKeyId=key, Status="Inactive")
    assert error_of(client("sts", (key, secret)).get_session_token)[0] == "InvalidClientTokenId"


def test_credentials_from_before_a_reset_are_unknown(demo_world, alice_sts, client, local_aws):
    creds = _session(demo_world, alice_sts)
    local_aws.reset()
    assert error_of(client("sts", creds).get_caller_identity)[0] == "InvalidClientTokenId"


def test_plain_session_is_not_mfa_and_iam_refuses_it(demo_world, alice_sts, client):
    plain = alice_sts.get_session_token()["Credentials"]
    assert client("sts", plain).get_caller_identity()["Arn"].endswith(":user/alice")
    # AWS answers IAM calls made with a non-MFA GetSessionToken session this way (docs/aws-behaviour.md, "What MFA-session credentials may call").
    code, message, status = error_of(client("iam", plain).get_user)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert message == "The security token included in the request is invalid."


def test_mfa_session_reaches_iam_as_the_user(demo_world, alice_sts, client):
    iam = client("iam", _session(demo_world, alice_sts))
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::111111111111:user/alice"
    devices = iam.list_mfa_devices()["MFADevices"]  # no UserName: the caller's own devices
    assert [d["SerialNumber"] for d in devices] == [demo_world.alice_serial]


def test_call_log_and_count(demo_world, alice_sts, local_aws):
    local_aws.clear_calls()
    alice_sts.get_caller_identity()
    _session(demo_world, alice_sts)
    error_of(alice_sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode="000000x"[:6])
    assert local_aws.calls == [("sts", "GetCallerIdentity"), ("sts", "GetSessionToken"), ("sts", "GetSessionToken")]
    assert local_aws.count("GetSessionToken") == 2
    assert local_aws.count("AssumeRole") == 0
