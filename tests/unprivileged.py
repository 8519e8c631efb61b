"""Running test code as an unprivileged user, for the cases root would pass for the wrong reason.

CI runs as root, and root reads a mode-0 file, writes a read-only one and owns every lock, so a
test of "permission denied" must drop to another uid to mean anything. :func:`run_as` forks a
child that becomes :data:`USER` (no passwd entry needed) and runs a function there; the child
inherits what the parent imported, since the interpreter may live under root's 0700 home where a
fresh ``python`` run as that user could not even start. It lives beside ``tests/conftest.py``,
so pytest puts it on ``sys.path`` whichever folder runs.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

USER = 54321
"""An unused uid (and gid): the user whose home root writes in."""

def run_as(uid: int, fn: Callable[[], object], timeout: float = 60.0) -> str:
    """``fn()`` run in a child that has become ``uid`` (groups dropped): the repr of its result, or AssertionError with its traceback."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        status = 1
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            result = fn()
            os.write(write_end, repr(result).encode())
            status = 0
        except BaseException:  # noqa: BLE001 - reported to the parent
            os.write(write_end, traceback.format_exc().encode())
        finally:
            os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"the run as uid {uid} did not end within {timeout:.0f}s")
        time.sleep(0.02)
    with os.fdopen(read_end, "rb") as fh:
        said = fh.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise AssertionError(f"the run as uid {uid} failed:\n{said}")
    return said


def as_unprivileged(fn: Callable[[], object]) -> str:
    """``fn()`` run as :data:`USER` when the tests run as root, else in this process as it is."""
    if os.geteuid() == 0:
        return run_as(USER, fn)
    return repr(fn())


def user_dir() -> Path:
    """A fresh directory :data:`USER` owns, under one that every user may traverse (pytest's own
    tmp dirs are root's 0700). The caller removes it."""
    top = Path(tempfile.mkdtemp(prefix="mfa-tui-unprivileged-", dir="/tmp"))
    os.chmod(top, 0o711)
    mine = top / "user"
    mine.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(mine, USER, USER)
    return mine
