"""TOTP codes as the engine sees them: format, step timing, and spent-code memory.

AWS accepts each code once (AWS_FACTS fact 1), so the engine never sends a second code
for a device within the 30-second step it last spent one in, nor a code string it has
already spent recently. The user's authenticator makes the codes; we never hold a seed
here (enrolment checks codes against its own seed, see :mod:`mfa_tui.core.enroll`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass
class SpentCodes:
    """What was last spent on one device: the step and the recent code strings."""

    step: int | None = None
    """The TOTP step (from the local clock) in which a code was last sent."""
    recent: tuple[tuple[int, str], ...] = ()
    """(step, code) pairs sent in the last few steps; old entries are dropped."""

    KEEP_STEPS = 4

    def wait_seconds(self, now: datetime) -> int:
        """Seconds until a code may be sent again (0 when the current step is unspent)."""
        if self.step is None or totp_step(now) > self.step:
            return 0
        return seconds_left_in_step(now) + (self.step - totp_step(now)) * TOTP_STEP

    def refuse_reason(self, code: str, now: datetime, *, device: str) -> str | None:
        """Why this code must not be sent, or None when it may be."""
        current = totp_step(now)
        for step, spent in self.recent:
            if spent == code and current - step <= self.KEEP_STEPS:
                return f"{device}: code {code} was already used (each code works once); wait for the next code"
        if self.step is not None and current <= self.step:
            return (
                f"{device}: a code was already used in this 30-second step; "
                f"wait {self.wait_seconds(now)}s for the next code"
            )
        return None

    def spend(self, code: str, now: datetime) -> SpentCodes:
        current = totp_step(now)
        recent = tuple((s, c) for s, c in self.recent if current - s <= self.KEEP_STEPS) + ((current, code),)
        return SpentCodes(step=current, recent=recent)
