"""Files that are not what a plain write or read expects: bind mounts, hard links, named pipes, killed writers.

- A bind-mounted file (Docker's ``-v ~/.aws/credentials:…``) cannot be renamed over (EBUSY):
  it is written in place under the lock, with the previous content kept beside it while the
  write runs, and the caller is told once.
- A hard-linked file would be split from its other names by a rename: it is written in place too.
- A named pipe (or a device, socket or directory) where the credentials file, ~/.aws/config or
  the registry should be would block ``open()`` forever: every command that reads it ends at once
  with one line naming the file, which is left as it is. At the state file (mfa-tui's own) it is
  moved aside with a one-line warning, as a corrupt state is.
- A temp file left by a writer that is provably gone (its pid, named in the temp name, no longer
  runs in this pid namespace) is swept by the next write at once, however young.

Bind mounts are real (``mount --bind``, root only: skipped where mounting is not permitted).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mfa_tui.core import fileio
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.errors import FileError
from mfa_tui.core.fileio import DEAD_WRITER_AGE, atomic_write, take_warnings
from mfa_tui.core.models import Credentials
from mfa_tui.core.session.state import StateStore

USERS = b"# the user's own\n[user]\naws_access_key_id = AKIAUSER\naws_secret_access_key = keep-me\n"


def creds(n: int) -> Credentials:
    return Credentials(f"ASIA{n:016d}", f"secret-{n}", f"token-{n}",
                       expiration=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))


def leftovers(directory: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@contextmanager
def bind_mounted(source: Path, target: Path):
    """``source`` bind-mounted over the (created) file ``target``; skips the test where mounting is not permitted."""
    target.touch()
    done = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        if os.geteuid() != 0 or "permission denied" in done.stderr.lower() or "must be superuser" in done.stderr:
            pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
        raise AssertionError(done.stderr)
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


# ── 2. a bind-mounted file ───────────────────────────────────────────────────
def test_a_bind_mounted_credentials_file_is_written_in_place_and_said_once(tmp_path):
    host = tmp_path / "host" / "credentials"
    host.parent.mkdir()
    host.write_bytes(USERS)
    os.chmod(host, 0o600)
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    take_warnings()
    with bind_mounted(host, aws / "credentials") as path:
        with pytest.raises(OSError) as renamed:  # the premise: a rename over it fails
            (aws / "other").write_bytes(b"")
            os.replace(aws / "other", path)
        assert renamed.value.errno in (errno.EBUSY, errno.EXDEV)
        os.unlink(aws / "other")
        file = CredentialsFile(path)

        file.write([ProfileCredentials("dev", creds(1))])

        assert host.read_bytes().startswith(USERS)
        assert CredentialsFile(host).read()["dev"]["aws_session_token"] == "token-1"
        assert stat.S_IMODE(host.stat().st_mode) == 0o600
        assert leftovers(aws, "credentials", ".credentials.mfa-tui.lock") == []
        warnings = take_warnings()
        assert len(warnings) == 1 and "\n" not in warnings[0]
        assert warnings[0].startswith(f"{path}: cannot be replaced by a rename")
        assert "in place" in warnings[0] and ".credentials.mfa-tui.bak" in warnings[0]

        file.write([ProfileCredentials("dev", creds(2))])

        assert CredentialsFile(host).read()["dev"]["aws_session_token"] == "token-2"
        assert take_warnings() == []  # said once per file and process


def test_a_bind_mounted_state_file_is_written_in_place(tmp_path):
    store = StateStore(tmp_path / "state")
    store.update(lambda state: None)
    host = tmp_path / "host.json"
    host.write_bytes(store.path.read_bytes())
    take_warnings()
    with bind_mounted(host, store.path):
        store.update(lambda state: setattr(state.profile("dev"), "last_error", "written in place"))
        assert StateStore(tmp_path / "state").load().profiles["dev"].last_error == "written in place"
        assert b"written in place" in host.read_bytes()
        assert len(take_warnings()) == 1


def test_an_interrupted_in_place_write_is_refused_until_the_user_looks(tmp_path):
    host = tmp_path / "host"
    host.write_bytes(USERS)
    aws = tmp_path / "aws"
    aws.mkdir()
    with bind_mounted(host, aws / "credentials") as path:
        # What a writer killed mid-write leaves: the copy of what the file held before it.
        (aws / ".credentials.mfa-tui.bak").write_bytes(USERS)

        with pytest.raises(FileError) as refused:
            atomic_write(path, b"[new]\n")

        assert str(refused.value) == (
            f"{path}: an earlier in-place write of it was cut short, and {aws / '.credentials.mfa-tui.bak'} holds "
            f"what it held before; check {path}, then delete {aws / '.credentials.mfa-tui.bak'}"
        )
        assert host.read_bytes() == USERS
        assert leftovers(aws, "credentials") == [".credentials.mfa-tui.bak"]


# ── 3. a hard-linked file ────────────────────────────────────────────────────
def test_a_hard_linked_credentials_file_keeps_its_links(tmp_path):
    aws = tmp_path / "aws"
    aws.mkdir()
    path = aws / "credentials"
    path.write_bytes(USERS)
    os.chmod(path, 0o600)
    other = tmp_path / "dotfiles-credentials"
    os.link(path, other)
    take_warnings()

    CredentialsFile(path).write([ProfileCredentials("dev", creds(1))])

    assert path.stat().st_ino == other.stat().st_ino and other.stat().st_nlink == 2
    assert other.read_bytes() == path.read_bytes() and path.read_bytes().startswith(USERS)
    assert CredentialsFile(other).read()["dev"]["aws_session_token"] == "token-1"
    assert leftovers(aws, "credentials", ".credentials.mfa-tui.lock") == []
    [warning] = take_warnings()
    assert warning.startswith(f"{path}: has 2 hard links") and "in place" in warning


# ── 4. named pipes and other non-files ──────────────────────────────────────
def mfa(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """The real CLI; a hang fails the test at ``timeout`` instead of blocking the suite."""
    try:
        return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"mfa-tui {' '.join(args)} hung for {timeout:.0f}s") from None


USERS_FILES = {
    "credentials": lambda world: world.credentials_path,
    "aws config": lambda world: world.aws_config_path,
    "registry": lambda world: world.config_path,
}
COMMANDS = [["status"], ["credential-process", "dev-admin"], ["refresh", "dev-admin", "--code", "CODE"]]


def run_with_a_named_pipe_as(world, path: Path, command: list[str]) -> tuple[subprocess.CompletedProcess, str]:
    """``command`` run after a first refresh (so there is a state to serve from) with ``path`` a named pipe."""
    assert mfa("refresh", "dev-admin", "--code", world.code()).returncode == 0
    os.unlink(path)
    os.mkfifo(path, 0o600)
    result = mfa(*[world.next_code() if arg == "CODE" else arg for arg in command])
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result, output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("which", sorted(USERS_FILES))
def test_a_named_pipe_as_a_users_file_ends_every_command_with_one_line(demo_world, which, command):
    path = USERS_FILES[which](demo_world)

    result, output = run_with_a_named_pipe_as(demo_world, path, command)

    assert stat.S_ISFIFO(os.lstat(path).st_mode)  # left as it is
    if command[0] == "credential-process" and which in ("credentials", "aws config"):
        # Served from the state, its fast path reads neither file: nothing to refuse, nothing to hang on.
        assert result.returncode == 0, output
        return
    said = f"{path}: is a named pipe (FIFO), not a file"
    lines = [line for line in output.splitlines() if said in line]
    assert lines and all(line.endswith(said) for line in lines), output
    if (which, command[0]) != ("credentials", "status"):  # status shows the reason on each row it spoils
        assert result.returncode != 0, output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_named_pipe_as_the_state_file_is_set_aside_with_one_line(demo_world, command):
    # The state is mfa-tui's own: what cannot be read there is moved aside, as a corrupt state is.
    path = demo_world.state_path

    _, output = run_with_a_named_pipe_as(demo_world, path, command)

    [line] = [line for line in output.splitlines() if str(path) in line]
    assert line.startswith(f"mfa-tui: warning: {path}: cannot be read: is a named pipe (FIFO), not a file; moved it to ")
    [aside] = path.parent.glob(f"{path.name}.corrupt-*")
    assert stat.S_ISFIFO(aside.lstat().st_mode)


BOTOCORE_CLIENT = """
import sys
from mfa_tui.core.aws import clients as aws
aws.client("sts", access_key_id="AKIAEXAMPLE", secret_access_key="secret", region="us-east-1")
print("built")
"""


def test_botocore_never_opens_a_config_file_that_is_no_file(tmp_path):
    # Why mfa-tui needs no check where clients are built: botocore's own reader skips whatever
    # os.path.isfile refuses, so a named pipe there is a missing config to it, not a hang.
    config = tmp_path / "config"
    os.mkfifo(config)
    env = {**os.environ, "AWS_CONFIG_FILE": str(config)}
    try:
        done = subprocess.run([sys.executable, "-c", BOTOCORE_CLIENT], capture_output=True, text=True, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError("building a client hung on a named pipe as the AWS config file") from None
    assert done.stdout.strip() == "built", done.stderr


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "character device"])
def test_reading_or_replacing_what_is_no_file_is_refused_with_one_line(tmp_path, kind):
    path = tmp_path / "credentials"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    else:
        path = Path("/dev/null")
    what = {"fifo": "a named pipe (FIFO)", "directory": "a directory", "socket": "a socket",
            "character device": "a character device"}[kind]
    with pytest.raises(FileError, match=rf"^{re.escape(f'{path}: is {what}, not a file')}$"):
        fileio.read_bytes(path)
    with pytest.raises(FileError, match=rf"^{re.escape(f'{path}: is {what}, not a file; refusing to replace it')}$"):
        atomic_write(path, b"x")
    if kind == "socket":
        server.close()


# ── 5. temp files of writers that are gone ──────────────────────────────────
KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
from mfa_tui.core.fileio import atomic_write
atomic_write(Path(sys.argv[1]), b"[dev]\\naws_secret_access_key = leaked-by-a-killed-writer\\n")
"""


def test_a_just_killed_writers_temp_file_is_swept_by_the_next_write_at_once(tmp_path):
    target = tmp_path / "credentials"
    target.write_bytes(USERS)
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    [left] = leftovers(tmp_path, "credentials")
    assert left.startswith(".credentials.")

    atomic_write(target, b"[new]\n")

    assert leftovers(tmp_path) == ["credentials"]


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped) just now."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_temp_file_of_a_dead_pid_of_this_namespace_is_swept_at_once(tmp_path):
    target = tmp_path / "credentials"
    left = tmp_path / f".credentials.{dead_pid()}.{fileio.tempfiles.namespace_tag()}.abcd_123.tmp"
    left.write_bytes(b"secret")

    atomic_write(target, b"[new]\n")

    assert leftovers(tmp_path) == ["credentials"]


def test_a_dead_pid_of_another_or_no_namespace_waits_for_the_dead_writer_age(tmp_path):
    # A pid from another pid namespace (a container sharing the directory, or an earlier version
    # that named none) proves nothing here: "no such process" is what any foreign pid looks like.
    target = tmp_path / "credentials"
    dead = dead_pid()
    foreign = tmp_path / f".credentials.{dead}.ns00000000.abcd_123.tmp"
    untagged = tmp_path / f".credentials.{dead}.efgh_456.tmp"
    for path in (foreign, untagged):
        path.write_bytes(b"secret")

    atomic_write(target, b"[new]\n")
    assert foreign.exists() and untagged.exists()

    then = time.time() - DEAD_WRITER_AGE - 1
    for path in (foreign, untagged):
        os.utime(path, (then, then))
    atomic_write(target, b"[newer]\n")
    assert leftovers(tmp_path) == ["credentials"]


def test_the_cli_says_once_that_a_bind_mounted_credentials_file_was_written_in_place(demo_world, tmp_path):
    """The warning reaches the user: one line on stderr from `mfa-tui refresh`, none on stdout."""
    host = tmp_path / "host-credentials"
    host.write_bytes(demo_world.credentials_path.read_bytes())
    os.chmod(host, 0o600)
    with bind_mounted(host, demo_world.credentials_path):
        result = subprocess.run(
            [sys.executable, "-m", "mfa_tui", "refresh", "alice", "dev-admin", "--code", demo_world.code()],
            capture_output=True, text=True, env=dict(os.environ), timeout=120, stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "in place" in line]
    assert len(said) == 1 and said[0].startswith("mfa-tui: warning: ") and "in place" not in result.stdout
    assert "dev-admin" in CredentialsFile(host).read()
