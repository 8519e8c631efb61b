"""``mfa-tui exec`` as a user runs it: a real process, the demo world, the local AWS in this process.

Each test runs ``python -m mfa_tui exec`` in the demo world's isolated HOME; the child commands
are boto3 in Python, the AWS CLI v1 from the venv, or ``sh``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pty_support import at_terminal

BIN = Path(sys.executable).parent
PY = sys.executable
CALLER = 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'


def mfa(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "mfa_tui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture
def session(demo_world):
    """alice's MFA session refreshed with one code (the roles are minted from it by exec)."""
    done = mfa("refresh", "alice", "--code", demo_world.code())
    assert done.returncode == 0, done.stderr
    return demo_world


def test_boto3_under_exec_is_the_role_and_sees_no_other_credentials(session):
    env = {"AWS_PROFILE": "alice", "AWS_ACCESS_KEY_ID": "AKIAOLDOLDOLDOLDOLD1", "AWS_SECRET_ACCESS_KEY": "old",
           "AWS_SESSION_TOKEN": "old", "AWS_DEFAULT_PROFILE": "alice"}
    script = CALLER + '; import os; print(sorted(k for k in os.environ if k.startswith(("AWS_", "MFA_TUI_EXEC"))))'
    result = mfa("exec", "dev-admin", "--", PY, "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    arn, names = result.stdout.splitlines()
    assert arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
    for gone in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        assert f"'{gone}'" not in names
    for there in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_REGION",
                  "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "MFA_TUI_EXEC"):
        assert f"'{there}'" in names


def test_a_default_profile_that_would_win_over_the_endpoint_is_named(session):
    path = session.credentials_path
    quiet = mfa("exec", "dev-admin", "--", "true")
    assert quiet.returncode == 0 and quiet.stderr == ""
    path.write_text(path.read_text() + "\n[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = x\n")
    warned = mfa("exec", "dev-admin", "--", "true")
    assert warned.returncode == 0
    assert warned.stderr.startswith(f"mfa-tui: warning: the [default] profile of {path} sets aws_access_key_id")
    assert "--no-server" in warned.stderr and len(warned.stderr.splitlines()) == 1
    assert mfa("exec", "dev-admin", "--no-server", "--", "true").stderr == ""


def test_the_aws_cli_under_exec(session):
    result = mfa("exec", "dev-admin", "--", str(BIN / "aws"), "sts", "get-caller-identity", "--output", "text")
    assert result.returncode == 0, result.stderr
    assert "arn:aws:sts::222222222222:assumed-role/Admin/" in result.stdout


def test_no_server_exports_static_credentials(session):
    script = CALLER + '; import os; print("AWS_CONTAINER_CREDENTIALS_FULL_URI" in os.environ, os.environ["AWS_ACCESS_KEY_ID"][:4])'
    result = mfa("exec", "dev-admin", "--no-server", "--", PY, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "False ASIA"


def test_the_exit_status_is_passed_through(session):
    assert mfa("exec", "dev-admin", "--", "sh", "-c", "exit 7").returncode == 7
    assert mfa("exec", "dev-admin", "--no-server", "--", "sh", "-c", "exit 3").returncode == 3
    missing = mfa("exec", "dev-admin", "--", "no-such-command-here")
    assert missing.returncode == 2 and missing.stderr.strip() == (
        "mfa-tui: `no-such-command-here` not found (is it installed and on PATH?)"
    )


def test_sigterm_is_forwarded_to_the_command(session, tmp_path):
    mark = tmp_path / "got-term"
    child = (
        "import signal, sys, time\n"
        f"signal.signal(signal.SIGTERM, lambda *a: (open({str(mark)!r}, 'w').write('term'), sys.exit(42)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([PY, "-m", "mfa_tui", "exec", "dev-admin", "--", PY, "-c", child],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 42
    finally:
        if proc.poll() is None:
            proc.kill()
    assert mark.read_text() == "term"
    assert "Traceback" not in proc.stderr.read()


def test_a_signal_that_ends_the_command_is_reported_as_the_shell_does(session):
    result = mfa("exec", "dev-admin", "--", "sh", "-c", "kill -TERM $$")
    assert result.returncode == 128 + signal.SIGTERM


def test_an_ended_mfa_session_is_one_clear_line_and_no_command_runs(demo_world, tmp_path):
    mark = tmp_path / "ran"
    result = mfa("exec", "dev-admin", "--", "sh", "-c", f"touch {mark}")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "mfa-tui refresh dev-admin" in lines[0]
    assert "Traceback" not in result.stderr
    assert not mark.exists()


def test_a_nested_exec_is_refused_with_one_line(session):
    inner = f"{PY} -m mfa_tui exec dev-admin -- true"
    result = mfa("exec", "dev-admin", "--", "sh", "-c", inner)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mfa-tui: already inside `mfa-tui exec dev-admin` (MFA_TUI_EXEC is set): nested execs are refused; "
        "leave that one first (exit), then run this exec"
    ]


def test_console_print_and_the_mfa_session_refusal(session, local_aws):
    url = mfa("console", "dev-admin", "--print")
    assert url.returncode == 0, url.stderr
    assert url.stdout.startswith(local_aws.endpoint + "/federation?Action=login&")
    assert "SigninToken=" in url.stdout and local_aws.federation.tokens_issued == 1
    refused = mfa("console", "alice", "--print")
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and "GetSessionToken" in refused.stderr
    bad = mfa("console", "dev-admin", "--print", "--duration", "2h")
    assert bad.returncode == 2 and "1h" in bad.stderr


def test_serve_answers_every_profile_and_leaves_a_marker(session):
    import json
    import urllib.request

    from mfa_tui.core import paths
    from mfa_tui.core.service import serving

    registry = paths.config_path()
    proc = subprocess.Popen([PY, "-m", "mfa_tui", "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        uri = proc.stdout.readline().strip().split("=", 1)[1]
        token = proc.stdout.readline().strip().split("=", 1)[1]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for name in ("dev-admin", "staging-admin"):
            request = urllib.request.Request(uri.replace("PROFILE", name), headers={"Authorization": token})
            with opener.open(request, timeout=10) as answer:
                assert json.loads(answer.read())["AccessKeyId"].startswith("ASIA")
        found = serving.read_marker(registry)
        assert found is not None and found.pid == proc.pid and str(found.port) in uri
        second = mfa("serve")
        assert second.returncode == 2 and second.stderr.strip() == (
            f"mfa-tui: mfa-tui serve already runs for this registry (pid {proc.pid}, 127.0.0.1:{found.port}); stop it first, or use that one"
        )
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert serving.read_marker(registry) is None
    assert token not in proc.stderr.read()


def test_the_long_job_outlives_several_expiries_without_a_code(session, local_aws):
    """A boto3 loop under exec across ≥ 3 expiries of 5-second credentials: every call succeeds."""
    from mfa_tui.core.clock import SystemClock

    local_aws.clock = SystemClock()  # real time on both sides: the credentials really expire
    local_aws.credential_lifetime = 5
    sessions_before = local_aws.count("GetSessionToken")
    job = (
        "import boto3, time\n"
        "sts = boto3.client('sts')\n"
        "keys, calls, start = [], 0, time.time()\n"
        "while len(set(keys)) < 5 and time.time() - start < 40:\n"
        "    sts.get_caller_identity()\n"
        "    calls += 1\n"
        "    key = sts._request_signer._credentials.get_frozen_credentials().access_key\n"
        "    keys.append(key)\n"
        "    time.sleep(0.25)\n"
        "print(calls, len(set(keys)), round(time.time() - start, 1))\n"
    )
    started = time.monotonic()
    result = mfa("exec", "dev-admin", "--", PY, "-c", job, timeout=90)
    assert result.returncode == 0, result.stderr
    calls, distinct, seconds = result.stdout.split()
    assert int(distinct) >= 4, result.stdout  # the first credentials and at least 3 renewals
    assert float(seconds) > 3 * 5 * (1 - 1 / 3)  # the job outlived three lifetimes' serving windows
    assert local_aws.count("AssumeRole") >= 4
    assert local_aws.count("GetSessionToken") == sessions_before  # no code: the MFA session did it all
    assert time.monotonic() - started < 60


# ── at a terminal: a Ctrl-C goes to the whole foreground process group, mfa-tui and the command ──
# Passing it on as well gave the command a second SIGINT, which tools such as terraform take as
# "stop now, without cleaning up".

COUNTER = (
    "import signal, sys, time\n"
    "got = []\n"
    "signal.signal(signal.SIGINT, lambda *a: got.append(1))\n"
    "print('ready', flush=True)\n"
    "end = time.time() + 20\n"
    "while not got and time.time() < end:\n"
    "    time.sleep(0.05)\n"
    "time.sleep(1.5)  # a second SIGINT, passed on by mfa-tui, would come within this\n"
    "print('interrupts', len(got), flush=True)\n"
)


def test_ctrl_c_at_the_terminal_reaches_the_command_once(session):
    with at_terminal([PY, "-m", "mfa_tui", "exec", "dev-admin", "--", PY, "-c", COUNTER]) as terminal:
        assert b"ready" in terminal.read_until(b"ready")
        terminal.type(b"\x03")  # ^C, as typed
        out = terminal.read_until(b"interrupts 1\r\n", timeout=30)
        assert b"interrupts 1\r\n" in out, out
        assert terminal.exit_code() == 0
