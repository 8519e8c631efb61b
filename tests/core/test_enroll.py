"""Enrolment: the QR text, the local code checks, and the whole flow against the local AWS."""

from __future__ import annotations

import functools

import pyotp
import pytest
import segno

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.registry import load as registry
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import FrozenClock, totp_step
from mfa_tui.core.enroll.device import MAX_DEVICES, Enrolment, check_consecutive, check_two_codes, open_enrolment
from mfa_tui.core.errors import AccessDeniedError, AwsError, CodeError, ConfigError, CredentialsFileError, FileError
from mfa_tui.core.enroll.qr import ansi_lines, qr_lines, qr_matrix
from mfa_tui.core.service.facade import Service
from qr_support import parse_lines

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 64 chars, like AWS's


def _uri(seed: str = SEED, name: str = "bob@111111111111") -> str:
    return pyotp.TOTP(seed).provisioning_uri(name=name, issuer_name="AWS")


# ── QR text ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("invert", [False, True])
def test_qr_lines_decode_back_to_segno_matrix(invert):
    uri = _uri()
    lines = qr_lines(uri, invert=invert)
    expected = [[bool(m) for m in row] for row in segno.make(uri, micro=False).matrix_iter(scale=1, border=2)]
    decoded = parse_lines(lines, invert=invert)
    # An odd number of matrix rows gets one light padding row at the bottom.
    assert len(expected) % 2 == 1
    assert decoded[: len(expected)] == expected
    assert decoded[len(expected):] == [[False] * len(expected[0])]
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}


def test_qr_for_longest_usual_uri_fits_100x30():
    # A 64-character seed plus a long label: the 49x49 case of docs/libraries.md, "A QR code for an AWS seed does not fit 80×24".
    uri = _uri(name="a-rather-long-iam-user-name@111111111111")
    lines = qr_lines(uri)
    cols, rows = len(lines[0]), len(lines)
    assert {len(line) for line in lines} == {cols}
    assert cols <= 60 and rows <= 27
    matrix = qr_matrix(uri, border=0)
    assert len(matrix) in (41, 45, 49)  # version 6..8
    assert rows == (len(matrix) + 4 + 1) // 2


def test_quiet_zone_is_light():
    matrix = qr_matrix(_uri(), border=2)
    assert not any(matrix[0]) and not any(matrix[1]) and not any(matrix[-1])
    assert not any(row[0] or row[1] or row[-1] for row in matrix)
    lines = qr_lines(_uri())
    assert lines[0].strip() == ""  # two light rows -> one blank text row
    inverted = qr_lines(_uri(), invert=True)
    assert set(inverted[0]) == {"█"}  # drawn light modules


def test_ansi_lines_are_black_on_white_and_reset():
    lines = ansi_lines(qr_lines(_uri()))
    assert all(line.startswith("\x1b[30;107m") and line.endswith("\x1b[0m") for line in lines)


# ── local code checks ────────────────────────────────────────────────────────────


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def _code(step: int, seed: str = SEED) -> str:
    return pyotp.TOTP(seed).generate_otp(step)


@pytest.mark.parametrize("delta", [-2, -1, 0])
def test_consecutive_codes_around_now_pass(clock, delta):
    # t + 1 (the second code) may be the previous, current or next step.
    t = totp_step(clock.now()) + delta
    assert check_consecutive(SEED, _code(t), " " + _code(t + 1)[:3] + " " + _code(t + 1)[3:], clock.now(), device="d") == (
        _code(t),
        _code(t + 1),
    )


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ((0, 0), "the two codes are the same"),
        ((1, 0), "wrong order"),
        ((0, 2), "not consecutive"),
        ((1, 2), "ahead of this computer's clock"),
        ((-3, -2), "behind this computer's clock"),
        ((-6, -5), "behind this computer's clock"),
        ((5, 6), "ahead of this computer's clock"),
    ],
)
def test_bad_code_pairs_are_explained(clock, steps, needle):
    now = totp_step(clock.now())
    with pytest.raises(CodeError) as info:
        check_consecutive(SEED, _code(now + steps[0]), _code(now + steps[1]), clock.now(), device="device X")
    message = str(info.value)
    assert needle in message
    assert "nothing was sent" in message
    assert message.startswith("device X: ")
    assert SEED not in message and _code(now + steps[0]) not in message


def test_codes_from_another_seed_are_not_this_device(clock):
    other = pyotp.random_base32(64)
    now = totp_step(clock.now())
    with pytest.raises(CodeError, match="neither code matches this device"):
        check_consecutive(SEED, _code(now, other), _code(now + 1, other), clock.now(), device="d")
    with pytest.raises(CodeError, match="second code does not match"):
        check_consecutive(SEED, _code(now), _code(now + 1, other), clock.now(), device="d")


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "12a456"])
def test_malformed_codes_are_refused(clock, bad):
    with pytest.raises(CodeError, match="exactly 6 digits"):
        check_consecutive(SEED, bad, "123456", clock.now(), device="d")
    with pytest.raises(CodeError, match="exactly 6 digits"):
        check_two_codes("123456", bad, device="d")


# ── the flow against the local AWS ──────────────────────────────────────────────

BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


def _bob(world, **kwargs) -> Enrolment:
    return open_enrolment(registry.load(world.config_path), "bob", clock=world.clock, **kwargs)


def _with_session(world, identity: str = "alice", **kwargs) -> Enrolment:
    """An enrolment opened as the CLI and the dashboard open it, its identity refreshed first (a live MFA session)."""
    service = Service.open(world.config_path, clock=world.clock)
    report = service.refresh(service.select([identity]), lambda _req: world.code(identity))
    assert all(r.ok for r in report.results.values()), report.results
    return open_enrolment(service.registry, identity, clock=world.clock,
                          mfa_session=lambda: service.mfa_session(identity), **kwargs)


LEFT_BEHIND = "stays unassigned and grants nothing; the identity's policy lets it be deleted only with MFA"


def _pair(seed: str, clock) -> tuple[str, str]:
    """Two consecutive codes as a user types them: the current one, then (30 s later) the next."""
    first = pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))
    clock.advance(30)
    return first, pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))


def _virtual_serials(world) -> list[str]:
    page = world.client("iam", "alice").list_virtual_mfa_devices()
    return [d["SerialNumber"] for d in page["VirtualMFADevices"]]


def test_full_enrolment_of_bob_then_an_mfa_session_with_the_new_device(demo_world, local_aws):
    flow = _bob(demo_world)
    assert (flow.user_name, flow.account_id) == ("bob", "111111111111")
    assert flow.devices() == []
    serial = flow.create()
    assert serial == BOB_SERIAL and flow.pending and flow.created
    seed = flow.secret()
    assert seed == local_aws.device_seed(serial)
    assert flow.uri().startswith("otpauth://totp/AWS:bob%40111111111111?secret=" + seed)
    assert seed not in repr(flow)
    lines = flow.qr_lines()
    assert parse_lines(lines)[: len(qr_matrix(flow.uri()))] == qr_matrix(flow.uri())

    assert flow.enable(*_pair(seed, demo_world.clock)) == serial
    assert local_aws.count("EnableMFADevice") == 1
    assert flow.enabled and not flow.pending and not flow.has_secret
    assert seed not in [v for v in vars(flow).values() if isinstance(v, str)]
    with pytest.raises(ConfigError, match="no secret to show"):
        flow.secret()
    # The registry now names the device, with the rest of the file intact.
    reg = registry.load(demo_world.config_path)
    assert reg.identities["bob"].mfa_serial == serial
    assert reg.identities["alice"].mfa_serial == demo_world.alice_serial
    assert [d.serial for d in flow.devices()] == [serial]
    # Cancelling after enabling keeps the device.
    assert flow.cancel() is None
    assert local_aws.device_seed(serial) == seed

    # A later MFA session with a code from the new device works.
    demo_world.clock.advance(30)
    bob_id, bob_secret = demo_world.keys("bob")
    client = aws.client("sts", access_key_id=bob_id, secret_access_key=bob_secret, endpoint_url=demo_world.endpoint)
    creds = sts.get_session_token(
        client, serial=serial, code=local_aws.current_code(serial), duration=3600, what="identity bob",
        clock=demo_world.clock,
    )
    session = aws.client(
        "sts", access_key_id=creds.access_key_id, secret_access_key=creds.secret_access_key,
        session_token=creds.session_token, endpoint_url=demo_world.endpoint,
    )
    assert session.get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:user/bob"


@pytest.mark.parametrize(
    "make_codes",
    [
        lambda seed, n: (pyotp.TOTP(seed).generate_otp(n), pyotp.TOTP(seed).generate_otp(n)),
        lambda seed, n: (pyotp.TOTP(seed).generate_otp(n), pyotp.TOTP(seed).generate_otp(n - 1)),
        lambda seed, n: (pyotp.TOTP(seed).generate_otp(n - 1), pyotp.TOTP(seed).generate_otp(n + 1)),
        lambda seed, n: (pyotp.TOTP(seed).generate_otp(n + 3), pyotp.TOTP(seed).generate_otp(n + 4)),
        lambda seed, n: ("000000", "999999") if pyotp.TOTP(seed).generate_otp(n) != "000000" else ("111111", "999999"),
        lambda seed, n: ("12345", pyotp.TOTP(seed).generate_otp(n)),
    ],
    ids=["same", "reversed", "gap", "phone-ahead", "wrong", "short"],
)
def test_wrong_or_non_consecutive_codes_are_caught_locally_and_nothing_is_sent(demo_world, local_aws, make_codes):
    flow = _bob(demo_world)
    flow.create()
    seed = flow.secret()
    code1, code2 = make_codes(seed, totp_step(demo_world.clock.now()))
    with pytest.raises(CodeError, match="nothing was sent") as info:
        flow.enable(code1, code2)
    assert seed not in str(info.value)
    assert local_aws.count("EnableMFADevice") == 0
    assert flow.pending and flow.has_secret  # the user can try again
    assert flow.enable(*_pair(seed, demo_world.clock)) == BOB_SERIAL


def test_cancel_deletes_the_created_device(demo_world, local_aws):
    # Deleting needs MFA under the force-MFA policy: the live MFA session does it.
    flow = _with_session(demo_world)
    serial = flow.create("alice-backup")
    assert serial in _virtual_serials(demo_world)
    assert flow.cancel() == serial
    assert serial not in _virtual_serials(demo_world)
    assert not flow.has_secret and not flow.pending and flow.left_behind is None
    assert flow.cancel() is None  # idempotent
    with pytest.raises(ConfigError, match="no device waiting"):
        flow.enable("123456", "654321")


def test_cancel_without_an_mfa_session_leaves_the_device_and_says_how(demo_world, local_aws):
    flow = _bob(demo_world)
    serial = flow.create()
    assert flow.cancel() is None  # not deleted, and no error
    assert serial in _virtual_serials(demo_world)
    assert not flow.has_secret and not flow.pending
    assert LEFT_BEHIND in flow.left_behind
    assert f"aws iam delete-virtual-mfa-device --serial-number {serial} --profile bob" in flow.left_behind
    assert f"mfa-tui enroll bob --delete {serial}" in flow.left_behind
    assert flow.cancel() is None
    with pytest.raises(ConfigError, match="no device waiting"):
        flow.enable("123456", "654321")


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_leaving_the_with_block_early_deletes_the_device(demo_world, error):
    flow = _with_session(demo_world)
    with pytest.raises(error):
        with flow:
            flow.create("alice-backup")
            raise error()
    assert _virtual_serials(demo_world) == [demo_world.alice_serial]
    assert flow.cleanup_error is None


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_leaving_the_with_block_without_a_session_keeps_the_error_and_the_device(demo_world, error):
    flow = _bob(demo_world)
    with pytest.raises(error):
        with flow:
            flow.create()
            raise error()
    assert sorted(_virtual_serials(demo_world)) == sorted([BOB_SERIAL, demo_world.alice_serial])
    assert flow.cleanup_error is None and LEFT_BEHIND in flow.left_behind


def test_an_interrupt_while_create_is_answered_still_leaves_no_device(demo_world):
    """Ctrl-C can land after AWS made the device but before we saw the serial."""
    flow = _with_session(demo_world)
    real = flow.iam

    class InterruptAfterCreate:
        def __getattr__(self, name):
            return getattr(real, name)

        def create_virtual_mfa_device(self, **params):
            real.create_virtual_mfa_device(**params)
            raise KeyboardInterrupt

    flow.iam = InterruptAfterCreate()
    with pytest.raises(KeyboardInterrupt):
        with flow:
            flow.create("alice-backup")
    assert flow.serial is None and flow.cleanup_error is None
    assert _virtual_serials(demo_world) == [demo_world.alice_serial]

    # Without a session the device found stays, said in one line, and nothing is raised.
    bob = _bob(demo_world)
    real = bob.iam
    bob.iam = InterruptAfterCreate()
    with pytest.raises(KeyboardInterrupt):
        with bob:
            bob.create()
    assert bob.serial is None and bob.cleanup_error is None
    assert LEFT_BEHIND in bob.left_behind and BOB_SERIAL in bob.left_behind


def test_a_taken_name_offers_a_new_name_or_the_unassigned_device(demo_world, local_aws):
    leftover = demo_world.client("iam", "bob").create_virtual_mfa_device(VirtualMFADeviceName="bob")
    leftover_seed = leftover["VirtualMFADevice"]["Base32StringSeed"].decode()
    flow = _bob(demo_world)
    with pytest.raises(AwsError) as info:
        flow.create()
    assert info.value.code == "EntityAlreadyExists"
    assert f"unassigned device {BOB_SERIAL} exists" in str(info.value)
    assert flow.find_unassigned("bob") == BOB_SERIAL
    assert flow.find_unassigned("nobody") is None

    # Another name works ... (without MFA, cancelling leaves it unassigned)
    other = flow.create("bob-phone")
    assert other == "arn:aws:iam::111111111111:mfa/bob-phone"
    assert flow.cancel() is None and LEFT_BEHIND in flow.left_behind
    assert other in _virtual_serials(demo_world)

    # ... and so does adopting the leftover, whose code the user's app already has.
    flow.adopt(BOB_SERIAL)
    assert not flow.has_secret and not flow.created
    with pytest.raises(CodeError, match="the two codes are the same"):
        flow.enable("123456", "123456")
    assert local_aws.count("EnableMFADevice") == 0
    # Without the seed there is no local check: AWS refuses wrong codes, the device stays usable.
    with pytest.raises(CodeError, match="AWS refused the codes"):
        flow.enable("000001", "000002")
    assert flow.cancel() is None  # not ours: a cancel leaves it alone
    assert BOB_SERIAL in _virtual_serials(demo_world)
    flow.adopt(BOB_SERIAL)
    assert flow.enable(*_pair(leftover_seed, demo_world.clock)) == BOB_SERIAL


def test_an_unassigned_device_is_found_on_a_later_page(demo_world, local_aws):
    from mfa_tui.localaws import backends

    backend = backends.iam("111111111111")
    for i in range(100):  # one full page of ListVirtualMFADevices
        backend.create_virtual_mfa_device(f"filler-{i}", "/")
    backend.create_virtual_mfa_device("bob", "/")
    before = local_aws.count("ListVirtualMFADevices")
    assert _bob(demo_world).find_unassigned("bob") == BOB_SERIAL
    assert local_aws.count("ListVirtualMFADevices") - before == 2


def test_create_refuses_when_the_user_has_eight_devices(demo_world, local_aws):
    from mfa_tui.localaws import backends

    backend = backends.iam("111111111111")
    for i in range(MAX_DEVICES):
        device = backend.create_virtual_mfa_device(f"bob-{i}", "/")
        backend.enable_mfa_device("bob", device.serial_number, "000000", "000000")
    flow = _bob(demo_world)
    assert len(flow.devices()) == MAX_DEVICES
    with pytest.raises(ConfigError, match="already has 8 MFA devices"):
        flow.create("bob-9")
    assert local_aws.count("CreateVirtualMFADevice") == 0


def test_resync_an_existing_device(demo_world, local_aws):
    flow = open_enrolment(registry.load(demo_world.config_path), "alice", clock=demo_world.clock)
    serial = demo_world.alice_serial
    assert [d.serial for d in flow.devices()] == [serial]
    assert flow.devices()[0].enabled_at is not None
    # The phone's clock runs five steps ahead: resync with two of its consecutive codes.
    flow.resync(serial, local_aws.current_code(serial, offset_steps=5), local_aws.current_code(serial, offset_steps=6))
    assert local_aws.count("ResyncMFADevice") == 1
    with pytest.raises(CodeError, match="the two codes are the same"):
        flow.resync(serial, "123456", "123456")
    assert local_aws.count("ResyncMFADevice") == 1
    with pytest.raises(CodeError, match="AWS refused the codes"):
        flow.resync(serial, "000001", "000002")
    # With the seed known (it is, in the demo) the check is local.
    demo_world.clock.advance(120)
    with pytest.raises(CodeError, match="nothing was sent"):
        flow.resync(serial, "000001", "000002", seed=demo_world.alice.seed)
    assert local_aws.count("ResyncMFADevice") == 2


def test_deactivate_then_delete(demo_world, local_aws):
    serial = demo_world.alice_serial
    # Without an MFA session the force-MFA policy refuses: one line saying to refresh first.
    flow = open_enrolment(registry.load(demo_world.config_path), "alice", clock=demo_world.clock)
    with pytest.raises(AccessDeniedError, match="no live MFA session: run `mfa-tui refresh alice` first"):
        flow.remove(serial)
    assert [d.serial for d in flow.devices()] == [serial]
    refused = local_aws.count("DeactivateMFADevice")
    flow = _with_session(demo_world)
    flow.remove(serial)
    assert local_aws.count("DeactivateMFADevice") - refused == 1  # straight to the MFA session
    assert flow.devices() == []
    assert serial not in _virtual_serials(demo_world)
    with pytest.raises(AwsError, match="no MFA device"):
        flow.remove(serial)


def test_iam_calls_with_a_non_mfa_session_token_are_explained(demo_world):
    bob_id, bob_secret = demo_world.keys("bob")
    client = aws.client("sts", access_key_id=bob_id, secret_access_key=bob_secret, endpoint_url=demo_world.endpoint)
    creds = sts.get_session_token(client, serial=None, code=None, duration=3600, what="bob", clock=demo_world.clock)
    iam = aws.client(
        "iam", access_key_id=creds.access_key_id, secret_access_key=creds.secret_access_key,
        session_token=creds.session_token, endpoint_url=demo_world.endpoint,
    )
    flow = Enrolment(iam, "bob", demo_world.clock, temporary_keys=True)
    with pytest.raises(AccessDeniedError, match="session token that has no MFA; enrol with the user's long-term"):
        flow.devices()
    with pytest.raises(AccessDeniedError, match="refused iam:ResyncMFADevice"):
        flow.resync(BOB_SERIAL, "123456", "654321")


def test_temporary_keys_in_the_source_profile_are_refused(demo_world):
    text = demo_world.credentials_path.read_text()
    demo_world.credentials_path.write_text(
        text.replace("[bob-long-term]\n", "[bob-long-term]\naws_session_token = FwoGZXIvYXdzEXAMPLE\n")
    )
    with pytest.raises(CredentialsFileError, match="holds temporary credentials, not long-term keys"):
        _bob(demo_world)


def test_unknown_identity_is_named(demo_world):
    with pytest.raises(ConfigError, match="identity 'carol' is not in .*identities: alice, bob"):
        open_enrolment(registry.load(demo_world.config_path), "carol", clock=demo_world.clock)


def test_aws_failures_while_creating_leave_no_device(demo_world, local_aws):
    flow = _bob(demo_world, client_factory=functools.partial(aws.client, max_attempts=1))
    local_aws.faults.set(error_rate=1.0, actions={"CreateVirtualMFADevice"})
    with pytest.raises(AwsError, match="iam:CreateVirtualMFADevice") as info:
        with flow:
            flow.create()
    assert "InternalError" in str(info.value)
    local_aws.faults.clear()
    assert _virtual_serials(demo_world) == [demo_world.alice_serial]


def test_registry_write_failure_after_enabling_says_what_to_add(demo_world):
    flow = _bob(demo_world)
    flow.create()
    codes = _pair(flow.secret(), demo_world.clock)
    demo_world.config_path.chmod(0o400)  # the user made the registry read-only
    try:
        with pytest.raises(FileError) as info:
            flow.enable(*codes)
    finally:
        demo_world.config_path.chmod(0o600)
    message = str(info.value)
    assert f"device {BOB_SERIAL} is enabled" in message
    assert f'set mfa_serial = "{BOB_SERIAL}" in [identities.bob] by hand' in message
    assert flow.enabled and not flow.has_secret


def test_enrolling_another_user_leaves_the_identity_alone(demo_world, local_aws):
    flow = open_enrolment(registry.load(demo_world.config_path), "alice", clock=demo_world.clock, user_name="bob")
    assert flow.user_name == "bob" and flow.registry_path is None
    flow.create()
    assert flow.enable(*_pair(flow.secret(), demo_world.clock)) == BOB_SERIAL
    reg = registry.load(demo_world.config_path)
    assert reg.identities["alice"].mfa_serial == demo_world.alice_serial
    assert reg.identities["bob"].mfa_serial is None
