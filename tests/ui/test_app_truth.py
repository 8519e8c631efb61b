"""The dashboard shows what the files say (issue 11): a change by another process shows within 2 s,
and a failed refresh of credentials that still work keeps the row valid with the error beside it."""

from __future__ import annotations

import asyncio
import re

from pilot_support import screen_text
from app_support import (
    SIZE,
    Recorder,
    main_screen,
    make_app,
    refresh_one,
    settle,
    wait_for,
)

from localaws_fixtures import delete_role
from mfa_tui.core.models import State
from mfa_tui.core.service.facade import Service
from mfa_tui.ui.messages import RefreshFinished
from mfa_tui.ui.rowformat import ERROR_MARK

WITHIN = 2.0
"""Seconds the dashboard has to show a change another process made."""


async def shows_within(pilot, predicate, what: str) -> None:
    """``predicate`` holds within :data:`WITHIN` seconds of now (the change was just made)."""
    await wait_for(pilot, predicate, what, timeout=WITHIN)


def drop_section(path, name: str) -> None:
    """Rewrite the credentials file without ``[name]``, as another tool would."""
    text = path.read_text()
    kept = re.sub(rf"(?ms)^\[{re.escape(name)}\]\n.*?(?=^\[|\Z)", "", text)
    assert kept != text
    path.write_text(kept)


async def test_a_refresh_by_another_process_shows_within_2s(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        assert screen.table.state_of("prod-admin") is State.MISSING
        # Another process (its own Service, as `mfa-tui refresh prod-admin` would be) uses the live MFA session.
        other = Service.open(demo_world.config_path, clock=frozen_clock)
        report = await asyncio.to_thread(other.refresh, [other.registry.profiles["prod-admin"]], lambda _r: None)
        assert report.results["prod-admin"].ok
        await shows_within(pilot, lambda: screen.table.state_of("prod-admin") is State.VALID, "prod-admin valid")
        assert screen.table.get_row("prod-admin").assumed_role_arn.startswith("arn:aws:sts::444444444444:")


async def test_a_section_dropped_from_the_credentials_file_shows_missing_within_2s(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        assert screen.table.state_of("dev-admin") is State.VALID
        drop_section(service.credentials_path, "dev-admin")
        await shows_within(pilot, lambda: screen.table.state_of("dev-admin") is State.MISSING, "dev-admin missing")
        screen.tick()
        assert "its section is gone from the credentials file" in screen.detail.plain_text


async def test_a_section_another_tool_rewrote_shows_changed(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        path = service.credentials_path
        text = path.read_text()
        key = re.search(r"(?ms)^\[dev-admin\]\n.*?aws_access_key_id = (\S+)", text)[1]
        path.write_text(text.replace(key, "ASIAOTHERTOOLEXAMPLE"))
        await shows_within(pilot, lambda: screen.table.state_of("dev-admin") is State.CHANGED, "dev-admin changed")
        screen.tick()
        await pilot.pause()
        assert "another tool wrote this profile's section" in screen.detail.plain_text
        assert re.search(r"dev-admin .* changed ", screen_text(app))


async def test_a_failed_refresh_of_working_credentials_keeps_the_row_valid_with_the_error_beside_it(
    service, demo_world, local_aws
):
    record = Recorder()
    seen_before_end: dict[str, State] = {}
    app = make_app(service)

    def hook(message) -> None:
        record(message)
        if isinstance(message, RefreshFinished) and message.report.failed:  # dispatched before its handler
            seen_before_end.setdefault("dev-admin", main_screen(app).table.state_of("dev-admin"))

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        delete_role("222222222222", "Admin")
        await pilot.press("r")  # the MFA session lives: no code, and AssumeRole fails
        await settle(pilot)
        assert seen_before_end == {"dev-admin": State.VALID}  # while the run ended, before the core's rows
        assert screen.table.state_of("dev-admin") is State.VALID  # the core's rows agree
        error = screen.table.get_row("dev-admin").last_error
        assert error and "dev-admin" in error
        screen.tick()
        await pilot.pause()
        assert error in screen.detail.plain_text
        assert "the last refresh failed (below); these credentials still work" in screen.detail.plain_text
        assert re.search(rf"dev-admin .* valid {ERROR_MARK} ", screen_text(app))
        assert any("failed" in n for n in record.notes_titled("Refresh"))


async def test_a_registry_edit_shows_within_2s_and_a_broken_one_is_told_once(service, demo_world):
    from mfa_tui.core.registry import edit as registry_edit

    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        registry_edit.add_entries(demo_world.config_path, profiles={"dev-extra": {
            "identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin"}},
            aws_config_path=demo_world.aws_config_path)
        await shows_within(pilot, lambda: screen.table.get_row("dev-extra") is not None, "the new profile's row")
        assert screen.table.state_of("dev-extra") is State.MISSING
        assert "9 profiles" in str(screen.query_one("#status-line").render())
        text = demo_world.config_path.read_text()
        demo_world.config_path.write_text(text + "\n[profiles.broken\n")
        told = lambda: record.notes_titled("registry reload failed")  # noqa: E731
        await shows_within(pilot, told, "one warning")
        assert "still using the registry read before" in told()[0]
        demo_world.config_path.write_text(text + "\n[profiles.broken\n\n")  # still broken, the same problem
        await pilot.pause(1.5)
        assert len(told()) == 1
        assert screen.table.get_row("dev-extra") is not None  # the registry in use is kept
