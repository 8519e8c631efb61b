"""The dashboard's live status table: one row per profile, countdowns that cost almost nothing.

Textual's ``DataTable`` redraws in proportion to its row count: 55–95 ms per countdown tick at
1000 rows (docs/libraries.md, "Textual's DataTable redraws every row"). This widget is virtualised on Textual's Line API instead: it
keeps the rows as data, draws only the lines on screen (``render_line``), and caches each drawn
row's strip under the row's time-dependent strings (:class:`~mfa_tui.ui.rowformat.Live`). A
:meth:`StatusTable.tick` recomputes those strings for the visible rows only and repaints just the
lines whose text changed, so an idle tick paints nothing and a busy one paints one screenful.

Attributes down, messages up: the host sets rows (:meth:`~StatusTable.set_rows`,
:meth:`~StatusTable.update_rows`), the clock and ``warn_before``, and calls ``tick()`` on its
own timer (once a second); the table posts :class:`StatusTable.Highlighted` when the cursor row
changes and :class:`StatusTable.MarksChanged` when space marks or unmarks rows. Actions such as
"refresh" ask :meth:`~StatusTable.targets` what to act on. The table never calls AWS or any
core service.

Colours: row states use the theme variables ``$status-valid`` ... ``$status-error`` (defaults in
:mod:`mfa_tui.ui.theming`), read from ``App.theme_variables``, so a theme file alone recolours
them; everything else is styled with the component classes listed in ``COMPONENT_CLASSES``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.models import ProfileStatus, State
from mfa_tui.ui.rowformat import PreparedRow
from mfa_tui.ui.widgets.status_cursor import CURSOR_BINDINGS, CursorAndMarks
from mfa_tui.ui.widgets.status_draw import Painter, crop_frozen, measure, resolve_styles
from mfa_tui.ui.widgets.status_style import COMPONENT_CLASSES, DEFAULT_CSS
from mfa_tui.ui.widgets.status_view import GROUP_KEYS, SORT_KEYS, Group, StatusView

_NEVER = float("inf")


class _Pass(NamedTuple):
    """What every line of one render pass shares, looked up once per pass instead of per line."""

    scroll_x: int
    scroll_y: int
    now: float
    cursor: str | None
    cursor_item: str | Group | None


class StatusTable(CursorAndMarks, ScrollView, can_focus=True):
    """A virtualised, keyboard-driven table of :class:`ProfileStatus` rows keyed by profile name."""

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = CURSOR_BINDINGS
    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES
    DEFAULT_CSS = DEFAULT_CSS

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another profile (``None``: the table shows no rows)."""

        table: StatusTable
        """The table whose cursor moved."""
        profile: str | None
        """The profile now under the cursor."""

        @property
        def control(self) -> StatusTable:
            return self.table

        def can_replace(self, message: Message) -> bool:
            # Holding j down posts many of these; only the latest matters to the detail pane.
            return isinstance(message, StatusTable.Highlighted) and message.table is self.table

    @dataclass
    class MarksChanged(Message):
        """Rows were marked or unmarked (``marked`` holds the new set)."""

        table: StatusTable
        marked: set[str]
        """The profiles marked now (a copy)."""

        @property
        def control(self) -> StatusTable:
            return self.table

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        warn_before: int = 15 * 60,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """``clock`` gives "now" (default: the system clock); ``warn_before`` in seconds."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._clock: Clock = clock or SystemClock()
        self._warn_before = float(warn_before)
        self._entries: dict[str, PreparedRow] = {}
        self._view = StatusView()
        self._cursor = 0
        self._marked: set[str] = set()
        self._paint = Painter()
        self._pass: _Pass | None = None
        self._next_change = _NEVER
        self._last_highlighted: str | None | bool = False  # False: nothing posted yet
        self.rows_version = 0
        """Goes up whenever rows are set or updated (the timeline reads :meth:`rows` again then)."""

    # ── attributes ────────────────────────────────────────────────────────────────────────────

    @property
    def clock(self) -> Clock:
        """Where "now" comes from (injected so tests and the bench can freeze time)."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock
        self._changed_everywhere()

    @property
    def warn_before(self) -> int:
        """Seconds before expiry at which a valid row turns "expiring"."""
        return int(self._warn_before)

    @warn_before.setter
    def warn_before(self, seconds: int) -> None:
        self._warn_before = float(seconds)
        self._changed_everywhere()

    @property
    def filter_text(self) -> str:
        return self._view.filter_text

    @property
    def sort_key(self) -> str | None:
        return self._view.sort_key

    @property
    def group_key(self) -> str | None:
        return self._view.group_key

    @property
    def row_count(self) -> int:
        """Rows held, shown or not."""
        return len(self._entries)

    def profiles_in_view(self) -> list[str]:
        """Profiles shown (after the filter), in display order."""
        return list(self._view.order)

    def rows(self) -> list[ProfileStatus]:
        return [entry.status for entry in self._entries.values()]

    def get_row(self, profile: str) -> ProfileStatus | None:
        """The row last given for ``profile``."""
        entry = self._entries.get(profile)
        return entry.status if entry else None

    def state_of(self, profile: str) -> State | None:
        """``profile``'s state now, as shown (derived from its expiry unless refreshing/error/missing)."""
        entry = self._entries.get(profile)
        return entry.state(self._now(), self._warn_before) if entry else None

    # ── data in ───────────────────────────────────────────────────────────────────────────────

    def set_rows(self, rows: Iterable[ProfileStatus]) -> None:
        """Replace every row (given order is the unsorted display order). Marks on vanished rows drop."""
        self._entries = {row.profile: PreparedRow.prepare(row) for row in rows}
        self.rows_version += 1
        self._marked.intersection_update(self._entries)
        self._paint.set_natural(measure(self._entries.values()))
        self._paint.forget()
        self._rebuild()

    def update_row(self, row: ProfileStatus) -> None:
        """Replace (or add, at the end) one row, by its profile name."""
        self.update_rows((row,))

    def update_rows(self, rows: Iterable[ProfileStatus]) -> None:
        """Replace (or add) several rows; the view is rebuilt at most once, and only if a row moves.

        A row equal to the one held is skipped (a reload after a change on disk gives every row).
        """
        now = self._now()
        warn = self._warn_before
        view = self._view
        rebuild = False
        updated: list[PreparedRow] = []
        for row in rows:
            old = self._entries.get(row.profile)
            if old is not None and old.status == row:
                continue
            entry = PreparedRow.prepare(row)
            self._entries[row.profile] = entry
            updated.append(entry)
            if old is None or view.placement(old, now, warn) != view.placement(entry, now, warn):
                rebuild = True
        if not updated:
            return
        self.rows_version += 1
        if self._paint.set_natural(measure(updated, self._paint.natural)):
            rebuild = True
        if rebuild:
            self._rebuild()
            return
        for entry in updated:
            self._paint.forget(entry.profile)
            self._repaint_profile(entry.profile)
        if view.depends_on_state:
            # A stale earlier time only costs one spare rebuild, so merging is enough.
            times = [t for e in updated if (t := e.next_change(now, warn)) is not None]
            self._next_change = min([self._next_change, *times])

    def filter(self, text: str) -> None:
        """Show only rows whose profile, account, kind, state, tags or ARNs contain ``text`` (any case)."""
        self._view.filter_text = text.strip().lower()
        self._rebuild()

    def sort_by(self, key: str | None) -> None:
        """Order rows by ``"profile"``, ``"account"``, ``"tag"``, ``"state"`` or ``"expiry"``; None: given order."""
        if key is not None and key not in SORT_KEYS:
            raise ValueError(f"cannot sort the status table by {key!r}; use one of {', '.join(SORT_KEYS)}")
        self._view.sort_key = key
        self._rebuild()

    def group_by(self, key: str | None) -> None:
        """Group rows under header lines by ``"account"``, ``"tag"`` (first tag) or ``"state"``; None: no groups."""
        if key is not None and key not in GROUP_KEYS:
            raise ValueError(f"cannot group the status table by {key!r}; use one of {', '.join(GROUP_KEYS)}")
        self._view.group_key = key
        self._view.collapsed.clear()
        self._rebuild()

    # ── time ──────────────────────────────────────────────────────────────────────────────────

    def tick(self) -> int:
        """Repaint the visible rows whose text changed since they were drawn; returns how many.

        Call it on a timer (once a second). Rows off screen cost nothing: they are drawn fresh
        when scrolled to. When a row crosses valid→expiring→expired while the view depends on
        state (sorted, grouped or filtered), the view is rebuilt so the row moves.
        """
        now = self._now()
        if now >= self._next_change:
            self._rebuild()
            first, last = self._visible_lines()
            return last - first
        warn = self._warn_before
        drawn = self._paint.drawn
        entries = self._entries
        lines = self._view.lines
        first, last = self._visible_lines()
        changed = 0
        run_start = -1  # consecutive changed lines are repainted as one region
        for index in range(first, last + 1):
            item = lines[index] if index < last else None
            shown = drawn(item) if type(item) is str else None  # None: not drawn yet, nothing to update
            if shown is not None and shown != entries[item].live(now, warn):
                changed += 1
                if run_start < 0:
                    run_start = index
            elif run_start >= 0:
                self._repaint_lines(run_start, index - run_start)
                run_start = -1
        return changed

    # ── Textual hooks ─────────────────────────────────────────────────────────────────────────

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_width(self.scrollable_content_region.width)
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = self._begin_pass()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget: 0 is the column titles, then rows and group headers from the scroll position."""
        p = self._pass or self._begin_pass()
        paint = self._paint
        styles = paint.styles
        assert styles is not None
        item: str | Group | None = None
        if y == 0:
            strip, pad = paint.header(), styles.header
        else:
            index = p.scroll_y + y - 1
            lines = self._view.lines
            if index >= len(lines):
                return Strip.blank(paint.width, styles.base)
            item = lines[index]
            if type(item) is Group:
                pad = styles.cursor_pad if item.collapsed and p.cursor is None and item == p.cursor_item else styles.group
                strip = paint.group(item, pad)
            else:
                entry = self._entries[item]
                is_cursor = item == p.cursor
                strip = paint.row(entry, entry.live(p.now, self._warn_before), is_cursor, item in self._marked)
                pad = styles.cursor_pad if is_cursor else styles.base
        if p.scroll_x or strip.cell_length != paint.width:
            # Only when the table is wider than the widget even at its narrowest layout: the
            # profile column stays put (not on group headers) while the rest scrolls under it.
            frozen = paint.layout.frozen if paint.layout and type(item) is not Group else 0
            strip = crop_frozen(strip, frozen, p.scroll_x, paint.width, pad)
        return strip

    def _begin_pass(self) -> _Pass:
        self._fit_width(self.scrollable_content_region.width)
        if self._paint.styles is None:
            self._paint.styles = resolve_styles(self)
        scroll_x, scroll_y = self.scroll_offset
        stops = self._view.stops
        return _Pass(scroll_x, scroll_y, self._now(), self.cursor_profile, stops[self._cursor] if stops else None)

    def _fit_width(self, width: int) -> None:
        if self._paint.fit(width):
            self._update_virtual_size()

    def _update_virtual_size(self) -> None:
        layout = self._paint.layout
        size = Size(layout.total if layout is not None else 0, len(self._view.lines) + 1)
        if size != self.virtual_size:
            self.virtual_size = size

    # ── bookkeeping ───────────────────────────────────────────────────────────────────────────

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _visible_lines(self) -> tuple[int, int]:
        """[first, last) indexes into the view's lines that are on screen now."""
        first = int(self.scroll_y)
        rows = max(0, self.scrollable_content_region.height - 1)
        return first, min(first + rows, len(self._view.lines))

    def _rebuild(self) -> None:
        """Recompute the shown lines after rows, filter, sort or grouping changed; keeps the cursor's profile."""
        profile, group = self.cursor_profile, self.cursor_group
        now = self._now()
        self._view.rebuild(self._entries, now, self._warn_before)
        index = self._view.index_of.get(profile) if profile else self._view.first_of.get(group) if group else None
        self._cursor = index if index is not None else max(0, min(self._cursor, len(self._view.stops) - 1))
        self._update_next_change(now)
        self._update_virtual_size()
        self.refresh()
        if self.is_mounted:
            self._scroll_to_cursor()
            self._post_highlighted()

    def _update_next_change(self, now: float) -> None:
        # Only worth tracking when a state change would move rows (sorted/grouped/filtered by it).
        if not self._view.depends_on_state:
            self._next_change = _NEVER
            return
        warn = self._warn_before
        self._next_change = min((t for e in self._entries.values() if (t := e.next_change(now, warn)) is not None),
                                default=_NEVER)

    def _repaint_lines(self, first: int, count: int) -> None:
        # View line i is widget line i + 1 (the column titles hold line 0).
        self.refresh_lines(first + 1, count)

    def _repaint_profile(self, profile: str | None) -> None:
        line = self._view.line_of.get(profile) if profile else None
        if line is not None:
            self._repaint_lines(line, 1)

    def _restyle(self) -> None:
        """Theme or CSS changed: forget every style and drawn strip."""
        self._paint.restyle()
        self.refresh()

    def _changed_everywhere(self) -> None:
        self._paint.forget()
        self._rebuild()
