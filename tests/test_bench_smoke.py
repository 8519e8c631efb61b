"""The benchmark runner still runs end to end (``bench/run.py --quick``), so it cannot rot.

Not a speed test: nothing here looks at how fast anything was. It checks that every part ran
against its own local AWS and floor and that the report and JSON hold a figure for each item.
aws-mfa is skipped (it is installed from PyPI on first use, into its own venv).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(300)
def test_quick_run_reports_every_item(tmp_path):
    out = tmp_path / "latest.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--skip", "awsmfa", "--out", str(out)],
        capture_output=True, text=True, timeout=280, cwd=ROOT,
    )
    # Exit 1 may only mean a fast path over its margin (a timing, which this test does not judge).
    stopped = "FAST PATH STOPPED PAYING" in proc.stderr and "bench failed" not in proc.stderr
    assert proc.returncode == 0 or (proc.returncode == 1 and stopped), proc.stderr[-3000:]
    text = out.read_text()
    assert proc.stdout.strip() == text.strip()
    for figure in ("credential-process, cached path", "refresh 10 chained roles, one code", "who-am-I for 10 profiles",
                   "dashboard first frame", "CPU per tick, nothing visible changes", "peak RSS",
                   "Fast paths against the slow paths they avoid", "| lazy_imports"):
        assert figure in text, figure
    assert "Traceback" not in proc.stderr

    figures = json.loads(out.with_suffix(".json").read_text())
    cli = figures["cli"]["10"]
    for item in ("refresh", "whoami", "credential_process"):
        for side in ("ours", "floor"):
            assert cli[item][side]["wall"] > 0 and cli[item][side]["cpu"] > 0, (item, side)
    dash = figures["dashboard"]["10"]
    assert dash["frame"]["ours"]["cpu"] > 0 and dash["frame"]["floor"]["cpu"] > 0
    assert dash["idle"]["changed_per_tick"] == 0 and dash["busy"]["changed_per_tick"] > 0
    assert figures["awsmfa"] == {}
    assert {c["name"] for c in figures["fastpaths"]} == {
        "credential_process", "registry_cache", "lazy_models", "credentials_reader", "key_id_scan", "lazy_imports",
        "skipped_argparse", "state_lines"}
