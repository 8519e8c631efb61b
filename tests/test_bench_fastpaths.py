"""Issue 13's fast-path checks (bench/fastpaths.py) still run and report, so a broken bench line is noticed.

Not a speed test: at ``--tiny`` sizes the timings mean nothing, and nothing here looks at them.
It checks that every fast path is measured against its slow path, that each pair gave the same
answer (those checks are exact, not timings), and that a check over its margin is reported with
the line ``bench/run.py`` prints before exiting 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("credential_process", "registry_cache", "lazy_models", "credentials_reader", "key_id_scan", "lazy_imports",
         "skipped_argparse", "state_lines")


@pytest.mark.timeout(180)
def test_every_fast_path_check_runs_and_reports():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "fastpaths.py"), "--tiny"],
                          capture_output=True, text=True, timeout=170, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    checks = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [c["name"] for c in checks] == list(NAMES)
    for c in checks:
        assert c["fast"] > 0 and c["slow"] > 0, c["name"]
        assert c["protects"].startswith("bench figure"), c["name"]
        # Exact, not timed: the fast side answered as the slow side did, and the dashboard's
        # first frame had neither boto3 nor the refresh engine loaded.
        assert not c.get("problem"), (c["name"], c.get("problem"))
    for name in NAMES:
        assert f"| {name}" in proc.stdout


def test_a_fast_path_over_its_margin_is_named(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # bench/ is a folder of scripts, not a package
    import fastpaths
    paying = fastpaths._check("registry_cache", 1.0, 10.0, fastpaths.MARGIN, "in-process")
    stopped = fastpaths._check("credentials_reader", 9.0, 10.0, fastpaths.MARGIN, "in-process")
    wrong = fastpaths._check("key_id_scan", 1.0, 10.0, fastpaths.MARGIN, "in-process", problem="they disagree")
    lines = fastpaths.failures([paying, stopped, wrong])
    assert len(lines) == 2
    assert lines[0].startswith("FAST PATH STOPPED PAYING: credentials_reader (0.90× its slow path")
    assert "bench figure 6" in lines[0]
    assert "key_id_scan (they disagree)" in lines[1]
    assert "FAILED" in fastpaths.render([stopped]) and "| ok" in fastpaths.render([paying])
