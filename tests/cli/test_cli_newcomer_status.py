"""``mfa-tui status`` for scripts and terminals: ``--check``, a closed pipe, colour, no stray cache dir.

Through the real ``python -m mfa_tui``; colour is read from a pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest

ESC = "\x1b["


def mfa(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, timeout=120, **kwargs,
    )


def test_status_exits_0_and_check_exits_1_while_anything_is_stale(demo_world):
    plain = mfa("status")
    assert plain.returncode == 0 and "missing" in plain.stdout
    assert mfa("status", "--check").returncode == 1
    assert mfa("status", "--check", "--json").returncode == 1
    chained = [r["profile"] for r in json.loads(mfa("status", "--json").stdout) if r["kind"] != "direct-role"]
    assert mfa("refresh", *chained, "--code", demo_world.code()).returncode == 0
    assert mfa("status", "--check", *chained).returncode == 0
    assert mfa("status", "--check").returncode == 1  # the direct role is still missing
    assert "--check" in mfa("status", "--help").stdout


@pytest.mark.parametrize("args", [("status", "--json"), ("status",)], ids=["json", "table"])
def test_a_closed_stdout_ends_quietly_with_0(demo_world, args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -1` does once it has its line: every write now fails
    try:
        result = subprocess.run([sys.executable, "-m", "mfa_tui", *args], stdout=write_end, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")


def test_head_in_a_pipeline_with_pipefail(demo_world):
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m mfa_tui status --json | head -1"],
        capture_output=True, text=True, timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "[\n", "")


def on_a_terminal(*args: str, env: dict) -> str:
    main_fd, terminal_fd = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "mfa_tui", *args], stdin=subprocess.DEVNULL,
                                stdout=terminal_fd, stderr=subprocess.PIPE, env={**os.environ, **env})
        os.close(terminal_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
        proc.stderr.close()
    finally:
        os.close(main_fd)
    return b"".join(chunks).decode()


def test_state_words_are_coloured_on_a_terminal_only(demo_world):
    env = {"TERM": "xterm-256color"}
    coloured = on_a_terminal("status", env={**env, "NO_COLOR": ""})
    assert f"{ESC}" in coloured and "missing" in coloured
    assert ESC not in on_a_terminal("status", env={**env, "NO_COLOR": "1"})
    assert ESC not in on_a_terminal("status", env={"TERM": "dumb", "NO_COLOR": ""})
    assert ESC not in on_a_terminal("status", "--json", env={**env, "NO_COLOR": ""})
    assert ESC not in mfa("status", env=env).stdout  # piped
    # The columns still line up: colour codes do not count as width.
    lines = [line for line in coloured.replace("\r", "").splitlines() if line.strip()]
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert plain == [line for line in mfa("status").stdout.splitlines() if line.strip()]


def test_a_failed_command_leaves_no_cache_dir(demo_world, isolated_home):
    cache = isolated_home / ".cache" / "mfa-tui"
    demo_world.config_path.write_text("[settings\n")
    for args in (("status",), ("refresh",), ("status", "--json"), ("config", "check")):
        assert mfa(*args).returncode == 2
        assert not cache.exists(), args
    demo_world.config_path.write_text("[settings]\nbogus = 1\n")
    assert mfa("status").returncode == 2 and not cache.exists()
