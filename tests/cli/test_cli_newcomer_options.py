"""Global options as a newcomer types them: after the command too, ``--demo`` never silently ignored.

Through the real ``python -m mfa_tui``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def mfa(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def test_config_after_the_command_is_used(demo_world, isolated_home):
    moved = isolated_home / "elsewhere.toml"
    moved.write_text(demo_world.config_path.read_text())
    demo_world.config_path.unlink()
    for args in (("status", "--json", "--config", str(moved)), ("status", f"--config={moved}", "--json")):
        result = mfa(*args)
        assert result.returncode == 0, result.stderr
        assert "dev-admin" in {r["profile"] for r in json.loads(result.stdout)}
    checked = mfa("config", "path", "--config", str(moved))
    assert (checked.returncode, checked.stdout.strip()) == (0, str(moved))


def test_debug_after_the_command_is_accepted(demo_world):
    result = mfa("status", "--debug")
    assert result.returncode == 0, result.stderr
    assert "dev-admin" in result.stdout


def test_demo_with_a_command_is_refused_in_one_line(demo_world):
    for args in (("--demo", "status"), ("status", "--demo"), ("--demo", "refresh", "--all")):
        result = mfa(*args)
        assert (result.returncode, result.stdout) == (2, ""), args
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("mfa-tui: --demo opens the dashboard on the demo world"), args
        assert "mfa-tui demo serve --home DIR" in lines[0]


def test_help_lists_version_and_says_globals_may_follow_the_command():
    result = mfa("--help")
    assert result.returncode == 0
    assert "--version" in result.stdout
    assert "mfa-tui" in mfa("--version").stdout
    sub = mfa("status", "--help")
    assert "--config PATH" in sub.stdout and "--debug" in sub.stdout
