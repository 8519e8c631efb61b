"""What the dashboard's controllers may use of the main screen, as Protocols.

The controllers (:mod:`~mfa_tui.ui.rows`, :mod:`~mfa_tui.ui.runs`, :mod:`~mfa_tui.ui.remint`,
:mod:`~mfa_tui.ui.sessions`, :mod:`~mfa_tui.ui.panes`, :mod:`~mfa_tui.ui.clipboard`) are given the
screen as a :class:`Dashboard`; only :mod:`mfa_tui.ui.screens.main` imports them, so no controller
imports the screen or, through it, another controller. What one controller asks of another goes
through the small Protocols below, which the screen's controllers satisfy.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message
    from textual.timer import Timer

    from mfa_tui.core.models import ProfileStatus
    from mfa_tui.core.service.facade import Service
    from mfa_tui.ui.summaries import Summary
    from mfa_tui.ui.widgets.status_table import StatusTable


class RowSink(Protocol):
    """Where rows from the core go (:class:`mfa_tui.ui.rows.Rows`)."""

    def apply(self, rows: list[ProfileStatus]) -> None: ...

    def replace(self, rows: list[ProfileStatus]) -> None: ...

    def set_extra(self, profile: str, **fields: str | None) -> None: ...

    def show(self, row: ProfileStatus, *, progress: str | None) -> None: ...


class SessionNotes(Protocol):
    """What watches the identities' MFA sessions (:class:`mfa_tui.ui.sessions.SessionWatch`)."""

    def note(self, rows: list[ProfileStatus]) -> None: ...

    def check(self) -> None: ...


class RemintNotes(Protocol):
    """What re-mints chained roles (:class:`mfa_tui.ui.remint.RemintControl`)."""

    def refreshed(self, names: Collection[str]) -> None: ...


class RunState(Protocol):
    """What the refresh runs hold (:class:`mfa_tui.ui.runs.RunControl`)."""

    runs: dict[str, Any]
    touched: set[str]


class Dashboard(Protocol):
    """The main screen as its controllers see it (:class:`mfa_tui.ui.screens.main.MainScreen`)."""

    service: Service
    table: StatusTable
    rows: RowSink
    sessions: SessionNotes
    remints: RemintNotes
    runs: RunState

    @property
    def app(self) -> App[Any]: ...

    @property
    def is_mounted(self) -> bool: ...

    def notify(self, message: str, **kwargs: Any) -> None: ...

    def post_message(self, message: Message) -> bool: ...

    def set_timer(self, delay: float, callback: Callable[[], Any] | None = None, **kwargs: Any) -> Timer: ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...

    def dismiss(self, result: Any = None) -> Any: ...

    def say(self, summary: Summary, title: str) -> None: ...

    def show_detail(self, force: bool = False) -> None: ...

    def update_status_line(self) -> None: ...

    def run_in_thread(self, group: str, body: Callable[[], None]) -> None: ...

    def is_busy(self, group: str) -> bool: ...
