"""The status table as a newcomer reads it (issue 14, items 4 and 5).

- an expired row's time left says ``expired``, not a countdown stuck at ``0s``;
- a direct role's "MFA left" says ``own code``: it never uses the identity's MFA session;
- a who-am-I answer (or failure) goes from the row and the detail pane once the credentials change;
- ``o`` sorts by time left, state, name, then registry order again, the cursor staying on its profile.
"""

from __future__ import annotations

from app_support import SIZE, enter_code, main_screen, make_app, move_to, refresh_one, settle
from pilot_support import screen_text

from mfa_tui.core.models import State
from mfa_tui.ui.commands import DashboardCommands
from mfa_tui.ui.rowformat import mfa_left_text

DIRECT = "prod-readonly-direct"


def _row(app, profile: str) -> str:
    """The table line of ``profile`` as the terminal shows it."""
    [line] = [line for line in screen_text(app).splitlines() if line[2:].split(" ", 1)[0] == profile]
    return line


async def test_an_expired_row_says_expired_not_0s(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        frozen_clock.advance(3600 + 5)  # dev-admin's role lasts an hour
        screen.tick()
        await pilot.pause()
        assert screen.table.state_of("dev-admin") is State.EXPIRED
        row = _row(app, "dev-admin")
        assert "0s" not in row, row
        state, rest = row.split("expired", 1)
        assert rest.lstrip().startswith("expired"), row  # the time-left cell, right after the state


async def test_a_direct_role_says_own_code_under_mfa_left_even_with_a_live_session(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())  # alice's MFA session lives now
        assert screen.table.get_row(DIRECT).mfa_expires_at is not None  # the core gives the identity's
        chained = _row(app, "dev-readonly")
        direct = _row(app, DIRECT)
        assert "12h 00m" in chained, chained  # the identity's MFA session
        assert "own code" in direct and "12h" not in direct, direct
        await move_to(pilot, DIRECT)
        screen.tick()
        assert "MFA session    not used: each refresh asks for a code of its own" in screen.detail.plain_text


def test_mfa_left_words():
    from mfa_tui.core.models import ProfileKind

    assert mfa_left_text(ProfileKind.DIRECT_ROLE, 5000.0, 0.0) == "own code"
    assert mfa_left_text(ProfileKind.DIRECT_ROLE, None, 0.0) == "own code"
    assert mfa_left_text(ProfileKind.CHAINED_ROLE, 5000.0, 0.0) == "1h 23m"
    assert mfa_left_text(ProfileKind.CHAINED_ROLE, None, 0.0) == "-"
    assert mfa_left_text(ProfileKind.MFA_SESSION, 5.0, 10.0) == "expired"


async def test_a_who_am_i_answer_goes_when_the_credentials_change(service, demo_world, local_aws):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        await pilot.press("w")
        await settle(pilot)
        who = screen.table.get_row("dev-admin").whoami
        assert who is not None
        screen.tick()
        assert who.arn in screen.detail.plain_text
        assert "assumed-role/Admin/" in _row(app, "dev-admin")
        await pilot.press("N")  # new credentials for dev-admin (and a new MFA session)
        await enter_code(pilot, demo_world.next_code())
        await settle(pilot)
        assert screen.table.get_row("dev-admin").whoami is None
        screen.tick()
        [line] = [line for line in screen.detail.plain_text.splitlines() if line.startswith("Who am I")]
        assert line.split() == ["Who", "am", "I", "not", "checked", "yet", "(w)"], line
        assert "assumed-role/" not in _row(app, "dev-admin")


async def test_a_who_am_i_failure_goes_when_the_credentials_change(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("w")  # no credentials yet: who-am-I fails
        await settle(pilot)
        screen.tick()
        assert "Who-am-I error" in screen.detail.plain_text
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        screen.tick()
        assert screen.table.state_of("dev-admin") is State.VALID
        assert "Who-am-I error" not in screen.detail.plain_text, screen.detail.plain_text


async def test_o_sorts_by_time_left_state_and_name_keeping_the_cursor(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        table = screen.table
        registry_order = table.profiles_in_view()
        await refresh_one(pilot, "staging-admin", demo_world.code())
        frozen_clock.advance(600)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")  # alice's MFA session lives: no code
        await settle(pilot)
        assert table.state_of("dev-admin") is State.VALID
        await move_to(pilot, "prod-admin")

        await pilot.press("o")
        await pilot.pause()
        assert table.sort_key == "expiry"
        assert table.profiles_in_view()[:2] == ["staging-admin", "dev-admin"]  # soonest to expire first
        assert table.cursor_profile == "prod-admin"
        assert "sorted by time left" in str(screen.query_one("#status-line").render())

        await pilot.press("o")
        await pilot.pause()
        assert table.sort_key == "state"
        states = [table.state_of(p) for p in table.profiles_in_view()]
        assert states.index(State.MISSING) < states.index(State.VALID)  # what needs attention first
        assert table.cursor_profile == "prod-admin"

        await pilot.press("o")
        await pilot.pause()
        assert table.sort_key == "profile"
        assert table.profiles_in_view() == sorted(registry_order)
        assert table.cursor_profile == "prod-admin"

        await pilot.press("o")
        await pilot.pause()
        assert table.sort_key is None
        assert table.profiles_in_view() == registry_order
        assert table.cursor_profile == "prod-admin"
        assert "sorted" not in str(screen.query_one("#status-line").render())


async def test_sorting_is_in_the_palette(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        titles = [str(hit.display) async for hit in DashboardCommands(screen).discover()]
        assert {"Sort", "Sort by time left", "Sort by state", "Sort by name", "Sort in registry order"} <= set(titles)
        [command] = [c for c in screen.palette_commands() if c.title == "Sort by name"]
        command.run()
        await pilot.pause()
        assert screen.table.sort_key == "profile"
