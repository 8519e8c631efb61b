"""``mfa-tui credential-process`` with a code source: the source first, then the dashboard, then one line.

Real ``python -m mfa_tui`` processes against the local AWS (demo world); the identity's source is the
stub ``pass`` on PATH (tests/code_stub_support.py); the "dashboard" is the core's BridgeServer, as in
tests/cli/test_credential_process_bridge.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from bridge_support import bridge_servers, refreshing
from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture

from mfa_tui.core import paths

TODAY = "profile dev-admin: needs a new MFA code; run `mfa-tui refresh dev-admin` or refresh it in the mfa-tui dashboard"
FAILED = "`pass otp aws/alice` failed (exit 1): Error: aws/alice is not in the password store."


def mfa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=dict(os.environ), timeout=120)


@pytest.fixture
def dashboard(demo_world, frozen_clock):
    with bridge_servers(demo_world.config_path, paths.state_dir()) as start:
        yield start


def test_a_command_source_gives_the_code_with_no_typing(demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["Version"] == 1 and doc["AccessKeyId"].startswith("ASIA")
    assert [call[0] for call in code_stubs.calls()] == ["pass"]
    assert result.stderr == ""  # notices only on a terminal: botocore captures this stderr
    again = mfa("credential-process", "dev-admin")  # cached now: the source is not run again
    assert again.returncode == 0 and len(code_stubs.calls()) == 1


def test_a_failing_source_and_no_dashboard_is_one_line_naming_the_failure(demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    code_stubs.mode("fail")
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"mfa-tui: {TODAY} (code source: {FAILED}; no dashboard is open to ask)"
    ]
    assert "Traceback" not in result.stderr


def test_a_junk_printing_source_never_echoes_its_output(demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    code_stubs.mode("junk")
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "code source: `pass otp aws/alice`" in lines[0]


def test_a_failing_source_then_the_dashboard_is_asked(demo_world, frozen_clock, code_stubs, dashboard):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    code_stubs.mode("fail")
    asked: list[str] = []
    dashboard(refreshing(demo_world, frozen_clock, asked))
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert asked == ["dev-admin"]
    assert json.loads(result.stdout)["AccessKeyId"].startswith("ASIA")


def test_a_failing_source_and_a_refusing_dashboard_names_both(demo_world, code_stubs, dashboard):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    code_stubs.mode("fail")
    dashboard(lambda profile, reply: reply("skipped: no code entered"))
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"mfa-tui: {TODAY} (code source: {FAILED}; the dashboard did not refresh it: skipped: no code entered)"
    ]
