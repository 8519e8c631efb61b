"""End to end in a real terminal: ``mfa-tui --demo`` in tmux, driven only by keys and the screen.

The test reads the demo device's code off the screen (as a newcomer would), presses R, types the
code, and watches every row turn valid: the ``--demo`` world has only chained roles, so one code
is all a newcomer needs; carol's codes come from a command (``code_source = "command"``), so her
row turns valid in the same run with nothing typed.
tmux runs on a private socket (``-L``) with no config file, so it neither touches nor depends on
the user's tmux, and the whole server is killed at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

CODE_RE = re.compile(r"code (\d{6})")
EXITED = "MFA-TUI-EXITED="
PROFILES = [
    "alice", "dev-admin", "dev-readonly", "staging-admin", "staging-readonly", "prod-admin", "prod-readonly", "carol",
]


class Tmux:
    """One tmux server on a private socket, holding one 120×40 session."""

    def __init__(self, socket: str) -> None:
        self.base = ["tmux", "-L", socket, "-f", os.devnull]

    def run(self, *args: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX")}
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True, timeout=10, env=env).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "demo", *keys)

    def wait_for(self, predicate, what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
            time.sleep(0.2)

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)


def _row(text: str, profile: str) -> str:
    for line in text.splitlines():
        if line.strip().startswith(profile + " "):
            return line
    return ""


def _all_valid(text: str) -> bool:
    return all(" valid " in _row(text, p) for p in PROFILES)


def test_demo_refreshes_every_profile_from_codes_read_off_the_screen(isolated_home):
    tmux = Tmux(f"mfa-tui-e2e-{os.getpid()}")
    # COLUMNS/LINES would override the pane's real size (Python's get_terminal_size reads them first).
    command = f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m mfa_tui --demo; echo {EXITED}$?; sleep 30"
    try:
        tmux.run("new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", command)
        start = tmux.wait_for(lambda t: CODE_RE.search(t) and "dev-admin" in t, "the demo dashboard", timeout=60)
        assert "missing" in _row(start, "dev-admin")

        tmux.keys("R")
        tmux.wait_for(lambda t: "MFA code needed" in t, "the token dialog")
        code = CODE_RE.search(tmux.screen()).group(1)
        tmux.keys(code)
        tmux.keys("Enter")

        # One code is enough: no second dialog may follow.
        done = tmux.wait_for(_all_valid, "every row to turn valid")
        assert "MFA code" not in done, done
        for profile in PROFILES:
            row = _row(done, profile)
            assert " valid " in row and re.search(r"\d+[hm]", row), row
        tmux.wait_for(lambda t: "8 profiles refreshed" in t, "the summary notification", timeout=10)

        tmux.keys("q")
        done = tmux.wait_for(lambda t: EXITED in t, "the app to quit", timeout=20)
        assert f"{EXITED}0" in done
    finally:
        tmux.kill()
