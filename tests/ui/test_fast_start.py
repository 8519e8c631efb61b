"""What keeps the dashboard's start cheap (issue 8), checked for correctness.

- the registry's theme is in place before the first stylesheet parse (no re-parse to switch);
- bundled themes skip the eager colour-system check at start-up, so the suite makes it here;
- theme files' parsed tables are reused only while the file's text is unchanged;
- the cyclic collector, paused for start-up, runs again after the first frame.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.color import Color

from mfa_tui.core import registry as registry_mod
from mfa_tui.core.service import Service
from mfa_tui.ui import theming
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.theming import bundled_themes_dir, load_themes

REGISTRY = """
[settings]
theme = "mfa-light"

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

[profiles.alice]
identity = "alice"
"""


def test_every_bundled_theme_builds_its_colour_system():
    themes, warnings = load_themes([bundled_themes_dir()])
    assert warnings == [] and len(themes) >= 3
    for theme in themes:
        variables = theme.to_color_system().generate()
        assert variables["primary"], theme.name


def test_theme_files_are_parsed_again_when_their_text_changes(tmp_path, monkeypatch):
    theme_file = tmp_path / "ocean.toml"
    theme_file.write_text('name = "ocean"\nprimary = "#2266AA"\n')
    parses = []
    real = theming._parse_toml
    monkeypatch.setattr(theming, "_parse_toml", lambda text: parses.append(text) or real(text))

    [first], _ = load_themes([tmp_path])
    [kept], _ = load_themes([tmp_path])
    assert len(parses) == 1 and kept.primary == first.primary == "#2266AA"

    theme_file.write_text('name = "ocean"\nprimary = "#AA6622"\n')
    [edited], _ = load_themes([tmp_path])
    assert len(parses) == 2 and edited.primary == "#AA6622"

    theme_file.write_text('name = "ocean"\nprimary = [\n')
    themes, warnings = load_themes([tmp_path])
    assert themes == [] and "not valid TOML" in warnings[0]


def test_a_damaged_theme_copy_only_means_parsing_again(tmp_path):
    (tmp_path / "ocean.toml").write_text('name = "ocean"\nprimary = "#2266AA"\n')
    load_themes([tmp_path])
    copy = theming._ParsedThemes().file
    copy.write_text('{"format": 1, "files": {"' + str(tmp_path / "ocean.toml") + '": {"text": 1}}}')
    [theme], warnings = load_themes([tmp_path])
    assert warnings == [] and theme.primary == "#2266AA"


async def test_the_registry_theme_is_set_before_the_first_stylesheet_parse(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(REGISTRY)
    service = Service(registry_mod.load(config), credentials_path=tmp_path / "credentials")
    refreshes = []
    monkeypatch.setattr(App, "refresh_css", lambda self, animate=True: refreshes.append(animate))

    app = MfaTuiApp(service, remint_every=None, save_theme=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "mfa-light"
        assert app.has_class("-theme-mfa-light", "-light-mode") and not app.has_class("-dark-mode")
        light = {t.name: t for t in load_themes([bundled_themes_dir()])[0]}["mfa-light"]
        assert Color.parse(app.theme_variables["status-valid"]) == Color.parse(light.variables["status-valid"])
        assert app.theme_variables["background"] == light.to_color_system().generate()["background"]
        assert refreshes == []  # the start-up theme never went through Textual's re-parse
        assert gc.isenabled()  # the collector paused for start-up runs again after the first frame
        app.theme = "mfa-dark"  # later switches still do
        await pilot.pause()
        assert refreshes == [False]


def test_the_dashboard_start_theme_file_copy_lives_in_the_isolated_cache(isolated_home: Path):
    load_themes([bundled_themes_dir()])
    assert theming._ParsedThemes().file.is_relative_to(isolated_home)
