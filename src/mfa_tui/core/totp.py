"""TOTP codes as the engine sees them: format, step timing, and each device's code memory.

AWS accepts each code once (docs/aws-behaviour.md, "codes are single-use"), so the engine
never sends a code value twice to a device, nor a code of a step whose code AWS already
accepted (:class:`DeviceCodes`). The user's authenticator makes the codes; we never hold a
seed here (enrolment checks codes against its own seed, see :mod:`mfa_tui.core.enroll.device`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core.clock import TOTP_STEP, seconds_left_in_step, totp_step
from mfa_tui.core.errors import CodeError

CODE_RE = re.compile(r"\A[0-9]{6}\Z")
"""Exactly six ASCII digits, as authenticators show them; ``\\d`` would also take fullwidth or Arabic-Indic digits."""


def normalise_code(raw: str) -> str:
    """The code without spaces or dashes (authenticators show ``123 456``)."""
    return re.sub(r"[\s-]", "", raw or "")


def check_format(raw: str, *, device: str) -> str:
    """Return the normalised code, or raise :class:`CodeError` before anything is sent."""
    code = normalise_code(raw)
    if not CODE_RE.match(code):
        if not code:
            shown = "an empty code"
        elif all(ch in "0123456789" for ch in code):
            shown = f"{len(code)} digits"
        else:
            shown = f"{len(code)} characters, not all of them 0-9"
        raise CodeError(f"{device}: a code is exactly 6 digits, got {shown}; nothing was sent")
    return code


@dataclass(frozen=True)
class DeviceCodes:
    """What one MFA device's codes have done so far: the rules that keep a code from being wasted.

    AWS answers a wrong code and a reused code with the same error (docs/aws-behaviour.md,
    "codes are single-use"), so mfa-tui cannot tell whether a refused code was spent. The
    rules, per device:

    - a code value that was sent is never sent again (within :attr:`KEEP_STEPS` steps);
    - once AWS accepted a code, no code of that 30-second step or an earlier one is sent
      (the next valid code comes with the next step);
    - a code AWS refused blocks nothing but itself: the right code of the same step may follow.
    """

    accepted_step: int | None = None
    """The TOTP step (local clock) of the last code AWS accepted."""
    sent: tuple[tuple[int, str], ...] = field(default=(), repr=False)
    """(step, code) pairs sent in the last :attr:`KEEP_STEPS` steps, accepted or refused."""

    KEEP_STEPS = 10
    """How long a sent code is remembered: five minutes, well past any authenticator's window."""

    def wait_seconds(self, now: datetime) -> int:
        """Seconds until a new code may be sent (0 unless a code of the current step was accepted)."""
        if self.accepted_step is None or totp_step(now) > self.accepted_step:
            return 0
        return seconds_left_in_step(now) + (self.accepted_step - totp_step(now)) * TOTP_STEP

    def recent(self, now: datetime) -> tuple[str, ...]:
        """The codes sent in the last :attr:`KEEP_STEPS` steps: none of them may be sent again."""
        current = totp_step(now)
        return tuple(code for step, code in self.sent if current - step <= self.KEEP_STEPS)

    def refuse_reason(self, code: str, now: datetime, *, device: str) -> str | None:
        """Why this code must not be sent, or None when it may be."""
        current = totp_step(now)
        if code in self.recent(now):
            return f"{device}: code {code} was already used (each code works once); wait for the next code"
        if self.accepted_step is not None and current <= self.accepted_step:
            return (
                f"{device}: AWS already accepted a code from this 30-second step; "
                f"wait {self.wait_seconds(now)}s for the next code"
            )
        return None

    def after_send(self, code: str, now: datetime) -> DeviceCodes:
        """The memory once ``code`` went out (before AWS answers: a code in flight counts as sent)."""
        current = totp_step(now)
        kept = tuple((s, c) for s, c in self.sent if current - s <= self.KEEP_STEPS)
        return DeviceCodes(accepted_step=self.accepted_step, sent=kept + ((current, code),))

    def after_accept(self, now: datetime) -> DeviceCodes:
        """The memory once AWS accepted the code sent at ``now``."""
        step = totp_step(now)
        return DeviceCodes(accepted_step=max(step, self.accepted_step or step), sent=self.sent)
