"""The dashboard's timeline: when every MFA session ends, every role expires and the next automatic
re-mint comes, on one time axis shared by all rows (issue 14).

The table's bars are each relative to their own session (a full 1-hour role and a full 12-hour
session look alike); this two-line strip puts them side by side::

    ◆ MFA session alice 11h 58m · ● 6 roles, first 58m · ↻ re-mint in 43m
    now ├──●●──↻───────────────────────────────────────◆──┤ 12h

Cheap per tick: the times are read from the table's rows only when they changed
(:attr:`~mfa_tui.ui.widgets.status_table.StatusTable.rows_version`) and kept sorted; a tick
finds the next of each with a bisect, and the axis is laid out again only when "now" moves
into the next cell or the rows change. Nothing here is per row per tick.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from mfa_tui.core.clock import format_duration
from mfa_tui.core.models import ProfileKind
from mfa_tui.ui.remint import REMINT_MARGIN

SPANS = tuple(h * 3600 for h in (1, 2, 3, 6, 12, 24, 36, 48))
"""Lengths the axis can have: the shortest that holds every time shown (later ones sit at its end)."""
SESSION_MARK, ROLE_MARK, REMINT_MARK = "◆", "●", "↻"


def axis_span(horizon: float) -> int:
    """The shortest of :data:`SPANS` at least ``horizon`` seconds long (the longest if none is)."""
    return next((span for span in SPANS if span >= horizon), SPANS[-1])


def span_label(span: int) -> str:
    return f"{span // 3600}h"


def remint_at(status, warn_before: float) -> float | None:
    """When the background re-mint renews this chained role (None: it never will, its MFA session ends first)."""
    if status.kind is not ProfileKind.CHAINED_ROLE or status.expires_at is None or status.mfa_expires_at is None:
        return None
    at = status.expires_at.timestamp() - max(warn_before, REMINT_MARGIN)
    return at if at < status.mfa_expires_at.timestamp() else None


class Times:
    """The times the strip shows, sorted, read from the rows once per change."""

    def __init__(self, rows, warn_before: float, auto_remint: bool) -> None:
        sessions: dict[str, float] = {}
        roles: list[float] = []
        remints: list[float] = []
        for s in rows:
            if s.kind is not ProfileKind.DIRECT_ROLE and s.mfa_expires_at is not None:
                sessions[s.identity] = max(sessions.get(s.identity, 0.0), s.mfa_expires_at.timestamp())
            if s.kind is not ProfileKind.MFA_SESSION and s.expires_at is not None:
                roles.append(s.expires_at.timestamp())
            if auto_remint and (at := remint_at(s, warn_before)) is not None:
                remints.append(at)
        self.sessions = sorted((end, identity) for identity, end in sessions.items())
        self.session_ends = [end for end, _ in self.sessions]
        self.roles = sorted(roles)
        self.remints = sorted(remints)

    def last(self) -> float:
        return max((times[-1] for times in (self.session_ends, self.roles, self.remints) if times), default=0.0)


class Timeline(Widget):
    """Two lines: what comes next, and the shared axis from now to :func:`axis_span`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"timeline--session", "timeline--role", "timeline--remint", "timeline--axis"}
    DEFAULT_CSS = """
    Timeline {
        height: 2;
        padding: 0 1;
        background: $surface;
        color: $text-muted;
        & > .timeline--session { color: $warning; text-style: bold; }
        & > .timeline--role { color: $success; }
        & > .timeline--remint { color: $accent; text-style: bold; }
        & > .timeline--axis { color: $text-muted; }
    }
    """

    def __init__(self, *, auto_remint: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.auto_remint = auto_remint
        self._table = None
        self._version = -1
        self._times: Times | None = None
        self._key: tuple | None = None
        self._axis_key: tuple | None = None
        self._axis_text = Text()
        self._text = Text()

    def on_mount(self) -> None:
        from mfa_tui.ui.widgets.status_table import StatusTable

        self._table = self.screen.query_one(StatusTable)
        self.tick()
        self.set_interval(1.0, self.tick)

    def on_resize(self) -> None:
        self._key = self._axis_key = None
        self.tick()

    def tick(self) -> bool:
        """Redraw if what the strip says changed since it was drawn; returns whether it did."""
        table = self._table
        if table is None:
            return False
        if table.rows_version != self._version or self._times is None:
            self._version = table.rows_version
            self._times = Times(table.rows(), table.warn_before, self.auto_remint)
        times, now = self._times, table.clock.now().timestamp()
        width = max(10, self.content_region.width - len("now ├┤ 48h"))
        span = axis_span(times.last() - now)
        cell = span / width
        summary = self.summary(now)
        axis_key = (span, width, int(now // cell), self._version)
        if (summary, axis_key) == self._key:
            return False
        self._key = (summary, axis_key)
        if axis_key != self._axis_key:  # the axis moves a cell at a time: seconds to minutes apart
            self._axis_key, self._axis_text = axis_key, self._axis(now, span, width)
        line = Text(summary)
        line.truncate(self.content_region.width, overflow="ellipsis")  # one line, whatever the width
        self._text = Text("\n").join([line, self._axis_text])
        self.refresh()
        return True

    def summary(self, now: float) -> str:
        """The first line: the next MFA-session end, role expiry and re-mint, in words."""
        times = self._times
        assert times is not None
        parts = []
        i = bisect_right(times.session_ends, now)
        if i < len(times.sessions):
            end, identity = times.sessions[i]
            more = len(times.sessions) - i - 1
            parts.append(f"{SESSION_MARK} MFA session {identity} {format_duration(end - now)}"
                         + (f" (+{more})" if more else ""))
        else:
            parts.append(f"{SESSION_MARK} no live MFA session")
        i = bisect_right(times.roles, now)
        if i < len(times.roles):
            count = len(times.roles) - i
            noun = "1 role" if count == 1 else f"{count} roles, first"
            parts.append(f"{ROLE_MARK} {noun} {format_duration(times.roles[i] - now)}")
        if self.auto_remint:
            if times.remints and times.remints[0] <= now:
                parts.append(f"{REMINT_MARK} re-mint due now")
            elif times.remints:
                parts.append(f"{REMINT_MARK} re-mint in {format_duration(times.remints[0] - now)}")
        return " · ".join(parts)

    def _axis(self, now: float, span: int, width: int) -> Text:
        times = self._times
        assert times is not None
        cell = span / width
        origin = now - now % cell  # positions move a whole cell at a time, not jitter every tick
        cells: list[str | None] = [None] * width
        rank = {ROLE_MARK: 1, REMINT_MARK: 2, SESSION_MARK: 3}
        for mark, seq in ((ROLE_MARK, times.roles), (REMINT_MARK, times.remints), (SESSION_MARK, times.session_ends)):
            for at in seq[bisect_right(seq, now):]:
                pos = min(width - 1, int((at - origin) / cell))
                if cells[pos] is None or rank[cells[pos]] < rank[mark]:
                    cells[pos] = mark
        get = self.get_component_rich_style
        axis = get("timeline--axis", partial=True)
        styles = {SESSION_MARK: get("timeline--session", partial=True), ROLE_MARK: get("timeline--role", partial=True),
                  REMINT_MARK: get("timeline--remint", partial=True)}
        text = Text("now ├", style=axis, no_wrap=True)
        for mark in cells:
            text.append(mark or "─", styles[mark] if mark else axis)
        text.append(f"┤ {span_label(span)}", style=axis)
        return text

    def render(self) -> Text:
        return self._text

    @property
    def plain(self) -> str:
        """What the strip shows, as plain text (tests)."""
        return self._text.plain
