"""The demo in a narrow terminal (tmux), issue 14: at 60×20 each row's state and time left are on
screen (lower-value columns go first), and in a terminal too narrow even for that, scrolling right
keeps the profile column in place while the rest scrolls under it."""

from __future__ import annotations

import os
import shlex
import shutil
import sys

import pytest
from test_tmux import EXITED, Tmux

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def _demo(tmux: Tmux, width: int, height: int) -> str:
    command = f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m mfa_tui --demo; echo {EXITED}$?; sleep 30"
    tmux.run("new-session", "-d", "-s", "demo", "-x", str(width), "-y", str(height), command)
    return tmux.wait_for(lambda t: "dev-admin" in t and "profiles" in t, "the demo dashboard", timeout=60)


def _line(screen: str, word: str) -> str:
    return next(line for line in screen.splitlines() if word in line)


def test_at_60x20_state_and_time_left_are_on_screen(isolated_home):
    tmux = Tmux(f"mfa-tui-e2e-60-{os.getpid()}")
    try:
        screen = _demo(tmux, 60, 20)
        header = _line(screen, "Profile")
        assert "State" in header and "Left" in header and "MFA left" in header, screen
        row = _line(screen, "dev-admin")
        assert row.split()[-3:] == ["missing", "-", "-"], screen  # state, time left, MFA left: nothing cut
        tmux.keys("q")
        assert f"{EXITED}0" in tmux.wait_for(lambda t: EXITED in t, "the app to quit", timeout=20)
    finally:
        tmux.kill()


def test_scrolling_right_keeps_the_profile_column(isolated_home):
    tmux = Tmux(f"mfa-tui-e2e-36-{os.getpid()}")
    try:
        screen = _demo(tmux, 36, 20)
        assert "Left" not in _line(screen, "Profile"), screen  # too narrow: the table scrolls sideways
        tmux.keys(*["Right"] * 12)
        screen = tmux.wait_for(lambda t: "Left" in _line(t, "Profile"), "the table to scroll right")
        assert _line(screen, "Profile").startswith("  Profile"), screen
        assert _line(screen, "dev-admin").startswith("  dev-admin "), screen
    finally:
        tmux.kill()
