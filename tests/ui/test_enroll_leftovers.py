"""Issue 14's leftovers in the enrolment pane: whole code fields at 60 columns, resync and delete
in the activity log, and the device table's dates in the ``[settings] time`` zone."""

from __future__ import annotations

import time
from datetime import timedelta, timezone

import pytest
from app_support import main_screen, make_app
from pilot_support import wait_for
from textual.widgets import Input

from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.service.facade import Service
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.enroll import EnrollScreen
from mfa_tui.ui.widgets.device_table import DeviceTable
from tests.ui.test_enroll_screen import Host, _flow, screen_text, settle


@pytest.fixture
def india(monkeypatch):
    """The process's local time zone is UTC+5:30 (named IST) for the test."""
    monkeypatch.setenv("TZ", "IST-5:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (100, 30)])
async def test_both_code_fields_are_whole(demo_world, local_aws, size):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.press(*"123456", *"654321")
        screen = app.enroll
        first, second = screen.query_one("#code1", Input), screen.query_one("#code2", Input)
        side = screen.query_one("#side").content_region
        for field in (first, second):
            assert side.contains_region(field.region), (field.id, field.region, side)
        shown = screen_text(app)
        assert "123456" in shown and "654321" in shown, shown
        if size[0] >= 80:  # wide enough: the fields and the countdown as before
            assert first.region.width == second.region.width == 13
            assert "30s" in shown


async def _open_pane(pilot, app):
    screen = main_screen(app)
    [command] = [c for c in screen.palette_commands() if c.title == "Enrol MFA device: alice"]
    command.run()
    await wait_for(pilot, lambda: isinstance(app.screen, EnrollScreen), "the enrolment pane")
    pane = app.screen
    await wait_for(pilot, lambda: pane.busy is None and "Press c" in pane.status_text, "alice's devices")
    return pane


async def test_resync_and_delete_are_in_the_activity_log(service, demo_world, local_aws):
    report = service.refresh(service.select(["alice"]), lambda _req: demo_world.code())
    assert report.results["alice"].ok
    serial = demo_world.alice_serial
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open_pane(pilot, app)
        before = len(app.activity)
        code1, code2 = (local_aws.current_code(serial, offset_steps=n) for n in (3, 4))
        await pilot.press("r", *code1, *code2, "enter")
        await wait_for(pilot, lambda: pane.busy is None and pane.mode == "idle", "the resync")
        assert pane.status_text == f"Resynced {serial}."
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the delete question")
        await pilot.press("y")
        await wait_for(pilot, lambda: pane.busy is None and not pane.devices, "the delete")
        entries = app.activity.entries[before:]
        assert [(e.kind, e.severity) for e in entries] == [("enrolment", "information")] * 2, entries
        assert entries[0].text == f"MFA device {serial} resynced for identity alice"
        assert entries[1].text == f"MFA device {serial} deleted for identity alice"
        assert not any(c in e.text for c in (code1, code2) for e in app.activity.entries)


async def test_the_device_table_shows_utc_by_default(demo_world, local_aws):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.enroll.query_one(DeviceTable)
        [device] = table.devices
        utc = f"{device.enabled_at.astimezone(timezone.utc):%Y-%m-%d %H:%M}"
        await wait_for(pilot, lambda: utc in screen_text(app), "the date in full")  # columns size on refresh
        assert "Enabled (UTC)" in screen_text(app)


async def test_the_device_table_follows_the_time_setting(demo_world, frozen_clock, local_aws, india):
    registry_edit.set_value(demo_world.config_path, ("settings",), "time", "local")
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open_pane(pilot, app)
        [device] = pane.query_one(DeviceTable).devices
        local = device.enabled_at.astimezone(timezone(timedelta(hours=5, minutes=30)))
        # The table sizes its columns for new rows on its next refresh: under load (CI) the first
        # screen can still show the column at its heading's width, so wait for the date in full.
        await wait_for(pilot, lambda: f"{local:%Y-%m-%d %H:%M}" in screen_text(app), "the local date in full")
        shown = screen_text(app)
        assert "Enabled (local)" in shown and "Enabled (UTC)" not in shown
        assert f"{device.enabled_at:%H:%M}" != f"{local:%H:%M}"

