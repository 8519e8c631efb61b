"""Cursor and marks of the dashboard's status table: the keys that move them and what they target.

:class:`CursorAndMarks` is mixed into :class:`~mfa_tui.ui.widgets.status_table.StatusTable`; it owns
the cursor position, the set of marked rows, the keys bound to them and what an action such as
"refresh" applies to (:meth:`CursorAndMarks.targets`). It reads the table's view and rows and asks
the table to repaint lines and post its messages; it draws nothing itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding, BindingType

from mfa_tui.ui.widgets.status_view import Group, StatusView

if TYPE_CHECKING:
    from mfa_tui.ui.rowformat import PreparedRow


CURSOR_BINDINGS: list[BindingType] = [
    Binding("down,j", "cursor_down", "Down", show=False, id="status-table.cursor-down"),
    Binding("up,k", "cursor_up", "Up", show=False, id="status-table.cursor-up"),
    Binding("home", "cursor_first", "First", show=False, id="status-table.cursor-first"),
    Binding("end", "cursor_last", "Last", show=False, id="status-table.cursor-last"),
    Binding("pageup", "page_up", "Page up", show=False, id="status-table.page-up"),
    Binding("pagedown", "page_down", "Page down", show=False, id="status-table.page-down"),
    Binding("space", "toggle_mark", "Mark", id="status-table.toggle-mark", key_display="␣"),
    Binding("z", "toggle_group", "Fold group", show=False, id="status-table.toggle-group",
            tooltip="Grouped (g): hide the rows of the cursor's group under its header, or show them again "
                    "(space on a folded header unfolds it too)"),
]
"""The table's keys (Textual reads ``BINDINGS`` from widget classes only, so the table sets it to these).

Binding ids start with ``status-table.`` so the registry's ``[settings.keys]`` can rebind them."""


class CursorAndMarks:
    """The cursor row and the marked rows of a status table (a mixin for a ``ScrollView``)."""

    _view: StatusView
    _entries: dict[str, PreparedRow]
    _cursor: int
    _marked: set[str]
    _last_highlighted: str | None | bool

    @property
    def cursor_profile(self) -> str | None:
        """The profile under the cursor, or None when no row is shown (or the cursor is on a folded group)."""
        stops = self._view.stops
        item = stops[self._cursor] if stops else None
        return item if type(item) is str else None

    @property
    def cursor_group(self) -> str | None:
        """The label of the group the cursor is in (on its folded header or one of its rows); None ungrouped."""
        view = self._view
        return view.group_at(view.stop_lines[self._cursor]) if view.stops and view.group_key else None

    def fold_group(self, label: str, folded: bool | None = None) -> None:
        """Hide the rows of group ``label`` under its header (``folded`` True), show them (False), or toggle."""
        collapsed = self._view.collapsed
        if folded is None:
            folded = label not in collapsed
        if folded == (label in collapsed):
            return
        collapsed.symmetric_difference_update({label})
        self._rebuild()
        index = self._view.first_of.get(label)
        if index is not None:
            self._set_cursor(index)

    @property
    def marked(self) -> set[str]:
        """Profiles marked with space (a copy; marks survive filtering and sorting)."""
        return set(self._marked)

    def targets(self) -> list[str]:
        """What an action such as "refresh" applies to: the marked rows in view order, else the cursor row."""
        if self._marked:
            shown = [p for p in self._view.order if p in self._marked]
            return shown + sorted(self._marked.difference(shown))
        profile = self.cursor_profile
        return [profile] if profile else []

    # ── cursor and marks ──────────────────────────────────────────────────────────────────────

    def move_cursor(self, profile: str) -> bool:
        """Put the cursor on ``profile`` if it is shown; returns whether it is."""
        index = self._view.index_of.get(profile)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    def toggle_mark(self, profile: str | None = None) -> None:
        """Mark or unmark ``profile`` (default: the cursor row)."""
        profile = profile or self.cursor_profile
        if profile is None or profile not in self._entries:
            return
        self._marked.symmetric_difference_update({profile})
        self._repaint_profile(profile)
        self.post_message(self.MarksChanged(self, set(self._marked)))

    def clear_marks(self) -> None:
        had_marks = bool(self._marked)
        for profile in self._marked:
            self._repaint_profile(profile)
        self._marked.clear()
        if had_marks:
            self.post_message(self.MarksChanged(self, set()))

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_cursor_first(self) -> None:
        self._set_cursor(0)

    def action_cursor_last(self) -> None:
        self._set_cursor(len(self._view.stops) - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self._cursor + self._page_rows())

    def action_page_up(self) -> None:
        self._set_cursor(self._cursor - self._page_rows())

    def action_toggle_mark(self) -> None:
        if self.cursor_profile is None and self._view.stops:
            self.action_open_group()  # space on a folded header unfolds it
            return
        self.toggle_mark()

    def action_toggle_group(self) -> None:
        label = self.cursor_group
        if label is not None:
            self.fold_group(label)

    def action_open_group(self) -> None:
        label = self.cursor_group
        if label is not None and self.cursor_profile is None:
            self.fold_group(label, False)

    def on_click(self, event: events.Click) -> None:
        line = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= line < len(self._view.lines):
            item = self._view.lines[line]
            if type(item) is str:
                self._set_cursor(self._view.index_of[item])
            elif item.collapsed:
                self._set_cursor(self._view.first_of[item.label])

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _set_cursor(self, index: int) -> None:
        stops = self._view.stops
        if stops:
            index = max(0, min(index, len(stops) - 1))
            if index != self._cursor:
                self._repaint_lines(self._view.stop_lines[self._cursor], 1)
                self._cursor = index
                self._repaint_lines(self._view.stop_lines[index], 1)
            self._scroll_to_cursor()
        self._post_highlighted()

    def _scroll_to_cursor(self) -> None:
        rows = self.scrollable_content_region.height - 1
        if not self._view.stops or rows <= 0:
            return  # nothing shown, or not laid out yet (on_resize comes back here)
        line = self._view.stop_lines[self._cursor]
        top = int(self.scroll_y)
        # Keep a group's header in sight when the cursor reaches its first row.
        want_top = line - 1 if line > 0 and type(self._view.lines[line - 1]) is Group else line
        if want_top < top:
            self.scroll_to(y=want_top, animate=False)
        elif line >= top + rows:
            self.scroll_to(y=line - rows + 1, animate=False)

    def _post_highlighted(self) -> None:
        profile = self.cursor_profile
        if profile != self._last_highlighted:
            self._last_highlighted = profile
            self.post_message(self.Highlighted(self, profile))
