"""The status table widget, driven through Pilot in a minimal host app with a frozen clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.models import ProfileKind, ProfileStatus, State, WhoAmI
from mfa_tui.ui.rowformat import ago_text, bar, derive_state, left_text
from mfa_tui.ui.theming import DEFAULT_THEME, ThemeVariablesMixin, install_themes, load_themes, theme_dirs
from mfa_tui.ui.widgets.status_table import StatusTable
from mfa_tui.ui.textual_private import screen_lines as shown_lines

WARN = 15 * 60


def status(
    name: str,
    now: datetime,
    left: float | None,
    *,
    kind: ProfileKind = ProfileKind.CHAINED_ROLE,
    state: State = State.VALID,
    account: tuple[str, str] = ("222222222222", "dev"),
    tags: tuple[str, ...] = (),
    whoami_account: str | None = None,
    mfa_left: float | None = 12 * 3600 + 30,
    refreshed_ago: float | None = 180,
) -> ProfileStatus:
    account_id, alias = account
    whoami = None
    if whoami_account is not None:
        whoami = WhoAmI(
            arn=f"arn:aws:sts::{whoami_account}:assumed-role/Admin/mfa-tui",
            account=whoami_account,
            user_id="AROAEXAMPLE:mfa-tui",
            checked_at=now,
            expected_account=account_id,
        )
    return ProfileStatus(
        profile=name,
        identity="alice",
        kind=kind,
        state=state,
        account_id=account_id,
        account_alias=alias,
        role_arn=None if kind is ProfileKind.MFA_SESSION else f"arn:aws:iam::{account_id}:role/Admin",
        expires_at=None if left is None else now + timedelta(seconds=left),
        mfa_expires_at=None if mfa_left is None else now + timedelta(seconds=mfa_left),
        last_refresh=None if refreshed_ago is None else now - timedelta(seconds=refreshed_ago),
        whoami=whoami,
        tags=tags,
    )


class Host(ThemeVariablesMixin, App):
    """The smallest app that shows the table: bundled themes, the table, and a message log."""

    def __init__(self, rows: list[ProfileStatus], clock: FrozenClock) -> None:
        super().__init__()
        self.rows = rows
        self.clock = clock
        self.highlighted: list[str | None] = []
        self.marks: list[set[str]] = []

    def compose(self) -> ComposeResult:
        yield StatusTable(self.clock, warn_before=WARN)

    def on_mount(self) -> None:
        install_themes(self)
        self.theme = DEFAULT_THEME
        table = self.query_one(StatusTable)
        table.set_rows(self.rows)
        table.focus()

    def on_status_table_highlighted(self, message: StatusTable.Highlighted) -> None:
        self.highlighted.append(message.profile)

    def on_status_table_marks_changed(self, message: StatusTable.MarksChanged) -> None:
        self.marks.append(message.marked)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def lines(table: StatusTable) -> list[str]:
    """What the table shows now, one string per screen line (line 0: the column titles)."""
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def screen_lines(app: App, width: int) -> list[str]:
    """The screen as Textual last composited it, cut to ``width`` cells, one string per line.

    Unlike ``render_line`` this shows what was actually repainted, so a tick that forgot to
    repaint a line shows up as stale text. (Textual has no public "screen text" call; its
    compositor is stable within the exactly pinned Textual version.)
    """
    return [line[:width].rstrip() for line in shown_lines(app.screen)]


def line_of(table: StatusTable, profile: str) -> str:
    [line] = [text for text in lines(table)[1:] if text[2:].split(" ", 1)[0] == profile]
    return line


def colour_of(table: StatusTable, profile: str, word: str) -> tuple[int, int, int]:
    """Foreground colour of the first segment showing ``word`` on ``profile``'s line (the state, for a state word)."""
    y = [text[2:].split(" ", 1)[0] for text in lines(table)].index(profile)
    segment = next(s for s in table.render_line(y) if s.text.strip() == word)
    return segment.style.color.triplet


def theme_colour(app: App, var: str) -> tuple[int, int, int]:
    return Color.parse(app.current_theme.variables[var]).rich_color.triplet


async def test_rows_render_every_column(clock):
    now = clock.now()
    rows = [
        status("dev-admin", now, 11 * 3600 + 42 * 60 + 30, whoami_account="222222222222", tags=("team",)),
        status("alice-mfa", now, 5 * 60 + 7, kind=ProfileKind.MFA_SESSION, mfa_left=5 * 60 + 7, refreshed_ago=20),
        status("prod-direct", now, None, kind=ProfileKind.DIRECT_ROLE, state=State.MISSING, account=("333333333333", ""),
               mfa_left=None, refreshed_ago=None),
    ]
    app = Host(rows, clock)
    async with app.run_test(size=(180, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        header = lines(table)[0]
        for title in ("Profile", "Account", "Kind", "State", "Time left", "MFA left", "Refreshed", "Who am I"):
            assert title in header
        first = line_of(table, "dev-admin")
        for text in ("dev (222222222222)", "chained role", "valid", "11h 42m", "████████", "12h 00m", "3m ago",
                     "assumed-role/Admin/mfa-tui"):
            assert text in first
        assert "⚠" not in first
        mfa = line_of(table, "alice-mfa")
        assert "MFA session" in mfa and "expiring" in mfa and "5m 07s" in mfa and "just now" in mfa
        missing = line_of(table, "prod-direct")
        assert "direct role" in missing and "missing" in missing and "333333333333" in missing
        assert table.row_count == 3 and table.cursor_profile == "dev-admin"
        assert app.highlighted == ["dev-admin"]


async def test_countdown_moves_with_the_clock_and_tick_repaints_only_changed_rows(clock):
    now = clock.now()
    rows = [status("soon", now, 10 * 60 + 2), status("later", now, 5 * 3600 + 30)]
    app = Host(rows, clock)
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert "10m " in line_of(table, "soon")
        clock.advance(1)
        assert table.tick() == 0  # "10m" still: coarse above 10 minutes
        await pilot.pause()
        clock.advance(2)
        assert table.tick() == 1  # 9m 59s: only this row changed
        await pilot.pause()
        assert "9m 59s" in line_of(table, "soon")
        assert screen_lines(app, table.size.width)[1] == lines(table)[1]
        assert "9m 59s" in screen_lines(app, table.size.width)[1]
        assert "5h 00m" in line_of(table, "later")
        clock.advance(1)
        assert table.tick() == 1
        await pilot.pause()
        assert "9m 58s" in line_of(table, "soon")


async def test_state_turns_expiring_then_expired_in_theme_colours(clock):
    now = clock.now()
    rows = [status("anchor", now, 3600), status("r", now, WARN + 30), status("busy", now, 10, state=State.REFRESHING)]
    app = Host(rows, clock)  # the cursor rests on "anchor": the cursor row has its own colours
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert table.state_of("r") is State.VALID
        assert colour_of(table, "r", "valid") == theme_colour(app, "status-valid")
        clock.advance(31)
        table.tick()
        await pilot.pause()
        assert table.state_of("r") is State.EXPIRING
        assert colour_of(table, "r", "expiring") == theme_colour(app, "status-expiring")
        clock.advance(WARN)
        table.tick()
        await pilot.pause()
        assert table.state_of("r") is State.EXPIRED
        assert " expired " in line_of(table, "r").split("expired", 1)[1]  # time left says so too, not "0s"
        assert colour_of(table, "r", "expired") == theme_colour(app, "status-expired")
        # A row the engine marked as refreshing stays so, whatever its old expiry says.
        assert table.state_of("busy") is State.REFRESHING
        assert colour_of(table, "busy", "refreshing") == theme_colour(app, "status-refreshing")
        app.theme = "mfa-light"
        await pilot.pause()
        light = {t.name: t for t in load_themes(theme_dirs())[0]}["mfa-light"]
        assert colour_of(table, "r", "expired") == Color.parse(light.variables["status-expired"]).rich_color.triplet
        # Under the cursor the state word takes the cursor's colours (a state colour may be the
        # cursor's background); the bar keeps the state colour.
        assert table.cursor_profile == "anchor"
        assert colour_of(table, "anchor", "valid") != theme_colour(app, "status-valid")
        y = [text[2:].split(" ", 1)[0] for text in lines(table)].index("anchor")
        [bar_segment] = [s for s in table.render_line(y) if "█" in s.text]
        assert bar_segment.style.color.triplet == theme_colour(app, "status-valid")


async def test_warn_before_moves_the_expiring_threshold(clock):
    now = clock.now()
    app = Host([status("r", now, 20 * 60)], clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert table.state_of("r") is State.VALID
        table.warn_before = 30 * 60
        assert table.state_of("r") is State.EXPIRING
        await pilot.pause()
        assert "expiring" in line_of(table, "r")


async def test_filter_matches_profile_account_kind_state_tag_and_arn(clock):
    now = clock.now()
    rows = [
        status("prod-admin", now, 3600, account=("111111111111", "Prod"), tags=("payments",)),
        status("dev-admin", now, 60, account=("222222222222", "dev")),
        status("me", now, 3600, kind=ProfileKind.MFA_SESSION, account=("333333333333", "identity"),
               whoami_account="333333333333"),
    ]
    app = Host(rows, clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        await pilot.press("j")
        assert table.cursor_profile == "dev-admin"
        for text, expected in [
            ("PROD", ["prod-admin"]),
            ("222222222222", ["dev-admin"]),
            ("mfa session", ["me"]),
            ("expiring", ["dev-admin"]),
            ("payments", ["prod-admin"]),
            ("assumed-role/admin", ["me"]),
            (":role/Admin", ["prod-admin", "dev-admin"]),
            ("nothing-like-this", []),
        ]:
            table.filter(text)
            assert table.profiles_in_view() == expected, text
        table.filter("")
        assert table.move_cursor("dev-admin")
        table.filter("admin")
        assert table.cursor_profile == "dev-admin"  # kept while still shown
        table.filter("prod")
        assert table.cursor_profile == "prod-admin"  # else the nearest shown row
        table.filter("")
        assert table.profiles_in_view() == ["prod-admin", "dev-admin", "me"]
        assert table.filter_text == ""


async def test_filter_by_state_follows_the_clock(clock):
    now = clock.now()
    app = Host([status("a", now, WARN + 5), status("b", now, 3 * 3600)], clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        table.filter("expiring")
        assert table.profiles_in_view() == []
        clock.advance(10)
        table.tick()
        assert table.profiles_in_view() == ["a"]


async def test_sort_and_group(clock):
    now = clock.now()
    rows = [
        status("zeta", now, 3600, account=("222222222222", "dev"), tags=("blue",)),
        status("alpha", now, 60, account=("111111111111", "prod"), tags=("red", "blue")),
        status("mid", now, 7200, account=("222222222222", "dev")),
        status("gone", now, -5, account=("111111111111", "prod"), tags=("red",)),
    ]
    app = Host(rows, clock)
    async with app.run_test(size=(160, 16)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert table.profiles_in_view() == ["zeta", "alpha", "mid", "gone"]
        table.sort_by("profile")
        assert table.profiles_in_view() == ["alpha", "gone", "mid", "zeta"]
        table.sort_by("account")
        assert table.profiles_in_view() == ["mid", "zeta", "alpha", "gone"]
        table.sort_by("state")
        assert table.profiles_in_view() == ["gone", "alpha", "zeta", "mid"]
        table.sort_by("expiry")
        assert table.profiles_in_view() == ["gone", "alpha", "zeta", "mid"]
        table.sort_by("tag")
        assert table.profiles_in_view() == ["zeta", "alpha", "gone", "mid"]
        table.sort_by(None)
        assert table.profiles_in_view() == ["zeta", "alpha", "mid", "gone"]

        table.group_by("account")
        await pilot.pause()
        shown = lines(table)
        assert shown[1].startswith("▾ dev (222222222222) (2)")
        assert shown[4].startswith("▾ prod (111111111111) (2)")
        assert table.profiles_in_view() == ["zeta", "mid", "alpha", "gone"]

        table.group_by("tag")  # grouped under the first tag; untagged last
        await pilot.pause()
        headers = [line.rsplit(" (", 1)[0] for line in lines(table) if line.startswith("▾")]
        assert headers == ["▾ blue", "▾ red", "▾ (untagged)"]

        table.group_by("state")
        await pilot.pause()
        headers = [line for line in lines(table) if line.startswith("▾")]
        assert headers == ["▾ expired (1)", "▾ expiring (1)", "▾ valid (2)"]
        clock.advance(3600 - WARN + 1)  # zeta turns expiring: the view regroups by itself
        table.tick()
        await pilot.pause()
        headers = [line for line in lines(table) if line.startswith("▾")]
        assert headers == ["▾ expired (2)", "▾ expiring (1)", "▾ valid (1)"]
        assert table.group_key == "state"

        with pytest.raises(ValueError, match="colour"):
            table.sort_by("colour")
        with pytest.raises(ValueError, match="profile"):
            table.group_by("profile")


async def test_cursor_keys_and_highlighted_messages(clock):
    now = clock.now()
    app = Host([status(f"p{i}", now, 3600) for i in range(5)], clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        await pilot.press("j", "j")
        assert table.cursor_profile == "p2"
        await pilot.press("k")
        assert table.cursor_profile == "p1"
        await pilot.press("down", "down", "down", "down")
        assert table.cursor_profile == "p4"  # stops at the end
        await pilot.press("home")
        assert table.cursor_profile == "p0"
        await pilot.press("up")
        assert table.cursor_profile == "p0"
        await pilot.press("end")
        assert table.cursor_profile == "p4"
        await pilot.pause()
        assert app.highlighted[0] == "p0" and app.highlighted[-1] == "p4"
        assert None not in app.highlighted
        assert table.move_cursor("p3") and table.cursor_profile == "p3"
        assert not table.move_cursor("nope")
        table.filter("nothing")
        await pilot.pause()
        assert table.cursor_profile is None and app.highlighted[-1] is None


async def test_space_marks_rows(clock):
    now = clock.now()
    app = Host([status(f"p{i}", now, 3600) for i in range(4)], clock)
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert table.targets() == ["p0"]
        await pilot.press("space", "j", "j", "space")
        await pilot.pause()
        assert table.marked == {"p0", "p2"}
        shown = lines(table)
        assert shown[1].startswith("● p0") and shown[3].startswith("● p2") and shown[2].startswith("  p1")
        table.sort_by("profile")
        table.group_by(None)
        assert table.targets() == ["p0", "p2"]
        table.filter("p2")
        assert table.marked == {"p0", "p2"}  # marks survive filtering
        table.filter("")
        await pilot.press("space")  # the cursor is still on p2
        assert table.marked == {"p0"}
        table.clear_marks()
        assert table.marked == set() and table.targets() == ["p2"]
        await pilot.pause()
        assert app.marks == [{"p0"}, {"p0", "p2"}, {"p0"}, set()]


async def test_click_moves_the_cursor(clock):
    now = clock.now()
    app = Host([status(f"p{i}", now, 3600) for i in range(4)], clock)
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        await pilot.click(StatusTable, offset=(5, 3))  # line 0 is the titles, so line 3 is the third row
        assert table.cursor_profile == "p2"
        await pilot.click(StatusTable, offset=(5, 0))
        assert table.cursor_profile == "p2"


async def test_columns_fit_the_terminal_and_follow_a_resize(clock):
    now = clock.now()
    app = Host([status("acme-production-administrators", now, 3600, whoami_account="222222222222")], clock)
    arn = "assumed-role/Admin/mfa-tui"
    async with app.run_test(size=(130, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        row = line_of(table, "acme-production-administrators")
        assert len(row) <= table.scrollable_content_region.width
        assert arn not in row and "assumed-role/" in row and row.endswith("…")  # who-am-I shrinks first
        assert table.max_scroll_x == 0  # fits: no sideways scrolling
        await pilot.resize_terminal(200, 6)
        await pilot.pause()
        assert arn in line_of(table, "acme-production-administrators")
        # At 60 columns state and time left still show (issue 14): who am I, refreshed, kind and the
        # bar go, and the account shrinks.
        await pilot.resize_terminal(60, 6)
        assert table.max_scroll_x == 0
        header, row = lines(table)[:2]
        assert header.split() == ["Profile", "Account", "State", "Left", "MFA", "left"]
        assert row.split()[-5:] == ["valid", "1h", "00m", "12h", "00m"] and len(row) <= 60
        await pilot.resize_terminal(30, 6)  # narrower than the narrowest layout: scroll sideways
        assert table.max_scroll_x > 0
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        # ...and the profile column stays put while the rest scrolls under it (issue 14).
        header, row = lines(table)[:2]
        assert header.startswith("  Profile ") and header.rstrip().endswith("Left")
        assert row.startswith("  acme-production… ") and row.rstrip().endswith("1h 00m")


async def test_mismatched_who_am_i_is_flagged(clock):
    now = clock.now()
    rows = [
        status("right", now, 3600, whoami_account="222222222222"),
        status("wrong", now, 3600, whoami_account="999999999999"),
    ]
    app = Host(rows, clock)
    async with app.run_test(size=(180, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert "⚠" not in line_of(table, "right")
        wrong = line_of(table, "wrong")
        assert "⚠ 999999999999 assumed-role/Admin/mfa-tui" in wrong
        y = lines(table).index(wrong)
        [flag] = [s for s in table.render_line(y) if "⚠" in s.text]
        assert flag.style.bold


async def test_update_row_changes_one_row_and_adds_new_ones(clock):
    now = clock.now()
    app = Host([status("a", now, 3600), status("b", now, 3600)], clock)
    async with app.run_test(size=(160, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        table.update_row(status("b", now, 3600, state=State.REFRESHING))
        await pilot.pause()
        assert "refreshing" in line_of(table, "b") and "valid" in line_of(table, "a")
        table.update_row(status("a-very-long-profile-name-that-widens", now, 60, state=State.ERROR))
        await pilot.pause()
        assert table.profiles_in_view() == ["a", "b", "a-very-long-profile-name-that-widens"]
        assert "error" in line_of(table, "a-very-long-profile-name-that-widens")
        assert table.get_row("b").state is State.REFRESHING
        table.set_rows([status("c", now, 60)])
        assert table.profiles_in_view() == ["c"] and table.get_row("a") is None
        assert table.cursor_profile == "c"


async def test_a_thousand_rows_scroll_and_tick_only_what_is_visible(clock):
    now = clock.now()
    # Every row is under 10 minutes from expiry, so each tick changes every row's text.
    rows = [status(f"row-{i:04d}", now, 300.5 + i % 200) for i in range(1000)]
    app = Host(rows, clock)
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        visible = table.scrollable_content_region.height - 1
        clock.advance(1)
        assert table.tick() == visible  # not 1000: off-screen rows cost nothing
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_profile == "row-0999"
        assert lines(table)[-1].startswith("  row-0999") or "row-0999" in lines(table)[-2]
        await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_profile == f"row-{999 - (visible - 1):04d}"
        assert any(f"row-{999 - (visible - 1):04d}" in line for line in lines(table))
        await pilot.press("home")
        await pilot.pause()
        assert table.scroll_y == 0 and "row-0000" in lines(table)[1]
        await pilot.press("pagedown", "pagedown")
        assert table.cursor_profile == f"row-{2 * (visible - 1):04d}"
        clock.advance(1)
        assert table.tick() == visible
        await pilot.pause()
        assert screen_lines(app, table.scrollable_content_region.width)[: visible + 1] == lines(table)[: visible + 1]
        clock.advance(0.2)
        assert table.tick() == 0


def test_row_words():
    assert derive_state(State.VALID, None, 0, WARN) is State.MISSING
    assert derive_state(State.VALID, 1000, 0, WARN) is State.VALID
    assert derive_state(State.VALID, 900, 0, WARN) is State.EXPIRING
    assert derive_state(State.EXPIRING, 0, 0, WARN) is State.EXPIRED
    assert derive_state(State.ERROR, 10_000, 0, WARN) is State.ERROR
    assert left_text(None, 0) == "-"
    assert left_text(42 * 3600 + 5, 0) == "1d 18h"
    assert left_text(599, 0) == "9m 59s"
    assert left_text(600, 0) == "10m"
    assert left_text(-3, 0) == "expired"
    assert bar(1.0) == "████████"
    assert bar(0.0) == "        "
    assert bar(0.5) == "████    "
    assert bar(1 / 64) == "▏       "
    assert bar(2.0) == "████████" and bar(-1) == "        "
    assert ago_text(None, 0) == "-"
    assert ago_text(0, 59) == "just now"
    assert ago_text(0, 3 * 60 + 59) == "3m ago"
    assert ago_text(0, 5 * 3600) == "5h ago"
    assert ago_text(0, 3 * 86400) == "3d ago"


def test_every_state_the_core_has_is_ranked_coloured_and_kept_as_given():
    """A state is handled by its value: the ones the file decides (missing, changed) stay as given,
    whatever the clock says, and each has a rank and a theme colour with a default."""
    from mfa_tui.ui.rowformat import DERIVED_STATES, STATE_RANK
    from mfa_tui.ui.theming import STATUS_VARIABLES, THEME_VARIABLE_DEFAULTS

    assert set(STATE_RANK) == set(State)
    assert STATE_RANK[State.ERROR] < STATE_RANK[State.CHANGED] < STATE_RANK[State.VALID]
    assert set(STATUS_VARIABLES.values()) <= set(THEME_VARIABLE_DEFAULTS)
    assert STATUS_VARIABLES[State.CHANGED] == "status-changed"
    for state in set(State) - DERIVED_STATES:
        assert derive_state(state, 10_000, 0, WARN) is state
    # A failed refresh: the error beside working credentials, "error" once they stop working.
    assert derive_state(State.VALID, 10_000, 0, WARN, last_error="AccessDenied") is State.VALID
    assert derive_state(State.VALID, 100, 0, WARN, last_error="AccessDenied") is State.EXPIRING
    assert derive_state(State.VALID, 0, 10, WARN, last_error="AccessDenied") is State.ERROR
    assert derive_state(State.VALID, None, 0, WARN, last_error="AccessDenied") is State.ERROR


def test_a_failed_run_keeps_working_credentials_and_fails_the_rest():
    from mfa_tui.ui.rowformat import failed_row

    now = datetime(2026, 1, 1, 12)
    working = status("a", now, 3600)
    assert failed_row(working, "AccessDenied", now.timestamp()) == replace(working, last_error="AccessDenied")
    refreshing = replace(working, state=State.REFRESHING)
    assert failed_row(refreshing, "x", now.timestamp()).state is State.VALID
    changed = replace(working, state=State.CHANGED)
    assert failed_row(changed, "x", now.timestamp()).state is State.CHANGED
    for gone in (status("b", now, None), status("c", now, -5)):
        assert failed_row(gone, "x", now.timestamp()).state is State.ERROR


async def test_a_changed_row_and_a_failed_refresh_beside_a_valid_row(clock):
    now = clock.now()
    rows = [
        status("anchor", now, 3600),
        status("changed", now, 3600, state=State.CHANGED),
        replace(status("failing", now, 3600), last_error="profile failing: AccessDenied"),
        replace(status("broken", now, None, state=State.ERROR), last_error="profile broken: AccessDenied"),
    ]
    app = Host(rows, clock)
    async with app.run_test(size=(160, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(StatusTable)
        assert table.state_of("changed") is State.CHANGED
        assert colour_of(table, "changed", "changed") == theme_colour(app, "status-changed")
        assert " valid ⚠ " in line_of(table, "failing")
        assert colour_of(table, "failing", "valid") == theme_colour(app, "status-valid")
        assert " error " in line_of(table, "broken") and "⚠" not in line_of(table, "broken")
        assert "⚠" not in line_of(table, "anchor") and "⚠" not in line_of(table, "changed")
        # The columns after the state stay where they were.
        assert line_of(table, "failing").index("1h 00m") == line_of(table, "anchor").index("1h 00m")
        clock.advance(3601)
        table.tick()
        await pilot.pause()
        assert table.state_of("failing") is State.ERROR and "⚠" not in line_of(table, "failing")
