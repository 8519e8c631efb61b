"""The demo banner never freezes: a failing code source is shown in one line, logged, and retried."""

from __future__ import annotations

from textual.app import App, ComposeResult

from mfa_tui.core import paths
from mfa_tui.core.clock import FrozenClock
from mfa_tui.ui.widgets.demo_code import DemoCode, DemoInfo


class Source:
    """A demo code source that fails while ``error`` is set."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.code = "123456"
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.code


class Host(App):
    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield DemoCode(DemoInfo(identity="alice", serial="arn:aws:iam::111111111111:mfa/alice",
                                current_code=self.source), FrozenClock())


def _banner(app: App) -> str:
    return str(app.query_one(DemoCode).render())


async def test_a_failing_code_source_is_one_line_in_the_banner_and_the_code_comes_back(isolated_home):
    source = Source()
    app = Host(source)
    async with app.run_test(size=(160, 5)) as pilot:
        banner = app.query_one(DemoCode)
        assert "code 123456" in _banner(app)
        source.error = KeyError("no virtual MFA device arn:aws:iam::111111111111:mfa/alice")
        banner.update_code()
        await pilot.pause()
        shown = _banner(app)
        assert shown.startswith("Demo authenticator · alice · no code: unexpected KeyError: ")
        assert shown.endswith("(details in ~/.local/state/mfa-tui/mfa-tui.log)") and "\n" not in shown
        assert banner.code == ""
        calls = source.calls
        await pilot.pause(0.6)  # the timer keeps asking (four times a second)
        assert source.calls > calls
        log = paths.state_dir() / "mfa-tui.log"
        assert log.read_text().count("Traceback (most recent call last)") == 1  # the same error, logged once

        source.error, source.code = None, "654321"
        await pilot.pause(0.6)
        assert "code 654321" in _banner(app) and banner.code == "654321"
