"""The 6-digit MFA code field shared by the token dialog and the enrolment screen.

It owns what a code field accepts: ASCII digits only, at most six, and a pasted code cleaned of
the space or dash authenticators show between its halves. A paste of more than six digits (two
consecutive codes copied at once) is not typed into the field, nor is a digit typed into a full
field (a paste that arrives as keys, faster than the focus moves on): both are posted as
:class:`CodeField.Overflow` for the screen to share out between its fields.
"""

from __future__ import annotations

import re
from typing import Any

from textual.events import Key, Paste
from textual.message import Message

from mfa_tui.core.clock import TOTP_STEP
from mfa_tui.ui.widgets.digit_input import DigitInput

CODE_DIGITS = 6
STEP_BAR_CELLS = 15
"""Default width of the bar showing the time left in the current step (two seconds per cell)."""


def pasted_digits(text: str) -> str:
    """The digits of the first line of a paste (``"123 456\\n"`` gives ``"123456"``)."""
    lines = text.splitlines()
    return re.sub(r"[^0-9]", "", lines[0]) if lines else ""


def step_bar(seconds_left: int, cells: int = STEP_BAR_CELLS) -> str:
    """A bar that empties as the current 30-second step (the life of the code on screen) runs out."""
    full = round(max(0, min(TOTP_STEP, seconds_left)) / TOTP_STEP * cells)
    return "█" * full + "░" * (cells - full)


class CodeField(DigitInput):
    """A 6-digit code field: digits only, and a pasted ``123 456`` or ``123-456`` is cleaned first.

    With ``letters_to_bindings=True`` a letter typed in the field is not swallowed: it bubbles to
    the screen's key bindings (the enrolment screen's keys work while a code field has the focus).
    """

    DEFAULT_CSS = """
    CodeField { width: 16; }
    """
    """Room for six digits and the cursor after them inside Input's border and padding."""

    class Overflow(Message):
        """Digits beyond six for ``field``: ``digits`` holds them all, the field's own first."""

        def __init__(self, field: CodeField, digits: str, *, typed: bool) -> None:
            super().__init__()
            self.field = field
            self.digits = digits
            self.typed = typed
            """True: a digit typed into the full field (``digits`` is its value and that digit);
            False: a paste, which replaces what the field held."""

        @property
        def control(self) -> CodeField:
            return self.field

    def __init__(self, *, letters_to_bindings: bool = False, placeholder: str = "6 digits", **kwargs: Any) -> None:
        # [0-9], not \d: \d also takes fullwidth and Arabic-Indic digits, which are not a code.
        super().__init__(restrict=r"[0-9]{0,6}", max_length=CODE_DIGITS, placeholder=placeholder,
                         keys_to_bindings=letters_to_bindings, **kwargs)

    def on_key(self, event: Key) -> None:
        character = event.character or ""
        if character.isdigit() and len(self.value) >= CODE_DIGITS and self.selection.is_empty:
            event.stop()
            event.prevent_default()
            self.post_message(self.Overflow(self, self.value + character, typed=True))

    def on_paste(self, event: Paste) -> None:
        # Authenticators display codes in two halves; keep only the digits of the first line.
        digits = pasted_digits(event.text)
        event.stop()
        event.prevent_default()
        if len(digits) > CODE_DIGITS:
            self.post_message(self.Overflow(self, digits, typed=False))
        elif digits:
            self.insert_text_at_cursor(digits)
