"""SIGTERM always ends the dashboard, in a real terminal (tmux), even with an AWS call stuck in flight.

The dashboard runs on the demo world's registry with alice's endpoint pointed at a socket of this
test that accepts every connection and never answers: a refresh started with ``R`` and a code
hangs in its GetSessionToken. SIGTERM must end the process within a few seconds (not after the
call's timeouts) with exit code 143, the terminal given back (the shell after it runs).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import time

import psutil
import pytest
from socket_support import SilentEndpoint
from test_tmux import EXITED, Tmux

from mfa_tui.core.registry import edit as registry_edit

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

ENDS_WITHIN = 8.0
"""Seconds from SIGTERM to the process being gone: generous; a stuck call would hold it 10 s or more."""


def _start(tmux: Tmux) -> psutil.Process:
    command = f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m mfa_tui; echo {EXITED}$?; sleep 30"
    tmux.run("new-session", "-d", "-s", "demo", "-x", "140", "-y", "40", command)
    tmux.wait_for(lambda t: "dev-admin" in t and "missing" in t, "the dashboard", timeout=60)
    shell = psutil.Process(int(tmux.run("display", "-p", "-t", "demo", "#{pane_pid}").strip()))
    [app] = [p for p in shell.children(recursive=True) if "mfa_tui" in " ".join(p.cmdline())]
    return app


def _terminate(tmux: Tmux, app: psutil.Process) -> float:
    started = time.monotonic()
    app.send_signal(signal.SIGTERM)
    try:
        app.wait(timeout=30)
    except psutil.TimeoutExpired:
        app.kill()
        pytest.fail("SIGTERM did not end the dashboard within 30 s")
    return time.monotonic() - started


def test_sigterm_ends_an_idle_dashboard(demo_world):
    tmux = Tmux(f"mfa-tui-sig-{os.getpid()}")
    try:
        app = _start(tmux)
        assert _terminate(tmux, app) < ENDS_WITHIN
        assert f"{EXITED}143" in tmux.wait_for(lambda t: EXITED in t, "the shell after the app", timeout=10)
    finally:
        tmux.kill()


def test_sigterm_ends_the_dashboard_with_a_refresh_stuck_on_a_hung_endpoint(demo_world):
    with SilentEndpoint(drop=False) as hung:
        registry_edit.set_value(demo_world.config_path, ("identities", "alice"), "endpoint_url", hung.url)
        tmux = Tmux(f"mfa-tui-sig-{os.getpid()}")
        try:
            app = _start(tmux)
            tmux.keys("R")
            tmux.wait_for(lambda t: "MFA code needed" in t, "the token dialog")
            tmux.keys("123456")
            tmux.keys("Enter")
            deadline = time.monotonic() + 20
            while not hung.accepted and time.monotonic() < deadline:  # GetSessionToken is on its way, and stuck
                time.sleep(0.1)
            assert hung.accepted, "the refresh never reached the endpoint"
            assert _terminate(tmux, app) < ENDS_WITHIN
            assert f"{EXITED}143" in tmux.wait_for(lambda t: EXITED in t, "the shell after the app", timeout=10)
        finally:
            tmux.kill()
