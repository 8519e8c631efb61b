"""The demo in a real 80×24 terminal (tmux), as a newcomer first sees it (issue 14, item 1).

The footer must show refresh, quit, help and the palette key, whole, with nothing cut off after
the palette key; the status table must fit without a sideways scrollbar (its thumb showed as a
lone ``▋`` under the table); ``?`` then ``q`` closes the help, and ``q`` again quits.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

import pytest
from test_tmux import EXITED, Tmux

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def _footer(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


def test_at_80x24_the_footer_shows_refresh_quit_help_and_the_palette(isolated_home):
    tmux = Tmux(f"mfa-tui-e2e-80-{os.getpid()}")
    command = f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m mfa_tui --demo; echo {EXITED}$?; sleep 30"
    try:
        tmux.run("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", command)
        screen = tmux.wait_for(lambda t: "dev-admin" in t and "Palette" in _footer(t), "the demo dashboard", timeout=60)
        footer = _footer(screen)
        for key in ("r Refresh", "q Quit", "? Help", "^p Palette"):
            assert key in footer, screen
        assert footer.rstrip().endswith("^p Palette"), screen
        table = screen.split(" profiles", 1)[0]  # everything above the status line
        assert "▋" not in table and "MFA left" in table, screen

        tmux.keys("?")
        tmux.wait_for(lambda t: "Binding id" in t, "the help screen")
        tmux.keys("q")
        tmux.wait_for(lambda t: "Binding id" not in t and "dev-admin" in t, "the help to close")
        tmux.keys("q")
        done = tmux.wait_for(lambda t: EXITED in t, "the app to quit", timeout=20)
        assert f"{EXITED}0" in done
    finally:
        tmux.kill()
