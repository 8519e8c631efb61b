"""The enrolment screen's two code fields, as a base class of :class:`~mfa_tui.ui.screens.enroll.EnrollScreen`.

Typing six digits moves to the second field, two codes pasted at once fill both, Enter in the
second sends them for the screen's current mode (enable a new device, or resync one). The side
column that holds them (:class:`SideColumn`) keeps the focused field in sight.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input

from mfa_tui.ui.dialogs.code_field import CODE_DIGITS, CodeField


class CodeInput(CodeField):
    """The screen's code field: a letter typed in it reaches the screen's key bindings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(letters_to_bindings=True, placeholder="000000", **kwargs)


class CodeRow(Horizontal):
    """The two code fields and the step countdown, side by side.

    Narrower than :attr:`NARROW_BELOW` (a 60-column terminal) the fields lose a cell of padding
    each side and the countdown is hidden, so both fields stay whole.
    """

    DEFAULT_CSS = """
    CodeRow.-narrow CodeInput { width: 11; padding: 0 1; }
    CodeRow.-narrow #step { display: none; }
    """

    NARROW_BELOW = 40
    """Two 13-cell fields, their margins and the countdown (bar and seconds) need this many cells."""

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW_BELOW, "-narrow")


class SideColumn(VerticalScroll):
    """The screen's scrolling side column, which keeps the field focused in it in sight.

    Its height changes with the status line below it, and its content with the device list and
    what a create shows: whenever either changes (after the layout, so the field's place is
    final), the focused field is scrolled back into sight. A single scroll after the next
    refresh, as before, could run before that layout on a loaded machine and leave the code field
    below the edge at 60×20.
    """

    def on_resize(self) -> None:
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            focused.scroll_visible(animate=False)


class EnrollCodes(Screen[str | None]):
    """The code fields ``#code1`` and ``#code2``; subclasses provide :meth:`submit_codes`."""

    def submit_codes(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _codes(self) -> tuple[str, str]:
        return self.query_one("#code1", CodeInput).value, self.query_one("#code2", CodeInput).value

    def _clear_codes(self, focus: bool = True) -> None:
        for widget_id in ("#code1", "#code2"):
            self.query_one(widget_id, CodeInput).value = ""
        if focus:
            self.query_one("#code1", CodeInput).focus()

    @on(Input.Changed, "#code1")
    def _first_code_typed(self, event: Input.Changed) -> None:
        if len(event.value) == 6:
            self.query_one("#code2", CodeInput).focus()

    @on(CodeField.Overflow)
    def _codes_overflowed(self, event: CodeField.Overflow) -> None:
        """Two codes pasted (or typed) at once: the first six digits are the first code, the rest the second."""
        event.stop()
        first, second = self.query_one("#code1", CodeInput), self.query_one("#code2", CodeInput)
        rest = event.digits[CODE_DIGITS:]
        if event.field is not first or len(event.digits) > 2 * CODE_DIGITS:
            self.app.bell()
            return
        first.value = event.digits[:CODE_DIGITS]
        second.value = (second.value + rest if event.typed else rest)[:CODE_DIGITS]
        second.focus()

    @on(Input.Submitted, "#code1")
    def _first_code_entered(self) -> None:
        self.query_one("#code2", CodeInput).focus()

    @on(Input.Submitted, "#code2")
    def _second_code_entered(self) -> None:
        self.submit_codes()
