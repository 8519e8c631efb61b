"""status, refresh, whoami, env and credential-process through the real ``mfa-tui`` process.

Each test runs ``python -m mfa_tui`` in the isolated HOME of the demo world, so the
commands find the registry, ~/.aws files and state exactly as a user's shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3

SECRET_MARKERS = ("aws_secret_access_key", "SecretAccessKey")


def mfa(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def secrets_of(world) -> list[str]:
    text = world.credentials_path.read_text()
    return [line.split("=", 1)[1].strip() for line in text.splitlines()
            if line.startswith(("aws_secret_access_key", "aws_session_token"))]


def test_status_json_before_and_after_refresh(demo_world):
    before = mfa("status", "--json")
    assert before.returncode == 0, before.stderr
    rows = json.loads(before.stdout)
    assert {r["state"] for r in rows} == {"missing"}
    assert {"profile", "identity", "account", "role_arn", "state", "expires_at"} <= set(rows[0])
    assert next(r for r in rows if r["profile"] == "alice")["role_arn"] is None

    chained = [r["profile"] for r in rows if r["kind"] != "direct-role"]
    done = mfa("refresh", *chained, "--code", demo_world.code())
    assert done.returncode == 0, done.stderr
    assert "dev-admin: valid until" in done.stdout
    for secret in secrets_of(demo_world):
        assert secret not in done.stdout + done.stderr

    rows = {r["profile"]: r for r in json.loads(mfa("status", "--json").stdout)}
    assert rows["dev-admin"]["state"] == "valid" and rows["dev-admin"]["account"] == "222222222222"
    assert rows["dev-admin"]["expires_at"].endswith("Z")
    text = mfa("status")
    assert text.returncode == 0 and "dev-admin" in text.stdout and "valid" in text.stdout


def test_refresh_without_a_code_on_a_pipe_fails_clearly(demo_world):
    result = mfa("refresh", "dev-admin", stdin="")
    assert result.returncode == 1
    assert "needs a code" in result.stderr and "Traceback" not in result.stderr
    assert "0 profiles refreshed, 1 skipped" in result.stderr
    # Nothing was tried, so nothing is on record as an error.
    rows = {r["profile"]: r for r in json.loads(mfa("status", "--json").stdout)}
    assert rows["dev-admin"]["state"] == "missing"


def test_refresh_writes_every_profile_it_may_and_names_the_refused_section(demo_world):
    path = demo_world.credentials_path
    foreign = (
        "\n[dev-admin]\naws_access_key_id = ASIAAWSMFA\naws_secret_access_key = other\n"
        "aws_session_token = other-token\nexpiration = 2020-01-01 00:00:00\n"
    )
    with open(path, "a") as fh:
        fh.write(foreign)
    before = path.read_text()

    result = mfa("refresh", "dev-admin", "dev-readonly", "--code", demo_world.code())

    assert result.returncode == 1, result.stderr
    assert "dev-readonly: valid until" in result.stdout
    assert f"dev-admin: failed: not written: {path}: profile [dev-admin] holds another tool's temporary credentials" in result.stderr
    assert "`mfa-tui refresh dev-admin --adopt`" in result.stderr
    text = path.read_text()
    assert text.startswith(before) and "[dev-readonly]" in text[len(before):]

    # The MFA session of the first run is live: taking the section over needs no new code.
    adopted = mfa("refresh", "dev-admin", "--adopt", stdin="")
    assert adopted.returncode == 0, adopted.stderr
    assert "dev-admin: valid until" in adopted.stdout
    assert "ASIAAWSMFA" not in path.read_text()


def test_refresh_with_a_malformed_code_names_it(demo_world):
    result = mfa("refresh", "alice", "--code", "12ab")
    assert result.returncode == 2  # bad input, refused before anything is sent
    assert "exactly 6 digits" in result.stderr and "Traceback" not in result.stderr


def test_unknown_profile_is_bad_input(demo_world):
    result = mfa("refresh", "nope", "--code", "123456")
    assert result.returncode == 2 and "unknown profile nope" in result.stderr


def test_broken_registry_is_one_line_and_exit_2(demo_world):
    demo_world.config_path.write_text("[settings\n")
    result = mfa("status")
    assert result.returncode == 2
    assert str(demo_world.config_path) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_whoami_env_and_credential_process(demo_world):
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0

    who = mfa("whoami", "alice", "dev-admin", "--json")
    assert who.returncode == 0, who.stderr
    arns = {r["profile"]: r["arn"] for r in json.loads(who.stdout)}
    assert arns["alice"] == "arn:aws:iam::111111111111:user/alice"
    assert arns["dev-admin"].startswith("arn:aws:sts::222222222222:assumed-role/Admin/")

    env = mfa("env", "dev-admin")
    assert env.returncode == 0
    exported = dict(line[len("export "):].split("=", 1) for line in env.stdout.splitlines())
    assert set(exported) >= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    fish = mfa("env", "dev-admin", "--shell", "fish")
    assert fish.stdout.startswith("set -gx AWS_ACCESS_KEY_ID ")

    proc = mfa("credential-process", "dev-admin")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["Version"] == 1 and doc["Expiration"].endswith("Z")
    assert doc["AccessKeyId"] == exported["AWS_ACCESS_KEY_ID"]

    # botocore itself runs the helper through credential_process.
    with open(demo_world.aws_config_path, "a") as fh:
        fh.write(f"\n[profile dev-admin-auto]\ncredential_process = {sys.executable} -m mfa_tui credential-process dev-admin\n")
    session = boto3.Session(profile_name="dev-admin-auto")
    arn = session.client("sts", endpoint_url=demo_world.endpoint, region_name="us-east-1").get_caller_identity()["Arn"]
    assert arn == arns["dev-admin"].rsplit("/", 1)[0] + "/" + arns["dev-admin"].rsplit("/", 1)[1]


def test_credential_process_needs_a_code_fails_fast_with_empty_stdout(demo_world):
    result = mfa("credential-process", "dev-admin")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "needs a new MFA code" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_credential_process_remints_from_a_live_session(demo_world, frozen_clock):
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0
    first = json.loads(mfa("credential-process", "dev-admin").stdout)["AccessKeyId"]
    # Make the cached role session look nearly expired: the helper must re-mint, with no prompt.
    from mfa_tui.core.session.state import StateStore
    from datetime import timedelta
    from dataclasses import replace

    def shorten(state):
        pst = state.profile("dev-admin")
        pst.credentials = replace(pst.credentials, expiration=pst.credentials.expiration - timedelta(minutes=50))
        pst.expires_at = pst.credentials.expiration

    StateStore().update(shorten)
    demo_world.aws.clear_calls()
    result = mfa("credential-process", "dev-admin", stdin="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"] != first
    assert demo_world.aws.count("AssumeRole") == 1 and demo_world.aws.count("GetSessionToken") == 0
