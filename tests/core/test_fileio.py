"""Stale temp files: what a writer killed mid-write leaves beside its target, and who sweeps it.

Killed writers are real processes (SIGKILLed just before the rename, so their temp file
is left exactly as a crash leaves it); ages are made by setting real files' mtimes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mfa_tui.core import fileio
from mfa_tui.core.fileio import DEAD_WRITER_AGE, ORPHAN_AGE, atomic_write, sweep_stale_temp_files
from mfa_tui.core.session.state import StateStore

# A real writer: atomic_write with the rename replaced by the process killing itself, so the
# temp file is written, fsynced and left behind, and the writer's pid is gone.
KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
from mfa_tui.core.fileio import atomic_write
print(os.getpid(), flush=True)
atomic_write(Path(sys.argv[1]), b"[dev]\\naws_secret_access_key = leaked-by-a-killed-writer\\n")
"""


def killed_writer(target: Path) -> tuple[int, Path]:
    """Run a writer of ``target`` that is SIGKILLed mid-write; its pid and the temp file it left."""
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    pid = int(proc.stdout.split()[0])
    left = [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.{pid}.")]
    assert len(left) == 1, sorted(p.name for p in target.parent.iterdir())
    return pid, left[0]


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look ``seconds`` old (mtime), without following a symlink."""
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


@pytest.fixture
def target(tmp_path) -> Path:
    path = tmp_path / "aws" / "credentials"
    path.parent.mkdir()
    path.write_bytes(b"[user]\naws_access_key_id = AKIAUSER\n")
    return path


def test_temp_names_carry_the_writers_pid(target):
    pid, left = killed_writer(target)
    assert left.name.startswith(f".credentials.{pid}.") and left.name.endswith(".tmp")
    # What it left holds a secret, so it was as private as the file it would have replaced.
    assert left.stat().st_mode & 0o077 == 0
    assert target.read_bytes() == b"[user]\naws_access_key_id = AKIAUSER\n"


def test_a_killed_writers_temp_file_is_swept_by_the_next_write_at_once(target):
    _, left = killed_writer(target)
    # Just left, but its writer is provably gone: its pid, of this pid namespace, no longer runs.
    atomic_write(target, b"one\n")
    assert not left.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["credentials"]
    assert target.read_bytes() == b"one\n"


def test_a_live_writers_temp_file_is_kept_until_it_is_an_orphan(target):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        names = [f".credentials.{sleeper.pid}.abcd_123.tmp", f".credentials.{os.getpid()}.efgh_456.tmp"]
        for name in names:
            (target.parent / name).write_bytes(b"in flight")
            age(target.parent / name, ORPHAN_AGE - 60)
        atomic_write(target, b"new\n")
        assert all((target.parent / name).exists() for name in names)
        # A pid alive for that long is a reused pid (or a hung writer): the age decides.
        for name in names:
            age(target.parent / name, ORPHAN_AGE + 1)
        atomic_write(target, b"newer\n")
        assert not any((target.parent / name).exists() for name in names)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_pidless_temp_files_of_earlier_versions_are_swept_by_age_only(target):
    legacy = target.parent / ".credentials.ab_12xyz.tmp"
    legacy.write_bytes(b"secret")
    age(legacy, ORPHAN_AGE - 60)
    assert sweep_stale_temp_files(target) == []
    age(legacy, ORPHAN_AGE + 1)
    assert sweep_stale_temp_files(target) == [legacy]
    assert not legacy.exists()


def test_nothing_but_the_targets_own_temp_files_is_ever_touched(target):
    directory = target.parent
    pid, left = killed_writer(target)
    others = [
        ".credentials.mine.tmp",  # random part not as mkstemp makes it
        f".credentials.{pid}.abcd_123.tmp.bak",
        f".credentials.{pid}.abcd_1234.tmp",
        f"credentials.{pid}.abcd_123.tmp",  # no leading dot
        f".config.{pid}.abcd_123.tmp",  # another target's
        f".credentials-old.{pid}.abcd_123.tmp",
        ".credentials.ABCD_123.tmp",
        "credentials.bak",
        ".credentials.mfa-tui.lock",
    ]
    for name in others:
        (directory / name).write_bytes(b"user's")
    # Named like a temp file but a directory, or a symlink (to a file that must survive).
    (directory / f".credentials.{pid}.dir_0001.tmp").mkdir()
    precious = directory / "precious"
    precious.write_bytes(b"user's")
    link = directory / f".credentials.{pid}.link_001.tmp"
    link.symlink_to(precious)
    for path in [*directory.iterdir()]:
        age(path, ORPHAN_AGE * 10)

    removed = sweep_stale_temp_files(target)

    assert removed == [left]
    for name in [*others, "precious"]:
        assert (directory / name).read_bytes() == b"user's", name
    assert (directory / f".credentials.{pid}.dir_0001.tmp").is_dir() and link.is_symlink()
    assert target.read_bytes() == b"[user]\naws_access_key_id = AKIAUSER\n"


def test_a_missing_directory_is_not_an_error(tmp_path):
    assert sweep_stale_temp_files(tmp_path / "nowhere" / "credentials") == []


def test_the_state_file_sweeps_its_killed_writers_temp_files(tmp_path):
    def note(text):
        def apply(state):
            state.profile("dev").last_error = text

        return apply

    store = StateStore(tmp_path / "state")
    store.update(note("first"))
    _, left = killed_writer(store.path)
    age(left, DEAD_WRITER_AGE + 1)
    store.update(note("second"))
    assert not left.exists()
    assert sorted(p.name for p in store.directory.iterdir()) == [store.path.name, f"{store.path.name}.lock"]
    assert store.load().profiles["dev"].last_error == "second"


def test_the_temp_prefix_is_what_the_sweep_recognises(target):
    name = fileio.tempfiles.temp_prefix(target) + "abcd_123.tmp"
    assert fileio.tempfiles.temp_pattern(target).match(name).group(1) == str(os.getpid())
