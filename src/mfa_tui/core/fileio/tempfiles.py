"""Temp files that killed writers left behind: how :func:`~mfa_tui.core.fileio.writing.atomic_write` names them and when they are swept.

Owns the temp-file name (``.<target name>.<writer pid>.<namespace tag>.<random>.tmp``), the
pid-namespace tag, and :func:`sweep_stale_temp_files` (see :mod:`mfa_tui.core.fileio` for the rule).
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from pathlib import Path

DEAD_WRITER_AGE = 5.0
"""Seconds after which a temp file is swept whose writer pid does not run here, when that pid may be
another pid namespace's.

A temp name without this namespace's tag (:func:`namespace_tag`) comes from another container
sharing the directory, another host, or an earlier version: "no such process" proves nothing
for its pid. A write takes milliseconds."""
ORPHAN_AGE = 600.0
"""Seconds after which a temp file is swept whatever its name says (pids get reused, and
earlier versions put no pid in the name). No write holds its temp file for minutes; at
worst a writer stalled that long finds its temp file gone and fails, target untouched."""

_TEMP_RANDOM = r"[a-z0-9_]{8}"
"""What :func:`tempfile.mkstemp` puts between prefix and suffix (8 of ``[a-z0-9_]``)."""

@functools.lru_cache(maxsize=1)
def namespace_tag() -> str | None:
    """``ns`` and 8 hex digits naming this boot's pid namespace, for temp names; None where /proc cannot tell.

    A sweeper trusts "no such process" for the pid in a temp name only when the name carries
    its own tag: a writer in another container sharing the directory (its own pid namespace),
    or on another host sharing it (another boot), has another tag, and its pids mean nothing here.
    """
    import zlib

    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
        with open("/proc/sys/kernel/random/boot_id", "rb") as fh:
            boot = fh.read().strip()
    except OSError:
        return None
    return f"ns{zlib.crc32(boot + b'/%d' % namespace):08x}"


def temp_prefix(path: Path) -> str:
    tag = namespace_tag()
    return f".{path.name}.{os.getpid()}." + (f"{tag}." if tag else "")


def temp_pattern(path: Path) -> re.Pattern[str]:
    """``.<name>.<pid>.<tag>.<random>.tmp`` (group 1: the pid; ``ns``: the tag) or, from earlier versions,
    ``.<name>.<pid>.<random>.tmp`` and ``.<name>.<random>.tmp``."""
    return re.compile(
        rf"\A\.{re.escape(path.name)}\.(?:([0-9]{{1,10}})\.(?:(?P<ns>ns[0-9a-f]{{8}})\.)?)?{_TEMP_RANDOM}\.tmp\Z"
    )


def _process_gone(pid: int) -> bool:
    """True only when no process ``pid`` exists (a process of another user still counts as there)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, it is just not ours
        return False
    return False


def sweep_stale_temp_files(path: Path, *, now: float | None = None) -> list[Path]:
    """Delete temp files that killed writers of ``path`` left beside it; returns what was deleted.

    A candidate must be named exactly as :func:`atomic_write` names temp files for ``path`` (or
    as earlier versions did), be a regular file (not a symlink) owned by this user or by the
    target's owner (a killed root write left it the user's), and be stale:

    - its writer's pid and this pid namespace's tag are in the name, and no such process exists:
      at once, however young (the writer is provably gone); or
    - the pid is in the name without this namespace's tag, no such process exists here, and the
      file is older than :data:`DEAD_WRITER_AGE`; or
    - it is older than :data:`ORPHAN_AGE` (no pid in the name, or the pid was reused).

    Our own pid counts as alive (another thread may be writing), so a live write is never
    touched. Ages are by modification time against the wall clock ``now``. Best effort and
    silent: a leftover temp file is untidy, never a reason to fail a write.
    """
    path = Path(path)
    pattern = temp_pattern(path)
    now = time.time() if now is None else now
    here = namespace_tag()
    owners = {os.getuid()} if hasattr(os, "getuid") else None
    if owners is not None:
        try:
            owners.add(os.stat(path).st_uid)
        except OSError:
            pass
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (owners is not None and info.st_uid not in owners):
            continue
        age = now - info.st_mtime
        gone = match.group(1) is not None and _process_gone(int(match.group(1)))
        provably = gone and here is not None and match["ns"] == here
        if not (provably or (gone and age >= DEAD_WRITER_AGE) or age >= ORPHAN_AGE):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed
