"""Without a terminal the dashboard refuses at once, with one line and exit 2.

``mfa-tui </dev/null >out &`` used to spin a core forever, drawing escape codes into the file.
Every case runs the real ``python -m mfa_tui`` with a deadline: a dashboard that starts anyway
never ends by itself, so the deadline is what fails.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from mfa_tui.cli import dashboard_cmd

REFUSAL = "mfa-tui: the dashboard needs a terminal; for a script use `mfa-tui status`\n"


def _dashboard(*args: str, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env: dict | None = None):
    proc = subprocess.Popen([sys.executable, "-m", "mfa_tui", *args], stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the dashboard started without a terminal and did not end")
    return proc.returncode, out, err


@pytest.mark.parametrize("args", [(), ("--demo",)], ids=["dashboard", "demo"])
def test_no_terminal_at_all_is_refused(args, demo_world):
    code, out, err = _dashboard(*args)
    assert (code, out, err.decode()) == (2, b"", REFUSAL)


def test_output_to_a_file_is_refused_even_with_a_terminal_for_input(demo_world, tmp_path):
    main_fd, terminal_fd = pty.openpty()
    try:
        with open(tmp_path / "out", "wb") as out:
            code, _, err = _dashboard(stdin=terminal_fd, stdout=out)
    finally:
        os.close(main_fd)
        os.close(terminal_fd)
    assert (code, err.decode()) == (2, REFUSAL)
    assert (tmp_path / "out").read_bytes() == b""  # not one escape code


def test_a_broken_registry_without_a_terminal_is_refused_the_same_way(demo_world):
    demo_world.config_path.write_text("[settings\n")
    code, _, err = _dashboard()
    assert (code, err.decode()) == (2, REFUSAL)


def test_a_textual_driver_brings_its_own_screen(monkeypatch):
    """The benchmarks' first-frame probe runs the real command on a pipe with $TEXTUAL_DRIVER set."""
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert dashboard_cmd.terminal_problem() is not None  # pytest's captured streams are no terminal
    monkeypatch.setenv("TEXTUAL_DRIVER", "frame_probe:FirstFrameDriver")
    assert dashboard_cmd.terminal_problem() is None
