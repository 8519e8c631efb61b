"""Pilot helpers shared by every folder of Textual tests (this module holds no tests).

It lives beside ``tests/conftest.py``, so pytest puts it on ``sys.path`` whichever folder runs.
"""

from __future__ import annotations

import asyncio

from textual.notifications import Notification, Notify

from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.textual_private import screen_lines


async def settle(pilot, timeout: float = 30.0) -> None:
    """Wait for every worker, then for the messages they posted (failing, not hanging, if one waits on a dialog)."""
    try:
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(), timeout)
    except TimeoutError:
        raise AssertionError(f"workers still running after {timeout}s; screen is {pilot.app.screen!r}") from None
    await pilot.pause()
    await pilot.pause()


async def wait_for(pilot, predicate, what: str, timeout: float = 10.0) -> None:
    """Pause until ``predicate()`` holds (workers post from threads, so poll briefly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen is {pilot.app.screen!r}")
        await pilot.pause(0.02)


async def token_dialog(pilot, timeout: float = 10.0) -> TokenDialog:
    """Wait for the token dialog to be the top screen and return it."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TokenDialog), "the token dialog", timeout)
    await pilot.pause()
    return pilot.app.screen


async def enter_code(pilot, code: str, timeout: float = 10.0) -> None:
    """Wait for the token dialog, type ``code`` and press Enter."""
    await token_dialog(pilot, timeout)
    await pilot.press(*code, "enter")
    await pilot.pause()


def notifications(messages: list) -> list[Notification]:
    """The notifications among the messages a ``run_test(message_hook=...)`` collected."""
    return [m.notification for m in messages if isinstance(m, Notify)]


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines (the top screen, toasts included)."""
    return "\n".join(screen_lines(app.screen))
