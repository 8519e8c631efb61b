"""Fixtures of the reliability suite: the local AWS in its own process.

``demo_server(accounts=4, roles_per_account=2)`` runs ``mfa-tui demo serve`` on the real clock
with the demo world built in the test's isolated HOME (so ``Service.open()`` and the
``mfa-tui`` CLI find its registry and ~/.aws files) and returns a :class:`DemoServer`. Tests
use it when the local AWS must be killable (a fault) or must not share the process being
measured (the soak). The in-process ``local_aws`` / ``demo_world`` fixtures of
tests/localaws_fixtures.py serve every other test.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class DemoServer:
    home: Path
    endpoint: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL: the local AWS dies without a chance to answer what is in flight."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def demo_server(isolated_home):
    started: list[DemoServer] = []

    def start(accounts: int = 4, roles_per_account: int = 2) -> DemoServer:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mfa_tui", "demo", "serve", "--home", str(isolated_home),
             "--accounts", str(accounts), "--roles-per-account", str(roles_per_account)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        server = DemoServer(isolated_home, "", proc)
        started.append(server)
        server.endpoint = proc.stdout.readline().strip()
        assert server.endpoint.startswith("http://127.0.0.1:"), proc.stderr.read()
        return server

    yield start
    for server in started:
        proc = server.process
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
        proc.stderr.close()
