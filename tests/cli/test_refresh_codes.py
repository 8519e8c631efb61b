"""How ``mfa-tui refresh`` takes its code and says what became of it.

``--code -`` and ``$MFA_TUI_CODE`` keep the code out of the process list; a code given but not
needed is said; a code refused before it reached AWS is named in the profile's line; a tag that
matches nothing is an error, not "every profile is valid"; a direct role asked for longer than
it allows says so in one line, in a terminal and without one.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tomllib

import tomli_w

from mfa_tui.cli import refresh_cmd
from refresh_support import add_direct_role, make_service

HOURS = 3600


def mfa(*args: str, stdin: str | None = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def state_of(name: str) -> str:
    rows = {r["profile"]: r for r in json.loads(mfa("status", "--json").stdout)}
    return rows[name]["state"]


def test_code_dash_reads_the_code_from_stdin(demo_world):
    result = mfa("refresh", "alice", "--code", "-", stdin=demo_world.code() + "\n")
    assert result.returncode == 0, result.stderr
    assert "alice: valid until" in result.stdout


def test_code_dash_with_nothing_on_stdin_is_bad_input(demo_world):
    result = mfa("refresh", "alice", "--code", "-", stdin="")
    assert result.returncode == 2
    assert result.stderr.strip() == "mfa-tui: --code -: no code on standard input"


def test_the_code_can_come_from_the_environment(demo_world):
    result = mfa("refresh", "alice", env={"MFA_TUI_CODE": demo_world.code()})
    assert result.returncode == 0, result.stderr
    assert "alice: valid until" in result.stdout


def test_a_code_that_was_not_needed_is_said(demo_world):
    # Only chained roles, so one code makes every profile valid.
    raw = tomllib.loads(demo_world.config_path.read_text())
    del raw["profiles"]["prod-readonly-direct"]
    demo_world.config_path.write_text(tomli_w.dumps(raw))
    assert mfa("refresh", "--all", "--code", demo_world.code()).returncode == 0
    unused = demo_world.next_code()

    # The MFA session lives: the role needs no code.
    role = mfa("refresh", "dev-admin", "--code", unused)
    assert role.returncode == 0, role.stderr
    assert "mfa-tui: the code given with --code was not used (nothing in this run needed one)" in role.stderr

    # Nothing stale at all: the same, for a code from the environment.
    nothing = mfa("refresh", env={"MFA_TUI_CODE": unused})
    assert nothing.returncode == 0 and "Nothing to refresh" in nothing.stdout
    assert nothing.stderr == "mfa-tui: the code given in MFA_TUI_CODE was not used (nothing in this run needed one)\n"


def test_a_code_refused_before_aws_names_why_in_the_profiles_line(demo_world, monkeypatch, capsys):
    # A given code that is not 6 digits is bad input before anything runs (test_cli_newcomer_refresh);
    # a typed one is refused by the engine, and the profile's line says why.
    answers = iter(["12ab"])

    def typed(_prompt):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", typed)
    assert refresh_cmd.run(refresh_cmd_args(["alice"])) == 1
    _, err = capsys.readouterr()
    assert "no code entered" not in err
    assert "alice: skipped: identity alice (" in err
    assert "a code is exactly 6 digits, got 4 characters, not all of them 0-9; nothing was sent" in err
    assert state_of("alice") == "missing"


def test_a_tag_that_matches_nothing_is_an_error_naming_the_tags(demo_world):
    result = mfa("refresh", "--tag", "nosuchtag")
    assert result.returncode == 2
    assert "every profile is valid" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"mfa-tui: no profile has tag nosuchtag in {demo_world.config_path} (tags: direct, mfa)"
    ]
    known = mfa("refresh", "--tag", "mfa", "--tag", "nosuchtag")
    assert known.returncode == 2 and "no profile has tag nosuchtag" in known.stderr


def test_a_direct_role_over_its_maximum_without_a_terminal_fails_saying_why(demo_world):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    result = mfa("refresh", "home-long", "--code", demo_world.code())
    assert result.returncode == 1
    assert "no code entered" not in result.stderr
    # alice's force-MFA policy denies iam:GetRole to her long-term keys: the maximum is unknown, 1h is asked.
    assert (
        "mfa-tui: profile home-long: the role allows less than 6h; asked again at 1h, which every role allows "
        "(identity alice's long-term keys may not call iam:GetRole; with a live MFA session of the identity it is read)\n"
    ) in result.stderr
    assert (
        "home-long: failed: the role allows less than 6h; asking again at 1h needs a second code, and none was sent: "
        "set its duration to the role's maximum session duration, or refresh it where it can prompt"
    ) in result.stderr


def test_a_direct_role_over_its_maximum_in_a_terminal_asks_again_and_says_so_once(
    demo_world, frozen_clock, monkeypatch, capsys
):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)
    monkeypatch.setattr(refresh_cmd, "open_service", lambda _args: service)
    monkeypatch.setattr(refresh_cmd.time, "sleep", frozen_clock.advance)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda _prompt: demo_world.code())

    args = refresh_cmd_args(["home-long"], code=demo_world.code())
    assert refresh_cmd.run(args) == 0

    out, err = capsys.readouterr()
    assert "home-long: valid until" in out
    # Asked again at 1h (alice's long-term keys may not read the role); the role's session then reads 4h.
    line = ('mfa-tui: warning: profile home-long: the role allows at most 4h, not 6h (read after asking again at 1h): '
            'set duration = "4h" for this profile to get 4h')
    assert err.count("the role allows at most 4h") == 1 and line in err.splitlines(), err
    assert (service.statuses(["home-long"])[0].expires_at - frozen_clock.now()).total_seconds() == 1 * HOURS


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def refresh_cmd_args(profiles: list[str], *, code: str | None = None):
    import argparse

    parser = argparse.ArgumentParser()
    refresh_cmd.register(parser)
    args = parser.parse_args([*profiles, *(["--code", code] if code else [])])
    args.config = None
    return args
