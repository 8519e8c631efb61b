"""The timeline strip (issue 14): MFA-session ends, role expiries and the next re-mint on one axis
shared by every row, redrawn only when its words change or "now" moves into the next cell."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from app_support import main_screen, make_app
from pilot_support import settle
from test_status_table import WARN, status
from textual.app import App, ComposeResult

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.models import ProfileKind
from mfa_tui.ui.widgets.status_table import StatusTable
from mfa_tui.ui.widgets.timeline import Timeline, axis_span


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


class Host(App):
    def __init__(self, rows, clock) -> None:
        super().__init__()
        self.rows, self.clock = rows, clock

    def compose(self) -> ComposeResult:
        yield StatusTable(self.clock, warn_before=WARN)
        yield Timeline()

    def on_mount(self) -> None:
        self.query_one(StatusTable).set_rows(self.rows)


def _rows(clock, roles: int = 3):
    now = clock.now()
    session = status("alice", now, 12 * 3600, kind=ProfileKind.MFA_SESSION, mfa_left=12 * 3600)
    return [session] + [status(f"role-{i}", now, 3600 - 60 * i, mfa_left=12 * 3600) for i in range(roles)]


def test_the_axis_is_the_shortest_span_that_holds_everything():
    assert axis_span(50 * 60) == 3600 and axis_span(3601) == 2 * 3600 and axis_span(11 * 3600) == 12 * 3600
    assert axis_span(1000 * 3600) == 48 * 3600  # later times sit at the axis' end


async def test_one_axis_for_a_12h_session_and_1h_roles(clock):
    app = Host(_rows(clock), clock)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        timeline.tick()
        summary, axis = timeline.plain.splitlines()
        # The next re-mint: the first role's expiry less warn_before (15m), while the session lives.
        assert summary == "◆ MFA session alice 12h 00m · ● 3 roles, first 58m · ↻ re-mint in 43m"
        assert axis.startswith("now ├") and axis.endswith("┤ 12h") and len(axis) <= 78
        cells = axis[len("now ├"):-len("┤ 12h")]
        # A full 1-hour role sits near the start, the 12-hour session at the end: not side by side.
        assert cells.index("●") < len(cells) // 8 and cells.index("↻") < cells.index("●")
        assert cells.rstrip("─").endswith("◆") and cells.count("◆") == 1

        clock.advance(60 * 60)  # the roles expired (none was re-minted here): the axis shrinks to the session
        assert timeline.tick()
        summary, axis = timeline.plain.splitlines()
        assert summary == "◆ MFA session alice 11h 00m · ↻ re-mint due now" and "●" not in axis


async def test_a_tick_redraws_only_when_the_words_or_the_cells_change(clock):
    app = Host(_rows(clock, roles=1000), clock)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        timeline.tick()
        assert not timeline.tick()  # nothing changed: nothing drawn
        axis_key = timeline._axis_key
        clock.advance(1)  # the words move by a second at most, the 12h axis (11 min a cell) does not
        timeline.tick()
        assert timeline._axis_key == axis_key
        started = time.perf_counter()
        for _ in range(50):
            clock.advance(1)
            timeline.tick()
        assert (time.perf_counter() - started) / 50 < 0.005  # no per-row work per tick (1000 rows)


async def test_the_dashboard_shows_the_timeline_at_80x24(service, demo_world, local_aws, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        timeline = screen.query_one(Timeline)
        assert timeline.region.height == 2 and timeline.region.width == 80
        assert timeline.plain.splitlines()[0] == "◆ no live MFA session"
        assert screen.table.region.height >= 8  # the seven demo rows and their titles still fit
        session = screen.table.get_row("alice")
        now = frozen_clock.now()
        rows = [replace(r, expires_at=now + timedelta(hours=1), mfa_expires_at=now + timedelta(hours=12))
                for r in screen.table.rows()]
        screen.table.update_rows(rows)
        timeline.tick()
        assert session is not None and timeline.plain.startswith("◆ MFA session alice 12h 00m")


async def test_at_60_columns_each_line_stays_one_line(clock):
    app = Host(_rows(clock), clock)
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        timeline.tick()
        summary, axis = timeline.plain.splitlines()
        assert summary.startswith("◆ MFA session alice 12h 00m · ● 3 roles") and summary.endswith("…")
        assert len(summary) == 58 and len(axis) <= 58  # the width less the padding
