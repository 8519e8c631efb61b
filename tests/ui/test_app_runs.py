"""Pilot tests of running work in the dashboard (issue 11): escape cancels a refresh or a who-am-I,
long runs count "n of N" as they go, and ``N`` forces a new MFA session.

Cancel tests slow the local AWS down (``faults.set(delay_seconds=...)``) so that a run is still
going when escape arrives; the profiles not yet tried must end as skipped, named in the summary.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from app_support import (
    SIZE,
    Recorder,
    enter_code,
    main_screen,
    make_app,
    move_to,
    refresh_one,
    settle,
    token_dialog,
    wait_for,
)

from mfa_tui.core.errors import CancelledError, NeedsCodeError
from mfa_tui.core.models import State, WhoAmI
from mfa_tui.core.session.refresh import CANCEL_REASON, Progress
from mfa_tui.ui.commands import DashboardCommands
from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.screens.help import HelpScreen

COUNT = re.compile(r"(\d+) of (\d+) done")


def one_at_a_time(service) -> None:
    """One AWS call at a time, so a slowed-down run is still going when escape arrives."""
    settings = replace(service.registry.settings, refresh_concurrency=1)
    service.registry = replace(service.registry, settings=settings)


def status_line(screen) -> str:
    return str(screen.query_one("#status-line").render())


async def refresh_all_but_the_direct_role(pilot, demo_world) -> None:
    await pilot.press("R")
    await enter_code(pilot, demo_world.code())
    dialog = await token_dialog(pilot)
    assert dialog.request.purpose == "direct-role"
    await pilot.press("escape")
    await settle(pilot)


async def test_escape_cancels_a_running_refresh_and_the_profiles_not_tried_are_skipped(service, demo_world, local_aws):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        # Long enough for the keys below to land while it runs, even on a loaded machine (1.5 s was
        # not, in CI): a held request would be dropped and retried, which is another test.
        local_aws.faults.set(delay_seconds=4, actions={"GetSessionToken"})
        await pilot.press("R")
        await enter_code(pilot, demo_world.code())
        await wait_for(pilot, lambda: app.screen is screen, "the dialog to close")
        assert screen.is_busy("refresh")
        # The footer offers escape as "Cancel" while the run lasts.
        assert "Cancel" in [b.binding.description for b in screen.active_bindings.values()]
        # In the filter field escape is still "clear the filter"; the run goes on.
        await pilot.press("slash", "x", "escape")
        await pilot.pause()
        assert screen.table.filter_text == "" and screen.is_busy("refresh") and "cancelling" not in status_line(screen)
        await pilot.press("escape")
        await pilot.pause()
        assert "cancelling" in status_line(screen)
        await settle(pilot)
        # The direct role was never asked for: no second dialog, and it keeps what it had.
        assert not isinstance(app.screen, TokenDialog)
        report = screen.runs.last_report
        skipped = [r.profile for r in report.skipped]
        assert "prod-readonly-direct" in skipped
        assert all(report.results[name].message == CANCEL_REASON for name in skipped)
        assert screen.table.state_of("prod-readonly-direct") is State.MISSING
        assert local_aws.count("GetSessionToken") == 1
        summary = record.notes_titled("Refresh")[-1]
        assert f"{len(skipped)} skipped" in summary and "cancelled" in summary
        assert "prod-readonly-direct" in summary
        assert "of 8 done" not in status_line(screen)
        # escape with nothing running is "clear the filter" again, and cancels nothing.
        await pilot.press("slash", *"dev")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert screen.table.filter_text == ""


async def test_escape_cancels_a_running_whoami(service, demo_world, local_aws):
    record = Recorder()
    one_at_a_time(service)
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_all_but_the_direct_role(pilot, demo_world)
        local_aws.faults.set(delay_seconds=0.4, actions={"GetCallerIdentity"})
        await pilot.press("W")
        await wait_for(pilot, lambda: local_aws.count("GetCallerIdentity") >= 1, "the first who-am-I call")
        await pilot.press("escape")
        await settle(pilot)
        results = screen.runs.last_whoami
        cancelled = [n for n, r in results.items() if isinstance(r, CancelledError)]
        checked = [n for n, r in results.items() if isinstance(r, WhoAmI)]
        assert cancelled and checked
        assert local_aws.count("GetCallerIdentity") < 7
        summary = record.notes_titled("Who am I")[-1]
        assert f"{len(checked)} checked" in summary
        assert f"{len(cancelled)} skipped (cancelled)" in summary
        # A cancelled profile is not an error: its detail shows no who-am-I failure.
        await move_to(pilot, cancelled[0])
        screen.tick()
        assert "Who-am-I error" not in screen.detail.plain_text


async def test_a_refresh_counts_n_of_N_as_profiles_end(service, demo_world, local_aws):
    one_at_a_time(service)
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        for name in ("dev-admin", "dev-readonly", "prod-admin"):
            await move_to(pilot, name)
            await pilot.press("space")
        local_aws.faults.set(delay_seconds=0.3, actions={"AssumeRole"})
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        seen: set[tuple[int, int]] = set()

        def look() -> bool:
            found = COUNT.search(status_line(screen))
            if found:
                seen.add((int(found[1]), int(found[2])))
            return not screen.is_busy("refresh")

        await wait_for(pilot, look, "the refresh to end")
        await settle(pilot)
        assert {(1, 3), (2, 3)} & seen, seen
        assert all(total == 3 for _, total in seen)
        assert not COUNT.search(status_line(screen))


async def test_whoami_counts_each_profile_as_it_ends(service, demo_world, monkeypatch):
    """The count follows the who-am-I progress events (one per profile that ends)."""
    gate = threading.Event()

    def whoami(profiles, *, progress=None, cancel=None):
        results = {}
        for i, profile in enumerate(profiles):
            results[profile.name] = NeedsCodeError(f"profile {profile.name}: no credentials yet")
            progress(Progress(profile.name, State.ERROR, str(results[profile.name])))
            if i == 1:
                gate.wait(10)
        return results

    monkeypatch.setattr(service, "whoami", whoami)
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("W")
        await wait_for(pilot, lambda: "who-am-I: 2 of 8 done" in status_line(screen), "2 of 8")
        gate.set()
        await settle(pilot)
        assert "of 8 done" not in status_line(screen)


async def test_N_makes_a_new_mfa_session_even_while_one_lives(service, demo_world, local_aws, frozen_clock):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        first = screen.table.get_row("dev-admin")
        assert first.mfa_expires_at is not None
        frozen_clock.advance(120)
        # r on a live session changes nothing AWS-side needs a code for; N asks for one.
        await pilot.press("N")
        dialog = await token_dialog(pilot)
        assert dialog.request.purpose == "mfa-session" and "dev-admin" in dialog.request.profiles
        assert "A new MFA session, as you asked" in str(dialog.query_one("#token-note").render())
        await enter_code(pilot, demo_world.next_code())
        await settle(pilot)
        assert local_aws.count("GetSessionToken") == 2
        assert local_aws.count("AssumeRole") == 2
        row = screen.table.get_row("dev-admin")
        assert screen.table.state_of("dev-admin") is State.VALID
        assert row.mfa_expires_at > first.mfa_expires_at
        assert any("1 profile refreshed" in n for n in record.notes_titled("New MFA session"))
        # The key is in the footer, the help (with its id) and the palette.
        assert "N" in screen.active_bindings
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        entries = {e.id: e for e in app.screen.entries}
        assert entries["new_session"].display == "N"
        assert "selected" in entries["new_session"].detail and "marked" in entries["new_session"].detail
        await pilot.press("escape")
        titles = [str(hit.display) async for hit in DashboardCommands(screen).discover()]
        assert "New session" in titles
