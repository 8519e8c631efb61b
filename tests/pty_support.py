"""Running a command at a real pseudo-terminal, as a person at a shell runs it.

:func:`at_terminal` forks a child in a new session whose controlling terminal is a pty, in the
foreground (``pty.fork``), and execs ``argv`` there; the test reads what it writes and types to it
through the master side. Used where behaviour depends on a terminal: ``input()`` prompts, and
keys such as Ctrl-C that the terminal turns into signals for its foreground process group.
"""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class Terminal:
    def __init__(self, pid: int, master: int) -> None:
        self.pid = pid
        self.master = master
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 60) -> bytes:
        """Everything read so far, once ``marker`` is in it (or the time is up, or the terminal closed)."""
        end = time.monotonic() + timeout
        while marker not in self.seen and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the child side closed: everything is in
                break
            if not chunk:
                break
            self.seen += chunk
        return self.seen

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def exit_code(self, timeout: float = 60) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read_until(b"\x00", timeout=0.2)  # keep draining, so the child never blocks on a full pty
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
        raise TimeoutError(f"still running after {timeout}s; it wrote: {self.seen[-500:]!r}")


@contextmanager
def at_terminal(argv: Sequence[str], env: dict[str, str] | None = None) -> Iterator[Terminal]:
    pid, master = pty.fork()
    if pid == 0:  # the child: exec at once (the test process may have threads)
        try:
            os.execve(sys.executable if argv[0] == sys.executable else argv[0], list(argv), env or dict(os.environ))
        finally:
            os._exit(127)
    terminal = Terminal(pid, master)
    try:
        yield terminal
    finally:
        if terminal.pid:
            try:
                os.kill(terminal.pid, 9)
                os.waitpid(terminal.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(master)
