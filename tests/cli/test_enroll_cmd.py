"""``mfa-tui enroll`` driven as a real process over pipes (and a pty), against the local AWS."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pyotp
import pytest

from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import totp_step
from mfa_tui.core.enroll.qr import qr_matrix
from mfa_tui.core.service.facade import Service
from qr_support import parse_lines

BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"
QR_CHARS = set(" ▀▄█")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _command(world, *args: str) -> list[str]:
    return [sys.executable, "-m", "mfa_tui", "--config", str(world.config_path), "enroll", *args]


def _start(world, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        _command(world, *args), stdin=subprocess.PIPE, stdout=kwargs.pop("stdout", subprocess.PIPE),
        stderr=subprocess.PIPE, text=True, **kwargs,
    )


def _read_until_secret(proc: subprocess.Popen) -> list[str]:
    """stdout lines up to and including the URI line (the process then waits for codes)."""
    lines: list[str] = []
    while True:
        line = proc.stdout.readline()
        assert line, f"process ended early: {proc.stderr.read()}"
        lines.append(line.rstrip("\n"))
        if line.startswith("URI:"):
            return lines


def _field(lines: list[str], name: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in lines if line.startswith(f"{name}:"))


def _qr_block(lines: list[str]) -> list[str]:
    block = [line for line in lines if line and set(line) <= QR_CHARS and len(line) > 20]
    assert block, "no QR code printed"
    return block


def _virtual_serials(world) -> list[str]:
    page = world.client("iam", "alice").list_virtual_mfa_devices()
    return [d["SerialNumber"] for d in page["VirtualMFADevices"]]


def _refresh(world, identity: str = "alice") -> None:
    """Give ``identity`` a live MFA session (deleting a device needs MFA under its force-MFA policy)."""
    world.clock.set(datetime.now(UTC))  # the command checks expiry against the real clock
    service = Service.open(world.config_path, clock=world.clock)
    report = service.refresh(service.select([identity]), lambda _req: world.code(identity))
    assert all(r.ok for r in report.results.values()), report.results


LEFT_BEHIND = "stays unassigned and grants nothing; the identity's policy lets it be deleted only with MFA"
ALICE_BACKUP = "arn:aws:iam::111111111111:mfa/alice-backup"


def _codes_now(seed: str, clock) -> str:
    """Two consecutive codes (current step, next step), with the local AWS's clock set to real time."""
    clock.set(datetime.now(UTC))
    step = totp_step(clock.now())
    totp = pyotp.TOTP(seed)
    return f"{totp.generate_otp(step)}\n{totp.generate_otp(step + 1)}\n"


def test_enroll_bob_over_pipes(demo_world, local_aws):
    proc = _start(demo_world, "bob")
    lines = _read_until_secret(proc)
    assert "IAM user bob (account 111111111111) has 0 of 8 MFA devices." in lines
    seed, uri = _field(lines, "Secret"), _field(lines, "URI")
    assert seed == local_aws.device_seed(BOB_SERIAL)
    assert _field(lines, "Device") == BOB_SERIAL
    # Not a terminal: drawn for light-on-dark (inverted), and it decodes to the URI's matrix.
    matrix = qr_matrix(uri)
    assert parse_lines(_qr_block(lines), invert=True)[: len(matrix)] == matrix

    out, err = proc.communicate(_codes_now(seed, demo_world.clock), timeout=60)
    assert proc.returncode == 0, err
    assert f"Enabled {BOB_SERIAL} for IAM user bob." in out
    assert "Recorded mfa_serial in [identities.bob]" in out
    assert "current code (" in err and "s left in this step)" in err
    assert registry.load(demo_world.config_path).identities["bob"].mfa_serial == BOB_SERIAL
    assert local_aws.count("EnableMFADevice") == 1
    assert seed not in err


def test_wrong_codes_then_end_of_input_cancel_and_delete(demo_world, local_aws):
    _refresh(demo_world)  # alice's live MFA session deletes the unfinished device
    proc = _start(demo_world, "alice", "--device-name", "alice-backup")
    seed = _field(_read_until_secret(proc), "Secret")
    step = totp_step(datetime.now(UTC))
    code = pyotp.TOTP(seed).generate_otp(step)
    out, err = proc.communicate(f"{code}\n{code}\n", timeout=60)
    assert proc.returncode == 1
    assert "the two codes are the same" in err
    assert f"enrolment cancelled; deleted the unfinished device {ALICE_BACKUP}" in err
    assert "Traceback" not in err
    assert local_aws.count("EnableMFADevice") == 0
    assert ALICE_BACKUP not in _virtual_serials(demo_world)
    assert registry.load(demo_world.config_path).identities["alice"].mfa_serial == demo_world.alice_serial


def test_cancel_without_an_mfa_session_leaves_the_device_and_says_how(demo_world, local_aws):
    proc = _start(demo_world, "bob")
    _read_until_secret(proc)
    out, err = proc.communicate("", timeout=60)  # end of input: cancel
    assert proc.returncode == 1 and "Traceback" not in err
    [line] = [line for line in err.splitlines() if "enrolment cancelled" in line]
    assert f"the unfinished device {BOB_SERIAL} {LEFT_BEHIND}" in line
    assert f"aws iam delete-virtual-mfa-device --serial-number {BOB_SERIAL} --profile bob" in line
    assert BOB_SERIAL in _virtual_serials(demo_world)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 130)])
def test_interrupt_at_the_prompt_deletes_the_device(demo_world, sig, code):
    _refresh(demo_world)
    proc = _start(demo_world, "alice", "--device-name", "alice-backup")
    _read_until_secret(proc)
    assert ALICE_BACKUP in _virtual_serials(demo_world)
    time.sleep(0.2)  # let it reach the prompt (a signal earlier is handled the same way)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "deleted the unfinished device" in err and "Traceback" not in err
    assert ALICE_BACKUP not in _virtual_serials(demo_world)


def test_a_taken_name_asks_for_another(demo_world, local_aws):
    demo_world.client("iam", "bob").create_virtual_mfa_device(VirtualMFADeviceName="bob")
    proc = _start(demo_world, "bob")
    proc.stdin.write("n\nbob-phone\n")
    proc.stdin.flush()
    lines = _read_until_secret(proc)
    assert any("already exists; an unassigned device" in line for line in lines)
    assert _field(lines, "Device") == "arn:aws:iam::111111111111:mfa/bob-phone"
    out, err = proc.communicate("", timeout=60)  # end of input: cancel
    assert proc.returncode == 1
    # No MFA session: bob-phone stays unassigned, said in one line.
    assert LEFT_BEHIND in err
    bob_phone = "arn:aws:iam::111111111111:mfa/bob-phone"
    assert sorted(_virtual_serials(demo_world)) == sorted([demo_world.alice_serial, BOB_SERIAL, bob_phone])


def test_ansi_black_on_white_on_a_terminal(demo_world):
    master, slave = pty.openpty()
    proc = _start(demo_world, "bob", stdout=slave)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + 60
    while b"URI:" not in data or not data.endswith(b"\n"):
        assert time.monotonic() < deadline, data[-500:]
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            data += os.read(master, 65536)
    proc.stdin.close()  # end of input: cancel
    proc.wait(timeout=60)
    os.close(master)
    text = data.decode()
    lines = text.replace("\r\n", "\n").split("\n")
    qr = [line for line in lines if line.startswith("\x1b[30;107m")]
    assert qr and all(line.endswith("\x1b[0m") for line in qr)
    uri = _field(lines, "URI")
    matrix = qr_matrix(uri)
    assert parse_lines([ANSI.sub("", line) for line in qr])[: len(matrix)] == matrix
    assert proc.returncode == 1
    assert BOB_SERIAL in _virtual_serials(demo_world)  # left unassigned: bob has no MFA session


def test_resync_alice(demo_world, local_aws):
    serial = demo_world.alice_serial
    codes = f"{local_aws.current_code(serial, offset_steps=4)}\n{local_aws.current_code(serial, offset_steps=5)}\n"
    result = subprocess.run(_command(demo_world, "alice", "--resync"), input=codes, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"Resynced {serial}." in result.stdout
    assert local_aws.count("ResyncMFADevice") == 1


def test_resync_with_refused_codes_fails_cleanly(demo_world, local_aws):
    result = subprocess.run(
        _command(demo_world, "alice", "--resync", demo_world.alice_serial),
        input="000001\n000002\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "AWS refused the codes" in result.stderr and "Traceback" not in result.stderr


def _run_on_a_terminal(world, *args: str, answer: str) -> tuple[int, str]:
    """Run with stdin and stderr on a pty (so it may ask), type ``answer``; returns (exit code, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(_command(world, *args), stdin=slave, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + 60
    while b"Type yes" not in data:
        assert time.monotonic() < deadline and proc.poll() is None, data[-500:]
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            data += os.read(master, 65536)
    os.write(master, answer.encode() + b"\n")
    out, _ = proc.communicate(timeout=60)
    while select.select([master], [], [], 0.2)[0]:  # what it said after the answer (stderr is the pty)
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other end is closed and nothing is left
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return proc.returncode, data.decode() + out


def test_delete_asks_first(demo_world, local_aws):
    serial = demo_world.alice_serial
    code, out = _run_on_a_terminal(demo_world, "alice", "--delete", serial, answer="no")
    assert code == 1 and "Not deleted." in out and "Deactivate and delete" in out
    assert serial in _virtual_serials(demo_world)
    assert local_aws.count("DeactivateMFADevice") == 0

    # Without a live MFA session the force-MFA policy refuses: one line, non-zero.
    code, out = _run_on_a_terminal(demo_world, "alice", "--delete", serial, answer="yes")
    assert code != 0 and "run `mfa-tui refresh alice` first" in out and "Traceback" not in out
    assert serial in _virtual_serials(demo_world)

    _refresh(demo_world)
    code, out = _run_on_a_terminal(demo_world, "alice", "--delete", serial, answer="yes")
    assert code == 0, out
    assert f"Deleted {serial}." in out
    assert "[identities.alice] still names it" in out
    assert serial not in _virtual_serials(demo_world)


def test_unknown_identity_is_one_line(demo_world):
    result = subprocess.run(_command(demo_world, "carol"), input="", capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"mfa-tui: identity 'carol' is not in {demo_world.config_path} (identities: alice, bob)"
    ]
