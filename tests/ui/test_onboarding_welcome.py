"""First run (issue 14): with no registry the dashboard welcomes instead of reporting a broken one.

Three ways on: import from ~/.aws (the plan shown first, written on confirmation, then the
dashboard on it), the demo (the app exits asking for it; `run_dashboard` then runs it), or an
empty commented registry. A registry that exists but is broken keeps the problems screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_support import settle

from mfa_tui.cli import dashboard_cmd
from mfa_tui.core import paths
from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry.starter import starter_text
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.screens.main import MainScreen
from mfa_tui.ui.screens.problems import ProblemsScreen
from mfa_tui.ui.screens.welcome import ImportPlanScreen, WelcomeScreen
from mfa_tui.ui.textual_private import screen_lines, set_return_value

SIZE = (100, 30)
KEYS = ("AKIAEXAMPLEEXAMPLE01", "secretsecretsecretsecretsecretsecret0001")


def _screen_text(app) -> str:
    return "\n".join(screen_lines(app.screen))


def _aws_files(home: Path) -> None:
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "credentials").write_text(
        f"[alice-long-term]\naws_access_key_id = {KEYS[0]}\naws_secret_access_key = {KEYS[1]}\n"
        "mfa_serial = arn:aws:iam::111111111111:mfa/alice\n"
    )
    (aws / "config").write_text("[profile alice-long-term]\nregion = us-east-1\n\n[profile sso-dev]\nsso_start_url = https://x.awsapps.com/start\n")


async def _press(pilot, *keys: str) -> None:
    """Press ``keys`` one by one, each once the screen is idle."""
    for key in keys:
        await settle(pilot)
        await pilot.press(key)
    await settle(pilot)


def _welcome_app() -> MfaTuiApp:
    return MfaTuiApp(welcome=True, registry_path=paths.config_path(), remint_every=None, save_theme=False)


async def test_no_registry_welcomes_with_three_choices(isolated_home):
    app = _welcome_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = _screen_text(app)
        assert "broken registry" not in text and "problem" not in text
        assert "Welcome to mfa-tui" in text
        assert str(paths.config_path()) in text
        for choice in ("Import from ~/.aws", "Try the demo", "Start with an empty registry"):
            assert choice in text


async def test_import_shows_the_plan_then_writes_it_and_opens_the_dashboard(isolated_home):
    _aws_files(isolated_home)
    path = paths.config_path()
    app = _welcome_app()
    async with app.run_test(size=SIZE) as pilot:
        await _press(pilot, "i")
        assert isinstance(app.screen, ImportPlanScreen)
        text = _screen_text(app)
        assert "Would add to" in text and "identity" in text and "alice" in text
        assert "Skipped" in text and "sso-dev" in text and "SSO profile" in text
        assert not path.exists()  # nothing written before the confirmation
        await _press(pilot, "y")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.table.move_cursor("alice")
    reg = registry.load(path)
    assert "alice" in reg.identities and reg.profiles["alice"].identity == "alice"


async def test_import_can_be_declined(isolated_home):
    _aws_files(isolated_home)
    app = _welcome_app()
    async with app.run_test(size=SIZE) as pilot:
        await _press(pilot, "i")
        await _press(pilot, "escape")
        assert isinstance(app.screen, WelcomeScreen)
    assert not paths.config_path().exists()


@pytest.mark.parametrize("files", [False, True])
async def test_import_with_nothing_to_add_says_so(isolated_home, files):
    if files:
        (isolated_home / ".aws").mkdir()
        (isolated_home / ".aws" / "config").write_text("[profile sso]\nsso_start_url = https://x.awsapps.com/start\n")
    app = _welcome_app()
    notes: list = []
    async with app.run_test(size=SIZE, message_hook=notes.append) as pilot:
        await _press(pilot, "i")
        assert isinstance(app.screen, WelcomeScreen)
    shown = [m.notification.message for m in notes if type(m).__name__ == "Notify"]
    wanted = "Nothing to import from" if files else "There is nothing to import: neither"
    assert any(n.startswith(wanted) for n in shown), shown


async def test_empty_registry_is_written_and_opened(isolated_home):
    path = paths.config_path()
    app = _welcome_app()
    async with app.run_test(size=SIZE) as pilot:
        await _press(pilot, "n")
        assert isinstance(app.screen, MainScreen)
    assert path.read_text() == starter_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_demo_choice_asks_run_dashboard_for_the_demo(isolated_home):
    app = _welcome_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
    assert app.return_value == "demo"


def test_run_dashboard_welcomes_when_there_is_no_registry_and_runs_the_demo_when_asked(isolated_home, monkeypatch):
    seen: list = []

    def fake_run_app(app) -> int:
        seen.append(app)
        set_return_value(app, "demo")
        return 0

    monkeypatch.setattr(dashboard_cmd, "run_app", fake_run_app)
    monkeypatch.setattr(dashboard_cmd, "run_demo", lambda **kw: 7)
    assert dashboard_cmd.run_dashboard(None) == 7
    assert seen[0].welcome


def test_a_broken_registry_keeps_the_problems_screen(isolated_home, monkeypatch):
    path = paths.config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[settings\n")
    seen: list = []
    monkeypatch.setattr(dashboard_cmd, "run_app", lambda app: seen.append(app) or 0)
    assert dashboard_cmd.run_dashboard(None) == 2
    assert not seen[0].welcome and isinstance(seen[0].get_default_screen(), ProblemsScreen)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_welcome_fits(isolated_home, size):
    app = _welcome_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = _screen_text(app)
        for choice in ("Import from ~/.aws", "Try the demo", "Start with an empty registry"):
            assert choice in text
