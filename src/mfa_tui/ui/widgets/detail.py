"""The detail pane: everything known about the profile under the cursor, in full.

The status table shows one line per profile, cut to fit; this pane shows the selected row's
ARNs, timestamps (UTC, or local time with ``[settings] time = "local"``), the source identity, the last who-am-I answer and the last error
without truncation, plus the live progress message while a refresh runs. It is given data
("attributes down") and never calls the service. Secrets are never part of a
:class:`~mfa_tui.core.models.ProfileStatus`, so there is nothing here to hide.

The pane is redrawn every second while a countdown in it runs ("in 9m 05s"), so its two-column
grid is rendered a row at a time and each row's lines are kept (:class:`_Grid`): a tick renders
only the rows whose words changed, instead of measuring and laying out the whole table again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from mfa_tui.core.clock import format_duration
from mfa_tui.core.models import ProfileKind, ProfileStatus, State
from mfa_tui.ui.rowformat import (
    clock_text,
    ERROR_MARK,
    KIND_LABELS,
    WORKING_STATES,
    account_text,
    derive_state,
    shows_error_mark,
)
from mfa_tui.ui.summaries import dashboard_words
from mfa_tui.ui.widgets.key_age import KeyAges
from mfa_tui.ui.textual_private import lift_toasts
from mfa_tui.ui.theming import STATUS_VARIABLES

LABEL_WIDTH = 15
STATE_NOTES: dict[str, str] = {
    "changed": "another tool wrote this profile's section of the credentials file",
    "missing": "its section is gone from the credentials file",  # said only when it had credentials
}
"""What a state means, beside it, keyed by the state's value (states the core decides from the file)."""


def when_text(when: datetime | None, now: datetime, *, future: bool = True, local: bool = False) -> str:
    """``2026-01-01 12:00:00 UTC (in 59m)`` / ``(3m ago)``, or ``-``; ``local``: in local time, its zone named."""
    if when is None:
        return "-"
    stamp = clock_text(when, "%Y-%m-%d %H:%M:%S", local=local)
    seconds = (when - now).total_seconds()
    if future and seconds > 0:
        return f"{stamp} (in {format_duration(seconds)})"
    if seconds > 0:
        return stamp
    return f"{stamp} ({format_duration(-seconds)} ago)" if seconds < -1 else f"{stamp} (now)"


def _line_lengths(text: str) -> list[int]:
    return [len(line) for line in text.split("\n")]


@dataclass(frozen=True)
class Extra:
    """What the dashboard knows about a row beyond its status: live progress, a who-am-I failure."""

    progress: str | None = None
    """The engine's latest progress message for this profile during a run."""
    whoami_error: str | None = None
    """Why the last who-am-I of this profile failed (not kept in the state)."""
    remint: str | None = None
    """When a re-mint that failed is tried again (the back-off, not kept in the state)."""


class DetailPane(VerticalScroll, can_focus=False):
    """Shows one :class:`ProfileStatus` in full; ``show(None)`` clears it."""

    def __init__(self, *, warn_before: int = 15 * 60, local_time: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.warn_before = warn_before
        self.local_time = local_time
        """Show times in local time (``[settings] time = "local"``) rather than UTC."""
        """Seconds before expiry at which the shown state reads "expiring"."""
        self._status: ProfileStatus | None = None
        self._extra = Extra()
        self._shown: str | None = None
        self._row_cache: dict[tuple, list[list[Segment]]] = {}
        self._key_ages = KeyAges()
        """The identities' key ages, read on their MFA sessions in the background (widgets/key_age.py)."""

    def on_resize(self) -> None:
        # Toasts rise to just above this pane (and the footer), never over its "Last error".
        lift_toasts(self.screen, self.outer_size.height + 1)

    def compose(self):
        yield Static("", id="detail-body")

    @property
    def profile(self) -> str | None:
        """The profile shown, if any."""
        return self._status.profile if self._status else None

    def show(self, status: ProfileStatus | None, now: datetime, extra: Extra | None = None) -> None:
        """Show ``status`` as of ``now``; redraws only when the text changed (it is called every tick)."""
        self._status = status
        self._extra = extra or Extra()
        lines = self.describe(now)
        plain = "\n".join(f"{label:<{LABEL_WIDTH}}{value.plain}" for label, value in lines)
        if plain != self._shown:
            # Lines of the same lengths wrap the same, so the pane keeps its height and the
            # screen-wide layout pass can be skipped: a countdown here changes every second, and
            # that pass costs more than repainting every visible row of the table (issue 8 bench).
            same_shape = self._shown is not None and _line_lengths(plain) == _line_lengths(self._shown)
            self._shown = plain
            self.query_one("#detail-body", Static).update(self._grid(lines), layout=not same_shape)

    def _grid(self, lines: list[tuple[str, Text]]) -> _Grid:
        return _Grid(lines, self._row_cache)

    def redraw(self, now: datetime) -> None:
        """Draw again even if the words did not change (the theme, and so the colours, did)."""
        self._shown = None
        self.show(self._status, now, self._extra)

    @property
    def plain_text(self) -> str:
        """What the pane says, without styles (for tests and screen readers)."""
        return self._shown or ""

    def _colour_style(self, variable: str) -> str:
        """A bold Rich style in the theme's colour ``variable`` (plain bold when unknown)."""
        colour = self.app.theme_variables.get(variable) if self.is_attached else None
        return f"bold {colour}" if colour else "bold"

    def _state_style(self, state: State) -> str:
        return self._colour_style(STATUS_VARIABLES[state])

    def _state_text(self, state: State, s: ProfileStatus) -> Text:
        """The state word, what it means when the file decided it, and the error mark when a refresh failed beside it."""
        text = Text(state.value, style=self._state_style(state))
        note = STATE_NOTES.get(state.value) if s.expires_at is not None else None
        if note:
            text.append(f"  ·  {note}", style="dim")
        if shows_error_mark(state, s.last_error):
            still = "; these credentials still work" if state in WORKING_STATES else ""
            text.append(f"  {ERROR_MARK} the last refresh failed (below){still}", style=self._colour_style("warning"))
        return text

    def _when(self, when: datetime | None, now: datetime, *, future: bool = True) -> str:
        return when_text(when, now, future=future, local=self.local_time)

    def _mfa_session_text(self, s: ProfileStatus, now: datetime) -> Text:
        """When the identity's MFA session ends; a direct role says it does not use one (see
        :func:`~mfa_tui.ui.rowformat.mfa_left_text`)."""
        if s.kind is ProfileKind.DIRECT_ROLE:
            return Text("not used: each refresh asks for a code of its own; the MFA in these credentials "
                        "lasts as long as they do", style="dim")
        return Text(self._when(s.mfa_expires_at, now) if s.mfa_expires_at else "no live MFA session")

    def describe(self, now: datetime) -> list[tuple[str, Text]]:
        """The pane's content for the current row: (label, value) pairs."""
        s = self._status
        if s is None:
            return [("", Text("No profile selected.", style="italic"))]
        expires = s.expires_at.timestamp() if s.expires_at else None
        state = derive_state(s.state, expires, now.timestamp(), self.warn_before, s.last_error)
        lines: list[tuple[str, Text | str]] = [
            ("Profile", Text.assemble((s.profile, "bold"), f"  ·  {KIND_LABELS.get(s.kind, str(s.kind))}")),
            ("State", self._state_text(state, s)),
        ]
        # What went wrong (or is happening) comes first, where the pane has room for it.
        if self._extra.progress and state is State.REFRESHING:
            lines.append(("Progress", self._extra.progress))
        if s.last_error:
            lines.append(("Last error", Text(dashboard_words(s.last_error), style=self._state_style(State.ERROR))))
        if self._extra.whoami_error:
            error = dashboard_words(self._extra.whoami_error)
            lines.append(("Who-am-I error", Text(error, style=self._state_style(State.ERROR))))
        if self._extra.remint:
            lines.append(("Re-mint", self._extra.remint))
        lines += [
            ("Account", account_text(s)),
            ("Identity", s.identity + (f"  ·  MFA device {s.mfa_serial}" if s.mfa_serial else "  ·  no MFA device")),
        ]
        if s.role_arn:
            lines.append(("Role", s.role_arn))
        if s.assumed_role_arn:
            lines.append(("Assumed role", s.assumed_role_arn))
        if s.source_identity:
            lines.append(("Source identity", s.source_identity))
        lines.append(("Expires", self._when(s.expires_at, now)))
        lines.append(("MFA session", self._mfa_session_text(s, now)))
        key_age = self._key_ages.line(self, s.identity, s.mfa_expires_at, now, warn_style=self._colour_style("warning"))
        if key_age is not None:
            lines.append(("Access key", key_age))
        lines.append(("Last refresh", self._when(s.last_refresh, now, future=False)))
        if s.whoami:
            who = Text(s.whoami.arn)
            if s.whoami.mismatch:
                who.append(
                    f"  ⚠ account {s.whoami.account}, but the registry says {s.whoami.expected_account}",
                    style=self._colour_style("warning"),
                )
            who.append(f"  (checked {self._when(s.whoami.checked_at, now, future=False)})", style="dim")
            lines.append(("Who am I", who))
        else:
            lines.append(("Who am I", Text("not checked yet (w)", style="dim")))
        if s.tags:
            lines.append(("Tags", ", ".join(s.tags)))
        return [(label, value if isinstance(value, Text) else Text(value)) for label, value in lines]


def _table(rows: list[tuple[str, Text]]) -> Table:
    """The pane's layout: labels in a dim column, values wrapping under themselves (never under the labels)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="dim", width=LABEL_WIDTH - 1, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        grid.add_row(label, value)
    return grid


class _Grid:
    """:func:`_table` of ``rows``, rendered one row at a time, reusing the lines of unchanged rows.

    The label column has a fixed width and the value column takes the rest, so a row renders the
    same alone as inside the whole table; rendering rows separately lets a countdown tick redo
    only the rows it changed. ``cache`` (the pane's, shared by its successive grids) maps a row
    (its words, styles and the render width and options) to its lines; a complete render leaves
    exactly the rows it drew in it.
    """

    def __init__(self, rows: list[tuple[str, Text]], cache: dict[tuple, list[list[Segment]]]) -> None:
        self.rows = rows
        self.cache = cache

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # A table renders its cells without a height (the caller crops the whole), so rows do too:
        # with one, render_lines would pad every row to it.
        options = options.update(height=None)
        shape = (options.max_width, options.min_width, options.justify, options.overflow, options.no_wrap,
                 options.highlight, options.markup, options.size, options.legacy_windows, options.encoding,
                 options.is_terminal)
        cache = self.cache
        drawn: set[tuple] = set()
        new_line = Segment.line()
        for label, value in self.rows:
            key = (shape, label, value.plain, value.style, tuple(value.spans), value.justify, value.overflow,
                   value.no_wrap, value.end)
            lines = cache.get(key)
            if lines is None:
                lines = cache[key] = console.render_lines(_table([(label, value)]), options, pad=False, new_lines=False)
            drawn.add(key)
            for line in lines:
                yield from line
                yield new_line
        for key in [k for k in cache if k not in drawn]:
            del cache[key]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, _table(self.rows))
