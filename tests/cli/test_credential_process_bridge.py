"""``mfa-tui credential-process`` asks a running dashboard when only a new code would help.

The "dashboard" here is the core's :class:`BridgeServer` whose handler refreshes the profile with the
demo device's code through the real service (the Pilot tests in tests/ui/test_app_bridge.py drive the
real dashboard; tests/e2e/test_tmux_bridge.py the AWS CLI against it in tmux).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest
from bridge_support import bridge_servers, refreshing

from mfa_tui.core import paths
from mfa_tui.core.bridge import client
from mfa_tui.core.errors import NeedsCodeError

TODAY = "profile dev-admin: needs a new MFA code; run `mfa-tui refresh dev-admin` or refresh it in the mfa-tui dashboard"


def mfa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, env=dict(os.environ), timeout=120)


@pytest.fixture
def dashboard(demo_world, frozen_clock):
    """Start a stand-in dashboard with ``dashboard(handler)``; closed at the end."""
    with bridge_servers(demo_world.config_path, paths.state_dir()) as start:
        yield start


def test_a_needed_code_is_asked_of_the_dashboard_and_then_served(demo_world, frozen_clock, dashboard):
    asked: list[str] = []
    dashboard(refreshing(demo_world, frozen_clock, asked))
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert asked == ["dev-admin"]
    doc = json.loads(result.stdout)
    assert doc["Version"] == 1 and doc["AccessKeyId"].startswith("ASIA")
    # Cached now: the next call never asks.
    assert mfa("credential-process", "dev-admin").returncode == 0 and asked == ["dev-admin"]


def test_the_dashboards_refusal_is_one_line(demo_world, dashboard):
    dashboard(lambda profile, reply: reply("skipped: no code entered"))
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith(f"{TODAY} (the dashboard did not refresh it: skipped: no code entered)")


def test_no_dashboard_fails_at_once_as_before(demo_world):
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    assert TODAY in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_no_answer_in_time_fails_with_todays_line(demo_world, dashboard, monkeypatch, capsys):
    from mfa_tui.cli import credential_process_cmd

    dashboard(lambda profile, reply: None)  # shows a dialog nobody answers
    monkeypatch.setattr(client, "WAIT", 0.5)
    args = argparse.Namespace(config=str(demo_world.config_path), profile="dev-admin")
    with pytest.raises(NeedsCodeError) as raised:
        credential_process_cmd.run(args)
    assert str(raised.value) == f"{TODAY} (the dashboard did not answer in time)"
    assert capsys.readouterr().out == ""
