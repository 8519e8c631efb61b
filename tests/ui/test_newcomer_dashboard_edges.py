"""Issue 14's rough edges: toasts never cover the detail pane's "Last error", and the demo's
throw-away HOME is shown so the AWS CLI can be pointed at it."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from app_support import main_screen, make_app
from pilot_support import settle, wait_for
from textual.widgets._toast import Toast

from mfa_tui.cli.dashboard_cmd import demo_info
from mfa_tui.core.registry import load as registry_load
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.service.facade import Service


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_toasts_stay_off_the_detail_pane(service, size):
    app = make_app(service)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        screen.detail.show(screen.table.get_row("dev-admin"), service.clock.now())
        app.notify("first toast, long enough to wrap over two lines of the toast box", timeout=30)
        app.notify("second toast", severity="warning", timeout=30)
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) == 2, "two toasts")
        await pilot.pause(0.1)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 2
        detail = screen.detail.region
        for toast in toasts:
            assert toast.region.height > 0
            assert not toast.region.overlaps(detail), (toast.region, detail)


async def test_the_demo_home_is_in_the_title(service, demo_world, local_aws, tmp_path):
    home = tmp_path / "mfa-tui-demo-x"
    app = make_app(service, demo=demo_info(local_aws, demo_world), demo_home=home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.title == f"mfa-tui demo · HOME={home}"


# -- [settings] time = "utc" | "local" ---------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.mark.parametrize(("value", "problem"), [
    ('"utc"', None),
    ('"local"', None),
    ('"mars"', '"mars" is not a time display: use "utc" (the default) or "local"'),
    ("3", "must be a string in quotes, got 3 (a number)"),
])
def test_the_time_setting_is_checked(tmp_path, value, problem):
    text = EXAMPLE.read_text(encoding="utf-8")
    assert 'time = "utc"\n' in text  # documented in the example
    path = tmp_path / "config.toml"
    path.write_text(text.replace('time = "utc"\n', f"time = {value}\n"), encoding="utf-8")
    problems = [p for p in registry_load.check(path) if "settings" in str(p)]
    if problem is None:
        assert problems == [] and registry_load.load(path).settings.time == value.strip('"')
    else:
        assert len(problems) == 1 and problem in str(problems[0]), problems


@pytest.fixture
def india(monkeypatch):
    """The process's local time zone is UTC+5:30 (named IST) for the test."""
    monkeypatch.setenv("TZ", "IST-5:30")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("setting", [None, "local"])
async def test_the_detail_pane_shows_local_time_when_set(demo_world, frozen_clock, india, setting):
    if setting:
        registry_edit.set_value(demo_world.config_path, ("settings",), "time", setting)
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        now = service.clock.now()
        row = dataclasses.replace(screen.table.get_row("dev-admin"), expires_at=now + timedelta(minutes=30))
        screen.detail.show(row, now)
        expires = row.expires_at
        shown = screen.detail.plain_text
        if setting:
            local = expires.astimezone(timezone(timedelta(hours=5, minutes=30)))
            assert f"{local:%Y-%m-%d %H:%M:%S} IST (in 30m)" in shown, shown
        else:
            assert f"{expires:%Y-%m-%d %H:%M:%S} UTC (in 30m)" in shown, shown


def test_every_time_of_day_follows_the_time_setting(monkeypatch):
    # Notifications, the re-mint back-off note, the activity log and the policy title all write
    # times of day through clock_text, so [settings] time = "local" reaches each of them.
    from datetime import UTC, datetime

    from mfa_tui.ui.remint import Failing, RemintBackoff
    from mfa_tui.ui.rowformat import clock_text

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        when = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
        assert clock_text(when, "%H:%M", local=False) == "12:00 UTC"
        assert clock_text(when, "%H:%M", local=True) == "17:30 IST"
        backoff = RemintBackoff()
        backoff.failing["dev-admin"] = Failing(1, when, "AccessDenied")
        assert backoff.note("dev-admin").endswith("at 12:00:00 UTC")
        assert backoff.note("dev-admin", local=True).endswith("at 17:30:00 IST")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
