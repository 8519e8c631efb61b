"""Virtual MFA devices on the local AWS: enrolment codes, resync, deactivate, delete."""

from __future__ import annotations

import pyotp
import pytest
from localaws_fixtures import admin_keys
from localaws_helpers import error_of

from mfa_tui.core.clock import TOTP_STEP, totp_step

INVALID_AUTH = ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def _code(seed: str, clock, offset_steps: int = 0) -> str:
    return pyotp.TOTP(seed).at((totp_step(clock.now()) + offset_steps) * TOTP_STEP)


@pytest.fixture
def bob_iam(demo_world, client):
    return client("iam", demo_world.keys("bob"))


@pytest.fixture
def bob_device(bob_iam):
    """A fresh virtual device for bob: (serial, seed)."""
    created = bob_iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
    seed = created["Base32StringSeed"].decode() if isinstance(created["Base32StringSeed"], bytes) else created["Base32StringSeed"]
    return created["SerialNumber"], seed


def _enable(bob_iam, serial, code1, code2):
    return bob_iam.enable_mfa_device(
        UserName="bob", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )


def test_enrolment_with_two_consecutive_codes_then_a_session(demo_world, bob_iam, bob_device, client, local_aws):
    serial, seed = bob_device
    assert serial == "arn:aws:iam::111111111111:mfa/bob"
    assert local_aws.device_seed(serial) == seed
    clock = demo_world.clock
    _enable(bob_iam, serial, _code(seed, clock, -1), _code(seed, clock))
    assert [d["SerialNumber"] for d in bob_iam.list_mfa_devices(UserName="bob")["MFADevices"]] == [serial]
    # The enrolment codes are spent; the next step's code opens a session.
    bob_sts = client("sts", demo_world.keys("bob"))
    assert error_of(bob_sts.get_session_token, SerialNumber=serial, TokenCode=_code(seed, clock))[0] == "AccessDenied"
    clock.advance(TOTP_STEP)
    creds = bob_sts.get_session_token(SerialNumber=serial, TokenCode=local_aws.current_code(serial))["Credentials"]
    assert client("iam", creds).get_user()["User"]["UserName"] == "bob"


@pytest.mark.parametrize(
    "offsets",
    [
        (0, 0),  # the same code twice
        (1, 0),  # the right codes in the wrong order
        (0, 2),  # not consecutive
        (-3, -2),  # consecutive but long ago
        (2, 3),  # consecutive but too far ahead
    ],
)
def test_enrolment_refuses_codes_that_are_not_two_consecutive_current_ones(demo_world, bob_iam, bob_device, offsets):
    serial, seed = bob_device
    codes = [_code(seed, demo_world.clock, o) for o in offsets]
    assert error_of(_enable, bob_iam, serial, *codes) == INVALID_AUTH


@pytest.mark.parametrize("ending", [-1, 0, 1], ids=["behind", "current", "ahead"])
def test_enrolment_accepts_the_pair_ending_one_step_ahead_or_behind(demo_world, bob_iam, bob_device, ending):
    serial, seed = bob_device
    clock = demo_world.clock
    answer = _enable(bob_iam, serial, _code(seed, clock, ending - 1), _code(seed, clock, ending))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [d["SerialNumber"] for d in bob_iam.list_mfa_devices(UserName="bob")["MFADevices"]] == [serial]


def test_enable_unknown_device_or_user(demo_world, bob_iam, bob_device):
    serial, seed = bob_device
    codes = (_code(seed, demo_world.clock, -1), _code(seed, demo_world.clock))
    assert error_of(_enable, bob_iam, "arn:aws:iam::111111111111:mfa/ghost", *codes)[0] == "NoSuchEntity"
    assert error_of(
        bob_iam.enable_mfa_device, UserName="ghost", SerialNumber=serial, AuthenticationCode1=codes[0], AuthenticationCode2=codes[1]
    )[0] == "NoSuchEntity"


def test_an_assigned_device_cannot_be_enabled_again_or_deleted(demo_world, bob_iam, bob_device, client):
    serial, seed = bob_device
    clock = demo_world.clock
    _enable(bob_iam, serial, _code(seed, clock, -1), _code(seed, clock))
    clock.advance(2 * TOTP_STEP)
    assert error_of(_enable, bob_iam, serial, _code(seed, clock, -1), _code(seed, clock))[0] == "EntityAlreadyExists"
    # Deleting and deactivating need MFA under bob's force-MFA policy: the harness's admin does it.
    admin = client("iam", admin_keys())
    code, message, status = error_of(admin.delete_virtual_mfa_device, SerialNumber=serial)
    assert (code, status) == ("DeleteConflict", 409)
    assert serial in message and "deactivate" in message
    admin.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    admin.delete_virtual_mfa_device(SerialNumber=serial)
    assert serial not in [d["SerialNumber"] for d in bob_iam.list_virtual_mfa_devices()["VirtualMFADevices"]]


def test_deactivated_device_no_longer_validates(demo_world, client):
    sts = client("sts", demo_world.keys("alice"))
    # As AWS's self-manage-MFA example allows: deactivating one's own device needs an MFA session.
    session = sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code())["Credentials"]
    client("iam", session).deactivate_mfa_device(SerialNumber=demo_world.alice_serial)  # UserName defaults to the caller
    code, message, _ = error_of(sts.get_session_token, SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code())
    assert code == "AccessDenied" and "unable to validate MFA code" in message


def test_resync_learns_the_drift_of_a_device(demo_world, client, local_aws):
    serial = demo_world.alice_serial
    seed = local_aws.device_seed(serial)
    clock = demo_world.clock
    sts = client("sts", demo_world.keys("alice"))
    # A phone five steps fast: its codes are refused until the device is resynchronised.
    assert error_of(sts.get_session_token, SerialNumber=serial, TokenCode=_code(seed, clock, 5))[0] == "AccessDenied"
    iam = client("iam", demo_world.keys("alice"))
    assert error_of(
        iam.resync_mfa_device,
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=_code(seed, clock, 5),
        AuthenticationCode2=_code(seed, clock, 7),
    ) == INVALID_AUTH
    iam.resync_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=_code(seed, clock, 5), AuthenticationCode2=_code(seed, clock, 6)
    )
    clock.advance(TOTP_STEP)
    sts.get_session_token(SerialNumber=serial, TokenCode=_code(seed, clock, 6))
    # current_code follows the learnt drift.
    clock.advance(TOTP_STEP)
    assert local_aws.current_code(serial) == _code(seed, clock, 6)


def test_resync_of_a_device_the_user_does_not_have(demo_world, bob_iam, bob_device):
    serial, seed = bob_device
    codes = dict(AuthenticationCode1=_code(seed, demo_world.clock, -1), AuthenticationCode2=_code(seed, demo_world.clock))
    assert error_of(bob_iam.resync_mfa_device, UserName="bob", SerialNumber=serial, **codes)[0] == "NoSuchEntity"


def test_malformed_enrolment_codes_fail_validation(demo_world, bob_iam, bob_device):
    serial, _ = bob_device
    code, message, status = error_of(_enable, bob_iam, serial, "12345", "123456")
    assert (code, status) == ("ValidationError", 400) and "authenticationCode1" in message
