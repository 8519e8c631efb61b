"""Turning the bench's figures into the report: ratios, verdicts, and how each figure grows.

Growth is computed from the numbers, not asserted: a least-squares line ``a + b·n`` through the
figure at every size measured gives the fixed part ``a`` and the per-profile part ``b``. A
figure whose per-profile part at the largest size is under a tenth of its fixed part is
"constant"; one whose marginal cost per profile over the top decade is more than twice that of
the decade below is "worse than linear"; the rest is "linear".
"""

from __future__ import annotations

import math


def fmt_time(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def fmt_ratio(ratio: float) -> str:
    return "-" if math.isnan(ratio) else f"{ratio:.2f}×"


def verdict(value: float, target: float | None) -> str:
    if target is None or math.isnan(value):
        return ""
    return "ok" if value <= target else "MISSED"


def growth(points: dict[int, float], unit=None) -> str:
    """How a figure grows with the number of profiles, from its values at each size.

    ``unit`` formats a value (default: seconds as s/ms/µs).
    """
    _unit = unit or _seconds
    sizes = sorted(points)
    if len(sizes) < 3:
        return "(needs 3 sizes)"
    xs, ys = sizes, [points[n] for n in sizes]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var
    fixed = mean_y - slope * mean_x
    top = xs[-1]
    if slope <= 0 or slope * top < 0.1 * max(fixed, 1e-12):
        return f"constant (≈ {_unit(mean_y)} at every size)"
    low = (ys[-2] - ys[-3]) / (xs[-2] - xs[-3])
    high = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    if low > 0 and high > 2 * low:
        return (f"worse than linear: {_unit(low)}/profile from {xs[-3]} to {xs[-2]}, "
                f"{_unit(high)}/profile from {xs[-2]} to {xs[-1]}")
    return f"linear: {_unit(max(fixed, 0.0))} + {_unit(slope)}/profile"


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table, padded so it also reads well on a terminal."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


TARGETS = {"credential_process": 2.0, "refresh": 1.25, "whoami": 1.25, "first_frame": 1.3,
           "idle_tick_ms": 5.0, "busy_tick_ms": 15.0}


def _mib(value: float) -> str:
    return f"{value:.1f} MiB"


def _headline(sizes: list[int], wanted: int) -> int | None:
    if not sizes:
        return None
    return wanted if wanted in sizes else max(sizes)


def render(results: dict) -> str:
    """The whole report as Markdown: headline figures, growth, notes."""
    meta, cli, aws, dash = results["meta"], results["cli"], results["awsmfa"], results["dashboard"]
    rows: list[list[str]] = []
    n = _headline(sorted(cli), 200)
    if n is not None:
        c = cli[n]
        cp = c["credential_process"]
        r = cp["ours"]["wall"] / cp["floor"]["wall"]
        rows.append(["1", "credential-process, cached path (wall)", str(n), fmt_time(cp["ours"]["wall"]),
                     f"{fmt_time(cp['floor']['wall'])} `python -c pass`", fmt_ratio(r), "≤ 2×",
                     verdict(r, TARGETS["credential_process"])])
        rows.append(["", "  same, CPU time", str(n), fmt_time(cp["ours"]["cpu"]), fmt_time(cp["floor"]["cpu"]),
                     fmt_ratio(cp["ours"]["cpu"] / cp["floor"]["cpu"]), "", ""])
        rows.append(["", "  of which pip's launcher (`mfa-tui --version`)", str(n), fmt_time(cp["launcher"]["wall"]),
                     fmt_time(cp["floor"]["wall"]), fmt_ratio(cp["launcher"]["wall"] / cp["floor"]["wall"]), "", ""])
        ref = c["refresh"]
        r = ref["ours"]["wall"] / ref["floor"]["wall"]
        rows.append(["2", f"refresh {n} chained roles, one code (wall)", str(n), fmt_time(ref["ours"]["wall"]),
                     f"{fmt_time(ref['floor']['wall'])} boto3 script", fmt_ratio(r), "≤ 1.25×",
                     verdict(r, TARGETS["refresh"])])
        if n in aws:
            a = aws[n]
            for label, theirs in (("machine time", a["machine_total"]), ("wall incl. a new code per profile",
                                                                          a["wall_with_codes"])):
                rows.append(["", f"  vs aws-mfa 0.0.12, {label}", str(n), fmt_time(ref["ours"]["wall"]),
                             f"{fmt_time(theirs)} aws-mfa", f"{ref['ours']['wall'] / theirs:.4f}× "
                             f"(aws-mfa {theirs / ref['ours']['wall']:,.0f}× longer)", "", ""])
        who = c["whoami"]
        r = who["ours"]["wall"] / who["floor"]["wall"]
        rows.append(["3", f"who-am-I for {n} profiles (wall)", str(n), fmt_time(who["ours"]["wall"]),
                     f"{fmt_time(who['floor']['wall'])} boto3 script", fmt_ratio(r), "≤ 1.25×",
                     verdict(r, TARGETS["whoami"])])
    d = _headline(sorted(dash), 1000)
    if d is not None:
        x = dash[d]
        f = x["frame"]
        r = f["ours"]["cpu"] / f["floor"]["cpu"]
        rows.append(["4", "dashboard first frame (CPU)", str(d), fmt_time(f["ours"]["cpu"]),
                     f"{fmt_time(f['floor']['cpu'])} bare Textual app + empty DataTable", fmt_ratio(r), "≤ 1.3×",
                     verdict(r, TARGETS["first_frame"])])
        rows.append(["", "  same, wall time from spawn", str(d), fmt_time(f["ours"]["wall"]), fmt_time(f["floor"]["wall"]),
                     fmt_ratio(f["ours"]["wall"] / f["floor"]["wall"]), "", ""])
        if "edited" in f:
            rows.append(["", "  diagnostic: same, right after the registry was edited (parsed and checked in full)",
                         str(d), fmt_time(f["edited"]["cpu"]), fmt_time(f["floor"]["cpu"]),
                         fmt_ratio(f["edited"]["cpu"] / f["floor"]["cpu"]), "", ""])
        if "layout" in f:
            rows.append(["", "  diagnostic: the dashboard's widgets, empty, no mfa-tui code (CPU)", str(d),
                         fmt_time(f["layout"]["cpu"]), fmt_time(f["floor"]["cpu"]),
                         fmt_ratio(f["layout"]["cpu"] / f["floor"]["cpu"]), "", ""])
        for key, label, target in (("idle", "CPU per tick, nothing visible changes", "idle_tick_ms"),
                                   ("busy", "CPU per tick, every visible row changes", "busy_tick_ms")):
            ms = x[key]["ms_per_tick"]
            rows.append(["", label, str(d), f"{ms:.2f} ms", f"target {TARGETS[target]:g} ms",
                         fmt_ratio(ms / TARGETS[target]) + " of target", f"≤ {TARGETS[target]:g} ms",
                         verdict(ms, TARGETS[target])])
        if "pause_ms" in x["idle"]:
            rows.append(["", "  diagnostic: Pilot's pause() alone, per tick (the harness's part of both tick figures)",
                         str(d), f"{x['idle']['pause_ms']:.2f} ms", "", "", "", ""])
        rows.append(["", "peak RSS", str(d), _mib(x["peak_rss_mib"]), f"{_mib(f['floor']['rss_mib'])} bare app",
                     fmt_ratio(x["peak_rss_mib"] / f["floor"]["rss_mib"]), "", ""])
    parts = [
        f"# mfa-tui benchmarks ({meta['started']})",
        "",
        f"`{meta['command']}` on {meta['machine']}. Every figure is a median over the runs shown in the notes; "
        "both sides of a ratio were measured in the same run, alternating.",
        "",
        table(rows, ["#", "figure", "profiles", "mfa-tui", "floor / other", "ratio", "target", ""]),
        "",
        "## Growth with the number of profiles",
        "",
        _growth_table(results),
        "",
        "## Notes",
        "",
        *[f"- {note}" for note in notes(results)],
    ]
    return "\n".join(parts) + "\n"


def _growth_table(results: dict) -> str:
    cli, aws, dash = results["cli"], results["awsmfa"], results["dashboard"]
    series: list[tuple[str, dict[int, float], dict[int, float] | None, object]] = []
    if cli:
        for key, label in (("credential_process", "credential-process (wall)"), ("refresh", "refresh, one code (wall)"),
                           ("whoami", "who-am-I (wall)")):
            ours = {n: v[key]["ours"]["wall"] for n, v in cli.items()}
            floor = {n: v[key]["floor"]["wall"] for n, v in cli.items()}
            series.append((label, ours, floor, None))
            series.append((f"  its floor", floor, None, None))
    if aws:
        series.append(("aws-mfa, one process (wall)", {n: v["per_profile"]["wall"] for n, v in aws.items()}, None, None))
        series.append(("aws-mfa, all profiles (machine time)", {n: v["machine_total"] for n, v in aws.items()}, None, None))
    if dash:
        series.append(("dashboard first frame (CPU)", {n: v["frame"]["ours"]["cpu"] for n, v in dash.items()},
                       {n: v["frame"]["floor"]["cpu"] for n, v in dash.items()}, None))
        edited = {n: v["frame"]["edited"]["cpu"] for n, v in dash.items() if "edited" in v["frame"]}
        if edited:
            series.append(("  same, registry just edited", edited,
                           {n: v["frame"]["floor"]["cpu"] for n, v in dash.items()}, None))
        series.append(("dashboard idle tick (CPU)", {n: v["idle"]["ms_per_tick"] / 1000 for n, v in dash.items()}, None, None))
        series.append(("dashboard busy tick (CPU)", {n: v["busy"]["ms_per_tick"] / 1000 for n, v in dash.items()}, None, None))
        series.append(("dashboard peak RSS", {n: v["peak_rss_mib"] for n, v in dash.items()}, None, _mib))
    sizes = sorted({n for _, values, _, _ in series for n in values})
    rows = []
    for label, values, floor, unit in series:
        cells = []
        for n in sizes:
            if n not in values:
                cells.append("")
                continue
            text = (unit or fmt_time)(values[n])
            if floor and n in floor:
                text += f" ({values[n] / floor[n]:.2f}×)"
            cells.append(text)
        rows.append([label, *cells, growth(values, unit)])
    return table(rows, ["figure", *[f"{n} profiles" for n in sizes], "growth (mfa-tui)"])


def notes(results: dict) -> list[str]:
    meta, cli, aws = results["meta"], results["cli"], results["awsmfa"]
    out = [
        "Each process is timed from spawn to exit (wall) and by its own rusage (CPU). Floors: "
        "`python -c pass` with the venv's interpreter; minimal boto3 scripts (bench/floor_refresh.py, "
        "bench/floor_whoami.py) making the same calls, 8 at a time, to the same local AWS, writing nothing; "
        "a bare Textual app with one empty DataTable.",
        "The local AWS (`mfa-tui demo serve`, moto behind the MFA layer) runs in its own process on the same "
        "2 cores, so it is part of every refresh and who-am-I figure on both sides.",
        f"Runs: refresh and who-am-I {meta['runs']} each side per size; credential-process {meta['cp_runs']} "
        f"each; first frame {meta['frame_runs']} each; {meta['ticks']} ticks per tick figure.",
        f"Load average at start {meta['load_start']}, at end {meta.get('load_end', '?')} "
        "(other processes on the machine inflate wall times on both sides).",
    ]
    waited = sum(v.get("code_wait_s", 0.0) for v in cli.values())
    out.append(f"Fresh MFA codes came from 8 virtual devices of alice; waiting for new 30-second steps took "
               f"{waited:.0f} s in all, outside every timed process.")
    if aws:
        n = max(aws)
        a = aws[n]
        out.append(
            f"aws-mfa needs a fresh code for every profile (it calls AssumeRole with the code itself), and a device's "
            f"code works once per 30-second step: refreshing {n} profiles means {n} codes from {n} steps, at least "
            f"({n} − 1) × 30 s = {fmt_time((n - 1) * 30.0)} of a person's time. Its machine time is "
            f"{a['samples']} timed processes at {n} profiles ({fmt_time(a['per_profile']['wall'])} each, median) "
            f"× {n}. mfa-tui needs one code for all of them.")
    else:
        out.append("aws-mfa was not measured in this run.")
    return out
