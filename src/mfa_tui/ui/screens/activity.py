"""The activity pane (``l``): every refresh, re-mint, who-am-I, enrolment, registry edit and error of
this session, newest first, with its time (UTC), in a scrollable table. Escape or ``q`` closes it.

It reads the app's :class:`~mfa_tui.ui.activity.ActivityLog` and, while open, shows entries
added meanwhile (checked once a second).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from mfa_tui.ui.activity import ActivityLog
from mfa_tui.ui.rowformat import clock_text, shows_local_time

STYLES = {"error": "bold red", "warning": "yellow"}
"""How a kind is drawn by the entry's severity (information: plain)."""


class ActivityScreen(ModalScreen[None]):
    """The activity log of ``log``, newest first."""

    BINDINGS = [Binding("escape,q,l", "close", "Close", id="activity.close", tooltip="Back to the dashboard")]

    DEFAULT_CSS = """
    ActivityScreen { align: center middle; background: $background 60%; }
    ActivityScreen #activity-box {
        width: 95%; max-width: 140; height: 90%; padding: 0 1; border: thick $primary; background: $surface;
    }
    ActivityScreen #activity-title { text-style: bold; color: $primary; }
    ActivityScreen #activity-table { height: 1fr; }
    ActivityScreen #activity-empty { color: $text-muted; }
    ActivityScreen #activity-detail { height: auto; max-height: 5; border-top: solid $primary; }
    """

    def __init__(self, log: ActivityLog) -> None:
        super().__init__()
        self.log_model = log
        self._shown = -1
        self._local = False

    def compose(self) -> ComposeResult:
        service = getattr(self.app, "service", None)
        self._local = service is not None and shows_local_time(service)
        with Vertical(id="activity-box"):
            zone = "local time" if self._local else "UTC"
            yield Static(f"Activity (newest first, times in {zone}) · Escape closes", id="activity-title", markup=False)
            yield Static("Nothing yet: refreshes, re-mints, who-am-I, enrolments, edits and errors appear here.",
                         id="activity-empty", markup=False)
            yield DataTable(id="activity-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="activity-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Time", key="time")
        table.add_column("What", key="kind")
        table.add_column("Details", key="text")
        self.fill()
        table.focus()
        self.set_interval(1.0, self.fill)

    def fill(self) -> None:
        """Show the log again when something was added since."""
        if self._shown == self.log_model.version:
            return
        self._shown = self.log_model.version
        table = self.query_one(DataTable)
        table.clear()
        entries = self.log_model.entries
        self.query_one("#activity-empty").display = not entries
        table.display = bool(entries)
        for entry in reversed(entries):
            table.add_row(
                Text(clock_text(entry.when, "%Y-%m-%d %H:%M:%S", local=self._local).rsplit(" ", 1)[0]),
                Text(entry.kind, style=STYLES.get(entry.severity, "")),
                Text(entry.text),
            )
        self._show_detail()

    def _show_detail(self) -> None:
        """The whole of the highlighted entry, wrapped (the table cuts long ones at its edge)."""
        entries = self.log_model.entries
        row = self.query_one(DataTable).cursor_row
        entry = entries[len(entries) - 1 - row] if 0 <= row < len(entries) else None
        detail = self.query_one("#activity-detail", Static)
        detail.display = entry is not None
        if entry is not None:
            detail.update(f"{entry.when:%H:%M:%S} {entry.kind}: {entry.text}")

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    def action_close(self) -> None:
        self.dismiss(None)
