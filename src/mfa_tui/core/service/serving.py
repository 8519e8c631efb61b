"""Whether ``mfa-tui serve`` runs for a registry: a small file in the state dir, written by serve, read by the dashboard.

One file per registry, named like the dashboard's socket from the registry's resolved path
(``serve-<crc32>.json``, :func:`mfa_tui.core.statefiles.registry_tag`), so two registries sharing
a state dir can both serve, and a dashboard shows only its own registry's serve. The file holds
``{"pid": …, "port": …, "registry": PATH}`` (no token, no secret); a file naming another registry
(a CRC collision) is not this registry's. It counts only while that process lives: a file left by
a serve that was killed is ignored (and replaced by the next serve).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from mfa_tui.core import paths
from mfa_tui.core.bridge.place import registry_key
from mfa_tui.core.statefiles import registry_tag

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Serving:
    pid: int
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/profiles/NAME"


def marker_path(registry_path: PathLike, state_dir: Path | None = None) -> Path:
    """The file of ``registry_path``'s serve in ``state_dir`` (default: the state dir)."""
    return (state_dir or paths.state_dir()) / f"serve-{registry_tag(registry_path)}.json"


def write_marker(registry_path: PathLike, port: int, *, state_dir: Path | None = None) -> Path:
    """Record that this process serves ``registry_path`` on ``port``; returns the file (see :func:`clear_marker`)."""
    from mfa_tui.core.fileio import atomic_write, ensure_private_dir

    path = marker_path(registry_path, state_dir)
    ensure_private_dir(path.parent)
    body = {"pid": os.getpid(), "port": port, "registry": registry_key(registry_path)}
    atomic_write(path, json.dumps(body).encode(), mode=0o600)
    return path


def clear_marker(registry_path: PathLike, *, state_dir: Path | None = None) -> None:
    """Remove the file if this process wrote it."""
    found = read_marker(registry_path, state_dir=state_dir, check_alive=False)
    if found is not None and found.pid == os.getpid():
        try:
            marker_path(registry_path, state_dir).unlink()
        except OSError:
            pass


def read_marker(registry_path: PathLike, *, state_dir: Path | None = None, check_alive: bool = True) -> Serving | None:
    """The running serve of ``registry_path``, or None (no file, an unreadable one, another registry's, or its process gone)."""
    try:
        data = json.loads(marker_path(registry_path, state_dir).read_text(encoding="utf-8"))
        found = Serving(pid=int(data["pid"]), port=int(data["port"]))
        registry = data.get("registry")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if registry != registry_key(registry_path):
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
