"""Demo mode's authenticator: the demo device's current code and the seconds left in its step.

``mfa-tui --demo`` runs against a local AWS whose MFA device has a seed the demo knows, so a
newcomer can try the whole flow without a phone: this one-line widget shows what an
authenticator app would. The code comes from a callable (the local AWS computes it from the
seed with the same clock that checks it), so the widget holds no seed and imports nothing from
the local AWS. When the callable fails, the banner says so in one line naming the log file (the
traceback is recorded there once per distinct error, :mod:`mfa_tui.core.logfile`) and the next
tick tries again, so the code comes back as soon as it can be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from mfa_tui.core.clock import Clock, seconds_left_in_step


@dataclass(frozen=True)
class DemoInfo:
    """What the dashboard needs to know about the demo world."""

    identity: str
    """The registry identity whose device the code is for."""
    serial: str
    """The demo device's serial (an ``arn:aws:iam::…:mfa/…`` ARN)."""
    current_code: Callable[[], str] = field(repr=False)
    """Returns the device's valid code for "now"."""
    endpoint: str = ""
    """The local AWS endpoint, shown so users can point the AWS CLI at it too."""


class DemoCode(Static):
    """``Demo authenticator · alice · code 123456 · 17s left``, redrawn every second."""

    def __init__(self, demo: DemoInfo, clock: Clock, *, id: str | None = "demo-code") -> None:
        super().__init__("", id=id)
        self.demo = demo
        self.clock = clock
        self._last: tuple[str, int] | None = None
        self._failure: tuple[str, str] | None = None
        """The error shown instead of the code (type and message), until a code can be read again."""

    def on_mount(self) -> None:
        self.update_code()
        # Four times a second, so the new code shows within 250 ms of a step change (it is
        # redrawn only when the code or the seconds changed).
        self.set_interval(0.25, self.update_code)

    @property
    def code(self) -> str:
        """The code shown now ("" while an error is shown instead)."""
        return self._last[0] if self._last and self._failure is None else ""

    def update_code(self) -> None:
        """Read the current code and step time; redraw when either changed."""
        try:
            code = self.demo.current_code()
        except Exception as exc:  # noqa: BLE001 - whatever the local AWS raises: shown, logged, retried
            self._show_failure(exc)
            return
        left = seconds_left_in_step(self.clock.now())
        if (code, left) == self._last and self._failure is None:
            return
        self._last, self._failure = (code, left), None
        text = Text.assemble(
            ("Demo authenticator", "bold"),
            f" · {self.demo.identity} · code ",
            (code, "reverse bold"),
            f" · {left:2d}s left",
        )
        if self.demo.endpoint:
            text.append(f" · local AWS {self.demo.endpoint}", style="dim")
        self.update(text)

    def _show_failure(self, exc: Exception) -> None:
        """One line instead of the code; the first time this error is met, its traceback goes to the log."""
        failure = (type(exc).__name__, str(exc))
        if failure == self._failure:
            return
        from mfa_tui.core import logfile

        self._failure = failure
        line = logfile.unexpected(exc, f"demo code of {self.demo.identity}")
        self.update(Text.assemble(("Demo authenticator", "bold"), f" · {self.demo.identity} · no code: {line}"))
