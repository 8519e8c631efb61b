"""The MFA token dialog: one code for one device, asked for by the refresh engine.

The engine calls its code provider from a worker thread with a
:class:`~mfa_tui.core.session.refresh.CodeRequest`; the main screen pushes this dialog for it and hands
the result back to the thread. The dialog

- names the identity, the device serial and the profiles the code unlocks;
- shows the seconds left in the current 30-second TOTP step, live, so the user knows whether to
  type the code on screen or wait for the next one;
- accepts only 6 digits (the field refuses anything else; a pasted ``123 456`` is cleaned);
- shows why the previous code was refused (``request.error``), and when the engine says a code
  was already spent in this step (``request.wait_seconds``) counts that wait down with Submit
  disabled, so a spent code is never sent (docs/aws-behaviour.md, "Codes are single-use");
- refuses, as it is typed, a code already sent for this device (``request.sent_codes``: each code
  works once, and AWS answers a wrong code and a reused one alike), while a different code of the
  same step may go at once;
- says why a code is asked although the identity's MFA session lives (the user asked for a new
  one with ``N``, or AWS no longer accepts it: ``request.reason``);
- Escape skips: the engine leaves those profiles as they were.

It is dismissed with the code string or None. Time comes from the injected clock.
"""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from mfa_tui.core.clock import Clock, seconds_left_in_step
from mfa_tui.core.session.refresh import MAX_CODE_ATTEMPTS, CodeRequest
from mfa_tui.core.totp import CODE_RE
from mfa_tui.ui.dialogs.code_field import CodeField, step_bar

SHOWN_PROFILES = 6
"""Profiles named in the dialog before "and N more"."""


def unlocks_text(request: CodeRequest, shown: int = SHOWN_PROFILES) -> str:
    """Which profiles the code unlocks, e.g. ``alice, dev-admin and 5 more (7 profiles)``."""
    names = list(request.profiles)
    if not names:
        return "no profiles"
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" and {len(names) - shown} more"
    if len(names) > 1:
        text += f" ({len(names)} profiles)"
    return text


class TokenDialog(ModalScreen[str | None]):
    """Ask for one MFA code; dismissed with the 6 digits, or None when skipped."""

    BINDINGS = [Binding("escape", "skip", "Skip", id="token.skip")]

    def __init__(self, request: CodeRequest, clock: Clock, *, note: str | None = None) -> None:
        super().__init__()
        self.request = request
        """What the engine asked for."""
        self.note = note or request.reason
        """Why a code is asked although a session lives: the user asked for a new one (``N``), or AWS no longer accepts it."""
        self.clock = clock
        """Where "now" comes from, for the step and wait countdowns."""
        self._wait_until = clock.now() + timedelta(seconds=max(0, request.wait_seconds))

    # ── what it shows ─────────────────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        r = self.request
        heading = "MFA code for a direct role" if r.purpose == "direct-role" else "MFA code needed"
        with Vertical(id="token-box", classes="dialog"):
            yield Static(heading, id="token-title", classes="dialog-title")
            for label, value, field_id in (
                ("Identity", r.identity, "token-identity"),
                ("Device", r.serial or "(no MFA device)", "token-device"),
                ("Unlocks", unlocks_text(r), "token-unlocks"),
            ):
                with Horizontal(classes="dialog-field"):
                    yield Static(label, classes="dialog-label")
                    yield Static(value, id=field_id, markup=False, classes="dialog-value")
            if self.note:
                yield Static(f"ⓘ {self.note}", id="token-note", markup=False)
            if r.error:
                attempt = f" (attempt {r.attempt} of {MAX_CODE_ATTEMPTS})" if r.attempt > 1 else ""
                yield Static(f"✗ {r.error}{attempt}", id="token-error", markup=False)
            with Horizontal(id="token-entry"):
                yield CodeField(id="token-code")
                yield Static("", id="token-step")
            yield Static("", id="token-wait")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Submit", id="token-submit", variant="primary", disabled=True)
                yield Button("Skip (esc)", id="token-skip")

    def on_mount(self) -> None:
        self.update_countdown()
        self.query_one(CodeField).focus()
        # The step countdown is the point of the dialog: redraw it every second.
        self.set_interval(1.0, self.update_countdown)

    # ── live state ────────────────────────────────────────────────────────────────────────────

    @property
    def wait_left(self) -> int:
        """Whole seconds until a code may be sent (0 when the current step is unspent)."""
        left = (self._wait_until - self.clock.now()).total_seconds()
        return max(0, int(left + 0.999))

    @property
    def code(self) -> str:
        return self.query_one(CodeField).value

    @property
    def already_sent(self) -> bool:
        """Whether the code typed was sent before (accepted or refused): it is never sent again."""
        return self.code in self.request.sent_codes

    @property
    def can_submit(self) -> bool:
        return CODE_RE.match(self.code) is not None and self.wait_left == 0 and not self.already_sent

    def update_countdown(self) -> None:
        """Redraw the step countdown and the wait line from the clock; enable Submit when allowed."""
        step_left = seconds_left_in_step(self.clock.now())
        self.query_one("#token-step", Static).update(f"{step_bar(step_left)} {step_left:2d}s left in this step")
        self._code_changed()

    @on(Input.Changed, "#token-code")
    def _code_changed(self) -> None:
        """Say which code rule holds Submit back, if one does, and enable it otherwise."""
        wait = self.wait_left
        if wait:
            line = f"Wait {wait}s for the next code: a code was already used in this step (each works once)."
        elif self.already_sent:
            line = f"{self.code} was already sent (each code works once): type the next code your device shows."
        else:
            line = ""
        wait_line = self.query_one("#token-wait", Static)
        wait_line.update(line)
        wait_line.display = bool(line)
        self.query_one("#token-submit", Button).disabled = not self.can_submit

    # ── answers ───────────────────────────────────────────────────────────────────────────────

    @on(Input.Submitted, "#token-code")
    @on(Button.Pressed, "#token-submit")
    def action_submit(self) -> None:
        if not self.can_submit:
            self.app.bell()
            return
        self.dismiss(self.code)

    @on(Button.Pressed, "#token-skip")
    def action_skip(self) -> None:
        self.dismiss(None)
