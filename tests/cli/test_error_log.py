"""Errors never vanish, and no warning is lost.

- An exception mfa-tui does not expect becomes one line naming the log file (exit 1), with the
  traceback in that file; ``--debug`` (a global option) prints the traceback too.
- A corrupt state file, set aside by whichever command meets it first, is reported on stderr by
  refresh, whoami, credential-process, env and ``status --json`` (stdout stays parseable).

The commands run as a user runs them (``python -m mfa_tui`` in the demo world's isolated HOME),
except the unexpected exception, which needs a command that fails unexpectedly: this module
registers one (``explode``) and calls the real dispatcher in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_tui import cli
from mfa_tui.core import paths

LOG_LINE = "(details in ~/.local/state/mfa-tui/mfa-tui.log)"


def mfa(*args: str, stdin: str | None = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
                          env=dict(os.environ), timeout=120)


# ── the command this module registers ───────────────────────────────────────────────────────


def register(parser) -> None:
    parser.add_argument("--how", default="key")


def run(args) -> int:
    if args.how == "key":
        return {"AccessKeyId": "ASIA"}["Credentials"]
    raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'datetime.datetime'")


@pytest.fixture
def explode(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "explode", (__name__, "fail the way a bug does"))


def test_an_unexpected_exception_is_one_line_naming_the_log(explode, capsys):
    assert cli.main(["explode"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mfa-tui: unexpected KeyError: 'Credentials' {LOG_LINE}\n"
    log = paths.state_dir() / "mfa-tui.log"
    text = log.read_text()
    assert "mfa-tui explode" in text and "Traceback (most recent call last)" in text
    assert 'return {"AccessKeyId": "ASIA"}["Credentials"]' in text  # the line that raised
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_debug_also_prints_the_traceback(explode, capsys):
    assert cli.main(["--debug", "explode", "--how", "type"]) == 1
    _, err = capsys.readouterr()
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith(
        f"mfa-tui: unexpected TypeError: unsupported operand type(s) for -: 'NoneType' and 'datetime.datetime' {LOG_LINE}"
    )
    assert cli.main(["explode"]) == 1  # the next run without --debug: the line alone
    assert capsys.readouterr().err == f"mfa-tui: unexpected KeyError: 'Credentials' {LOG_LINE}\n"


def test_debug_is_a_global_option_like_config_and_demo(demo_world):
    result = mfa("--debug", "--config", str(demo_world.config_path), "status", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    assert "--debug" in mfa("--help").stdout


# ── a corrupt state file is reported by every command ───────────────────────────────────────


def _corrupt_state(world) -> Path:
    """Refresh once (so a state file exists), then break it; returns the broken file."""
    done = mfa("refresh", "alice", "dev-admin", "--code", world.code())
    assert done.returncode == 0, done.stderr
    [state] = sorted(paths.state_dir().glob("state*.json"))
    state.write_text("{not json")
    return state


def _one_warning(result: subprocess.CompletedProcess, state: Path) -> None:
    warnings = [line for line in result.stderr.splitlines() if line.startswith("mfa-tui: warning: ")]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"mfa-tui: warning: {state}: ") and "moved it to" in warnings[0], warnings
    assert "Traceback" not in result.stderr
    assert list(state.parent.glob(state.name + ".corrupt-*")), "the broken file was set aside"


@pytest.mark.parametrize("argv", [
    ["status", "--json"],
    ["whoami", "alice"],
    ["env", "dev-admin"],
    ["refresh", "dev-admin"],
], ids=["status-json", "whoami", "env", "refresh"])
def test_a_corrupt_state_is_reported_on_stderr(argv, demo_world):
    state = _corrupt_state(demo_world)
    result = mfa(*argv)
    _one_warning(result, state)
    if argv[0] == "status":
        assert result.returncode == 0 and json.loads(result.stdout)  # stdout is still only JSON
    else:
        assert result.returncode == 1  # the state is gone: the MFA session with it
        assert "mfa-tui: warning" not in result.stdout


def test_a_corrupt_state_is_reported_by_credential_process(demo_world):
    state = _corrupt_state(demo_world)
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1 and result.stdout == ""
    _one_warning(result, state)


def test_the_warning_is_shown_once(demo_world):
    state = _corrupt_state(demo_world)
    _one_warning(mfa("status", "--json"), state)
    again = mfa("status", "--json")
    assert "warning" not in again.stderr, again.stderr
