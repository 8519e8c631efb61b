"""The dashboard's cheap start (issue 8) keeps every behaviour of a plain start.

What it saves is measured in ``bench/``; here only what a user sees is checked:

- the registry's theme is in place at the first frame, with no switch from another theme;
- every bundled theme builds its colour system (start-up skips that eager check);
- a theme file edited since the last start is read as edited, and a damaged cache of
  parsed themes changes nothing;
- the cyclic collector, paused for start-up, runs again after the first frame;
- a registry larger than a screen shows every row, as a full start would.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.color import Color

from mfa_tui.core.registry import load as registry_mod
from mfa_tui.core.service.facade import Service
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


def test_an_edited_theme_file_is_read_as_edited(tmp_path):
    theme_file = tmp_path / "ocean.toml"
    theme_file.write_text('name = "ocean"\nprimary = "#2266AA"\n')
    [first], _ = load_themes([tmp_path])
    [kept], _ = load_themes([tmp_path])
    assert kept.primary == first.primary == "#2266AA"

    theme_file.write_text('name = "ocean"\nprimary = "#AA6622"\n')
    [edited], _ = load_themes([tmp_path])
    assert edited.primary == "#AA6622"

    theme_file.write_text('name = "ocean"\nprimary = [\n')
    themes, warnings = load_themes([tmp_path])
    assert themes == [] and "not valid TOML" in warnings[0]


def _theme_caches(home: Path) -> list[Path]:
    return [p for p in (home / ".cache").rglob("*") if p.is_file() and "theme" in p.name]


def test_a_damaged_theme_cache_only_means_parsing_again(tmp_path, isolated_home: Path):
    (tmp_path / "ocean.toml").write_text('name = "ocean"\nprimary = "#2266AA"\n')
    load_themes([tmp_path])
    caches = _theme_caches(isolated_home)
    assert caches, "no theme cache was written under the isolated ~/.cache"
    for cache in caches:
        cache.write_text('{"format": 1, "files": {"' + str(tmp_path / "ocean.toml") + '": {"text": 1}}}')
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


def test_the_theme_cache_lives_in_the_users_cache_dir(isolated_home: Path):
    load_themes([bundled_themes_dir()])
    assert _theme_caches(isolated_home)


async def test_more_profiles_than_a_screen_all_arrive_right_after_the_first_frame(tmp_path):
    """The first frame is built from the first screenful; the rest follow, every row as a full start shows it."""
    from datetime import timedelta

    from textual.notifications import Notify

    from mfa_tui.core.clock import FrozenClock
    from mfa_tui.core.models import Credentials, State
    from planted import plant, two_identity_service

    clock = FrozenClock()
    now = clock.now()
    names = [f"p{i:02d}" for i in range(60)]
    service = two_identity_service(tmp_path, names, clock, bobs=("p59",))
    plant(
        service,
        sessions={"bob": Credentials("ASIABOB", "SK", "ST", now + timedelta(minutes=5))},
        profiles={name: Credentials(f"ASIA{name}", "SK", "ST", now + timedelta(hours=1))
                  for i, name in enumerate(names) if i % 2},
    )
    notes = []
    app = MfaTuiApp(service, remint_every=None, save_theme=False)
    async with app.run_test(size=(120, 30), message_hook=notes.append) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.main_screen
        assert screen.table.row_count == 60 and screen.table.profiles_in_view() == names
        assert screen.table.state_of("p58") is State.MISSING and screen.table.state_of("p59") is State.VALID
        assert str(screen.query_one("#status-line").render()) == "60 profiles"
        ending = [m for m in notes if isinstance(m, Notify) and m.notification.title == "MFA session ending"]
        assert len(ending) == 1 and "bob" in ending[0].notification.message
        assert app.sub_title.startswith("MFA session of bob ends in")
