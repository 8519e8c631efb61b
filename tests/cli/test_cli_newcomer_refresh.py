"""``mfa-tui refresh`` as a newcomer meets it: lines that say why, bad codes refused early, honest help.

Through the real ``python -m mfa_tui`` in the demo world's HOME, without a terminal, except the
Ctrl-C case, which drives the command in-process with a prompt that is interrupted.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys

from mfa_tui.cli import refresh_cmd, run_guarded
from refresh_support import add_direct_role

HOURS = 3600


def mfa(*args: str, stdin: str | None = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def needs_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "needs" in line]


def test_without_a_terminal_a_direct_role_says_once_that_it_needs_its_own_code(demo_world):
    add_direct_role(demo_world, "111111111111", "home-direct", max_session=4 * HOURS, duration="2h")
    result = mfa("refresh", "--all", "--code", demo_world.code())
    assert result.returncode == 1
    assert "dev-admin: valid until" in result.stdout
    assert needs_lines(result.stderr) == [
        "mfa-tui: direct role prod-readonly-direct needs a code of its own, from a later 30-second step: "
        "--code answers only the first prompt; refresh it in a terminal, or with "
        "`mfa-tui refresh prod-readonly-direct --code CODE` once the next code shows"
    ]
    assert "prod-readonly-direct: skipped: no code entered" in result.stderr
    assert "home-direct: skipped: no code entered" in result.stderr


def test_without_a_terminal_or_a_code_the_identity_line_comes_once(demo_world):
    add_direct_role(demo_world, "111111111111", "home-direct", max_session=4 * HOURS, duration="2h")
    result = mfa("refresh", "--all")
    assert result.returncode == 1
    lines = needs_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mfa-tui: identity alice needs a code (arn:aws:iam::111111111111:mfa/alice)")
    assert lines[0].endswith("pass --code or run in a terminal")


def test_a_code_that_is_not_6_digits_is_bad_input_before_anything_is_sent(demo_world, local_aws):
    calls_before = len(local_aws.calls)
    for code, shown in (("12345", "5 digits"), ("12ab", "4 characters, not all of them 0-9")):
        result = mfa("refresh", "alice", "--code", code)
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr == f"mfa-tui: --code: a code is exactly 6 digits, got {shown}; nothing was sent\n"
    from_env = mfa("refresh", "alice", env={"MFA_TUI_CODE": "1234567"})
    assert from_env.returncode == 2
    assert from_env.stderr == "mfa-tui: MFA_TUI_CODE: a code is exactly 6 digits, got 7 digits; nothing was sent\n"
    piped = mfa("refresh", "alice", "--code", "-", stdin="99\n")
    assert piped.returncode == 2 and piped.stderr.startswith("mfa-tui: --code -: a code is exactly 6 digits")
    assert len(local_aws.calls) == calls_before
    # An authenticator's spacing is still fine.
    spaced = demo_world.code()
    ok = mfa("refresh", "alice", "--code", f"{spaced[:3]} {spaced[3:]}")
    assert ok.returncode == 0, ok.stderr


def test_refresh_help_says_the_default_is_the_stale_profiles():
    result = mfa("refresh", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "default: all" not in text
    assert "expiring, expired, missing, changed or in error" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_c_at_a_code_prompt_ends_the_prompt_line(demo_world, monkeypatch, capsys):
    def interrupted(prompt):
        sys.stdout.write(prompt)
        raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", interrupted)
    parser = argparse.ArgumentParser()
    refresh_cmd.register(parser)
    args = parser.parse_args(["alice"])
    args.config = None

    assert run_guarded(refresh_cmd.run, args, command="refresh") == 130
    out, err = capsys.readouterr()
    assert out.startswith("MFA code for alice")
    assert err == "\nmfa-tui: interrupted\n"
