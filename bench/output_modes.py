"""Issue 19: the per-call tax of a large fleet on every AWS CLI and SDK call, in both output modes.

One run measures, side by side, for one profile among N (default 5,000) and in a one-profile world:

- ``aws sts get-caller-identity --profile P`` (AWS CLI v1 from PyPI, in the project's venv);
- ``boto3.Session(profile_name=P).client("sts").get_caller_identity()`` in a fresh Python;

in each output mode:

- ``credentials-file``: the credentials file holds N sections in mfa-tui's shape (keys, token,
  expiration, region, marker), the config only ``[default]``;
- ``credential-process``: the credentials file holds only the identity's long-term keys; the
  config holds N ``[profile P]`` sections with ``credential_process = mfa-tui credential-process P``
  (written by mfa-tui's own exact config editor, in one write), and mfa-tui's state holds the N
  profiles' credentials, so each call runs ``mfa-tui credential-process P`` on its cached path.

The target profile is the middle one and holds real session credentials of a user of the local
AWS (run in this process; GetCallerIdentity needs no permission); the others hold well-formed
fakes. Whole processes, alternating worlds, medians of wall and CPU (the child's own rusage, which
includes the credential-process grandchild). The goal: credential-process at N ≤ 1.2× its cost
with one profile.

    .venv/bin/python bench/output_modes.py [--profiles 5000] [--runs 15] [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from procs import clean_env, median, run_timed  # noqa: E402
from world import PYTHON, VENV_BIN  # noqa: E402

ACCOUNT = "111111111111"
REGION = "us-east-1"
BOTO3_CALL = "import boto3, sys; boto3.Session(profile_name=sys.argv[1]).client('sts').get_caller_identity()"
GOAL = 1.2


def _session_credentials(aws) -> tuple[str, str, str]:
    """Real session credentials of a plain user of the local AWS (no MFA policy: GetSessionToken needs none)."""
    import boto3

    from mfa_tui.localaws import backends

    iam = backends.iam(ACCOUNT)
    iam.create_user(REGION, "bench-caller", path="/")
    key = iam.create_access_key("bench-caller")
    sts = boto3.client("sts", aws_access_key_id=key.access_key_id, aws_secret_access_key=key.secret_access_key,
                       region_name=REGION, endpoint_url=aws.endpoint)
    creds = sts.get_session_token(DurationSeconds=12 * 3600)["Credentials"]
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]


def _names(n: int) -> list[str]:
    return [f"p{i:05d}" for i in range(n)]


def build_home(base: Path, mode: str, n: int, real: tuple[str, str, str]) -> tuple[Path, str]:
    """A HOME holding an N-profile fleet in ``mode``; returns it and the target profile's name."""
    import tomli_w

    from mfa_tui.core.credentials.config_file import AwsConfigFile, command_for
    from mfa_tui.core.fileio import atomic_write
    from mfa_tui.core.models import Credentials
    from mfa_tui.core.registry import load as registry_mod
    from mfa_tui.core.service.facade import Service
    from mfa_tui.core.session.state import StateStore
    from mfa_tui.core.session.store import bind_all

    home = base / f"{mode}-{n}"
    aws_dir = home / ".aws"
    aws_dir.mkdir(parents=True)
    names = _names(n)
    target = names[n // 2]
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=11)
    stamp = expires.strftime("%Y-%m-%d %H:%M:%S")

    def creds(i: int, name: str) -> tuple[str, str, str]:
        return real if name == target else (f"ASIABENCH{i:011d}", "bench-secret-" + "x" * 28, "bench-token-" + "y" * 300)

    long_term = "[alice-long-term]\naws_access_key_id = AKIABENCHEXAMPLE0000\naws_secret_access_key = bench-not-a-secret\n"
    atomic_write(aws_dir / "config", f"[default]\nregion = {REGION}\n".encode())
    if mode == "credentials-file":
        sections = [long_term]
        for i, name in enumerate(names):
            key, secret, token = creds(i, name)
            sections.append(f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
                            f"aws_session_token = {token}\nexpiration = {stamp}\nregion = {REGION}\n"
                            "mfa_tui_managed = true\n")
        atomic_write(aws_dir / "credentials", "\n".join(sections).encode())
        return home, target
    atomic_write(aws_dir / "credentials", long_term.encode())
    registry_path = home / ".config" / "mfa-tui" / "config.toml"
    doc = {
        "identities": {"alice": {"source_profile": "alice-long-term", "region": REGION,
                                 "mfa_serial": f"arn:aws:iam::{ACCOUNT}:mfa/alice"}},
        "profiles": {name: {"identity": "alice", "role_arn": f"arn:aws:iam::{200000000000 + i // 10}:role/R{i % 10}",
                            "output": "credential-process"} for i, name in enumerate(names)},
    }
    registry_path.parent.mkdir(parents=True)
    atomic_write(registry_path, tomli_w.dumps(doc).encode())
    AwsConfigFile(aws_dir / "config").write({name: (command_for(name), None) for name in names})
    loaded = registry_mod.load(registry_path, aws_config_path=aws_dir / "config")
    state_store = StateStore(home / ".local" / "state" / "mfa-tui", registry_path=registry_path)
    service = Service(loaded, state_store=state_store, credentials_path=aws_dir / "credentials",
                      aws_config_path=aws_dir / "config")

    def fill(state) -> None:
        for i, name in enumerate(names):
            pst = state.profile(name)
            pst.identity, pst.kind = "alice", "chained-role"
            pst.credentials = Credentials(*creds(i, name), expires)
            pst.expires_at = expires
        bind_all(state, loaded)

    service.sessions.update(fill)  # stamps the state with the registry, as every mfa-tui write does
    return home, target


def measure(profiles: int, runs: int, keep: bool = False) -> dict:
    from mfa_tui.localaws import LocalAWS

    aws = LocalAWS()
    aws.start()
    base = Path(tempfile.mkdtemp(prefix="mfa-tui-bench-output-"))
    try:
        real = _session_credentials(aws)
        worlds = {}
        for mode in ("credentials-file", "credential-process"):
            for n in (1, profiles):
                home, target = build_home(base, mode, n, real)
                env = clean_env(home, AWS_ENDPOINT_URL_STS=aws.endpoint, AWS_DEFAULT_REGION=REGION,
                                PATH=f"{VENV_BIN}:/usr/bin:/bin")
                worlds[(mode, n)] = (env, target, _sizes(home))
        callers = {
            "aws-cli": lambda target: [str(VENV_BIN / "aws"), "sts", "get-caller-identity", "--profile", target],
            "boto3": lambda target: [PYTHON, "-c", BOTO3_CALL, target],
        }
        samples: dict = {(c, m, n): [] for c in callers for (m, n) in worlds}
        for env, target, _ in worlds.values():  # warm the page cache and the registry copy once, untimed
            run_timed(callers["boto3"](target), env)
        for r in range(runs):
            order = list(worlds.items())
            if r % 2:
                order.reverse()
            for caller, cmd in callers.items():
                for (mode, n), (env, target, _) in order:
                    samples[(caller, mode, n)].append(run_timed(cmd(target), env))
        rows = []
        for caller in callers:
            for mode in ("credentials-file", "credential-process"):
                one = samples[(caller, mode, 1)]
                many = samples[(caller, mode, profiles)]
                w1, wn = median([s.wall for s in one]), median([s.wall for s in many])
                c1, cn = median([s.cpu for s in one]), median([s.cpu for s in many])
                rows.append({"caller": caller, "mode": mode, "wall_1": w1, "wall_n": wn, "cpu_1": c1, "cpu_n": cn,
                             "ratio_wall": wn / w1, "ratio_cpu": cn / c1, "files_n": worlds[(mode, profiles)][2]})
        return {"profiles": profiles, "runs": runs, "rows": rows}
    finally:
        aws.stop()
        if keep:
            print(f"kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def _sizes(home: Path) -> dict[str, int]:
    found = {"credentials": home / ".aws" / "credentials", "config": home / ".aws" / "config"}
    state = list((home / ".local" / "state" / "mfa-tui").glob("state-*.json"))
    if state:
        found["state"] = state[0]
    return {name: path.stat().st_size for name, path in found.items()}


def report(result: dict) -> str:
    n = result["profiles"]
    lines = [f"### Per-call tax: one profile among {n:,} vs a one-profile world ({result['runs']} runs, medians)", "",
             f"| call | output mode | 1 profile wall / CPU | {n:,} profiles wall / CPU | ratio wall / CPU | files at {n:,} |",
             "|---|---|---|---|---|---|"]
    for row in result["rows"]:
        files = ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in row["files_n"].items())
        lines.append(f"| {row['caller']} | {row['mode']} | {row['wall_1']:.3f} s / {row['cpu_1']:.3f} s | "
                     f"{row['wall_n']:.3f} s / {row['cpu_n']:.3f} s | {row['ratio_wall']:.2f}× / {row['ratio_cpu']:.2f}× "
                     f"| {files} |")
    process = [r for r in result["rows"] if r["mode"] == "credential-process"]
    met = all(r["ratio_cpu"] <= GOAL for r in process)
    lines += ["", f"Goal: credential-process at {n:,} ≤ {GOAL}× its one-profile cost (CPU): "
              + ("met" if met else "NOT met") + "."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="200 profiles, 2 runs (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the homes for inspection")
    args = parser.parse_args(argv)
    if args.quick:
        args.profiles, args.runs = 200, 2
    result = measure(args.profiles, args.runs, args.keep)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
