"""The bench's floor and its terminal: a bare Textual app with one empty DataTable, a null driver.

Imports nothing from mfa-tui, so a floor run pays only for Python and Textual.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.drivers.headless_driver import HeadlessDriver


class NullTerminalDriver(HeadlessDriver):
    """A driver that claims to be a real terminal and throws the output away.

    Textual's headless driver makes the app skip turning frames into escape sequences, which
    is part of the real cost of a tick; this one keeps that work and discards only the bytes.
    """

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        pass


class BareTableApp(App):
    """The floor: a bare Textual app showing one empty DataTable."""

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable

        yield DataTable()


def make_bare_app(rows: object, clock: object) -> App:
    """The floor's factory (same signature as a host factory; ignores both)."""
    return BareTableApp()


def make_repaint_floor_app() -> App:
    """Textual's own cost of repainting every line: a Line API widget whose lines all change per tick.

    Its ``tick()`` bumps a counter shown on every line and refreshes the whole widget, so a
    tick repaints as many lines as a busy status table does, with the cheapest possible content.
    """
    from rich.segment import Segment
    from textual.geometry import Size
    from textual.scroll_view import ScrollView
    from textual.strip import Strip

    class Counter(ScrollView):
        count = 0

        def on_mount(self) -> None:
            self.virtual_size = Size(1, 1001)  # tall enough for a vertical scrollbar, like the table

        def tick(self) -> int:
            self.count += 1
            self.refresh()
            return self.size.height

        def render_line(self, y: int) -> Strip:
            # About as many segments as a status row, so per-segment work matches.
            width = self.scrollable_content_region.width
            cell = max(1, width // 8)
            text = f"{self.count + y:>{cell}}"
            return Strip([Segment(text, self.rich_style)] * 8, cell * 8).crop_extend(0, width, self.rich_style)

    class RepaintFloorApp(App):
        def compose(self) -> ComposeResult:
            yield Counter()

    return RepaintFloorApp()
