"""Items 1–3 of issue 8: credential-process, one-code refresh and who-am-I, each against its floor.

Every measurement is a whole process, as a user runs it, against the world's local AWS. Floor
and mfa-tui runs alternate (and alternate which goes first), so a neighbour's load lands on both
sides alike; the figures are medians.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from procs import BenchError, Sample, median, run_timed
from world import MFA_TUI, PYTHON, REGION, World

BENCH_DIR = Path(__file__).resolve().parent
CONCURRENCY = 8
ROLE_DURATION = 3600
MFA_DURATION = 12 * 3600


def _job(path: Path, job: dict) -> str:
    """Write a floor's input (it holds keys) owner-only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(job, fh)
    return str(path)


def _summary(samples: list[Sample]) -> dict:
    return {"wall": median([s.wall for s in samples]), "cpu": median([s.cpu for s in samples]), "runs": len(samples)}


def refresh(world: World, runs: int, tmp: Path) -> dict:
    """``mfa-tui refresh <N roles> --code C`` vs 1 GetSessionToken + N AssumeRole in plain boto3.

    Each device's registry copy is loaded once first (``mfa-tui status``, untimed), as a user's
    registry was by their previous command: mfa-tui keeps the last registry that validated per
    path (registry_cache), and without this every timed refresh would be the first start after
    an edit, because the code book hands each run a registry copy never loaded before.
    """
    for device in world.codes.devices:
        run_timed([MFA_TUI, "--config", str(device.registry), "status"], world.env)
    floor: list[Sample] = []
    ours: list[Sample] = []
    for i in range(runs):
        for side in (("floor", "ours") if i % 2 == 0 else ("ours", "floor")):
            device, code = world.codes.take()
            if side == "floor":
                job = _job(tmp / "floor-refresh.json", {
                    "endpoint": world.endpoint, "region": REGION, "access_key_id": world.keys[0],
                    "secret_access_key": world.keys[1], "serial": device.serial, "code": code,
                    "role_arns": [world.role_arns[p] for p in world.profiles], "concurrency": CONCURRENCY,
                    "duration": ROLE_DURATION, "mfa_duration": MFA_DURATION,
                })
                sample = run_timed([PYTHON, str(BENCH_DIR / "floor_refresh.py"), job], world.env, capture=True)
                if int(sample.stdout.strip() or 0) != world.roles:
                    raise BenchError(f"floor refresh assumed {sample.stdout.strip()!r} roles, not {world.roles}")
                floor.append(sample)
            else:
                world.clear_state()
                ours.append(run_timed(
                    [MFA_TUI, "--config", str(device.registry), "refresh", *world.profiles, "--code", code], world.env,
                ))
    # Each registry has its own state: leave the default registry's refreshed (untimed) for the
    # who-am-I and credential-process figures, which use it as a user would, with no --config.
    device, code = world.codes.take(world.codes.devices[0])
    run_timed([MFA_TUI, "refresh", *world.profiles, "--code", code], world.env)
    return {"floor": _summary(floor), "ours": _summary(ours)}


def _current_keys(world: World) -> list[list[str]]:
    """The credentials the last refresh wrote for the world's profiles, read from the credentials file.

    Each refresh side may use another device's registry variant (each with its own state file);
    the credentials file is the one they all write.
    """
    from mfa_tui.core.credentials.file import CredentialsFile

    sections = CredentialsFile(world.credentials_path).read()
    return [[sections[name]["aws_access_key_id"], sections[name]["aws_secret_access_key"],
             sections[name]["aws_session_token"]] for name in world.profiles]


def whoami(world: World, runs: int, tmp: Path) -> dict:
    """``mfa-tui whoami <N profiles>`` vs N clients from explicit keys and N GetCallerIdentity in boto3."""
    job = _job(tmp / "floor-whoami.json", {
        "endpoint": world.endpoint, "region": REGION, "concurrency": CONCURRENCY, "credentials": _current_keys(world),
    })
    floor: list[Sample] = []
    ours: list[Sample] = []
    for i in range(runs):
        for side in (("floor", "ours") if i % 2 == 0 else ("ours", "floor")):
            if side == "floor":
                sample = run_timed([PYTHON, str(BENCH_DIR / "floor_whoami.py"), job], world.env, capture=True)
                if int(sample.stdout.strip() or 0) != world.roles:
                    raise BenchError(f"floor who-am-I answered {sample.stdout.strip()!r} profiles, not {world.roles}")
                floor.append(sample)
            else:
                ours.append(run_timed([MFA_TUI, "whoami", *world.profiles, "--json"], world.env))
    return {"floor": _summary(floor), "ours": _summary(ours)}


def credential_process(world: World, runs: int) -> dict:
    """``mfa-tui credential-process P`` on the cached path vs ``python -c pass`` (same interpreter).

    Also times ``mfa-tui --version``: pip's launcher script plus the dispatcher and no work, the
    part of the figure that no change to the command itself can remove.
    """
    profile = world.profiles[len(world.profiles) // 2]
    check = run_timed([MFA_TUI, "credential-process", profile], world.env, capture=True)
    if json.loads(check.stdout).get("Version") != 1:
        raise BenchError(f"credential-process {profile} printed no credentials")
    cases = {
        "floor": [PYTHON, "-c", "pass"],
        "ours": [MFA_TUI, "credential-process", profile],
        "launcher": [MFA_TUI, "--version"],
    }
    samples: dict[str, list[Sample]] = {k: [] for k in cases}
    for _ in range(3):  # warm the page cache and bytecode
        for cmd in cases.values():
            run_timed(cmd, world.env)
    for _ in range(runs):
        for key, cmd in cases.items():
            samples[key].append(run_timed(cmd, world.env))
    return {key: _summary(v) for key, v in samples.items()}
