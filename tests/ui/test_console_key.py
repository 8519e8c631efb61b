"""``O`` opens the AWS console as the selected role (issue 18), and the status line shows a running ``mfa-tui serve``.

The browser is the one thing replaced: ``webbrowser.open`` records the URL instead of starting one.
The sign-in token comes from the local AWS's federation stub.
"""

from __future__ import annotations

import webbrowser
from urllib.parse import urlsplit

import pytest
from app_support import SIZE, Recorder, main_screen, make_app, move_to, settle, wait_for
from refresh_support import Codes
from textual.widgets import Static

from mfa_tui.core.service import serving


@pytest.fixture
def opened(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: urls.append(url) or True)
    return urls


async def test_O_opens_the_console_for_a_chained_role(service, demo_world, local_aws, opened):
    assert service.refresh(service.select(["alice"]), Codes(demo_world)).results["alice"].ok
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await move_to(pilot, "dev-admin")
        await pilot.press("O")
        await wait_for(pilot, lambda: opened, "the browser to be asked")
        await settle(pilot)
    url = opened[0]
    assert url.startswith(local_aws.endpoint + "/federation?Action=login&") and "SigninToken=" in url
    assert local_aws.federation.tokens_issued == 1
    notes = record.notes_titled("Console")
    assert notes == ["Opened the AWS console for dev-admin in the browser."]
    token = urlsplit(url).query.split("SigninToken=")[1]
    assert all(token not in note for note in record.notes)


async def test_O_on_an_mfa_session_row_says_why_not(service, local_aws, opened):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await move_to(pilot, "alice")
        await pilot.press("O")
        await wait_for(pilot, lambda: record.notes_titled("Console"), "the refusal")
    assert not opened
    (note,) = record.notes_titled("Console")
    assert "GetSessionToken" in note and "role profile" in note


async def test_help_and_the_palette_list_the_console_key(service):
    from mfa_tui.ui.commands import DashboardCommands
    from mfa_tui.ui.screens.help import HelpScreen

    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [str(hit.display) async for hit in DashboardCommands(main_screen(app)).discover()]
        assert "Console" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert {e.id: e.display for e in app.screen.entries}["console"] == "O"


async def test_the_status_line_shows_a_running_serve(service):
    serving.write_marker(service.registry.path, 43210)
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        line = screen.query_one("#status-line", Static)
        await wait_for(pilot, lambda: "serve runs on 127.0.0.1:43210" in str(line.render()), "the serve part")
        serving.clear_marker(service.registry.path)
        screen._check_serving()
        await pilot.pause()
        assert "serve runs" not in str(line.render())


async def test_another_registrys_serve_is_not_shown(service, tmp_path):
    other = tmp_path / "other-registry.toml"
    other.write_text("")
    serving.write_marker(other, 43211)
    try:
        app = make_app(service)
        async with app.run_test(size=SIZE) as pilot:
            screen = main_screen(app)
            await pilot.pause()
            screen._check_serving()
            await pilot.pause()
            assert "serve runs" not in str(screen.query_one("#status-line", Static).render())
    finally:
        serving.clear_marker(other)
