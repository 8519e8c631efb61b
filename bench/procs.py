"""Timing whole processes, and the clean environment every bench process runs in.

Every figure of the bench is a process a user would run (``mfa-tui …``, a boto3 script,
``aws-mfa``), timed from spawn to exit: wall time with ``perf_counter`` and CPU time (user +
system) from ``os.wait4``'s rusage, which is the child's own and not its neighbours'.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mfa_tui.localaws.isolation import AMBIENT_VARS

_DROPPED = (
    # Ambient credentials, profiles, endpoints and proxies must never reach a bench process.
    *AMBIENT_VARS,
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
    # A user's Python caches its bytecode; without it every start recompiles mfa-tui's modules.
    "PYTHONDONTWRITEBYTECODE",
    # Pytest's and coverage's hooks would slow the children down when the smoke test runs us.
    "PYTEST_CURRENT_TEST", "COV_CORE_SOURCE", "COV_CORE_CONFIG", "COV_CORE_DATAFILE",
)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with nothing AWS- or XDG-related, HOME set, plus ``extra``.

    With XDG unset, platformdirs puts the registry and state under HOME, where ``mfa-tui demo
    serve --home`` writes them, exactly as for a user with default settings.
    """
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class Sample:
    """One timed process."""

    wall: float
    """Seconds from spawn to exit."""
    cpu: float
    """The child's user + system CPU seconds."""
    stdout: bytes
    stderr: bytes


class BenchError(RuntimeError):
    """A measured process failed: the figure would be meaningless."""


def run_timed(
    cmd: Sequence[str], env: dict[str, str], *, stdin: bytes | None = None, capture: bool = False,
    timeout: float = 600,
) -> Sample:
    """Run ``cmd`` to completion; raise :class:`BenchError` (with its stderr) on a non-zero exit.

    stdout is thrown away unless ``capture``: a pipe that nobody reads would be a different
    (slower) process than one writing to a terminal or /dev/null.
    """
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    _last_child_cpu()  # forget children reaped elsewhere (servers stopped, pip, …)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.PIPE)
    try:
        stdout, stderr = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise BenchError(f"{' '.join(cmd[:3])}…: still running after {timeout:.0f}s") from None
    # communicate() reaped the child; its rusage is the growth of RUSAGE_CHILDREN, which is
    # exact because the bench runs one measured child at a time.
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (stderr or b"").decode(errors="replace").strip()[-1500:]
        raise BenchError(f"{' '.join(str(c) for c in cmd[:4])}… exited {proc.returncode}:\n{tail}")
    return Sample(wall=wall, cpu=_last_child_cpu(), stdout=stdout or b"", stderr=stderr or b"")


_children_cpu = 0.0


def _last_child_cpu() -> float:
    """CPU seconds of the child reaped since the previous call (RUSAGE_CHILDREN is cumulative)."""
    import resource

    global _children_cpu
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _children_cpu = total - _children_cpu, total
    return spent


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
