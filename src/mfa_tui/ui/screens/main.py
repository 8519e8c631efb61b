"""The main screen: the live status table, the detail pane, and every refresh flow.

Shape (harlequin + dolphie): the screen never calls AWS on the event loop. Each flow is a
thread worker (``@work(thread=True, exclusive=True, exit_on_error=False)``) that calls the core
:class:`~mfa_tui.core.service.Service` and posts a message from :mod:`mfa_tui.ui.messages` back;
the handlers update the table, the detail pane and the notifications.

- Refresh (``r`` selected or marked rows, ``R`` everything expiring/expired/missing/in error): the
  engine asks for codes through :meth:`MainScreen.provide_code`, called on the worker thread; it
  posts :class:`~mfa_tui.ui.messages.CodeWanted`, the handler pushes the token dialog, and the
  worker waits for the answer (giving up when cancelled). Per-row progress arrives as
  :class:`~mfa_tui.ui.messages.RowProgress`; a summary notification closes the run.
- Staying fresh: a 1 s timer calls the table's ``tick()`` (it repaints only visible rows whose
  text changed) and watches for MFA sessions about to end (sub-title + one notification per
  session). A separate re-mint timer runs the engine's re-mint in a worker and is re-armed with
  ``set_timer`` only after that worker finished, so slow calls never stack.
- Who-am-I (``w`` / ``W``), filter (``/``), grouping (``g``).
- Panes: ``e`` the enrolment pane for the selected row's identity (the flow is built in a worker:
  it reads the long-term keys and may call GetUser), ``p`` the effective-policy pane of the
  selected profile. After an enrolment enables a device, the registry is read again.

Adding a key that opens another screen is: a ``Binding`` with an id in :attr:`MainScreen.BINDINGS`
and an ``action_*`` method that pushes it (the palette and help pick it up from the binding).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from mfa_tui.core.clock import format_duration
from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.models import ProfileStatus, State, WhoAmI
from mfa_tui.ui import summaries
from mfa_tui.ui.commands import PaletteCommand
from mfa_tui.ui.messages import (
    CodeWanted,
    EnrolmentReady,
    RefreshFinished,
    RemintFinished,
    RowProgress,
    RowsChanged,
    WhoAmIFinished,
    WorkerFailed,
)
from mfa_tui.ui.widgets.detail import DetailPane, Extra

if TYPE_CHECKING:
    # The refresh engine is imported by the first refresh, not at start-up (see bench/).
    from mfa_tui.core.refresh import CodeRequest, Progress, RefreshReport
    from mfa_tui.core.service import Service
    from mfa_tui.ui.widgets.demo_code import DemoInfo
from mfa_tui.ui.widgets.status_table import StatusTable

GROUP_CYCLE: tuple[str | None, ...] = (None, "account", "tag", "state")
"""What ``g`` steps through."""
REMINT_MARGIN = 5 * 60
"""Re-mint chained roles at least this long before they expire, whatever warn_before says."""
REMINT_FIRST = 3.0
"""Seconds after start-up before the first background re-mint check."""
CODE_POLL = 0.2
"""How often a worker waiting for the token dialog checks whether it was cancelled."""


class MainScreen(Screen[None]):
    """Status table + detail pane over one :class:`Service`."""

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Refresh the selected (or marked) profiles"),
        Binding("R", "refresh_all", "Stale", id="refresh_all",
                tooltip="Refresh every profile expiring, expired, missing or in error"),
        Binding("w", "whoami", "Whoami", id="whoami", tooltip="GetCallerIdentity for the selected (or marked) profiles"),
        Binding("W", "whoami_all", "Whoami all", id="whoami_all", tooltip="GetCallerIdentity for every profile"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter rows as you type; Escape clears"),
        Binding("g", "cycle_group", "Group", id="group", tooltip="Group by none → account → tag → state"),
        Binding("e", "enroll", "Enrol", id="enroll",
                tooltip="Enrol, resync or delete the MFA devices of the selected row's identity"),
        Binding("p", "policy", "Policy", id="policy",
                tooltip="What the selected profile may do with and without MFA"),
        Binding("escape", "clear_filter", "Clear filter", id="clear_filter", show=False),
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
        self.remint_every = remint_every if service.registry.settings.auto_remint else None
        """Seconds between background re-mint checks; None: no automatic re-mint."""
        self.tick_every = tick_every
        self._extra: dict[str, Extra] = {}
        self._session_ends: dict[str, datetime] = {}
        self._warned: set[tuple[str, datetime]] = set()
        self._group_index = 0
        self._status_text = ""
        self._rows_pending = 0
        """Profiles left out of the first frame and not yet in the table (see :meth:`on_mount`)."""
        self._table: StatusTable | None = None
        self._detail: DetailPane | None = None
        self._cancel = threading.Event()
        self.last_report: RefreshReport | None = None
        """The last refresh's report (for tests and the summary)."""
        self.last_whoami: dict[str, WhoAmI | MfaTuiError] = {}

    # ── layout ────────────────────────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        warn = self.service.registry.settings.warn_before
        yield Header(icon="⚿")
        if self.demo is not None:
            from mfa_tui.ui.widgets.demo_code import DemoCode

            yield DemoCode(self.demo, self.service.clock)
        yield StatusTable(self.service.clock, warn_before=warn, id="status")
        yield Static("", id="status-line")
        # Composed (hidden) up front, not mounted on the first ``/``: a mount completes only after
        # keys already queued, so a fast "/prod" would run ``p`` (the policy pane) instead.
        field = Input(placeholder="filter: profile, account, kind, state, tag or ARN", id="filter")
        field.display = False
        yield field
        yield DetailPane(warn_before=warn, id="detail")
        yield Footer(compact=True)  # every key fits in 120 columns

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
        # The first frame needs only the rows a screen can show: with more profiles than that, the
        # rest are read and added right after it (start-up time with 1000 profiles, see bench/).
        names = list(self.service.registry.profiles)
        first = names[: max(1, self.app.size.height)]
        rest = names[len(first):]
        rows = self._read_rows(first if rest else None, only=True)
        self._rows_pending = len(rest)
        self.table.set_rows(rows)
        self._note_sessions(rows)
        self.table.focus()
        self._update_status_line()
        self.table.tick()
        self._show_detail()
        self.call_after_refresh(self._after_first_frame, rest)
        self.set_interval(self.tick_every, self.tick)
        if self.remint_every is not None:
            self.set_timer(min(REMINT_FIRST, self.remint_every), self._remint_due)

    def _after_first_frame(self, rest: list[str]) -> None:
        """What the first frame does without: the credentials file's permissions, the rows past the
        first screenful, and the MFA-session warnings (which need every row), in the order a start
        that did everything at once notifies them."""
        permissions = self.service.credentials_file.permission_warning()
        if permissions:
            self.notify(permissions, title="Credentials file", severity="warning", timeout=20, markup=False)
        if rest:
            registry = self.service.registry.profiles
            rows = self._read_rows([n for n in rest if n in registry])
            self._rows_pending = 0
            self.table.update_rows(rows)  # added in registry order after the first rows, which stay as they are now
            self._note_sessions(rows)
            self._update_status_line()
        self._check_sessions()

    def _read_rows(self, names: list[str] | None, *, only: bool = False) -> list[ProfileStatus]:
        """Statuses of ``names`` (every profile when None), the state's problems notified.

        ``only``: decode just these profiles' entries of the state (the first frame's rows).
        Otherwise the state is decoded and checked in full, and when that sets a bad file
        aside every row is read again (from the empty state, as a full start would show it).
        """
        service = self.service
        try:
            state = service.load_state(names if only else None)
            if names is not None and not only and service.state_store.warnings:
                names = None
            rows = service.statuses(names, state=state)
        except MfaTuiError as exc:
            rows = []
            self.notify(str(exc), title="Cannot read the session state", severity="error", timeout=15, markup=False)
        for warning in service.state_store.warnings:
            self.notify(warning, title="Session state", severity="warning", timeout=15, markup=False)
        return rows

    def on_unmount(self) -> None:
        # Wakes any worker waiting for a token dialog that will never be answered now.
        self._cancel.set()

    # ── the clock ─────────────────────────────────────────────────────────────────────────────

    def tick(self) -> None:
        """Once a second: count down the visible rows, the detail pane and the MFA-session warnings."""
        self.table.tick()
        self._show_detail()
        self._check_sessions()

    def _show_detail(self, force: bool = False) -> None:
        profile = self.table.cursor_profile
        row = self.table.get_row(profile) if profile else None
        extra = self._extra.get(profile) if profile else None
        self.detail.show(row, self.service.clock.now(), extra)
        if force:
            self.detail.redraw(self.service.clock.now())

    def _note_sessions(self, rows: list[ProfileStatus]) -> None:
        """Remember when each identity's MFA session ends (every row of an identity carries it)."""
        for row in rows:
            if row.mfa_expires_at is not None:
                self._session_ends[row.identity] = row.mfa_expires_at
            elif row.state is not State.REFRESHING:
                self._session_ends.pop(row.identity, None)

    def _check_sessions(self) -> None:
        """Sub-title and one notification per MFA session (identity + end time) about to end."""
        now = self.service.clock.now()
        warn = self.service.registry.settings.warn_before
        ending: list[str] = []
        for identity, ends in sorted(self._session_ends.items(), key=lambda item: item[1]):
            left = (ends - now).total_seconds()
            if left > warn:
                continue
            if left <= 0:
                ending.append(f"MFA session of {identity} has ended: refresh with a new code (R)")
                continue
            ending.append(f"MFA session of {identity} ends in {format_duration(left)}")
            if (identity, ends) not in self._warned:
                self._warned.add((identity, ends))
                self.notify(
                    f"The MFA session of {identity} ends in {format_duration(left)} "
                    f"(at {ends.strftime('%H:%M UTC')}). Its roles then need a new code: press R.",
                    title="MFA session ending",
                    severity="warning",
                    timeout=20,
                    markup=False,
                )
        subtitle = ending[0] + (f" (+{len(ending) - 1} more)" if len(ending) > 1 else "") if ending else ""
        if self.app.sub_title != subtitle:
            self.app.sub_title = subtitle

    # ── keys ──────────────────────────────────────────────────────────────────────────────────

    def action_refresh(self) -> None:
        targets = self.table.targets()
        if not targets:
            self.notify("No profile selected.", severity="warning", markup=False)
            return
        self._start_refresh(targets)

    def action_refresh_all(self) -> None:
        self._start_refresh(None)

    def action_whoami(self) -> None:
        targets = self.table.targets()
        if targets:
            self._whoami_worker(targets)

    def action_whoami_all(self) -> None:
        self._whoami_worker(None)

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
        self._update_status_line()

    def action_cycle_group(self) -> None:
        self._group_index = (self._group_index + 1) % len(GROUP_CYCLE)
        self.group_by(GROUP_CYCLE[self._group_index])

    def group_by(self, key: str | None) -> None:
        """Group (and so sort) the table by ``key``: None, "account", "tag" or "state"."""
        if key in GROUP_CYCLE:
            self._group_index = GROUP_CYCLE.index(key)
        self.table.group_by(key)
        self._update_status_line()

    def remint_now(self) -> None:
        """Re-mint expiring chained roles now (the timer's job, also in the palette)."""
        self._remint_worker(rearm=False)

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key, for the command palette."""
        commands = [
            PaletteCommand(f"Group by {key or 'nothing'}", "group the status table", lambda k=key: self.group_by(k))
            for key in GROUP_CYCLE
        ]
        commands += [
            PaletteCommand(f"Enrol MFA device: {name}", f"the enrolment pane for identity {name}",
                           lambda n=name: self.open_enrolment(n))
            for name in sorted(self.service.registry.identities)
        ]
        commands.append(PaletteCommand("Re-mint now", "renew chained roles from live MFA sessions, no code", self.remint_now))
        commands.append(PaletteCommand("Clear marks", "unmark every row", lambda: self.table.clear_marks()))
        return commands

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter(event.value)
        self._update_status_line()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.display = False
        self.table.focus()

    @on(StatusTable.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    @on(StatusTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._update_status_line()

    def _update_status_line(self) -> None:
        table = self.table
        pending = self._rows_pending  # not added yet: only at start-up, before any filter
        shown, total = len(table.profiles_in_view()) + pending, table.row_count + pending
        parts = [f"{shown} of {total} profiles" if shown != total else f"{total} profiles"]
        if table.marked:
            parts.append(f"{len(table.marked)} marked")
        if table.filter_text:
            parts.append(f"filter “{table.filter_text}”")
        if table.group_key:
            parts.append(f"grouped by {table.group_key}")
        text = "  ·  ".join(parts)
        if text != self._status_text:
            self._status_text = text
            self.query_one("#status-line", Static).update(text)

    # ── refresh ───────────────────────────────────────────────────────────────────────────────

    def is_busy(self, group: str) -> bool:
        """Whether a worker of ``group`` ("refresh", "remint", "whoami") is pending or running."""
        return any(
            w.group == group and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.app.workers
        )

    def _start_refresh(self, names: list[str] | None) -> None:
        if self.is_busy("refresh"):
            self.notify("A refresh is already running.", severity="warning", markup=False)
            return
        self.table.clear_marks()
        self._refresh_worker(names)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh")
    def _refresh_worker(self, names: list[str] | None) -> None:
        """Select, plan and refresh (blocking, on a thread); everything comes back as messages."""
        service = self.service
        worker = get_current_worker()
        chosen: list[str] = list(names or [])
        try:
            profiles = service.select(chosen, stale_only=names is None)
            chosen = [p.name for p in profiles]
            if not profiles:
                from mfa_tui.core.refresh import RefreshReport

                self.post_message(RefreshFinished(RefreshReport(), []))
                return
            report = service.refresh(
                profiles,
                lambda request: self.provide_code(request, worker),
                progress=self._post_progress,
                cancel=self._cancel,
            )
            # A new MFA session changes "MFA left" on every row of its identity, refreshed or not.
            identities = {p.identity for p in profiles}
            rows = service.statuses([n for n, p in service.registry.profiles.items() if p.identity in identities])
        except Exception as exc:  # noqa: BLE001 - shown as one line; rows are re-read below
            self._fail("refresh", exc, chosen)
            return
        self.post_message(RefreshFinished(report, rows))

    def provide_code(self, request: CodeRequest, worker: Worker | None = None) -> str | None:
        """The engine's code provider; runs on the worker thread and waits for the token dialog."""
        reply: Future = Future()
        self.post_message(CodeWanted(request, reply))
        while True:
            try:
                return reply.result(timeout=CODE_POLL)
            except FutureTimeout:
                # Any sign that nobody will answer any more ends the wait: cancelled, unmounted, app gone.
                if self._cancel.is_set() or (worker is not None and worker.is_cancelled) or not self.app.is_running:
                    return None

    def _post_progress(self, progress: Progress) -> None:
        self.post_message(RowProgress(progress))

    def _fail(self, what: str, exc: Exception, names: list[str]) -> None:
        """A worker failed as a whole: say so in one line and put its rows back as the state says."""
        message = str(exc) if isinstance(exc, MfaTuiError) else f"unexpected {type(exc).__name__}: {exc}"
        self.post_message(WorkerFailed(what, message))
        try:
            self.post_message(RowsChanged(self.service.statuses(names or None)))
        except Exception:  # noqa: BLE001 - the failure above is already being shown
            pass

    def on_code_wanted(self, message: CodeWanted) -> None:
        reply = message.reply

        def answered(code: str | None) -> None:
            if not reply.done():
                reply.set_result(code)

        if reply.done():
            return
        # Imported on first use: most start-ups never need a code (start-up time matters, see bench/).
        from mfa_tui.ui.dialogs.token import TokenDialog

        self.app.push_screen(TokenDialog(message.request, self.service.clock), answered)

    def on_row_progress(self, message: RowProgress) -> None:
        progress = message.progress
        if progress.status is not None:
            # Committed (VALID, a refused write) or skipped: the engine hands over the whole row,
            # so the row turns valid as soon as its credentials are durable, not at the run's end.
            row = progress.status
            if progress.state is State.ERROR and row.last_error is None:
                row = replace(row, state=State.ERROR, last_error=progress.message or "failed")
        else:
            row = self.table.get_row(progress.profile)
            if row is None:
                return
            if progress.state is State.ERROR:
                row = replace(row, state=State.ERROR, last_error=progress.message or "failed")
            else:
                row = replace(row, state=State.REFRESHING)
        done = progress.status is not None or progress.state is State.ERROR
        text = None if done and not progress.skipped else progress.message or None
        self._extra[progress.profile] = replace(self._extra.get(progress.profile, Extra()), progress=text)
        self.table.update_row(row)
        self._note_sessions([row])
        if progress.profile == self.table.cursor_profile:
            self._show_detail()

    def _apply_rows(self, rows: list[ProfileStatus]) -> None:
        if not rows:
            return
        for row in rows:
            extra = self._extra.get(row.profile)
            if extra is not None:
                self._extra[row.profile] = replace(extra, progress=None)
        self.table.update_rows(rows)
        self._note_sessions(rows)
        self._show_detail()
        self._check_sessions()

    def on_rows_changed(self, message: RowsChanged) -> None:
        self._apply_rows(message.rows)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.last_report = message.report
        self._apply_rows(message.rows)
        self._say(summaries.refresh_summary(message.report), "Refresh")
        warnings = summaries.refresh_warnings(message.report)
        if warnings:
            self._say(summaries.Summary("\n".join(warnings[:3]), "warning"), "Refresh warnings")

    def _say(self, summary: summaries.Summary, title: str) -> None:
        self.notify(summary.text, title=title, severity=summary.severity, timeout=summary.timeout, markup=False)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(message.message, title=f"{message.what} failed", severity="error", timeout=15, markup=False)

    # ── who-am-I ──────────────────────────────────────────────────────────────────────────────

    @work(thread=True, exclusive=True, exit_on_error=False, group="whoami")
    def _whoami_worker(self, names: list[str] | None) -> None:
        service = self.service
        try:
            profiles = service.select(names or ())
            results = service.whoami(profiles)
            rows = service.statuses([p.name for p in profiles])
        except Exception as exc:  # noqa: BLE001
            self._fail("who-am-I", exc, names or [])
            return
        self.post_message(WhoAmIFinished(results, rows))

    @on(WhoAmIFinished)
    def _whoami_done(self, message: WhoAmIFinished) -> None:
        self.last_whoami = message.results
        for name, result in message.results.items():
            error = None if isinstance(result, WhoAmI) else str(result)
            self._extra[name] = replace(self._extra.get(name, Extra()), whoami_error=error)
        self._apply_rows(message.rows)
        self._say(summaries.whoami_summary(message.results), "Who am I")

    # ── re-mint ───────────────────────────────────────────────────────────────────────────────

    def _remint_due(self) -> None:
        if self.is_busy("refresh") or self.is_busy("remint"):
            self._arm_remint()
            return
        self._remint_worker(rearm=True)

    def _arm_remint(self) -> None:
        if self.remint_every is not None and self.is_mounted:
            self.set_timer(self.remint_every, self._remint_due)

    @work(thread=True, exclusive=True, exit_on_error=False, group="remint")
    def _remint_worker(self, rearm: bool) -> None:
        service = self.service
        within = max(service.registry.settings.warn_before, REMINT_MARGIN)
        try:
            report = service.remint(within=within, progress=self._post_progress)
            rows = service.statuses(list(report.results)) if report.results else []
        except Exception as exc:  # noqa: BLE001 - a failed re-mint is retried on the next timer
            message = str(exc) if isinstance(exc, MfaTuiError) else f"unexpected {type(exc).__name__}: {exc}"
            self.post_message(RemintFinished(None, [], error=message, rearm=rearm))
            return
        self.post_message(RemintFinished(report, rows, rearm=rearm))

    def on_remint_finished(self, message: RemintFinished) -> None:
        if message.rearm:
            self._arm_remint()
        if message.error:
            self.notify(message.error, title="Re-mint failed", severity="error", timeout=10, markup=False)
            return
        self._apply_rows(message.rows)
        summary = summaries.remint_summary(message.report) if message.report else None
        if summary is not None:
            self._say(summary, "Re-mint")

    # ── panes ─────────────────────────────────────────────────────────────────────────────────

    def action_policy(self) -> None:
        profile = self.table.cursor_profile
        if profile is None:
            self.notify("No profile selected.", severity="warning", markup=False)
            return
        from mfa_tui.ui.screens.policy import PolicyScreen

        self.app.push_screen(PolicyScreen(self.service, profile))

    def action_enroll(self) -> None:
        profile = self.table.cursor_profile
        registry = self.service.registry
        if profile is not None and profile in registry.profiles:
            identity = registry.profiles[profile].identity
        else:
            identity = next(iter(sorted(registry.identities)), None)
        if identity is None:
            self.notify("The registry has no identity to enrol a device for.", severity="warning", markup=False)
            return
        self.open_enrolment(identity)

    def open_enrolment(self, identity: str) -> None:
        """Open the enrolment pane for ``identity`` (once its flow is built, off the event loop)."""
        if self.is_busy("enroll"):
            return
        self._enroll_worker(identity)

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def _enroll_worker(self, identity: str) -> None:
        from mfa_tui.core.enroll import open_enrolment

        service = self.service
        try:
            flow = open_enrolment(
                service.registry,
                identity,
                clock=service.clock,
                credentials_path=service.credentials_path,
                config_path=service.aws_config_path,
            )
        except Exception as exc:  # noqa: BLE001 - one line, like every worker failure
            message = str(exc) if isinstance(exc, MfaTuiError) else f"unexpected {type(exc).__name__}: {exc}"
            self.post_message(WorkerFailed("enrolment", message))
            return
        self.post_message(EnrolmentReady(flow))

    def on_enrolment_ready(self, message: EnrolmentReady) -> None:
        from mfa_tui.ui.screens.enroll import EnrollScreen

        flow = message.flow

        def closed(serial: str | None) -> None:
            if not serial:
                return
            try:
                self.service.reload_registry()
                rows = self.service.statuses()
            except MfaTuiError as exc:
                self.notify(str(exc), title="Registry", severity="error", timeout=15, markup=False)
                return
            self.table.set_rows(rows)
            self._note_sessions(rows)
            self._show_detail()
            self._update_status_line()

        self.app.push_screen(EnrollScreen(flow), closed)

    # ── theme ─────────────────────────────────────────────────────────────────────────────────

    def restyle(self) -> None:
        """The theme changed: redraw the pieces that colour text themselves."""
        self._show_detail(force=True)
