"""The dashboard at 80×24, as a newcomer first meets it (issue 14, item 1).

At 80 columns Textual's footer cut off ``q``, ``?`` and ``t`` and left part of a label past the
palette key, and the status table, wider than the terminal, put a lone scrollbar thumb under
itself. Now the footer keeps refresh, quit, help and the palette in sight and hides the least
needed keys (still in help and the palette), and the table leaves out columns the detail pane
shows until it fits.
"""

from __future__ import annotations

from app_support import main_screen, make_app
from pilot_support import screen_text

from mfa_tui.ui.commands import DashboardCommands
from mfa_tui.ui.screens.help import HelpScreen
from mfa_tui.ui.widgets.key_footer import KeyFooter

SMALL = (80, 24)
LABELS = ("␣ Mark", "r Refresh", "R Stale", "N New session", "w W Whoami", "/ Filter", "g Group", "e Enrol",
          "p Policy", "q Quit", "? Help", "t Theme")
"""Every footer item of the main screen, as the footer writes it."""


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


def _without_labels(footer: str) -> str:
    """What is left of the footer line once every whole label and the palette key are taken out."""
    rest = footer.replace("▏^p Palette", "")
    for label in LABELS:
        rest = rest.replace(label, "")
    return rest.strip()


async def test_at_80_columns_the_footer_keeps_refresh_quit_help_and_the_palette(service):
    app = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        footer = _footer(app)
        for key in ("r Refresh", "q Quit", "? Help", "^p Palette"):
            assert key in footer, footer
        # Only whole labels: nothing cut off, nothing stray after the palette key.
        assert _without_labels(footer) == "", footer
        assert footer.rstrip().endswith("^p Palette"), footer
        hidden = main_screen(app).query_one(KeyFooter).hidden
        assert hidden and not {"refresh", "quit", "help"} & set(hidden)


async def test_every_key_the_footer_hides_at_80_columns_is_in_help_and_the_palette(service):
    app = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        hidden = set(screen.query_one(KeyFooter).hidden)
        assert {"new_session", "next_theme"} <= hidden
        palette = [str(hit.help) async for hit in DashboardCommands(screen).discover()]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {e.action for e in app.screen.entries}
        assert hidden <= listed
        for action in hidden:
            [entry] = [e for e in app.screen.entries if e.action == action]
            assert any(f"key {entry.display}" in text for text in palette), entry


async def test_widening_the_terminal_brings_the_hidden_keys_back(service):
    app = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        footer = main_screen(app).query_one(KeyFooter)
        assert footer.hidden
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert footer.hidden == ()
        text = _footer(app)
        assert all(label in text for label in LABELS), text
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        assert "? Help" in _footer(app) and footer.hidden


async def test_at_80_columns_the_table_fits_with_no_sideways_scrollbar(service):
    app = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        table = main_screen(app).table
        assert table.max_scroll_x == 0
        assert not table.show_horizontal_scrollbar
        lines = screen_text(app).splitlines()
        header = lines[1]
        # Kind, refreshed and who am I are left out (the detail pane shows them); MFA left stays.
        for title in ("Profile", "Account", "State", "Time left", "MFA left"):
            assert title in header, header
        assert "Who am I" not in header and "Kind" not in header
        assert not any("▋" in line for line in lines[:12]), "\n".join(lines[:12])
