"""The size of the ``soak`` tests: one definition for every folder (this module holds no tests).

``MFA_TUI_SOAK_SCALE`` scales each soak variant's full size: 1 is the full soak (the sizes the
test docstrings name), :data:`DEFAULT_SOAK_SCALE` is what a plain ``pytest`` run (and CI) uses.
It lives beside ``tests/conftest.py``, so pytest puts it on ``sys.path`` whichever folder runs;
the ``soak_scale`` fixture and ``rel_helpers`` both read it from here.
"""

from __future__ import annotations

import os

import pytest

DEFAULT_SOAK_SCALE = 0.25
"""A quarter of each soak's full size: ~30 s of the default run on 2 cores (the full soak, 1, takes ~3 min)."""


def soak_scale() -> float:
    """``MFA_TUI_SOAK_SCALE`` (default :data:`DEFAULT_SOAK_SCALE`); 1.0 is the full soak."""
    try:
        return max(0.01, float(os.environ.get("MFA_TUI_SOAK_SCALE", DEFAULT_SOAK_SCALE)))
    except ValueError:
        pytest.fail("MFA_TUI_SOAK_SCALE must be a number, e.g. 1 for the full soak")


def scaled(full: int, minimum: int = 1) -> int:
    """``full`` times the soak scale, at least ``minimum``."""
    return max(minimum, round(full * soak_scale()))
