"""A ``credential-process`` that gives up takes its dialog with it (issue 16), through Pilot.

The client's wait is cut short (``timeout``, as its 120 s :data:`~mfa_tui.core.bridge.client.WAIT`
would end); the dashboard notices the closed connection, cancels the refresh it started for that
request (its token dialog closes) and notes it in the activity log. A request another client still
waits for keeps its dialog.
"""

from __future__ import annotations

import asyncio

import pytest
from app_support import SIZE, enter_code, make_app, settle, token_dialog, wait_for

from mfa_tui.core import paths
from mfa_tui.core.bridge import client
from mfa_tui.ui.dialogs.token import TokenDialog

SHORT = 1.5


def ask(service, profile: str, timeout: float = 60):
    return asyncio.to_thread(client.ask, str(service.registry.path), str(paths.state_dir()), profile, timeout=timeout)


def gave_up_notes(app) -> list[str]:
    return [entry.text for entry in app.activity.entries if "stopped waiting" in entry.text]


async def test_a_client_that_gives_up_closes_its_dialog_and_is_logged(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        answer = asyncio.ensure_future(ask(service, "dev-admin", timeout=SHORT))
        await token_dialog(pilot, timeout=20)
        with pytest.raises(client.BridgeTimeout):
            await asyncio.wait_for(answer, 20)
        await wait_for(pilot, lambda: not isinstance(app.screen, TokenDialog), "the dialog to close", timeout=10)
        await wait_for(pilot, lambda: not app.main_screen.runs.running("refresh"), "the run to end", timeout=20)
        await settle(pilot)
        assert gave_up_notes(app) == ["credential_process for dev-admin stopped waiting; its refresh was cancelled."]
        assert app.bridge.server.withdrawn == 1
        assert not app.bridge._queue


async def test_the_dialog_stays_while_another_client_still_waits(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.bridge.server is not None, "the dashboard to listen")
        patient = asyncio.ensure_future(ask(service, "dev-admin", timeout=60))
        await token_dialog(pilot, timeout=20)
        hasty = asyncio.ensure_future(ask(service, "dev-admin", timeout=SHORT))
        with pytest.raises(client.BridgeTimeout):
            await asyncio.wait_for(hasty, 20)
        await wait_for(pilot, lambda: app.bridge.server.withdrawn == 1, "the server to notice", timeout=10)
        await pilot.pause(0.5)
        assert isinstance(app.screen, TokenDialog)  # the patient one still waits for it
        assert gave_up_notes(app) == []
        await enter_code(pilot, demo_world.code())
        assert await asyncio.wait_for(patient, 30) is None
        await settle(pilot)
