"""Pilot tests of the dashboard's keys that need no MFA code: cursor, filter, grouping, themes,
help, the command palette, key rebinding from the registry, and the broken-registry screen."""

from __future__ import annotations

import difflib
import tomllib

import pytest

from app_support import (
    SIZE,
    Recorder,
    main_screen,
    make_app,
    settle,
    wait_for,
)

from textual import events
from textual.command import CommandList
from textual.widgets import Input

from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.errors import RegistryError
from mfa_tui.core.service.facade import Service
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.screens.help import HelpScreen
from mfa_tui.ui.screens.problems import EXIT_CODE, ProblemsScreen


async def test_j_k_and_arrows_move_the_cursor_and_the_detail_pane_follows(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        first, second = demo_world.profiles[:2]
        assert screen.table.cursor_profile == first
        await pilot.press("j")
        await pilot.pause()
        assert screen.table.cursor_profile == second
        assert screen.detail.profile == second
        assert second in screen.detail.plain_text
        await pilot.press("k")
        await pilot.press("down", "down", "up")
        await pilot.pause()
        assert screen.table.cursor_profile == second


async def test_filter_as_you_type_and_escape_clears(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("slash")
        field = screen.query_one("#filter")
        assert field.display and field.has_focus
        await pilot.press(*"prod")
        await pilot.pause()
        shown = screen.table.profiles_in_view()
        assert shown == [p for p in demo_world.profiles if "prod" in p]
        assert "3 of 8 profiles" in str(screen.query_one("#status-line").render())
        # Letters typed in the filter are text, not commands (r would otherwise refresh).
        await pilot.press("r")
        await pilot.pause()
        assert field.value == "prodr" and not isinstance(app.screen, TokenDialog)
        await pilot.press("backspace", "enter")
        await pilot.pause()
        assert screen.table.has_focus and field.display  # Enter keeps the filter, back in the table
        await pilot.press("escape")
        await pilot.pause()
        assert screen.table.profiles_in_view() == demo_world.profiles
        assert not field.display and field.value == ""


async def test_g_cycles_grouping(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        seen = []
        for _ in range(4):
            await pilot.press("g")
            await pilot.pause()
            seen.append(screen.table.group_key)
        assert seen == ["account", "tag", "state", None]
        await pilot.press("g")
        await pilot.pause()
        assert "grouped by account" in str(screen.query_one("#status-line").render())


async def test_t_switches_theme_and_saves_it_in_the_registry(service, demo_world):
    before = demo_world.config_path.read_text()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "mfa-dark"
        await pilot.press("t")
        await settle(pilot)
        assert app.theme == app.theme_names[1] != "mfa-dark"
        screen = main_screen(app)
        assert app.theme_variables["status-valid"] == app.get_theme(app.theme).variables["status-valid"]
        assert screen.table.state_of(demo_world.profiles[0]) is not None  # still drawing after the switch
    after = demo_world.config_path.read_text()
    assert tomllib.loads(after)["settings"]["theme"] == app.theme
    # A one-line edit: everything else in the registry is unchanged.
    diff = [d for d in difflib.ndiff(before.splitlines(), after.splitlines()) if d[:1] in "+-"]
    assert all("theme" in d for d in diff) and sum(d.startswith("+") for d in diff) == 1


async def test_the_saved_theme_is_used_at_start_and_a_broken_theme_file_warns_once(service, demo_world, tmp_path):
    from mfa_tui.ui.theming import bundled_themes_dir

    registry_edit.set_value(demo_world.config_path, ("settings",), "theme", "mfa-light")
    user_themes = tmp_path / "themes"
    user_themes.mkdir()
    (user_themes / "broken.toml").write_text("name = 'broken'\nprimary = 'not a colour'\n")
    record = Recorder()
    app = MfaTuiApp(Service.open(demo_world.config_path, clock=service.clock), remint_every=None,
                    themes_from=[bundled_themes_dir(), user_themes])
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.pause()
        assert app.theme == "mfa-light"
        warnings = [n for n in record.notes_titled("Warning") if "broken.toml" in n]
        assert len(warnings) == 1


async def test_unknown_theme_in_the_registry_falls_back_to_the_default(service, demo_world):
    registry_edit.set_value(demo_world.config_path, ("settings",), "theme", "no-such-theme")
    record = Recorder()
    app = make_app(Service.open(demo_world.config_path, clock=service.clock))
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.pause()
        assert app.theme == "mfa-dark"
        assert any("no-such-theme" in n for n in record.notes_titled("Warning"))


async def test_help_lists_every_binding_with_its_id(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {e.id for e in app.screen.entries}
        assert {"refresh", "refresh_all", "whoami", "whoami_all", "filter", "group", "theme", "help", "quit"} <= ids
        assert {"status-table.toggle-mark", "status-table.cursor-down"} <= ids
        keys = {e.id: e.display for e in app.screen.entries}
        assert keys["help"] == "?" and keys["refresh_all"] == "R"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_are_rebound_from_the_registry(service, demo_world):
    # Unknown ids and clashing keys are registry problems now (tests/core/test_registry_keys.py).
    registry_edit.set_value(demo_world.config_path, ("settings", "keys"), "refresh_all", "x,ctrl+r")
    record = Recorder()
    app = make_app(Service.open(demo_world.config_path, clock=service.clock))
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert {e.id: e.display for e in app.screen.entries}["refresh_all"] == "x, ^r"
        await pilot.press("escape")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog), "the token dialog after x")
        assert app.screen.request.purpose == "mfa-session"
        await pilot.press("escape")  # skip the MFA session ...
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog) and app.screen.request.purpose == "direct-role",
                       "the direct role's dialog")
        await pilot.press("escape")  # ... and the direct role
        await settle(pilot)


async def test_command_palette_runs_actions(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Group by tag")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count > 0, "palette hits")
        await pilot.pause(0.3)  # let the search settle on the full query
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "the palette to close")
        await pilot.pause()
        assert screen.table.group_key == "tag"


async def test_palette_lists_every_bound_action(service):
    from mfa_tui.ui.commands import DashboardCommands

    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        provider = DashboardCommands(main_screen(app))
        titles = [hit.display async for hit in provider.discover()]
        for title in ("Refresh", "Stale", "Whoami", "Whoami all", "Filter", "Group", "Theme", "Help", "Quit",
                      "Mark", "Re-mint now", "Group by account"):
            assert title in [str(t) for t in titles], title


async def test_broken_registry_opens_the_problems_screen_and_exits_2(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[settings]\ntheme = 3\n\n[profiles.p]\nidentity = "nobody"\nrole_arn = "arn:aws:iam::1:role/X"\n')
    try:
        Service.open(path)
    except RegistryError as exc:
        error = exc
    else:
        raise AssertionError("the registry should not load")
    expected = [str(p) for p in registry.check(path)]
    assert len(expected) >= 2
    app = MfaTuiApp(registry_error=error, registry_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert app.screen.lines == expected
        shown = " ".join(str(s.render()) for s in app.screen.query(".problem"))
        for line in expected:
            assert line in shown
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "exit", timeout=5)
    assert app.return_code == EXIT_CODE == 2


async def test_a_widget_binding_with_a_dotted_id_is_rebound_from_the_registry(service, demo_world):
    registry_edit.set_value(demo_world.config_path, ("settings", "keys"), "status-table.toggle-mark", "space,m")
    assert '"status-table.toggle-mark" = "space,m"' in demo_world.config_path.read_text()
    app = make_app(Service.open(demo_world.config_path, clock=service.clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("m")
        await pilot.pause()
        assert screen.table.marked == {demo_world.profiles[0]}
        await pilot.press("space")
        await pilot.pause()
        assert screen.table.marked == set()


@pytest.mark.parametrize("back", [False, True], ids=["tab", "shift+tab"])
async def test_keys_typed_after_tab_in_one_burst_go_to_the_field_tab_moved_to(service, back):
    """"alice<Tab>Admin" typed (or pasted without bracketed paste) in one burst fills two fields.

    Textual hands each key to the widget focused when the app takes the key, and a screen's Tab
    binding runs only once the field has passed the Tab up: every key queued behind it went to
    the field being left.
    """
    from mfa_tui.ui.screens.org_import import OrgImportScreen

    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app)
        app.push_screen(OrgImportScreen(service))
        await wait_for(pilot, lambda: isinstance(app.screen, OrgImportScreen) and app.screen.is_mounted, "the import dialog")
        await pilot.pause()
        dialog = app.screen
        fields = [dialog.query_one(f"#org-{name}", Input) for name in ("from", "roles")]
        start, then = (fields[1], fields[0]) if back else (fields[0], fields[1])
        start.focus()
        await pilot.pause()
        tab = ("shift+tab", None) if back else ("tab", "\t")
        for key, char in [*((c, c) for c in "alice"), tab, *((c, c) for c in "Admin")]:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert (start.value, then.value) == ("alice", "Admin")
        assert app.focused is then


async def test_a_fast_slash_and_text_all_go_to_the_filter(service, demo_world):
    """"/prod" typed in one burst filters; its "p" must not open the policy pane."""
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        # One burst, as a terminal delivers it: every key queued before the first is handled.
        for key, char in [("slash", "/"), *((c, c) for c in "prod")]:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#filter").value == "prod"
        assert screen.table.profiles_in_view() == [p for p in demo_world.profiles if "prod" in p]
