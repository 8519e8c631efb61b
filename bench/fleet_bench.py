"""Issue 19's fleet figures for ``bench/run.py``: ``status`` of one profile per size, and the fleet summary.

``mfa-tui status P`` (one profile) is timed in each size's world, as ``credential-process`` is by
``cli_bench``: both should cost the same at 5,000 profiles as at 10. ``render`` adds a section with
those two per size (ratios to the smallest size measured), the 5,000-profile headline (first frame,
ticks, refresh, peak RSS against their floors of the same run) and the per-call tax of
``output_modes.py``.
"""

from __future__ import annotations

from procs import Sample, median, run_timed
from world import MFA_TUI, PYTHON, World


STATUS_RUNS = 9
"""At least this many runs a side: a status is 0.1 s, and 3 runs let one slow neighbour set the median."""


def status(world: World, runs: int) -> dict:
    """``mfa-tui status P`` for one profile, and ``python -c pass`` beside it."""
    profile = world.profiles[len(world.profiles) // 2]
    cases = {"floor": [PYTHON, "-c", "pass"], "ours": [MFA_TUI, "status", profile]}
    samples: dict[str, list[Sample]] = {k: [] for k in cases}
    for cmd in cases.values():
        run_timed(cmd, world.env)  # warm: the registry copy, bytecode, page cache
    for _ in range(max(runs, STATUS_RUNS)):
        for key, cmd in cases.items():
            samples[key].append(run_timed(cmd, world.env))
    return {k: {"wall": median([s.wall for s in v]), "cpu": median([s.cpu for s in v]), "runs": len(v)}
            for k, v in samples.items()}


def server_cpu(world: World) -> float:
    """CPU seconds (user + system) the world's local AWS process has used so far (Linux /proc)."""
    import os

    try:
        with open(f"/proc/{world.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def render(results: dict) -> str:
    cli, dash, output = results.get("cli", {}), results.get("dashboard", {}), results.get("output")
    lines = ["", "## Fleet scale (issue 19)", ""]
    sizes = sorted(int(n) for n in cli)
    if sizes:
        base = sizes[0]
        lines += ["| profiles | `status P` wall / CPU | × at " + str(base) + " (CPU) | `credential-process P` wall / CPU"
                  " | × at " + str(base) + " (CPU) |", "|---|---|---|---|---|"]
        b = cli[base] if base in cli else cli[str(base)]
        for n in sizes:
            c = cli[n] if n in cli else cli[str(n)]
            st, cp = c.get("status", {}).get("ours"), c["credential_process"]["ours"]
            bst = b.get("status", {}).get("ours")
            lines.append(f"| {n:,} | " + (f"{st['wall']:.3f} s / {st['cpu']:.3f} s | {_ratio(st['cpu'], bst['cpu'])}"
                                          if st and bst else "- | -")
                         + f" | {cp['wall']:.3f} s / {cp['cpu']:.3f} s | "
                         + _ratio(cp["cpu"], b["credential_process"]["ours"]["cpu"]) + " |")
        top = sizes[-1]
        c = cli[top] if top in cli else cli[str(top)]
        r = c["refresh"]
        lines += ["", f"At {top:,} profiles: refresh with one code {r['ours']['wall']:.2f} s vs the boto3 floor "
                  f"{r['floor']['wall']:.2f} s ({_ratio(r['ours']['wall'], r['floor']['wall'])}, target ≤ 1.25×)."]
        server = c.get("server_cpu_per_refresh")
        if server:
            share = server / r["floor"]["wall"] if r["floor"]["wall"] else 0
            verdict = ("the local AWS is the bottleneck: its CPU is most of the floor's wall, on both sides alike"
                       if share >= 0.5 else "the local AWS is not the bottleneck")
            lines.append(f"The local AWS itself used {server:.2f} s of CPU per refresh at {top:,} profiles "
                         f"({server / top * 1000:.1f} ms per call; {share:.0%} of the floor's wall): {verdict}.")
    for n, d in sorted(dash.items(), key=lambda kv: int(kv[0])):
        if int(n) >= 1000:
            lines.append(f"Dashboard at {int(n):,}: see figure 4 above (first frame, ticks, peak RSS, each with its floor).")
    if output:
        import output_modes

        lines += ["", output_modes.report(output)]
    return "\n".join(lines) + "\n"
