"""``mfa-tui refresh --all </dev/null`` with a code source: every profile, the direct one included, nothing typed.

Issue 16's first "Done when": the real ``python -m mfa_tui`` in the demo's HOME, no terminal, over
HTTP to the local AWS. The demo is built as ``mfa-tui demo serve --code-source`` builds it: alice's
registry entry runs ``mfa-tui demo code`` (the demo device's code). The subprocess and that command
use real time, so the local AWS runs on a real clock here; the direct role waits for the next
30-second step, as it would for a person.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture

from mfa_tui.core.clock import SystemClock


def mfa(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, timeout=150,
    )


def test_refresh_all_without_a_terminal_refreshes_every_profile_from_the_demo_command(local_aws, isolated_home):
    from mfa_tui.localaws.demo import build_world

    local_aws.clock = SystemClock()
    world = build_world(local_aws, isolated_home, alice_command=True)
    alice = tomllib.loads(world.config_path.read_text())["identities"]["alice"]
    assert alice["code_source"] == "command"
    assert alice["code_command"][-5:] == ["code", "--home", str(isolated_home), "--identity", "alice"]

    result = mfa("refresh", "--all")
    assert result.returncode == 0, result.stderr
    for profile in world.profiles:
        assert f"{profile}: valid until" in result.stdout, result.stdout
    assert "prod-readonly-direct: valid until" in result.stdout
    assert result.stderr.splitlines()[-1] == f"{len(world.profiles)} profiles refreshed"
    assert "waiting " in result.stderr  # the direct role's countdown, said once
    assert "needs a code" not in result.stderr


def test_a_failing_source_without_a_terminal_says_why_then_skips(demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    code_stubs.mode("fail")
    result = mfa("refresh", "alice")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "mfa-tui: `pass otp aws/alice` failed (exit 1): Error: aws/alice is not in the password store.; " \
           "enter the code yourself" in lines
    assert any(line.startswith("mfa-tui: identity alice needs a code") for line in lines)
    assert "second line" not in result.stderr
