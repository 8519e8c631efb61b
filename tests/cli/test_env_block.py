"""``mfa-tui env`` gives a shell everything it needs to act as a profile (issue 14, CLI).

awscli v1 and boto3 read ``AWS_DEFAULT_REGION`` (not only ``AWS_REGION``), and an identity on a
custom endpoint (the local AWS) must take its calls there too: ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys


def mfa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, stdin=subprocess.DEVNULL)


def test_env_names_the_region_both_ways_and_the_endpoint(demo_world):
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0
    out = mfa("env", "dev-admin")
    assert out.returncode == 0, out.stderr
    exported = dict(line[len("export "):].split("=", 1) for line in out.stdout.splitlines())
    assert exported["AWS_REGION"] == exported["AWS_DEFAULT_REGION"] == "us-east-1"
    assert shlex.split(exported["AWS_ENDPOINT_URL"]) == [demo_world.endpoint]


def test_eval_in_bash_and_zsh_syntax_then_an_sdk_call_acts_as_the_role(demo_world):
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0
    for shell in ("bash", "zsh"):
        out = mfa("env", "dev-admin", "--shell", shell)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("export AWS_ACCESS_KEY_ID=")
    probe = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    script = f'eval "$({shlex.join([sys.executable, "-m", "mfa_tui", "env", "dev-admin"])})" && ' \
             f"{shlex.join([sys.executable, '-c', probe])}"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=clean, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
