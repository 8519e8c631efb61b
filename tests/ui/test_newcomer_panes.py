"""The panes as a newcomer meets them (issue 14, items 2 and 3): ``?`` lists the keys of the
screen in front, and ``q`` closes a pane (policy, enrolment, help) instead of quitting the app."""

from __future__ import annotations

import pytest
from app_support import SIZE, main_screen, make_app, wait_for

from mfa_tui.ui.screens.enroll import EnrollScreen
from mfa_tui.ui.screens.help import HelpScreen
from mfa_tui.ui.screens.main import MainScreen
from mfa_tui.ui.screens.policy import PolicyScreen


async def _policy_pane(pilot) -> PolicyScreen:
    app = pilot.app
    await pilot.press("j", "p")
    await wait_for(pilot, lambda: isinstance(app.screen, PolicyScreen), "the policy pane")
    pane = app.screen
    await wait_for(pilot, lambda: pane.report is not None or pane.error, "the policy report")
    await pilot.pause()
    return pane


async def _enrolment_pane(pilot) -> EnrollScreen:
    app = pilot.app
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EnrollScreen), "the enrolment pane")
    pane = app.screen
    await wait_for(pilot, lambda: pane.busy is None and pane.devices, "the devices")
    return pane


async def _help_ids(pilot) -> dict[str, str]:
    """Press ``?`` and return the help screen's binding ids and keys (the help stays open)."""
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")
    return {e.id: e.display for e in pilot.app.screen.entries}


PANE_KEYS = {
    "policy": (_policy_pane, {"policy.close", "policy.add_action", "policy.age_up", "policy.reload"}),
    "enrolment": (_enrolment_pane, {"enroll.create", "enroll.resync", "enroll.delete", "enroll.close"}),
}


@pytest.mark.parametrize("pane_name", list(PANE_KEYS))
async def test_help_on_a_pane_lists_the_panes_keys(service, demo_world, pane_name):
    open_pane, pane_ids = PANE_KEYS[pane_name]
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        keys = await _help_ids(pilot)
        assert pane_ids <= set(keys)
        assert [display for key, display in keys.items() if key.endswith(".close")] == ["esc, q"]
        # Not the main screen's keys, and not the app's "q quit": q closes the pane here.
        assert not {"refresh", "refresh_all", "whoami", "status-table.toggle-mark", "quit"} & set(keys)
        assert {"help", "theme"} <= set(keys)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is pane, "the help to close")


async def test_help_on_the_main_screen_still_lists_the_main_keys(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        keys = await _help_ids(pilot)
        assert {"refresh", "quit", "help", "sort", "copy_arn", "status-table.toggle-mark"} <= set(keys)
        assert keys["quit"] == "q"


@pytest.mark.parametrize("pane_name", list(PANE_KEYS))
async def test_q_closes_the_pane_not_the_app(service, demo_world, pane_name):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await PANE_KEYS[pane_name][0](pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        assert app.is_running and app.return_code is None


async def test_q_closes_help_not_the_app_and_then_quits_from_the_main_screen(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await _help_ids(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        assert app.is_running
        main_screen(app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
