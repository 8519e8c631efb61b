"""Fixtures of the dashboard's Pilot tests (their helpers are in ``app_support.py``)."""

from __future__ import annotations

import pytest

from mfa_tui.core.service.facade import Service


@pytest.fixture
def service(demo_world, frozen_clock) -> Service:
    """The service the app is built on: the demo world's registry, on the local AWS's frozen clock."""
    return Service.open(demo_world.config_path, clock=frozen_clock)
