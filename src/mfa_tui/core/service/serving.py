"""Whether ``mfa-tui serve`` runs: a small file in the state dir, written by serve, read by the dashboard.

``serve.json`` holds ``{"pid": …, "port": …, "profiles": N}`` (no token, no secret). It counts only
while that process lives: a file left by a serve that was killed is ignored (and removed by the next serve).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mfa_tui.core import paths

FILE_NAME = "serve.json"


@dataclass(frozen=True)
class Serving:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/profiles/NAME"


def marker_path(state_dir: Path | None = None) -> Path:
    return (state_dir or paths.state_dir()) / FILE_NAME


def write_marker(port: int, *, state_dir: Path | None = None) -> Path:
    """Record that this process serves on ``port``; returns the file (remove it with :func:`clear_marker`)."""
    from mfa_tui.core.fileio import atomic_write, ensure_private_dir

    path = marker_path(state_dir)
    ensure_private_dir(path.parent)
    atomic_write(path, json.dumps({"pid": os.getpid(), "port": port}).encode(), mode=0o600)
    return path


def clear_marker(*, state_dir: Path | None = None) -> None:
    """Remove the file if this process wrote it."""
    path = marker_path(state_dir)
    found = read_marker(state_dir=state_dir, check_alive=False)
    if found is not None and found.pid == os.getpid():
        try:
            path.unlink()
        except OSError:
            pass


def read_marker(*, state_dir: Path | None = None, check_alive: bool = True) -> Serving | None:
    """The running serve, or None (no file, an unreadable one, or its process gone)."""
    try:
        data = json.loads(marker_path(state_dir).read_text(encoding="utf-8"))
        found = Serving(pid=int(data["pid"]), port=int(data["port"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if check_alive and not _alive(found.pid):
        return None
    return found


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
