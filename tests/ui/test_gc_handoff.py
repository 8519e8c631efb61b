"""The cyclic collector is paused from the start of ``run_dashboard`` until the dashboard's first frame.

Importing Textual and mfa-tui, loading the registry and building the first screen create tens of
thousands of long-lived objects; the collector scanning them over and over cost about 9 ms of the
first frame (bench figure 4, bench/dash_bench.py). ``run_dashboard`` pauses it before its imports
and hands the pause to the app, which resumes it right after the first frame. Whatever happens
(a broken registry, the welcome screen, an app that never ran), the collector runs again when
``run_dashboard`` returns.
"""

from __future__ import annotations

import asyncio
import gc

import pytest

from mfa_tui.cli import dashboard_cmd
from mfa_tui.core import paths
from mfa_tui.core.registry.starter import starter_text
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.screens.main import MainScreen
from mfa_tui.ui.screens.problems import ProblemsScreen
from mfa_tui.ui.screens.welcome import WelcomeScreen

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _collector_on():
    assert gc.isenabled()
    yield
    gc.enable()  # never leave the rest of the suite without a collector


def _run_until_first_frame(seen: list) -> object:
    """A ``run_app`` that notes the collector at the app's start and right after its first frame."""

    def run_app(app: MfaTuiApp) -> int:
        seen.append(("built", gc.isenabled()))

        async def go() -> None:
            async with app.run_test(size=SIZE) as pilot:
                seen.append(("screen", type(app.screen)))
                await pilot.pause()
                await pilot.pause()
                seen.append(("after first frame", gc.isenabled()))

        asyncio.run(go())
        return 0

    return run_app


@pytest.mark.parametrize("registry", ["starter", "broken", "none"])
def test_run_dashboard_pauses_the_collector_until_the_first_frame(isolated_home, monkeypatch, registry):
    path = paths.config_path()
    if registry != "none":
        path.parent.mkdir(parents=True)
        path.write_text(starter_text() if registry == "starter" else "[settings\n")
    seen: list = []
    monkeypatch.setattr(dashboard_cmd, "run_app", _run_until_first_frame(seen))
    dashboard_cmd.run_dashboard(None)
    expected = {"starter": MainScreen, "broken": ProblemsScreen, "none": WelcomeScreen}[registry]
    assert seen == [("built", False), ("screen", expected), ("after first frame", True)]
    assert gc.isenabled()


def test_the_collector_runs_again_when_the_app_never_ran(isolated_home, monkeypatch):
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text(starter_text())

    def fail(app) -> int:
        assert not gc.isenabled()
        raise RuntimeError("no terminal after all")

    monkeypatch.setattr(dashboard_cmd, "run_app", fail)
    with pytest.raises(RuntimeError):
        dashboard_cmd.run_dashboard(None)
    assert gc.isenabled()


async def test_an_app_started_with_the_collector_paused_by_someone_else_leaves_it_paused(isolated_home):
    """Only a pause the app made, or was handed, is the app's to end."""
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text(starter_text())
    from mfa_tui.core.service.facade import Service

    gc.disable()
    app = MfaTuiApp(Service.open(None), remint_every=None, save_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not gc.isenabled()
    assert not gc.isenabled()
