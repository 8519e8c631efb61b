"""Folding groups of the status table (issue 14): ``z`` hides the rows of the cursor's group under
its header, which then says how many it hides; the cursor can sit on a folded header, and ``z`` or
space there shows the rows again."""

from __future__ import annotations

import pytest
from app_support import make_app
from pilot_support import settle
from test_status_table import Host, lines, status

from mfa_tui.core.clock import FrozenClock
from mfa_tui.ui.screens.help import HelpScreen
from mfa_tui.ui.widgets.status_table import StatusTable


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def _rows(clock):
    now = clock.now()
    return [
        status("zeta", now, 3600, account=("222222222222", "dev")),
        status("alpha", now, 60, account=("111111111111", "prod")),
        status("mid", now, 7200, account=("222222222222", "dev")),
        status("gone", now, -5, account=("111111111111", "prod")),
    ]


async def test_z_folds_and_unfolds_the_cursor_group(clock):
    app = Host(_rows(clock), clock)
    async with app.run_test(size=(160, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        table.group_by("account")
        table.move_cursor("mid")
        await pilot.press("z")
        await pilot.pause()
        shown = lines(table)
        assert shown[1].startswith("▸ dev (222222222222) (2 hidden)"), shown
        assert [line.split()[0] for line in shown[2:5]] == ["▾", "alpha", "gone"]
        assert table.profiles_in_view() == ["alpha", "gone"]
        assert table.cursor_profile is None and table.cursor_group == "dev (222222222222)"
        assert table.targets() == []  # nothing to refresh on a folded header

        await pilot.press("j")  # the cursor goes on into the next group's rows...
        assert table.cursor_profile == "alpha"
        await pilot.press("k")  # ...and back onto the folded header
        assert table.cursor_profile is None
        await pilot.press("space")  # space on a folded header unfolds it (it marks nothing)
        await pilot.pause()
        assert table.marked == set() and table.cursor_profile == "zeta"
        assert lines(table)[1].startswith("▾ dev (222222222222) (2)")
        assert table.profiles_in_view() == ["zeta", "mid", "alpha", "gone"]

        await pilot.press("z", "z")  # fold, then unfold from the header
        await pilot.pause()
        assert table.profiles_in_view() == ["zeta", "mid", "alpha", "gone"] and table.cursor_profile == "zeta"


async def test_folds_survive_a_row_update_and_end_with_the_grouping(clock):
    app = Host(_rows(clock), clock)
    async with app.run_test(size=(160, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        await pilot.press("z")  # not grouped: nothing to fold
        assert table.profiles_in_view() == ["zeta", "alpha", "mid", "gone"]
        table.group_by("account")
        table.move_cursor("alpha")
        await pilot.press("z")
        table.set_rows(_rows(clock))
        await pilot.pause()
        assert table.profiles_in_view() == ["zeta", "mid"] and table.cursor_group == "prod (111111111111)"
        assert "(2 hidden)" in lines(table)[4]
        table.group_by(None)
        assert table.profiles_in_view() == ["zeta", "alpha", "mid", "gone"]


async def test_the_fold_key_is_in_the_help(service):
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {e.id: e.display for e in app.screen.entries}
        assert keys["status-table.toggle-group"] == "z"
