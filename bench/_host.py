"""The dashboard bench's default host: the status table alone in a minimal app.

A host factory is any callable ``(rows, clock) -> App`` whose app shows a
:class:`~mfa_tui.ui.widgets.status_table.StatusTable` holding ``rows`` by its first frame and
lets the bench call ``tick()`` on it. The full dashboard passes its own factory to
``dashboard_bench.py --host module:function``; :func:`make_host_app` is the minimal one.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App, ComposeResult

from mfa_tui.core.clock import Clock
from mfa_tui.core.models import ProfileStatus
from mfa_tui.ui.theming import DEFAULT_THEME, ThemeVariablesMixin, install_themes
from mfa_tui.ui.widgets.status_table import StatusTable


class TableHostApp(ThemeVariablesMixin, App):
    """The minimal host: the status table alone, in the default theme, with its rows at compose."""

    def __init__(self, rows: Sequence[ProfileStatus], clock: Clock) -> None:
        super().__init__()
        self._rows = rows
        self._clock = clock
        install_themes(self)
        self.theme = DEFAULT_THEME

    def compose(self) -> ComposeResult:
        table = StatusTable(self._clock, warn_before=15 * 60)
        table.set_rows(self._rows)
        yield table

    def on_mount(self) -> None:
        self.query_one(StatusTable).focus()


def make_host_app(rows: Sequence[ProfileStatus], clock: Clock) -> App:
    """The default host factory."""
    return TableHostApp(rows, clock)

