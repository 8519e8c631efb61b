"""Faults, end to end: the files are always the old version or the new one, foreign sections intact.

- the local AWS killed (SIGKILL) in the middle of a refresh;
- the ``mfa-tui`` process SIGKILLed at random moments while it refreshes and writes, many times;
- two ``mfa-tui`` processes refreshing overlapping profiles at the same time;
- a full disk: ENOSPC injected into the writes of one directory, and (when this machine lets
  us mount one) a real, full tmpfs;
- a read-only credentials file.

Writer-level cases (the lock, the atomic rename, kills of a bare writer) are in
tests/core/test_credentials_file_procs.py; these go through the CLI and the Service.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rel_helpers import Codes, add_foreign_sections, check_credentials_file, figure, mfa, scaled, sections

from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.models import ProfileKind, State
from mfa_tui.core.session.refresh import WRITING, Progress
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import StateStore
from mfa_tui.localaws.demo import demo_code

HELPER = Path(__file__).with_name("rel_refresher.py")
CHAINED = ["dev-admin", "dev-readonly", "staging-admin", "staging-readonly", "prod-admin", "prod-readonly"]


def _helper(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HELPER), *args], text=True, **kwargs)


def _session_ready(world, clock) -> Service:
    """alice's MFA session and every chained role, refreshed once with one code."""
    service = Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=clock)
    report = service.refresh(service.select(["alice", *CHAINED]), Codes(world))
    assert not report.failed, report.failed[0].message
    return service


def _state_is_whole(names: list[str]) -> None:
    store = StateStore()
    state = store.load()
    assert store.warnings == [], store.warnings
    for name in names:
        assert state.profiles[name].credentials is not None, name


def _leftovers(*dirs: Path) -> list[Path]:
    return [p for d in dirs for p in d.glob(".*.tmp")]


# ── the local AWS dies ──────────────────────────────────────────────────────────────────────


def test_local_aws_killed_mid_refresh(demo_server):
    server = demo_server(accounts=4, roles_per_account=3)
    world_home = server.home
    credentials = world_home / ".aws" / "credentials"
    before = add_foreign_sections(credentials)
    config = Path(world_home / ".config" / "mfa-tui" / "config.toml")
    registry_edit.set_value(config, ("settings",), "refresh_concurrency", 16)
    registry_before = config.read_bytes()
    service = Service.open()
    profiles = [p for p in service.registry.profiles.values() if p.kind is not ProfileKind.DIRECT_ROLE]
    done: list[str] = []

    def progress(event: Progress) -> None:
        # Credentials in hand (VALID comes only after the commit, which the kill must precede).
        if event.state is State.REFRESHING and event.message == WRITING:
            done.append(event.profile)
            if len(done) == 4:  # the MFA session and three roles are done: pull the plug
                server.kill()

    report = service.refresh(profiles, lambda _request: demo_code(world_home)[0], progress=progress)

    assert server.process.returncode == -signal.SIGKILL
    assert set(report.results) == {p.name for p in profiles}
    failed = {r.profile: r.message for r in report.failed}
    assert failed and len(report.succeeded) >= 4
    for name, message in failed.items():
        # Calls sent after the kill "cannot reach" it; a call whose answer the kill cut off says
        # the endpoint "sent an incomplete or unreadable response" (see the test below).
        assert message.startswith(f"profile {name}: ") and "\n" not in message, message
        assert "unexpected" not in message and server.endpoint in message, message
    assert any(m.startswith(f"profile {n}: cannot reach {server.endpoint}") for n, m in failed.items())
    written = check_credentials_file(credentials, before)
    state = StateStore().load()
    for result in report.succeeded:
        assert written[result.profile]["aws_access_key_id"] == result.credentials.access_key_id
        assert state.profiles[result.profile].credentials == result.credentials
    for name, message in failed.items():
        assert name not in written and state.profiles[name].last_error == message
    # The MFA session made before the kill is kept: once AWS is back, no new code is needed.
    assert state.identities["alice"].mfa_credentials is not None
    assert config.read_bytes() == registry_before

    status = mfa("status")
    assert status.returncode == 0 and "Traceback" not in status.stderr
    assert f"cannot reach {server.endpoint}" in status.stdout


def test_an_answer_cut_off_mid_body_gets_a_clear_reason():
    """The local AWS killed while it answers: the client sees half a response."""
    from mfa_tui.core.aws import clients as aws
    from mfa_tui.core.aws import sts
    from mfa_tui.core.clock import SystemClock
    from mfa_tui.core.errors import AwsError

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(10)  # closing it does not wake a blocked accept()
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"

        def answer_half() -> None:
            for _ in range(4):  # botocore may retry
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<GetCaller")

        threading.Thread(target=answer_half, daemon=True).start()
        client = aws.client("sts", aws.Keys("AKIAEXAMPLE", "not-a-secret"), endpoint_url=endpoint, max_attempts=2)
        with pytest.raises(AwsError) as caught:
            sts.caller_identity(client, what="profile dev-admin", clock=SystemClock(), endpoint=endpoint)
    message = str(caught.value)
    assert message.startswith("profile dev-admin: ") and endpoint in message and "unexpected" not in message
    assert "incomplete or unreadable response" in message and "\n" not in message
    assert "not-a-secret" not in message


# ── mfa-tui killed mid-write ────────────────────────────────────────────────────────────────


def _registry_versions(config: Path, scratch: Path) -> set[bytes]:
    """Every registry text the refresher's theme saves can produce."""
    scratch.write_bytes(config.read_bytes())
    versions = {scratch.read_bytes()}
    for theme in ("mfa-dark", "mfa-light", "mfa-dark"):
        registry_edit.set_value(scratch, ("settings",), "theme", theme)
        versions.add(scratch.read_bytes())
    return versions


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} did not die")


def _first_round(forks: subprocess.Popen, errors: Path) -> int:
    """The new child's pid, once it has finished its first round (start-up is over).

    Lines from children killed earlier may still be in the pipe; each names its pid."""
    pid, done = None, set()
    while pid is None or pid not in done:
        line = forks.stdout.readline().split()
        assert line, f"the fork server ended: {errors.read_text()}"
        assert line[0] != "exit", f"a refresh failed: {errors.read_text()}"
        if line[0] == "child":
            pid = int(line[1])
        elif line[0] == "round" and line[1] == "1":
            done.add(int(line[2]))
    return pid


@pytest.mark.soak
def test_mfa_tui_sigkilled_mid_write_many_times(demo_world, frozen_clock, capsys):
    """Many kills at random moments of a refresh (full soak: 120; the default run: 30)."""
    kills = scaled(120, minimum=12)
    world = demo_world
    _session_ready(world, frozen_clock)
    before = add_foreign_sections(world.credentials_path)
    registry_versions = _registry_versions(world.config_path, world.home / "scratch.toml")
    backup = world.config_path.with_name(world.config_path.name + ".bak")
    rng = random.Random(7)
    errors = world.home / "forks.stderr"
    with open(errors, "w") as err:
        forks = _helper("forks", "--theme", *CHAINED, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    try:
        assert forks.stdout.readline().strip() == "ready", errors.read_text()
        for _ in range(kills):
            forks.stdin.write("go\n")
            forks.stdin.flush()
            pid = _first_round(forks, errors)
            time.sleep(rng.uniform(0.0, 0.2))  # then a random moment of a later round
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)
            # Old or new, never a mix; nothing foreign touched; every profile still there.
            found = check_credentials_file(world.credentials_path, before, world.aws.ledger)
            assert set(CHAINED) <= set(found)
            assert world.config_path.read_bytes() in registry_versions
            if backup.exists():
                assert backup.read_bytes() in registry_versions
            _state_is_whole(CHAINED)
    finally:
        forks.stdin.close()
        forks.wait(timeout=10)
        forks.stdout.close()
    litter = _leftovers(world.credentials_path.parent, world.state_dir, world.config_path.parent)
    figure("mfa-tui SIGKILLed mid-refresh", capsys, kills=kills, temp_files_left=len(litter))
    # A temp file left by a kill holds secrets: it must be as private as the file it would replace.
    for path in litter:
        assert path.stat().st_mode & 0o077 == 0, path


# ── two processes at once ───────────────────────────────────────────────────────────────────


def test_two_processes_refreshing_overlapping_profiles(demo_world, frozen_clock):
    _session_ready(demo_world, frozen_clock)
    before = add_foreign_sections(demo_world.credentials_path)
    first, second = ["alice", *CHAINED[:4]], CHAINED[2:]
    registry_before = demo_world.config_path.read_bytes()
    rounds = "12"
    procs = [
        _helper("rounds", rounds, *names, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for names in (first, second)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    found = check_credentials_file(demo_world.credentials_path, before, demo_world.aws.ledger)
    _state_is_whole(["alice", *CHAINED])
    assert demo_world.config_path.read_bytes() == registry_before
    now = frozen_clock.now()
    for name in CHAINED:
        issued = demo_world.aws.ledger.lookup(found[name]["aws_access_key_id"])
        assert issued.expiration > now and issued.kind == "role"
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    assert {s.state for s in service.statuses(["alice", *CHAINED])} == {State.VALID}
    # Each process wrote every round; both were at it at the same time: 12 + 12 role sessions each.
    assert demo_world.aws.count("AssumeRole") >= 6 + 2 * 12 * 4


# ── disk full ───────────────────────────────────────────────────────────────────────────────


def _enospc(*dirs: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HELPER), "enospc", *map(str, dirs), "--", *args],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


def test_disk_full_under_the_credentials_file(demo_world, frozen_clock):
    _session_ready(demo_world, frozen_clock)
    before = add_foreign_sections(demo_world.credentials_path)
    registry_before = demo_world.config_path.read_bytes()
    frozen_clock.advance(60)
    result = _enospc(demo_world.credentials_path.parent, args=["refresh", *CHAINED[:2]])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for name in CHAINED[:2]:
        assert f"{name}: failed: not written: {demo_world.credentials_path}: cannot write: the disk is full" in result.stderr
    assert demo_world.credentials_path.read_bytes() == before
    assert _leftovers(demo_world.credentials_path.parent) == []
    state = StateStore().load()
    assert "the disk is full" in state.profiles[CHAINED[0]].last_error
    assert demo_world.config_path.read_bytes() == registry_before


def test_disk_full_everywhere_is_one_line(demo_world, frozen_clock):
    _session_ready(demo_world, frozen_clock)
    before = add_foreign_sections(demo_world.credentials_path)
    state_before = (demo_world.state_path).read_bytes()
    registry_before = demo_world.config_path.read_bytes()
    result = _enospc(demo_world.credentials_path.parent, demo_world.state_dir, args=["refresh", *CHAINED[:2]])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mfa-tui: ") and f"{demo_world.state_path.name}: cannot write: the disk is full" in last
    assert demo_world.credentials_path.read_bytes() == before
    assert (demo_world.state_path).read_bytes() == state_before
    assert _leftovers(demo_world.credentials_path.parent, demo_world.state_dir) == []
    assert demo_world.config_path.read_bytes() == registry_before


def test_disk_full_under_the_state_only_keeps_the_new_credentials(demo_world, frozen_clock):
    """The credentials file is written first; a state that cannot follow is the old state, named."""
    _session_ready(demo_world, frozen_clock)
    before = add_foreign_sections(demo_world.credentials_path)
    state_before = (demo_world.state_path).read_bytes()
    result = _enospc(demo_world.state_dir, args=["refresh", *CHAINED[:2]])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the disk is full" in result.stderr.strip().splitlines()[-1]
    found = check_credentials_file(demo_world.credentials_path, before, demo_world.aws.ledger)
    assert (demo_world.state_path).read_bytes() == state_before
    assert set(CHAINED) <= set(found)


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 256 KiB tmpfs, when this machine lets the test mount one (root, no sandbox)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_on_a_real_full_filesystem(demo_world, frozen_clock, tiny_tmpfs):
    _session_ready(demo_world, frozen_clock)
    credentials = tiny_tmpfs / "credentials"
    credentials.write_bytes(demo_world.credentials_path.read_bytes())
    credentials.chmod(0o600)
    before = add_foreign_sections(credentials)
    with open(tiny_tmpfs / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass  # full
    result = mfa("refresh", *CHAINED[:2], env={"AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the disk is full" in result.stderr
    assert credentials.read_bytes() == before
    assert _leftovers(tiny_tmpfs) == []


# ── read-only credentials file ──────────────────────────────────────────────────────────────


def test_read_only_credentials_file_is_refused_and_left_alone(demo_world, frozen_clock):
    _session_ready(demo_world, frozen_clock)
    before = add_foreign_sections(demo_world.credentials_path)
    demo_world.credentials_path.chmod(0o400)
    registry_before = demo_world.config_path.read_bytes()
    result = mfa("refresh", *CHAINED[:3])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is read-only (mode 0400)" in result.stderr and f"chmod u+w {demo_world.credentials_path}" in result.stderr
    assert demo_world.credentials_path.read_bytes() == before
    assert demo_world.credentials_path.stat().st_mode & 0o777 == 0o400
    assert demo_world.config_path.read_bytes() == registry_before
    rows = {r.profile: r for r in Service.open(clock=frozen_clock).statuses(CHAINED[:3])}
    # Each row names the refusal; one whose earlier credentials still work stays valid beside it.
    assert all("read-only" in r.last_error for r in rows.values())
    assert all(r.state is (State.ERROR if r.expires_at is None else State.VALID) for r in rows.values())
    assert sections(demo_world.credentials_path)["personal"]["aws_access_key_id"] == "AKIAPERSONAL00000001"
