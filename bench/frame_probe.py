"""A Textual driver that notes when the first full frame reaches the terminal, then quits.

Loaded by the app under test through Textual's own ``TEXTUAL_DRIVER=frame_probe:FirstFrameDriver``
(with ``bench/`` on ``PYTHONPATH``), so the measured command is exactly what a user runs (the
real ``mfa-tui``, or the floor app) with nothing patched. Like the status-table bench's null
driver it claims to be a real terminal, so Textual does the full work of turning the frame into
escape sequences, and throws the bytes away.

At the first write of a whole frame it records the process's CPU time (``time.process_time``:
interpreter start, imports, registry and state, layout and first paint), ``time.monotonic``
(comparable with the parent's spawn time) and peak RSS (:func:`peak_rss_mib`), checks that the frame shows
``$MFA_TUI_BENCH_EXPECT`` (so an empty screen cannot pass for a fast one), writes them as JSON to
``$MFA_TUI_BENCH_RESULT`` and asks the app to exit. Kept to imports Textual loads anyway.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from textual.drivers.headless_driver import HeadlessDriver

LAZY = ("boto3", "botocore", "mfa_tui.core.session.engine", "mfa_tui.core.session.refresh", "ctypes")
"""Modules the lazy imports keep out of the first frame; the probe lists those loaded (bench/fastpaths.py).
ctypes serves only the bridge's peer check off Linux (core/bridge/peer.py): 1.5-2.5 ms when imported."""
FRAME_BYTES = 1000
"""A whole-screen paint at 160×48 is many kilobytes; smaller writes are cursor and sync codes."""


def peak_rss_mib() -> float:
    """This process's own peak RSS.

    ``ru_maxrss`` survives ``execve`` on Linux: a child forked from the bench inherits the bench's
    peak (50 MiB after the CLI part), so every app looked the same size. ``VmHWM`` belongs to the
    address space ``exec`` created, so it is the app's alone; other systems fall back.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FirstFrameDriver(HeadlessDriver):
    """Reports the first frame, then exits the app; later output is discarded."""

    _done = False

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        if self._done or len(data) < FRAME_BYTES:
            return
        cpu, at = time.process_time(), time.monotonic()
        self._done = True
        expect = os.environ.get("MFA_TUI_BENCH_EXPECT", "")
        result = {
            "cpu": cpu,
            "at": at,
            "shows": expect in data,
            "rss_mib": peak_rss_mib(),
            "loaded": [name for name in LAZY if name in sys.modules],
        }
        with open(os.environ["MFA_TUI_BENCH_RESULT"], "w") as fh:
            json.dump(result, fh)
        self._app.exit()
