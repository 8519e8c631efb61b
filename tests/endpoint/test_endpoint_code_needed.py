"""The endpoint when only a new MFA code would help: the code source (exec, a real process) and the dashboard.

``mfa-tui exec`` runs for real against the local AWS with the stub ``pass`` as alice's source
(tests/code_stub_support.py); the endpoint's waiting behaviour is driven in-process over real HTTP,
with the core's BridgeServer standing in for a dashboard whose dialog is open.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture
from bridge_support import refreshing
from http_support import get
from refresh_support import Codes, make_service

from mfa_tui.core import paths
from mfa_tui.core.bridge.server import BridgeServer
from mfa_tui.endpoint.server import CredentialEndpoint
from mfa_tui.endpoint.supply import REQUEST_PATIENCE, Supplier

CALLER = 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'


def test_exec_with_an_ended_mfa_session_runs_with_a_code_from_the_source(demo_world, frozen_clock, code_stubs, local_aws):
    start = frozen_clock.now()
    frozen_clock.set(start - timedelta(days=2))  # a session made two days ago: long ended now
    service = make_service(demo_world, frozen_clock)
    assert service.refresh(service.select(["alice"]), Codes(demo_world)).results["alice"].ok
    frozen_clock.set(start)
    set_source(demo_world, code_source="command", code_command="pass otp aws/alice")
    sessions = local_aws.count("GetSessionToken")
    result = subprocess.run([sys.executable, "-m", "mfa_tui", "exec", "dev-admin", "--", sys.executable, "-c", CALLER],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, env=dict(os.environ), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
    assert local_aws.count("GetSessionToken") == sessions + 1
    assert [call[0] for call in code_stubs.calls()] == ["pass"]
    assert result.stderr.splitlines() == ["mfa-tui: alice: getting a code from `pass otp aws/alice`"]


def test_requests_while_the_dashboard_dialog_is_open_get_the_503_line_then_are_served(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)  # no MFA session; alice types her codes
    replies = []
    bridge = BridgeServer(demo_world.config_path, paths.state_dir(), lambda profile, reply: replies.append(reply))
    assert bridge.start() is None
    endpoint = CredentialEndpoint(Supplier(service), token="tok").start()
    try:
        began = time.monotonic()
        first = get(endpoint.url("dev-admin"), "tok")
        other = get(endpoint.url("staging-admin"), "tok")
        assert time.monotonic() - began < 2 * REQUEST_PATIENCE + 3  # each answered in time, not held for 120 s
        for status, body in (first, other):
            assert status == 503 and body["code"] == "NeedsMfaCode"
            assert "waiting for a new MFA code for profile dev-admin" in body["message"]
        assert len(replies) == 1  # one dialog, not one per request
        # The user types the code in the dialog: the dashboard refreshes and answers.
        other_service = make_service(demo_world, frozen_clock)
        assert other_service.refresh(other_service.select(["dev-admin"]), Codes(demo_world)).results["dev-admin"].ok
        replies[0](None)
        deadline = time.monotonic() + 10
        while (answer := get(endpoint.url("dev-admin"), "tok"))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answer[0] == 200 and answer[1]["AccessKeyId"].startswith("ASIA")
        assert get(endpoint.url("staging-admin"), "tok")[0] == 200  # minted from the new MFA session
    finally:
        endpoint.stop()
        bridge.close()


def test_a_refused_dialog_is_not_reopened_by_the_sdks_retries(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    asked = []

    def refuse(profile, reply):
        asked.append(profile)
        reply("skipped: no code entered")

    bridge = BridgeServer(demo_world.config_path, paths.state_dir(), refuse)
    assert bridge.start() is None
    endpoint = CredentialEndpoint(Supplier(service), token="tok").start()
    try:
        answers = [get(endpoint.url("dev-admin"), "tok") for _ in range(3)]
    finally:
        endpoint.stop()
        bridge.close()
    assert asked == ["dev-admin"]
    for status, body in answers:
        assert status == 503
        assert body["message"].endswith("(the dashboard did not refresh it: skipped: no code entered)")
        assert "mfa-tui refresh dev-admin" in body["message"]


def test_the_in_process_caller_waits_for_the_whole_ask(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)

    answer_later = refreshing(demo_world, frozen_clock, delay=2 * REQUEST_PATIENCE, codes=lambda: Codes(demo_world))
    bridge = BridgeServer(demo_world.config_path, paths.state_dir(), answer_later)
    assert bridge.start() is None
    try:
        creds = Supplier(service).credentials("dev-admin")  # exec's first check, on the main thread
    finally:
        bridge.close()
    assert creds.access_key_id.startswith("ASIA")
