"""Theme files: the bundled ones are complete, broken ones are reported once, names fall back safely."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from mfa_tui.core.models import State
from mfa_tui.core.paths import user_themes_dir
from mfa_tui.ui.theming import (
    DEFAULT_THEME,
    STATUS_VARIABLES,
    THEME_VARIABLE_DEFAULTS,
    ThemeVariablesMixin,
    bundled_themes_dir,
    choose_theme,
    install_themes,
    load_themes,
    theme_dirs,
)

BUNDLED = {"mfa-dark", "mfa-light", "mfa-high-contrast"}

GOOD = """
name = "ocean"
dark = true
primary = "#2266AA"
background = "#001122"
[variables]
status-valid = "#00FF88"
"""


def test_bundled_themes_load_with_every_status_variable():
    themes, warnings = load_themes([bundled_themes_dir()])
    assert warnings == []
    by_name = {t.name: t for t in themes}
    assert BUNDLED <= set(by_name)
    for name in BUNDLED:
        theme = by_name[name]
        for var in [*STATUS_VARIABLES.values(), "qr-fg", "qr-bg"]:
            assert var in theme.variables, f"{name} lacks {var}"
            Color.parse(theme.variables[var])
        # The QR code must stay black on white in every theme.
        assert Color.parse(theme.variables["qr-fg"]) == Color.parse("#000000")
        assert Color.parse(theme.variables["qr-bg"]) == Color.parse("#FFFFFF")
    assert by_name["mfa-light"].dark is False
    assert by_name["mfa-dark"].dark is True


def test_each_state_has_its_own_colour_in_every_bundled_theme():
    themes, _ = load_themes([bundled_themes_dir()])
    for theme in themes:
        colours = {Color.parse(theme.variables[STATUS_VARIABLES[s]]) for s in State}
        assert len(colours) == len(State), theme.name


def test_broken_files_give_one_warning_each_and_the_rest_still_load(tmp_path):
    (tmp_path / "ocean.toml").write_text(GOOD)
    (tmp_path / "syntax.toml").write_text('name = "x"\nprimary = \n')
    (tmp_path / "colour.toml").write_text('name = "c"\nprimary = "not-a-colour"\n')
    (tmp_path / "noprimary.toml").write_text('name = "n"\nbackground = "#000000"\n')
    (tmp_path / "badvar.toml").write_text('name = "v"\nprimary = "#112233"\n[variables]\nstatus-valid = "greenish"\n')
    (tmp_path / "typo.toml").write_text('name = "t"\nprimary = "#112233"\nsecundary = "#000000"\n')
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "notes.txt").write_text("not a theme")

    themes, warnings = load_themes([tmp_path])

    assert [t.name for t in themes] == ["ocean"]
    assert len(warnings) == 6
    for stem in ("syntax", "colour", "noprimary", "badvar", "typo", "binary"):
        [line] = [w for w in warnings if f"{stem}.toml" in w]
        assert "\n" not in line
    assert any("primary" in w and "noprimary.toml" in w for w in warnings)
    assert any("secundary" in w for w in warnings)
    assert any("greenish" in w for w in warnings)


def test_missing_folder_is_quiet_and_later_folders_override(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "dark-copy.toml").write_text('name = "mfa-dark"\nprimary = "#FF0000"\n')
    themes, warnings = load_themes([bundled_themes_dir(), tmp_path / "absent", user])
    assert warnings == []
    dark = {t.name: t for t in themes}["mfa-dark"]
    assert dark.primary == "#FF0000"


def test_name_defaults_to_the_file_stem(tmp_path):
    (tmp_path / "plain.toml").write_text('primary = "#123456"\n')
    themes, warnings = load_themes([tmp_path])
    assert warnings == [] and [t.name for t in themes] == ["plain"]


def test_unknown_theme_falls_back_to_mfa_dark_with_a_warning():
    themes, _ = load_themes([bundled_themes_dir()])
    names = [t.name for t in themes]
    assert choose_theme("mfa-light", names) == ("mfa-light", None)
    chosen, warning = choose_theme("solarised-neon", names)
    assert chosen == DEFAULT_THEME == "mfa-dark"
    assert warning is not None and "solarised-neon" in warning and "mfa-dark" in warning
    assert choose_theme(None, names) == ("mfa-dark", None)
    # With the bundled themes gone (a damaged install) the fallback is Textual's own default.
    assert choose_theme("x", ["textual-dark"])[0] == "textual-dark"


def test_theme_dirs_are_bundled_then_user():
    assert theme_dirs() == [bundled_themes_dir(), user_themes_dir()]
    assert (bundled_themes_dir() / "mfa-dark.toml").is_file()


class VariablesApp(ThemeVariablesMixin, App):
    """CSS that uses mfa-tui variables: must survive themes that do not define them (docs/libraries.md, "Theme variables need defaults")."""

    CSS = """
    #ok { color: $status-valid; background: $qr-bg; }
    #bad { color: $status-error; }
    """

    def compose(self) -> ComposeResult:
        yield Static("ok", id="ok")
        yield Static("bad", id="bad")


async def test_switching_to_a_theme_without_our_variables_uses_the_defaults():
    app = VariablesApp()
    async with app.run_test() as pilot:
        assert install_themes(app) == []
        app.theme = "mfa-light"
        await pilot.pause()
        light = Color.parse("#1E7F3C")
        assert app.query_one("#ok").styles.color.rgb == light.rgb
        app.theme = "textual-light"  # a built-in theme with none of our variables
        await pilot.pause()
        default = Color.parse(THEME_VARIABLE_DEFAULTS["status-valid"])
        assert app.query_one("#ok").styles.color.rgb == default.rgb
        for name in ("mfa-high-contrast", "textual-dark", "mfa-dark"):
            app.theme = name
            await pilot.pause()
        assert app.query_one("#ok").styles.color.rgb == Color.parse("#4CBB6C").rgb


async def test_install_themes_reports_a_broken_user_theme_and_registers_the_rest(tmp_path):
    (tmp_path / "ocean.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text("primary = [")
    app = VariablesApp()
    async with app.run_test() as pilot:
        warnings = install_themes(app, [bundled_themes_dir(), tmp_path])
        assert len(warnings) == 1 and "broken.toml" in warnings[0]
        assert {"ocean", *BUNDLED} <= set(app.available_themes)
        app.theme = "ocean"
        await pilot.pause()
        assert app.query_one("#ok").styles.color.rgb == Color.parse("#00FF88").rgb


def test_user_themes_dir_is_inside_the_isolated_home(isolated_home: Path):
    assert str(user_themes_dir()).startswith(str(isolated_home))
