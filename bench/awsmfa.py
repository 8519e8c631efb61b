"""aws-mfa 0.0.12 (PyPI) refreshing the same profiles, one process and one code per profile.

aws-mfa has no notion of "one code, many roles": ``aws-mfa --profile P --assume-role ARN``
calls AssumeRole with the device serial and a code, so every profile needs its own code, and
AWS (like the local AWS) takes a device's code once per 30-second step. A person refreshing N
profiles therefore types N codes from N different steps: at least (N − 1) × 30 s of waiting.

The bench installs aws-mfa into its own venv (``bench/.venv-awsmfa``, gitignored; it pins an
old boto3-era tool we do not want in the project's venv), writes its credentials-file layout for
the world's N profiles (``[P-long-term]`` with alice's keys and the device; ``[P]`` as a
previous run left it, so the file has its steady-state size), and times a few processes, each
fed a fresh code on stdin (its prompt reads one line). It reads the file from ``$HOME/.aws``;
``AWS_ENDPOINT_URL_STS`` (honoured by the botocore it installs) points it at the local AWS.
Per-profile process time is the median of the samples; the totals are extrapolated to N.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from procs import BenchError, Sample, clean_env, median, run_timed
from world import REGION, World

VERSION = "0.0.12"


def ensure_venv(path: Path) -> Path:
    """The ``aws-mfa`` script of a venv at ``path`` with aws-mfa==0.0.12 (created on first use)."""
    script = path / "bin" / "aws-mfa"
    marker = path / f"aws-mfa-{VERSION}.ok"
    if script.exists() and marker.exists():
        return script
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True, capture_output=True)
    proc = subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", f"aws-mfa=={VERSION}"],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not script.exists():
        raise BenchError(f"could not install aws-mfa=={VERSION} into {path}: {proc.stderr.strip()[-800:]}")
    marker.write_text("installed by bench/run.py\n")
    return script


def _layout(world: World, home: Path) -> None:
    """aws-mfa's credentials file for every profile of the world (docs/aws-behaviour.md, "aws-mfa's file layout")."""
    lines = []
    for name in world.profiles:
        lines += [
            f"[{name}-long-term]",
            f"aws_access_key_id = {world.keys[0]}",
            f"aws_secret_access_key = {world.keys[1]}",
            f"aws_mfa_device = {world.serial}",
            f"assume_role = {world.role_arns[name]}",
            "",
            f"[{name}]",
            "assumed_role = True",
            f"assumed_role_arn = {world.role_arns[name]}",
            "aws_access_key_id = ASIAPREVIOUSRUNXXXXX",
            "aws_secret_access_key = previous-run-secret-previous-run-secret-",
            "aws_session_token = " + "previous-run-token" * 20,
            "aws_security_token = " + "previous-run-token" * 20,
            "expiration = 2000-01-01 00:00:00",
            "",
        ]
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "credentials").write_text("\n".join(lines))


def measure(world: World, script: Path, samples: int, root: Path) -> dict:
    """Time ``samples`` aws-mfa processes (one profile and one fresh code each) and extrapolate to N."""
    home = root / f"aws-mfa-{world.roles}"
    _layout(world, home)
    env = clean_env(home, AWS_ENDPOINT_URL_STS=world.endpoint, AWS_DEFAULT_REGION=REGION)
    taken: list[Sample] = []
    for i in range(samples):
        name = world.profiles[(i * 7919) % len(world.profiles)]
        device, code = world.codes.take()
        sample = run_timed(
            [str(script), "--profile", name, "--device", device.serial, "--assume-role", world.role_arns[name],
             "--force", "--log-level", "WARNING"],
            env, stdin=(code + "\n").encode(),
        )
        written = (home / ".aws" / "credentials").read_text()
        if f"[{name}]" not in written or "ASIAPREVIOUSRUNXXXXX\n" in written.split(f"[{name}]", 1)[1].split("[", 1)[0]:
            raise BenchError(f"aws-mfa did not write new credentials for {name}")
        taken.append(sample)
    per_wall = median([s.wall for s in taken])
    per_cpu = median([s.cpu for s in taken])
    n = world.roles
    return {
        "samples": len(taken),
        "per_profile": {"wall": per_wall, "cpu": per_cpu},
        "machine_total": per_wall * n,
        "cpu_total": per_cpu * n,
        # One code per profile, each from a later 30-second step than the last one spent.
        "wall_with_codes": (n - 1) * 30.0 + max(per_wall, 0.0),
    }
