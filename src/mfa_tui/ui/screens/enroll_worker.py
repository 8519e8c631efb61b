"""The enrolment screen's one AWS worker, as a base class of :class:`~mfa_tui.ui.screens.enroll.EnrollScreen`.

Every AWS call of the screen runs in a thread worker that posts :class:`EnrollWorker.Done` or
:class:`EnrollWorker.Failed` back; the screen allows one call at a time (:attr:`EnrollWorker.busy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.ui.screens.enroll_codes import EnrollCodes


class EnrollWorker(EnrollCodes):
    """One AWS call at a time, off the event loop; the outcome comes back as a message."""

    busy: str | None = None
    """The action of the AWS call in flight, if any."""

    @dataclass
    class Done(Message):
        """An AWS call of the screen finished."""

        action: str
        value: Any

    @dataclass
    class Failed(Message):
        """An AWS call of the screen failed; ``text`` is the domain error's one-line message.

        ``serial`` is the device the call was about, when it was about one (resync, delete).
        """

        action: str
        text: str
        code: str | None
        serial: str | None = None

    def _start(self, action: str, call: Callable[[], Any], serial: str | None = None) -> bool:
        """Run ``call`` unless a call is in flight; ``serial``: the device it is about, if any."""
        if self.busy is not None:
            self.notify(f"Busy: {self.busy} is still running", severity="warning")
            return False
        self.busy = action
        self._aws(action, call, serial)
        return True

    # Not ``exclusive``: :attr:`busy` already allows one call at a time, and an exclusive worker
    # would cancel the previous one when a follow-up starts from its Done message, before its
    # thread has returned (wait_for_complete then raises WorkerCancelled).
    @work(thread=True, exit_on_error=False, group="enroll-aws")
    def _aws(self, action: str, call: Callable[[], Any], serial: str | None) -> None:
        """Run one core call off the event loop and post its outcome back."""
        try:
            value = call()
        except MfaTuiError as exc:
            self.post_message(self.Failed(action, str(exc), getattr(exc, "code", None), serial))
        except Exception as exc:  # never let a worker die silently; messages carry no secrets
            self.post_message(self.Failed(action, f"{action} failed unexpectedly: {type(exc).__name__}", None, serial))
        else:
            self.post_message(self.Done(action, value))
