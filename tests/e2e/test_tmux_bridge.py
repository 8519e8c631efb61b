"""End to end: the AWS CLI's ``credential_process`` asks the dashboard running in tmux for a code.

``mfa-tui demo serve`` runs the local AWS and writes the demo world into a throw-away HOME; the
dashboard runs in tmux on that registry; ``~/.aws/config`` gets a ``dev-admin-auto`` profile whose
``credential_process`` is ``mfa-tui credential-process dev-admin``. ``aws sts get-caller-identity
--profile dev-admin-auto`` runs in the background: credential-process finds that only a new code
would help, asks the dashboard over its socket, the token dialog appears in the pane ("requested
by credential_process"), the code is typed with send-keys, and the AWS CLI call succeeds.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import test_aws_cli_walkthrough as walkthrough
from test_tmux import Tmux

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

AWS, MFA_TUI, code = walkthrough.AWS, walkthrough.MFA_TUI, walkthrough.code
demo = walkthrough.demo
"""The fixture: ``mfa-tui demo serve`` in a throw-away HOME, yielding (home, env)."""


def test_the_aws_cli_gets_credentials_after_the_dashboards_dialog_is_answered(demo):
    home, env = demo
    endpoint = next(line.split("=", 1)[1].strip() for line in (home / ".aws" / "config").read_text().splitlines()
                    if line.startswith("endpoint_url"))
    with open(home / ".aws" / "config", "a") as fh:
        fh.write(f"\n[profile dev-admin-auto]\ncredential_process = {MFA_TUI} credential-process dev-admin\n"
                 f"region = us-east-1\nendpoint_url = {endpoint}\n")
    tmux = Tmux(f"mfa-tui-bridge-{os.getpid()}")
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.startswith(("HOME", "XDG_", "AWS_", "NO_")))
    command = f"env -u COLUMNS -u LINES {exports} {shlex.quote(str(MFA_TUI))}; sleep 30"
    aws = None
    try:
        tmux.run("new-session", "-d", "-s", "demo", "-x", "120", "-y", "40", command)
        tmux.wait_for(lambda t: "dev-admin" in t and "missing" in t, "the dashboard", timeout=60)
        state = Path(env["XDG_STATE_HOME"]) / "mfa-tui"
        deadline = time.monotonic() + 20
        while not any(p.name.startswith("dashboard-") for p in state.glob("*.sock")):
            assert time.monotonic() < deadline, "the dashboard never listened"
            time.sleep(0.2)

        aws = subprocess.Popen([str(AWS), "sts", "get-caller-identity", "--profile", "dev-admin-auto"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        screen = tmux.wait_for(lambda t: "Requested by credential_process" in t, "the token dialog", timeout=60)
        assert "dev-admin" in screen
        typed, left = code(home, env)
        if left < 4:  # too close to the step's end to type it in time
            time.sleep(left + 1)
            typed, _ = code(home, env)
        tmux.keys(typed)
        tmux.keys("Enter")
        out, err = aws.communicate(timeout=90)
        assert aws.returncode == 0, err
        assert "arn:aws:sts::222222222222:assumed-role/Admin/" in out
        tmux.wait_for(lambda t: "Requested by credential_process" not in t, "the dialog to close", timeout=30)

        tmux.keys("q")
        deadline = time.monotonic() + 20
        while any(state.glob("dashboard-*.sock")):
            assert time.monotonic() < deadline, "the socket outlived the dashboard"
            time.sleep(0.2)
    finally:
        if aws is not None and aws.poll() is None:
            aws.kill()
        tmux.kill()
