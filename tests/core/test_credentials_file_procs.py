"""The credentials writer across processes: concurrent writers and writers killed mid-write.

Writers are real subprocesses (tests/core/credfile_writer.py) on a real file, so the
file lock and the atomic rename are what is tested, not threads sharing one object.
"""

from __future__ import annotations

import configparser
import os
import random
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.fileio import DEAD_WRITER_AGE

WRITER = Path(__file__).with_name("credfile_writer.py")
# The writer script is also where the expected values come from (works in any import mode).
credentials = runpy.run_path(str(WRITER))["credentials"]

USER_PART = "".join(
    f"# account {i}\n[user-{i}]\naws_access_key_id=AKIAUSER{i:04d}\naws_secret_access_key = s{i}\n; note {i}\n\n"
    for i in range(120)
)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_concurrent_writers_never_lose_each_others_profiles(isolated_home):
    path = isolated_home / ".aws" / "credentials"
    path.parent.mkdir()
    path.write_text(USER_PART)
    writers, rounds = 4, 15
    procs = [spawn("rounds", str(path), f"w{i}", str(rounds)) for i in range(writers)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    text = path.read_text()
    assert text.startswith(USER_PART)
    sections = CredentialsFile(path).read()
    for i in range(writers):
        for r in range(rounds):
            name = f"w{i}-{r}"
            assert sections[name]["aws_session_token"] == credentials(name, r).session_token
        live = f"w{i}-live"
        assert sections[live]["aws_session_token"] == credentials(live, rounds - 1).session_token
    assert len(sections) == 120 + writers * (rounds + 1)


def _kill_rounds(home: Path, kills: int) -> None:
    path = home / ".aws" / "credentials"
    path.parent.mkdir()
    path.write_text(USER_PART)
    CredentialsFile(path).write([ProfileCredentials("victim", credentials("victim", 0))])
    base = path.read_bytes()
    expected: dict[int, bytes] = {0: base}

    def expect(n: int) -> bytes:
        # In-place updates make the file a function of the last completed write only.
        if n not in expected:
            scratch = home / "scratch" / "credentials"
            scratch.parent.mkdir(exist_ok=True)
            scratch.write_bytes(base)
            CredentialsFile(scratch).write([ProfileCredentials("victim", credentials("victim", n))])
            expected[n] = scratch.read_bytes()
        return expected[n]

    rng = random.Random(1234)
    seen = set()
    for _ in range(kills):
        before = path.read_bytes()
        proc = spawn("loop", str(path), "victim")
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        # Let 0-3 writes complete (the writer says so), then kill at a random moment of the
        # next one: progress-based rather than time-based, so a loaded machine changes nothing.
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            assert proc.stdout.readline().strip() == "w"
        try:
            proc.wait(timeout=rng.uniform(0.0001, 0.08))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
        data = path.read_bytes()
        parser = configparser.RawConfigParser()
        parser.read_string(data.decode())  # never truncated: it parses
        token = parser.get("victim", "aws_session_token")
        n = int(token.split("-")[2])
        assert data == before or data == expect(n), f"file after kill is neither old nor new (n={n})"
        seen.add(n)
    # The kills landed at different points, not always before the first write.
    assert len(seen) >= 3
    # Temp files of killed writers (they hold secrets) are swept by the next write once they
    # are a few seconds old (their writers are gone: the pid in each name no longer runs).
    then = time.time() - DEAD_WRITER_AGE - 1
    for leftover in path.parent.glob(".credentials.*.tmp"):
        os.utime(leftover, (then, then))
    CredentialsFile(path).write([ProfileCredentials("victim", credentials("victim", 1))])
    assert sorted(p.name for p in path.parent.iterdir()) == [".credentials.mfa-tui.lock", "credentials"]


@pytest.mark.soak
def test_writer_killed_at_random_moments_leaves_old_or_new_file(isolated_home, soak_scale):
    """500 SIGKILLs at full size (MFA_TUI_SOAK_SCALE=1); the default run does a quarter (tests/soak.py)."""
    _kill_rounds(isolated_home, max(20, int(500 * soak_scale)))


def test_lock_is_released_when_a_holder_is_killed(isolated_home):
    """A writer killed while holding the lock must not block the next one (flock dies with it)."""
    path = isolated_home / ".aws" / "credentials"
    proc = spawn("loop", str(path), "victim")
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    CredentialsFile(path).write([ProfileCredentials("after", credentials("after", 1))])
    assert "after" in CredentialsFile(path).read()
