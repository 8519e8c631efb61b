"""``mfa-tui demo serve`` refuses, in one line, a port in use and a demo home another one serves.

Run twice on the same ``--home``, the second used to rebuild the world under the first, wiping a
profile the user had added to the demo's ~/.aws/config.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest


def serve(home, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mfa_tui", "demo", "serve", "--home", str(home), *extra],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def serving(tmp_path):
    home = tmp_path / "demo"
    proc = serve(home)
    endpoint = proc.stdout.readline().strip()
    assert endpoint.startswith("http://127.0.0.1:"), proc.stderr.read()
    yield home, endpoint
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()
    proc.stderr.close()


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_a_second_serve_on_the_same_home_is_refused_and_changes_nothing(serving):
    home, _ = serving
    config = home / ".aws" / "config"
    with open(config, "a") as fh:
        fh.write("\n[profile mine]\nregion = eu-west-1\n")
    before = {p: p.read_bytes() for p in (config, home / ".aws" / "credentials")}

    code, out, err = finished(serve(home))

    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(f"mfa-tui: {home.resolve()}: another `mfa-tui demo serve`")
    assert {p: p.read_bytes() for p in before} == before


def test_a_port_in_use_is_one_line(serving, tmp_path):
    _, endpoint = serving
    port = endpoint.rsplit(":", 1)[1]
    code, out, err = finished(serve(tmp_path / "other", "--port", port))
    assert code in (1, 2) and out == ""
    assert err.splitlines() == [f"mfa-tui: cannot listen on 127.0.0.1:{port}: Address already in use"]
