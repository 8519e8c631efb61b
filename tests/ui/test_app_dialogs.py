"""The token and confirm dialogs on their own, in a tiny host app with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual import events
from textual.app import App

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.session.refresh import CodeRequest
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.dialogs.token import CodeField, TokenDialog, unlocks_text

SERIAL = "arn:aws:iam::111111111111:mfa/alice"


def request(**kwargs) -> CodeRequest:
    values = dict(identity="alice", serial=SERIAL, profiles=("alice", "dev-admin"), purpose="mfa-session")
    values.update(kwargs)
    return CodeRequest(**values)


class Host(App):
    """Pushes one dialog and keeps what it was dismissed with."""

    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 1, 1, 12, 0, 13, tzinfo=UTC))  # 17 s left in its step


async def test_token_dialog_shows_device_profiles_and_step_time(clock):
    dialog = TokenDialog(request(profiles=tuple(f"p{i}" for i in range(9))), clock)
    async with Host(dialog).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = lambda sel: str(dialog.query_one(sel).render())  # noqa: E731
        assert text("#token-identity") == "alice"
        assert text("#token-device") == SERIAL
        assert text("#token-unlocks") == "p0, p1, p2, p3, p4, p5 and 3 more (9 profiles)"
        assert "17s left in this step" in text("#token-step")
        assert not dialog.query("#token-error")
        assert not dialog.query_one("#token-wait").display
        clock.advance(5)
        dialog.update_countdown()
        assert "12s left in this step" in text("#token-step")


async def test_only_six_digits_are_accepted_and_enter_submits(clock):
    dialog = TokenDialog(request(), clock)
    host = Host(dialog)
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"12ab34")
        field = dialog.query_one(CodeField)
        assert field.value == "1234"
        assert dialog.query_one("#token-submit").disabled
        await pilot.press("enter")  # 4 digits: nothing happens
        await pilot.pause()
        assert host.screen is dialog
        await pilot.press(*"56789")
        assert field.value == "123456"
        assert not dialog.query_one("#token-submit").disabled
        await pilot.press("enter")
        await pilot.pause()
    assert host.results == ["123456"]


async def test_a_pasted_code_with_a_space_is_cleaned(clock):
    dialog = TokenDialog(request(), clock)
    host = Host(dialog)
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        field = dialog.query_one(CodeField)
        field.post_message(events.Paste("123 456\n"))
        await pilot.pause()
        assert field.value == "123456"
        await pilot.click("#token-submit")
        await pilot.pause()
    assert host.results == ["123456"]


async def test_escape_skips(clock):
    dialog = TokenDialog(request(), clock)
    host = Host(dialog)
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.press("1", "2", "escape")
        await pilot.pause()
    assert host.results == [None]


async def test_a_spent_step_shows_the_error_and_a_wait_with_submit_disabled(clock):
    error = "identity alice: a code was already used in this 30-second step; wait 17s for the next code"
    dialog = TokenDialog(request(error=error, wait_seconds=17, attempt=2), clock)
    host = Host(dialog)
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"123456")
        shown = str(dialog.query_one("#token-error").render())
        assert error in shown and "attempt 2 of 3" in shown
        assert dialog.query_one("#token-wait").display
        assert "Wait 17s" in str(dialog.query_one("#token-wait").render())
        assert dialog.query_one("#token-submit").disabled
        await pilot.press("enter")
        await pilot.pause()
        assert host.screen is dialog  # a spent step is never submitted
        clock.advance(17)
        dialog.update_countdown()
        assert not dialog.query_one("#token-wait").display
        assert not dialog.query_one("#token-submit").disabled
        await pilot.press("enter")
        await pilot.pause()
    assert host.results == ["123456"]


def test_unlocks_text():
    assert unlocks_text(request(profiles=("a",))) == "a"
    assert unlocks_text(request(profiles=("a", "b"))) == "a, b (2 profiles)"
    assert unlocks_text(request(profiles=())) == "no profiles"


@pytest.mark.parametrize(("keys", "answer"), [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False)])
async def test_confirm_dialog(keys, answer):
    host = Host(ConfirmDialog("Delete it?"))
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    assert host.results == [answer]


async def test_a_code_already_sent_is_refused_as_typed_and_a_different_one_is_not(clock):
    """The dialog says which code rule applies: the code typed was sent before (never again), while a
    different code of the same step may go (a refused code blocks only itself)."""
    error = "arn:aws:iam::111111111111:mfa/alice: AWS refused code 123456"
    dialog = TokenDialog(request(error=error, attempt=2, sent_codes=("123456",)), clock)
    host = Host(dialog)
    async with host.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"123456")
        wait = dialog.query_one("#token-wait")
        assert wait.display and "123456 was already sent" in str(wait.render())
        assert dialog.query_one("#token-submit").disabled
        await pilot.press("enter")
        await pilot.pause()
        assert host.screen is dialog
        await pilot.press("backspace", "7")
        assert not wait.display
        assert not dialog.query_one("#token-submit").disabled
        await pilot.press("enter")
        await pilot.pause()
    assert host.results == ["123457"]
