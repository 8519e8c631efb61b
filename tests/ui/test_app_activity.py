"""The activity log (``l``): refreshes, who-am-I, re-mints, errors and edits, each with its UTC time."""

from __future__ import annotations

from datetime import UTC, datetime

from app_support import SIZE, main_screen, make_app, refresh_one, settle, wait_for, known_binding_ids

from mfa_tui.ui.activity import ActivityLog
from mfa_tui.ui.commands import binding_entries
from mfa_tui.ui.messages import WorkerFailed
from mfa_tui.ui.screens.activity import ActivityScreen


def test_the_log_keeps_the_last_entries_and_one_line_each():
    log = ActivityLog(limit=3)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(5):
        log.add(when, "refresh", f"run {n}\n  second line")
    assert [e.text for e in log.entries] == ["run 2 · second line", "run 3 · second line", "run 4 · second line"]
    assert len(log) == 3 and log.version == 5


def rows_of(screen: ActivityScreen) -> list[tuple[str, str, str]]:
    from textual.widgets import DataTable

    table = screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_refresh_whoami_and_errors_are_logged_newest_first_with_their_time(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        frozen_clock.advance(65)
        await pilot.press("w")
        await settle(pilot)
        main_screen(app).post_message(WorkerFailed("registry reload", "config.toml: broken"))
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ActivityScreen), "the activity pane")
        rows = rows_of(app.screen)
        assert [kind for _, kind, _ in rows] == ["registry reload", "who-am-I", "refresh"]
        assert rows[0][2] == "config.toml: broken"
        assert "dev-admin" in rows[1][2] and "arn:aws:sts::222222222222:assumed-role/Admin" in rows[1][2]
        assert "refreshed" in rows[2][2]
        refreshed_at = app.activity.entries[0].when
        assert refreshed_at.tzinfo is not None and rows[2][0] == refreshed_at.strftime("%Y-%m-%d %H:%M:%S")
        assert (app.activity.entries[1].when - refreshed_at).total_seconds() == 65
        # Never a secret: the keys written to the credentials file appear nowhere in the log.
        secrets = [line.split("=", 1)[1].strip() for line in demo_world.credentials_path.read_text().splitlines()
                   if line.startswith(("aws_secret_access_key", "aws_session_token", "aws_access_key_id"))]
        assert secrets and not any(s in e.text for s in secrets for e in app.activity.entries)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")


async def test_a_quiet_remint_is_logged(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        frozen_clock.advance(50 * 60)  # inside warn_before of the 1h role: due for re-mint
        main_screen(app).remint_now()
        await wait_for(pilot, lambda: any(e.kind == "re-mint" for e in app.activity.entries), "a re-mint entry")
        entry = [e for e in app.activity.entries if e.kind == "re-mint"][-1]
        assert entry.text.startswith("Re-minted 1 role") and entry.when == frozen_clock.now()


async def test_the_log_opens_empty_updates_while_open_and_is_in_help_palette_and_keymap(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ActivityScreen), "the activity pane")
        assert app.screen.query_one("#activity-empty").display
        app.activity.add(service.clock.now(), "refresh", "2 profiles refreshed.")
        app.screen.fill()
        await pilot.pause()
        assert rows_of(app.screen)[0][1:] == ("refresh", "2 profiles refreshed.")
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")
        ids = {e.id for e in binding_entries(app, app.binding_nodes(app.screen), {})}
        assert {"activity", "new_profile", "edit_profile", "remove_profile", "new_account"} <= ids
        assert {"activity", "activity.close", "form.save", "form.cancel"} <= known_binding_ids()


async def test_an_mfa_session_about_to_end_is_logged_once(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await refresh_one(pilot, "alice", demo_world.code())
        frozen_clock.advance(12 * 3600 - 10 * 60)  # the 12-hour MFA session has 10 minutes left
        main_screen(app).tick()
        main_screen(app).tick()
        await pilot.pause()
        ending = [e for e in app.activity.entries if e.kind == "session"]
        assert len(ending) == 1 and ending[0].severity == "warning"
        assert ending[0].text.startswith("The MFA session of alice ends at") and ending[0].when == frozen_clock.now()
