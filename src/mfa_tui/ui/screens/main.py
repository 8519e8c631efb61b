"""The main screen: the live status table, the detail pane, and the keys that drive them.

Shape (harlequin + dolphie): the screen never calls AWS on the event loop. Its controllers run
thread workers that call the core :class:`~mfa_tui.core.service.facade.Service` and post messages from
:mod:`mfa_tui.ui.messages` back; the screen's handlers pass each to its controller:

- :class:`~mfa_tui.ui.runs.RunControl`: refresh (``r`` selected or marked rows, ``R`` everything
  stale), a new MFA session (``N``), who-am-I (``w`` / ``W``), their "n of N" in the status line,
  and ``escape`` to cancel them (it clears the filter when nothing runs, or in the filter field);
- :class:`~mfa_tui.ui.remint.RemintControl`: the background re-mint timer, its back-off, "Re-mint now";
- :class:`~mfa_tui.ui.rows.Rows`: the rows at start-up, and again when another process
  changed their files (checked on the 1 s tick, with the countdowns and
  :class:`~mfa_tui.ui.sessions.SessionWatch`, MFA sessions about to end);
- :class:`~mfa_tui.ui.panes.PaneControl`: ``e`` the enrolment pane, ``p`` the effective-policy pane;
- :class:`~mfa_tui.ui.clipboard.ClipboardControl`: ``c`` the row's ARN, ``C`` its env block.

The screen itself keeps the layout, the filter (``/``), sorting (``o``), grouping (``g``) and
the detail pane.

Adding a key that opens another screen is: a ``Binding`` with an id in :attr:`MainScreen.BINDINGS`
and an ``action_*`` method that pushes it (the palette and help pick it up from the binding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Header, Input, Static
from textual.worker import WorkerState

from mfa_tui.ui import summaries
from mfa_tui.ui.activity import record
from mfa_tui.ui.clipboard import ClipboardControl
from mfa_tui.ui.commands import PaletteCommand
from mfa_tui.ui.messages import RowsChanged, WorkerFailed
from mfa_tui.ui.panes import PaneControl
from mfa_tui.ui.remint import RemintControl
from mfa_tui.ui.runs import RunControl
from mfa_tui.ui.screens.console_keys import ConsoleKeys
from mfa_tui.ui.rows import Rows
from mfa_tui.ui.sessions import SessionWatch
from mfa_tui.ui.widgets.detail import DetailPane
from mfa_tui.ui.widgets.key_footer import KeyFooter
from mfa_tui.ui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service
    from mfa_tui.ui.widgets.demo_code import DemoInfo
from mfa_tui.ui.widgets.status_table import StatusTable

GROUP_CYCLE: tuple[str | None, ...] = (None, "account", "tag", "state")
"""What ``g`` steps through."""
SORT_CYCLE: tuple[str | None, ...] = (None, "expiry", "state", "profile")
"""What ``o`` steps through (None: registry order)."""
SORT_NAMES: dict[str | None, str] = {None: "registry order", "expiry": "time left", "state": "state", "profile": "name"}
"""How the status line and the palette name each sort order."""
FOOTER_KEEP = (
    "refresh", "quit", "help", "refresh_all", "whoami", "filter", "toggle_mark", "policy", "enroll",
    "cycle_group", "new_session", "next_theme",
)
"""The footer's keys, the one kept longest first: with too little room the last go (the palette
key always stays). Refresh, quit and help fit at 80 columns; the rest are in help and the palette."""
WHOAMI_KEYS = Binding.Group("Whoami")


def _passed_to(controller: str, method: str) -> Callable[[MainScreen, Message], None]:
    """A message handler that passes the message to ``screen.<controller>.<method>``."""

    def handler(screen: MainScreen, message: Message) -> None:
        getattr(getattr(screen, controller), method)(message)

    handler.__name__ = handler.__qualname__ = f"{controller}.{method}"
    return handler


class MainScreen(ConsoleKeys):  # over EditingKeys
    """Status table + detail pane over one :class:`Service`."""

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Refresh the selected (or marked) profiles"),
        Binding("R", "refresh_all", "Stale", id="refresh_all",
                tooltip="Refresh every profile expiring, expired, missing, changed or whose last refresh failed"),
        Binding("N", "new_session", "New session", id="new_session",
                tooltip="New MFA session (one code per identity) for the selected (or marked) profiles, "
                        "even while their session lives; then refresh them"),
        # One footer item for both ("w W Whoami"): with N, every key still fits in 120 columns.
        Binding("w", "whoami", "Whoami", id="whoami", tooltip="GetCallerIdentity for the selected (or marked) profiles",
                group=WHOAMI_KEYS),
        Binding("W", "whoami_all", "Whoami all", id="whoami_all", tooltip="GetCallerIdentity for every profile",
                group=WHOAMI_KEYS),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter rows as you type; Escape clears"),
        # o and c stay out of the footer (so every other key still fits in 120 columns): help and the palette list them.
        Binding("o", "cycle_sort", "Sort", id="sort", show=False,
                tooltip="Sort by time left → state → name → registry order (the cursor stays on its profile)"),
        Binding("g", "cycle_group", "Group", id="group", tooltip="Group by none → account → tag → state"),
        Binding("c", "copy_arn", "Copy ARN", id="copy_arn", show=False,
                tooltip="Copy the selected row's ARN (its assumed role, else who-am-I's answer, else its role) "
                        "to the clipboard, through the terminal"),
        Binding("C", "copy_env", "Copy env", id="copy_env", show=False,
                tooltip="Copy the selected row's env block (what `mfa-tui env` prints: its keys, region and "
                        "endpoint) to the clipboard, re-minting a chained role first if needed"),
        Binding("e", "enroll", "Enrol", id="enroll",
                tooltip="Enrol, resync or delete the MFA devices of the selected row's identity"),
        Binding("p", "policy", "Policy", id="policy",
                tooltip="What the selected profile may do with and without MFA"),
        # Two meanings for escape: while a refresh or who-am-I runs it cancels them (the status line
        # says so then); otherwise check_action turns that binding down and escape clears the filter.
        Binding("escape", "cancel_run", "Cancel", id="cancel", show=False,
                tooltip="Cancel the running refresh or who-am-I: profiles not yet tried are skipped"),
        Binding("escape", "clear_filter", "Clear filter", id="clear_filter", show=False,
                tooltip="Clear the filter (when nothing runs)"),
    ]

    def __init__(
        self,
        service: Service,
        *,
        demo: DemoInfo | None = None,
        remint_every: float | None = 30.0,
        tick_every: float = 1.0,
    ) -> None:
        super().__init__(id="main")
        self.service = service
        """The core façade every worker calls."""
        self.demo = demo
        self.tick_every = tick_every
        self._group_index = 0
        self._status_text = ""
        self._table: StatusTable | None = None
        self._detail: DetailPane | None = None
        self.runs = RunControl(self)
        self.remints = RemintControl(self, self.runs, remint_every if service.registry.settings.auto_remint else None)
        self.sessions = SessionWatch(self)
        self.rows = Rows(self)
        self.panes = PaneControl(self)
        self.clipboard = ClipboardControl(self)

    # ── layout ────────────────────────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        warn = self.service.registry.settings.warn_before
        yield Header(icon="⚿")
        if self.demo is not None:
            from mfa_tui.ui.widgets.demo_code import DemoCode

            yield DemoCode(self.demo, self.service.clock, serial_now=self._demo_serial)
        yield from (StatusTable(self.service.clock, warn_before=warn, id="status"), Timeline(auto_remint=self.remints.every is not None, id="timeline"))
        yield Static("", id="status-line")
        # Composed (hidden) up front, not mounted on the first ``/``: a mount completes only after
        # keys already queued, so a fast "/prod" would run ``p`` (the policy pane) instead.
        field = Input(placeholder="filter: profile, account, kind, state, tag or ARN", id="filter")
        field.display = False
        yield field
        yield DetailPane(warn_before=warn, local_time=self.service.registry.settings.time == "local", id="detail")
        yield KeyFooter(FOOTER_KEEP)  # every key fits in 120 columns; fewer, the most needed, in 80

    def _demo_serial(self) -> str | None:
        """The MFA device the registry names for the demo identity now (the banner follows it)."""
        assert self.demo is not None
        identity = self.service.registry.identities.get(self.demo.identity)
        return identity.mfa_serial if identity is not None else None

    @property
    def table(self) -> StatusTable:
        return self._table or self.query_one(StatusTable)

    @property
    def detail(self) -> DetailPane:
        return self._detail or self.query_one(DetailPane)

    def on_mount(self) -> None:
        # Looked up once: tick() uses them every second.
        self._table = self.query_one(StatusTable)
        self._detail = self.query_one(DetailPane)
        self.rows.first_frame()
        self.table.focus()
        self.update_status_line()
        self.table.tick()
        self.show_detail()
        self.set_interval(self.tick_every, self.tick)
        self.remints.start()

    def on_unmount(self) -> None:
        # Wakes any worker waiting for a token dialog that will never be answered now.
        self.runs.closing.set()

    # ── the clock ─────────────────────────────────────────────────────────────────────────────

    def tick(self) -> None:
        """Once a second: count down the visible rows and the detail pane, warn of MFA sessions
        about to end, and read the rows again when another process changed their files."""
        self.table.tick()
        self.show_detail()
        self.sessions.check()
        self.rows.check()

    def show_detail(self, force: bool = False) -> None:
        profile = self.table.cursor_profile
        row = self.table.get_row(profile) if profile else None
        extra = self.rows.extras.get(profile) if profile else None
        self.detail.show(row, self.service.clock.now(), extra)
        if force:
            self.detail.redraw(self.service.clock.now())

    def notify(self, message: str, **kwargs) -> None:  # type: ignore[override]
        """Every notification of the dashboard, the CLI commands core messages suggest turned into keys
        (:func:`~mfa_tui.ui.summaries.dashboard_words`)."""
        super().notify(summaries.dashboard_words(message), **kwargs)

    def say(self, summary: summaries.Summary, title: str) -> None:
        self.notify(summary.text, title=title, severity=summary.severity, timeout=summary.timeout, markup=False)

    # ── keys ──────────────────────────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":  # False: escape goes on to clear_filter
            return bool(self.runs.runs) and not self._filter_field().has_focus
        return True

    def action_refresh(self) -> None:
        self.runs.refresh(self.table.targets())

    def action_refresh_all(self) -> None:
        self.runs.refresh(None)

    def action_new_session(self) -> None:
        self.runs.refresh(self.table.targets(), new_session=True)

    def action_whoami(self) -> None:
        self.runs.whoami(self.table.targets())

    def action_whoami_all(self) -> None:
        self.runs.whoami(None)

    def action_cancel_run(self) -> None:
        self.runs.cancel()

    def _filter_field(self) -> Input:
        return self.query_one("#filter", Input)

    def action_filter(self) -> None:
        field = self._filter_field()
        field.display = True
        # Now, not via focus() (which waits its turn behind keys already queued): "/prod" typed in
        # one burst must all reach the field, not run "p" (the policy pane) on the table.
        self.set_focus(field)

    def action_clear_filter(self) -> None:
        field = self._filter_field()
        if not field.display and not field.value:
            return
        field.value = ""
        field.display = False
        self.table.filter("")
        self.table.focus()
        self.update_status_line()

    def action_cycle_sort(self) -> None:
        index = SORT_CYCLE.index(self.table.sort_key) if self.table.sort_key in SORT_CYCLE else 0
        self.sort_by(SORT_CYCLE[(index + 1) % len(SORT_CYCLE)])

    def sort_by(self, key: str | None) -> None:
        """Sort the table by ``key``: None (registry order), "expiry", "state" or "profile" (inside groups, if any)."""
        self.table.sort_by(key)
        self.update_status_line()

    def action_copy_arn(self) -> None:
        self.clipboard.arn()

    def action_copy_env(self) -> None:
        self.clipboard.env()

    def action_cycle_group(self) -> None:
        self._group_index = (self._group_index + 1) % len(GROUP_CYCLE)
        self.group_by(GROUP_CYCLE[self._group_index])

    def group_by(self, key: str | None) -> None:
        """Group (and so sort) the table by ``key``: None, "account", "tag" or "state"."""
        if key in GROUP_CYCLE:
            self._group_index = GROUP_CYCLE.index(key)
        self.table.group_by(key)
        self.update_status_line()

    def remint_now(self) -> None:
        """Re-mint expiring chained roles now (the timer's job, also in the palette)."""
        self.remints.now()

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key, for the command palette."""
        commands = [
            PaletteCommand(f"Group by {key or 'nothing'}", "group the status table", lambda k=key: self.group_by(k))
            for key in GROUP_CYCLE
        ]
        commands += [
            PaletteCommand(f"Sort by {SORT_NAMES[key]}" if key else "Sort in registry order",
                           "order the status table (o)", lambda k=key: self.sort_by(k))
            for key in SORT_CYCLE
        ]
        commands += [
            PaletteCommand(f"Enrol MFA device: {name}", f"the enrolment pane for identity {name}",
                           lambda n=name: self.open_enrolment(n))
            for name in sorted(self.service.registry.identities)
        ]
        commands.append(PaletteCommand("Re-mint now", "renew chained roles from live MFA sessions, no code", self.remint_now))
        commands.append(PaletteCommand("Clear marks", "unmark every row", lambda: self.table.clear_marks()))
        commands += self.editing_commands()  # remove account (see EditingKeys)
        return commands

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter(event.value)
        self.update_status_line()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.table.focus()

    @on(StatusTable.Highlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    @on(StatusTable.MarksChanged)
    def _marks_changed(self) -> None:
        self.update_status_line()

    def update_status_line(self) -> None:
        table = self.table
        pending = self.rows.pending  # not added yet: only at start-up, before any filter
        shown, total = len(table.profiles_in_view()) + pending, table.row_count + pending
        parts = [f"{shown} of {total} profiles" if shown != total else f"{total} profiles"]
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if table.filter_text:
            parts.append(f"filter “{table.filter_text}”")
        if table.sort_key:
            parts.append(f"sorted by {SORT_NAMES.get(table.sort_key, table.sort_key)}")
        if table.group_key:
            parts.append(f"grouped by {table.group_key}")
        parts += self.runs.status_parts() + self.serving_parts()
        text = "  ·  ".join(parts)
        if text != self._status_text:
            self._status_text = text
            self.query_one("#status-line", Static).update(text)

    # ── messages from the workers ─────────────────────────────────────────────────────────────

    def run_in_thread(self, group: str, body: Callable[[], None]) -> None:
        """Run ``body`` in an exclusive thread worker of ``group``; it reports its own failures as messages."""
        self.run_worker(body, name=group, group=group, thread=True, exclusive=True, exit_on_error=False)

    def is_busy(self, group: str) -> bool:
        """Whether a worker of ``group`` ("refresh", "remint", "whoami", ...) is pending or running."""
        return any(
            w.group == group and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.app.workers
        )

    # Each worker message goes to the controller that started the worker.
    on_code_wanted = _passed_to("runs", "code_wanted")
    on_run_started = _passed_to("runs", "started")
    on_run_ended = _passed_to("runs", "ended")
    on_row_progress = _passed_to("runs", "progress")
    on_refresh_finished = _passed_to("runs", "refresh_finished")
    on_whoami_step = _passed_to("runs", "whoami_step")
    on_whoami_finished = _passed_to("runs", "whoami_finished")
    on_remint_finished = _passed_to("remints", "finished")
    on_rows_reloaded = _passed_to("rows", "reloaded")
    on_enrolment_ready = _passed_to("panes", "ready")

    def on_rows_changed(self, message: RowsChanged) -> None:
        self.rows.apply(message.rows)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        record(self, message.what, message.message, "error")
        self.notify(message.message, title=f"{message.what} failed", severity="error", timeout=15, markup=False)

    # ── panes ─────────────────────────────────────────────────────────────────────────────────

    def action_policy(self) -> None:
        self.panes.policy()

    def action_enroll(self) -> None:
        self.panes.enroll()

    def open_enrolment(self, identity: str) -> None:
        """Open the enrolment pane for ``identity`` (see :class:`~mfa_tui.ui.panes.PaneControl`)."""
        self.panes.open_enrolment(identity)

    # ── theme ─────────────────────────────────────────────────────────────────────────────────

    def restyle(self) -> None:
        """The theme changed: redraw the pieces that colour text themselves."""
        self.show_detail(force=True)
