"""The dashboard answers ``credential-process`` (the socket bridge, mfa_tui.ui.bridge), through Pilot.

A client request from another thread (what ``mfa-tui credential-process`` sends) makes the
dashboard run its own refresh of that profile: the token dialog names the profile and says
"requested by credential_process", and the code typed there refreshes it; the client hears "done".
"""

from __future__ import annotations

import asyncio
import os

from app_support import SIZE, enter_code, make_app, settle, token_dialog, wait_for
from textual.widgets import Static

from mfa_tui.core import paths
from mfa_tui.core.bridge import client
from mfa_tui.core.bridge.place import socket_path
from mfa_tui.core.models import State


def ask(service, profile: str, timeout: float = 60):
    return asyncio.to_thread(client.ask, str(service.registry.path), str(paths.state_dir()), profile, timeout=timeout)


async def test_a_credential_process_request_shows_the_dialog_and_the_code_refreshes_the_profile(service, demo_world):
    app = make_app(service)
    path = socket_path(service.registry.path, paths.state_dir())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        assert os.stat(path).st_mode & 0o777 == 0o600
        answer = asyncio.ensure_future(ask(service, "dev-admin"))
        dialog = await token_dialog(pilot, timeout=20)
        note = str(dialog.query_one("#token-note", Static).render())
        assert "Requested by credential_process for dev-admin" in note
        assert "dev-admin" in str(dialog.query_one("#token-unlocks", Static).render())
        await enter_code(pilot, demo_world.code())
        assert await asyncio.wait_for(answer, 30) is None
        await settle(pilot)
        assert app.main_screen.table.get_row("dev-admin").state is State.VALID
        assert service.sessions.current(service.select(["dev-admin"])[0]) is not None
        # Fresh now: a second request is answered at once, with no dialog.
        assert await asyncio.wait_for(ask(service, "dev-admin"), 10) is None
        assert app.screen is app.main_screen
    assert not os.path.exists(path)  # gone with the dashboard


async def test_a_skipped_dialog_answers_why_and_unknown_profiles_are_refused(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        assert await asyncio.wait_for(ask(service, "nobody"), 10) == "profile nobody is not in the dashboard's registry"
        answer = asyncio.ensure_future(ask(service, "dev-admin"))
        await token_dialog(pilot, timeout=20)
        await pilot.press("escape")
        reason = await asyncio.wait_for(answer, 30)
        assert reason == "skipped: no code entered"
        await settle(pilot)


async def test_a_request_while_a_refresh_runs_waits_for_it(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        app.main_screen.table.move_cursor("dev-admin")
        await pilot.press("r")
        await token_dialog(pilot, timeout=20)  # the user's own refresh asks first
        answer = asyncio.ensure_future(ask(service, "dev-admin"))
        await pilot.pause(0.5)
        await enter_code(pilot, demo_world.code())
        # The user's refresh made dev-admin fresh: the request is answered with no second dialog.
        assert await asyncio.wait_for(answer, 30) is None
        await settle(pilot)
        assert app.screen is app.main_screen


async def test_a_state_dir_others_may_enter_keeps_the_dashboard_from_listening_with_one_note(service):
    from app_support import Recorder

    state = paths.state_dir()
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    app, recorder = make_app(service), Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
        await wait_for(pilot, lambda: app.bridge.problem is not None, "the bridge to give up")
        assert app.bridge.server is None
        notes = recorder.notes_titled("Socket")
        assert len(notes) == 1 and "has mode 0755" in notes[0] and notes[0].startswith("credential_process cannot ask")
    assert not list(state.glob("dashboard-*.sock"))


async def test_two_requests_for_one_profile_share_one_dialog(service, demo_world):
    from mfa_tui.ui.dialogs.token import TokenDialog

    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        first = asyncio.ensure_future(ask(service, "dev-admin"))
        await token_dialog(pilot, timeout=20)
        second = asyncio.ensure_future(ask(service, "dev-admin"))
        await pilot.pause(0.5)
        await enter_code(pilot, demo_world.code())
        assert await asyncio.wait_for(asyncio.gather(first, second), 30) == [None, None]
        await settle(pilot)
        assert not any(isinstance(s, TokenDialog) for s in app.screen_stack)
