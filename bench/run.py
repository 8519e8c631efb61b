"""Issue 8's benchmarks in one command: every figure against a floor measured in the same run.

Run from the repository root::

    .venv/bin/python bench/run.py            # the full run: 10, 100, 200 and 1000 profiles (~10 min)
    .venv/bin/python bench/run.py --quick    # a smoke run at 10 profiles (~1 min)
    .venv/bin/python bench/run.py --fleet    # issue 19: 10 and 5,000 profiles, and the per-call tax

For each size it starts the local AWS with a demo world of that many chained roles in its own
process (``mfa-tui demo serve``) and measures, as whole processes against their floors:

1. ``mfa-tui credential-process P`` on the cached path vs ``python -c pass`` (target ≤ 2×);
2. ``mfa-tui refresh`` of N chained roles with one code vs a minimal boto3 script making the same
   1 GetSessionToken + N AssumeRole calls, 8 at a time (target ≤ 1.25×), and vs aws-mfa 0.0.12,
   one process and one code per profile;
3. ``mfa-tui whoami`` for N profiles vs N GetCallerIdentity in boto3, 8 at a time (≤ 1.25×);
4. the dashboard: first frame of the real ``mfa-tui`` vs a bare Textual app with an empty
   DataTable (≤ 1.3×), CPU per countdown tick idle (≤ 5 ms) and busy (≤ 15 ms), peak RSS;
5. how each figure grows from 10 to 1000 profiles;
6. a refresh's work on a 3.5, 7 and 14 MiB credentials file vs reading and writing its bytes
   (``large_credentials.py``, issue 12);
7. every fast path in src/ against the slow path it avoids (``fastpaths.py``, issue 13).

The report goes to stdout and to ``bench/results/latest.md`` (figures also in ``latest.json``).
It exits non-zero when a measurement failed or a fast path stopped paying (item 7: a line
"FAST PATH STOPPED PAYING: …" on stderr names it), never because a target was missed.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import awsmfa  # noqa: E402  (bench/ is a folder of scripts, not a package)
import cli_bench  # noqa: E402
import dash_bench  # noqa: E402
import fastpaths  # noqa: E402
import fleet_bench  # noqa: E402
import large_credentials  # noqa: E402
import report  # noqa: E402
from procs import BenchError, clean_env  # noqa: E402
from world import World  # noqa: E402

FULL = {"sizes": [10, 100, 200, 1000], "dash_sizes": [10, 100, 1000], "runs": 7, "cp_runs": 40,
        "frame_runs": 11, "ticks": 60, "awsmfa_samples": 3, "large_mib": large_credentials.SIZES, "large_runs": 5}
QUICK = {"sizes": [10], "dash_sizes": [10], "runs": 1, "cp_runs": 10, "frame_runs": 2, "ticks": 10,
         "awsmfa_samples": 1, "large_mib": large_credentials.QUICK_SIZES, "large_runs": 1}
FLEET = {"sizes": [10, 5000], "dash_sizes": [10, 5000], "runs": 3, "cp_runs": 20, "frame_runs": 5, "ticks": 30,
         "awsmfa_samples": 1, "large_mib": large_credentials.QUICK_SIZES, "large_runs": 1, "output_runs": 9}
"""``--fleet`` (issue 19): 5,000 profiles in 500 accounts (10 roles each) beside a 10-profile world."""
PARTS = ("cli", "awsmfa", "dashboard", "large", "fastpaths", "output")


def _sizes(text: str) -> list[int]:
    return sorted({int(x) for x in text.split(",") if x.strip()})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 profiles, few repetitions")
    parser.add_argument("--fleet", action="store_true",
                        help="issue 19: 10 and 5,000 profiles (500 accounts), and the per-call tax of both output modes")
    parser.add_argument("--output-runs", type=int, help="runs per world for the per-call tax (output_modes.py)")
    parser.add_argument("--sizes", type=_sizes, help="profile counts for items 1-3 (default 10,100,200,1000)")
    parser.add_argument("--dash-sizes", type=_sizes, help="profile counts for the dashboard (default 10,100,1000)")
    parser.add_argument("--runs", type=int, help="refresh / who-am-I runs per side and size")
    parser.add_argument("--cp-runs", type=int, help="credential-process runs")
    parser.add_argument("--frame-runs", type=int, help="first-frame runs per side and size")
    parser.add_argument("--ticks", type=int, help="ticks per tick figure")
    parser.add_argument("--awsmfa-samples", type=int, help="aws-mfa processes timed per size")
    parser.add_argument("--large-mib", type=lambda text: [float(x) for x in text.split(",") if x.strip()],
                        help="credentials file sizes in MiB for item 6 (default 3.5,7,14)")
    parser.add_argument("--large-runs", type=int, help="runs per job and size for item 6")
    parser.add_argument("--skip", action="append", choices=PARTS, default=[], help="leave a part out (repeatable)")
    parser.add_argument("--awsmfa-venv", type=Path, default=BENCH_DIR / ".venv-awsmfa",
                        help="where aws-mfa 0.0.12 is installed (created on first use; default %(default)s)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "latest.md", help="report file")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (worlds, logs) for inspection")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FLEET if args.fleet else FULL).items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.output_runs is None:
        args.output_runs = 1 if args.quick else 9
    return args


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="mfa-tui-bench-"))
    # Everything spawned from here (including the status-table bench's children) sees a clean
    # HOME, no AWS or XDG variables, and may write bytecode, as on a user's machine.
    os.environ.clear()
    os.environ.update(clean_env(root / "home"))
    (root / "home").mkdir()
    compileall.compile_dir(BENCH_DIR.parent / "src" / "mfa_tui", quiet=1)
    command = "bench/run.py" + (" --quick" if args.quick else " --fleet" if args.fleet else "")
    results: dict = {
        "meta": {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "command": f".venv/bin/python {command}",
                 "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                            f"Python {platform.python_version()}",
                 "load_start": _load(), "runs": args.runs, "cp_runs": args.cp_runs, "frame_runs": args.frame_runs,
                 "ticks": args.ticks},
        "cli": {}, "awsmfa": {}, "dashboard": {}, "large": {}, "fastpaths": [], "output": None,
    }
    started = time.perf_counter()
    try:
        script = None
        if "awsmfa" not in args.skip and "cli" not in args.skip:
            say(f"aws-mfa {awsmfa.VERSION}: venv {args.awsmfa_venv}")
            try:
                script = awsmfa.ensure_venv(args.awsmfa_venv)
            except (BenchError, OSError) as exc:
                say(f"  skipped: {exc}")
                results["meta"]["awsmfa_skipped"] = str(exc)
        if "cli" not in args.skip:
            for n in args.sizes:
                say(f"{n} profiles: starting the local AWS")
                world = World(root, n)
                try:
                    say(f"  refresh ×{args.runs} per side")
                    server_before = fleet_bench.server_cpu(world)
                    entry = {"refresh": cli_bench.refresh(world, args.runs, root)}
                    # Both sides make the same calls: the local AWS's own CPU per refresh (issue 19).
                    entry["server_cpu_per_refresh"] = (fleet_bench.server_cpu(world) - server_before) / (2 * args.runs)
                    say(f"  who-am-I ×{args.runs} per side")
                    entry["whoami"] = cli_bench.whoami(world, args.runs, root)
                    say(f"  credential-process ×{args.cp_runs}")
                    entry["credential_process"] = cli_bench.credential_process(world, args.cp_runs)
                    say(f"  status of one profile ×{max(args.runs, fleet_bench.STATUS_RUNS)}")
                    entry["status"] = fleet_bench.status(world, args.runs)
                    if script is not None:
                        say(f"  aws-mfa ×{args.awsmfa_samples}")
                        results["awsmfa"][n] = awsmfa.measure(world, script, args.awsmfa_samples, root)
                    entry["code_wait_s"] = world.codes.waited
                    results["cli"][n] = entry
                finally:
                    world.stop()
        if "dashboard" not in args.skip:
            for n in args.dash_sizes:
                say(f"dashboard, {n} profiles: first frame ×{args.frame_runs} per side, {args.ticks} ticks")
                results["dashboard"][n] = dash_bench.measure(root, n, args.frame_runs, args.ticks)
        if "large" not in args.skip:
            say(f"large credentials file, {', '.join(f'{m:g}' for m in args.large_mib)} MiB: ×{args.large_runs} per job")
            results["large"] = large_credentials.measure(root, args.large_mib, args.large_runs)
        if "output" not in args.skip:
            import output_modes

            fleet = 200 if args.quick else max(5000, *args.sizes)
            say(f"per-call tax, {fleet} profiles vs 1, both output modes ×{args.output_runs}")
            results["output"] = output_modes.measure(fleet, args.output_runs)
        if "fastpaths" not in args.skip:
            say("fast paths against the slow paths they avoid")
            results["fastpaths"] = fastpaths.measure(root, fastpaths.QUICK if args.quick else fastpaths.FULL, say)
    except BenchError as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        results["meta"]["load_end"] = _load()
        results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
        if args.keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    text = report.render(results)
    if results["large"]:
        text += "\n" + large_credentials.render(results["large"])
    if results["fastpaths"]:
        text += "\n" + fastpaths.render(results["fastpaths"])
    text += fleet_bench.render(results)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    say(f"written {args.out} and {args.out.with_suffix('.json').name} in {results['meta']['seconds']:.0f} s")
    stopped = fastpaths.failures(results["fastpaths"])
    for line in stopped:
        say(line)
    return 1 if stopped else 0


if __name__ == "__main__":
    sys.exit(main())
