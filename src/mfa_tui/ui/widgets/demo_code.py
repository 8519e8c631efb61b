"""Demo mode's authenticator: the demo device's current code and the seconds left in its step.

``mfa-tui --demo`` runs against a local AWS whose MFA device has a seed the demo knows, so a
newcomer can try the whole flow without a phone: this one-line widget shows what an
authenticator app would. The code comes from a callable (the local AWS computes it from the
seed with the same clock that checks it), so the widget holds no seed and imports nothing from
the local AWS. When the callable fails, the banner says so in one line naming the log file (the
traceback is recorded there once per distinct error, :mod:`mfa_tui.core.logfile`) and the next
tick tries again, so the code comes back as soon as it can be read.

The banner follows the registry: given ``serial_now`` (the serial the registry names for the
identity now) and :attr:`DemoInfo.code_of`, it shows the code of that device, naming it when it is
not the one the demo started with, and says so when the device no longer exists (deleted) or the
identity names none.
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
    code_of: Callable[[str], str | None] | None = field(default=None, repr=False)
    """The valid code of any device for "now", None when there is no such device (deleted)."""


class DemoCode(Static):
    """``Demo authenticator · alice · code 123456 · 17s left``, redrawn every second."""

    def __init__(
        self,
        demo: DemoInfo,
        clock: Clock,
        *,
        serial_now: Callable[[], str | None] | None = None,
        id: str | None = "demo-code",
    ) -> None:
        super().__init__("", id=id)
        self.demo = demo
        self.clock = clock
        self.serial_now = serial_now
        """The serial the registry names for the identity now (None: none); unset, the demo's own."""
        self._last: tuple[str, int, str] | None = None
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
            serial, code = self._read()
        except Exception as exc:  # noqa: BLE001 - whatever the local AWS raises: shown, logged, retried
            self._show_failure(exc)
            return
        if code is None:
            self._show_gone(serial)
            return
        left = seconds_left_in_step(self.clock.now())
        if (code, left, serial) == self._last and self._failure is None:
            return
        self._last, self._failure = (code, left, serial), None
        device = f" · device {serial.rsplit('/', 1)[-1]}" if serial != self.demo.serial else ""
        text = Text.assemble(
            ("Demo authenticator", "bold"),
            f" · {self.demo.identity}{device} · code ",
            (code, "reverse bold"),
            f" · {left:2d}s left",
        )
        if self.demo.endpoint:
            text.append(f" · local AWS {self.demo.endpoint}", style="dim")
        self.update(text)

    def _read(self) -> tuple[str | None, str | None]:
        """The device to show (the registry's when followed) and its code (None: the device is gone)."""
        if self.serial_now is None or self.demo.code_of is None:
            return self.demo.serial, self.demo.current_code()
        serial = self.serial_now()
        return serial, self.demo.code_of(serial) if serial else None

    def _show_gone(self, serial: str | None) -> None:
        """The identity's device no longer exists (or it names none): one line, until it does again."""
        failure = ("gone", serial or "")
        if failure == self._failure:
            return
        self._failure = failure
        if serial:
            why = f"device {serial.rsplit('/', 1)[-1]} no longer exists; enrol a new one with e"
        else:
            why = "no MFA device in the registry; enrol one with e"
        self.update(Text.assemble(("Demo authenticator", "bold"), f" · {self.demo.identity} · {why}"))

    def _show_failure(self, exc: Exception) -> None:
        """One line instead of the code; the first time this error is met, its traceback goes to the log."""
        failure = (type(exc).__name__, str(exc))
        if failure == self._failure:
            return
        from mfa_tui.core import logfile

        self._failure = failure
        line = logfile.unexpected(exc, f"demo code of {self.demo.identity}")
        self.update(Text.assemble(("Demo authenticator", "bold"), f" · {self.demo.identity} · no code: {line}"))
