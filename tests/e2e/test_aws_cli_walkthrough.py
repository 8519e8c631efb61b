"""The README's walk-through with the real AWS CLI v1: what the force-MFA policy means, on the demo.

``mfa-tui demo serve`` runs the local AWS (which authorises every request as AWS does) with the
demo world in a throw-away HOME; the AWS CLI from PyPI and ``mfa-tui`` run as the user would run
them, as subprocesses with ``HOME`` pointing there. Each step checks what AWS would print:

1. long-term keys: ``aws s3 ls`` and ``aws iam list-users`` are denied by the force-MFA statement;
2. the MFA-session profile (after one ``mfa-tui refresh`` with one code): allowed;
3. a chained role: ``aws s3 rb`` on the bucket whose policy denies DeleteBucket without MFA works;
4. the direct role (its own code, a later step): the same ``rb`` is denied by the bucket policy,
   because a role assumed directly with a code carries no MFA context (seed 003's "wrong way 1";
   docs/aws-behaviour.md, "MFA context per credential type").
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
AWS = BIN / "aws"
MFA_TUI = BIN / "mfa-tui"
IDENTITY_ACCOUNT = "111111111111"


@pytest.fixture
def demo(tmp_path):
    """(home, env) of a running ``mfa-tui demo serve``; stopped at the end."""
    home = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MFA_TUI_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        NO_COLOR="1",
    )
    server = subprocess.Popen(
        [str(MFA_TUI), "demo", "serve", "--home", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    try:
        endpoint = server.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), endpoint
        yield home, env
    finally:
        server.terminate()
        server.wait(timeout=20)


def run(env, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([*argv], capture_output=True, text=True, env=env, timeout=120)


def code(home: Path, env) -> tuple[str, int]:
    """The demo device's current code and the seconds left in its step."""
    result = run(env, str(MFA_TUI), "demo", "code", "--home", str(home))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip(), int(result.stderr.split("s left")[0])


def denial(action: str, principal: str, where: str, resource: str = "") -> str:
    on = f" on resource: {resource}" if resource else ""
    return f"User: {principal} is not authorized to perform: {action}{on} with an explicit deny in {where}"


def test_the_force_mfa_walk_through_with_the_aws_cli(demo):
    home, env = demo
    alice = f"arn:aws:iam::{IDENTITY_ACCOUNT}:user/alice"

    # 1. Long-term keys: everything but the MFA calls is denied (the seed's force-MFA policy).
    ls = run(env, str(AWS), "s3", "ls", "--profile", "alice-long-term")
    assert ls.returncode != 0
    assert "An error occurred (AccessDenied) when calling the ListBuckets operation: " in ls.stderr
    assert denial("s3:ListAllMyBuckets", alice, "an identity-based policy") in ls.stderr
    users = run(env, str(AWS), "iam", "list-users", "--profile", "alice-long-term")
    assert users.returncode != 0
    assert denial("iam:ListUsers", alice, "an identity-based policy") in users.stderr
    who = run(env, str(AWS), "sts", "get-caller-identity", "--profile", "alice-long-term")
    assert who.returncode == 0 and alice in who.stdout  # AWS always answers who you are

    # 2. One code refreshes the MFA session and every chained role; the direct role needs its own.
    first, _ = code(home, env)
    refresh = run(env, str(MFA_TUI), "refresh", "--code", first)
    assert refresh.returncode == 1, refresh.stdout + refresh.stderr  # only the direct role is left
    assert "prod-readonly-direct" in refresh.stdout + refresh.stderr
    ls = run(env, str(AWS), "s3", "ls", "--profile", "alice")
    assert ls.returncode == 0, ls.stderr
    assert "mfa-tui-identity-protected" in ls.stdout

    # 3. A chained role carries the MFA session's context: the protected bucket can go.
    rb = run(env, str(AWS), "s3", "rb", "s3://mfa-tui-dev-protected", "--profile", "dev-admin")
    assert rb.returncode == 0, rb.stderr
    assert rb.stdout.strip() == "remove_bucket: mfa-tui-dev-protected"

    # 4. The direct role, with its own code from the next step: the bucket policy denies it.
    _, left = code(home, env)
    time.sleep(left + 1)
    second, _ = code(home, env)
    assert second != first
    direct = run(env, str(MFA_TUI), "refresh", "prod-readonly-direct", "--code", second)
    assert direct.returncode == 0, direct.stdout + direct.stderr
    rb = run(env, str(AWS), "s3", "rb", "s3://mfa-tui-prod-protected", "--profile", "prod-readonly-direct")
    assert rb.returncode != 0
    principal = "arn:aws:sts::444444444444:assumed-role/ReadOnly/"
    assert "An error occurred (AccessDenied) when calling the DeleteBucket operation: " in rb.stderr
    assert f"User: {principal}" in rb.stderr
    assert (
        "is not authorized to perform: s3:DeleteBucket on resource: arn:aws:s3:::mfa-tui-prod-protected "
        "with an explicit deny in a resource-based policy"
    ) in rb.stderr
    # The same bucket through the chained role: allowed, as seed 003 says.
    rb = run(env, str(AWS), "s3", "rb", "s3://mfa-tui-prod-protected", "--profile", "prod-readonly")
    assert rb.returncode == 0, rb.stderr
