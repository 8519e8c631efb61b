"""The main screen's runs: refresh (``r`` / ``R``), new MFA session (``N``) and who-am-I (``w`` / ``W``).

Shape (harlequin + dolphie): the event loop never calls AWS. Each run is a thread worker of the
screen (group "refresh" or "whoami") that calls the core :class:`~mfa_tui.core.service.facade.Service`
and posts messages from :mod:`mfa_tui.ui.messages` back; the screen hands them to this controller.

- Codes: the engine asks through :meth:`RunControl.provide_code`, on the worker thread; it posts
  :class:`~mfa_tui.ui.messages.CodeWanted`, the screen pushes the token dialog, and the worker
  waits for the answer (giving up when cancelled or the screen goes away).
- Progress: each profile's steps arrive as :class:`~mfa_tui.ui.messages.RowProgress` and update
  its row at once; the events that end a profile are counted, so the status line reads
  "refresh: 3 of 8 done" (who-am-I: one :class:`~mfa_tui.ui.messages.WhoamiStep` per profile).
- Cancel: each run has its own ``threading.Event``, handed to the service; ``escape`` sets it
  (:meth:`RunControl.cancel`). Calls already sent finish; the profiles not yet tried end as
  skipped and the summary names them.
- A refresh and a re-mint never overlap: both hold :attr:`RunControl.aws_lock` while they run.
  A refresh waits for a re-mint in flight; a re-mint never waits (see :mod:`mfa_tui.ui.remint`).
- A failed refresh of credentials that still work leaves the row's state, the error beside it
  (:func:`~mfa_tui.ui.rowformat.failed_row`), as the core's statuses will.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import Worker, get_current_worker

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.models import ProfileStatus, State, WhoAmI
from mfa_tui.ui import summaries
from mfa_tui.ui.activity import record_summary
from mfa_tui.ui.messages import (
    CodeWanted,
    RefreshFinished,
    RowProgress,
    RowsChanged,
    RunEnded,
    RunStarted,
    WhoamiFinished,
    WhoamiStep,
    WorkerFailed,
)
from mfa_tui.ui.rowformat import failed_row

if TYPE_CHECKING:
    # The refresh engine is imported by the first refresh, not at start-up. Protects bench figure 4
    # (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py); bench/fastpaths.py
    # `lazy_imports` fails if the engine or boto3 is loaded at the first frame.
    from mfa_tui.core.session.refresh import CodeRequest, Progress, RefreshReport
    from mfa_tui.ui.host import Dashboard

CODE_POLL = 0.2
"""How often a worker waiting for the token dialog (or for a re-mint to finish) checks whether it was cancelled."""
NEW_SESSION_NOTE = "A new MFA session, as you asked: it replaces the one that lives now."
"""Said in the token dialog of a refresh started with ``N``."""
RUNS = {"refresh": "refresh", "whoami": "who-am-I"}
"""Worker group -> how the status line names a run of it."""


def failure_text(exc: Exception) -> str:
    """One line for an exception that ended a whole worker (core errors carry their own words)."""
    return str(exc) if isinstance(exc, MfaTuiError) else f"unexpected {type(exc).__name__}: {exc}"


def _in_hand(progress: Progress) -> bool:
    """A profile whose credentials AWS gave (they wait for the commit): done, as far as the count goes."""
    from mfa_tui.core.session.refresh import WRITING  # loaded with the engine, which sent the event

    return progress.message == WRITING


@dataclass
class RunCount:
    """How far one run is: profiles ended out of those it took."""

    group: str
    total: int | None = None
    """None until the worker chose its profiles (:class:`~mfa_tui.ui.messages.RunStarted`)."""
    done: set[str] = field(default_factory=set)
    cancelling: bool = False

    def text(self) -> str:
        parts = [f"{RUNS[self.group]}: {len(self.done)} of {self.total} done"] if self.total else [RUNS[self.group]]
        if self.cancelling:
            parts.append("cancelling")
        return ", ".join(parts)


class RunControl:
    """Starts, follows and cancels the screen's refresh and who-am-I runs."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen
        self.closing = threading.Event()
        """Set when the screen goes away: wakes any worker waiting for a dialog that will never be answered."""
        self.aws_lock = threading.Lock()
        """Held by a refresh and by a re-mint while they run: the two never overlap."""
        self.runs: dict[str, tuple[threading.Event, RunCount]] = {}
        """Worker group -> the running run's cancel event and count (from start to :class:`RunEnded`)."""
        self._new_session = False
        """Whether the running refresh makes a new MFA session for each identity (``N``)."""
        self._note: str | None = None
        """Said in the token dialogs of the running refresh (who asked for it: :mod:`mfa_tui.ui.bridge`)."""
        self.touched: set[str] = set()
        """Profiles the running refresh or re-mint changed on screen (a reload from disk leaves them be)."""
        self._before: dict[str, ProfileStatus] = {}
        """Each profile's row before the running refresh touched it (what a failure falls back to)."""
        self.last_report: RefreshReport | None = None
        """The last refresh's report (for tests and the summary)."""
        self.last_whoami: dict[str, WhoAmI | MfaTuiError] = {}

    @property
    def service(self):
        return self.screen.service

    def running(self, group: str) -> bool:
        """Whether a ``group`` run ("refresh", "whoami") was started and has not ended."""
        return group in self.runs

    def status_parts(self) -> list[str]:
        """"refresh: 3 of 8 done" for each run going, and how to cancel them, for the status line."""
        parts = [count.text() for _cancel, count in self.runs.values()]
        if parts and not all(count.cancelling for _cancel, count in self.runs.values()):
            parts.append("esc cancels")
        return parts

    # ── starting ──────────────────────────────────────────────────────────────────────────────

    def _chosen(self, names: list[str] | None) -> bool:
        if names is not None and not names:
            self.screen.notify("No profile selected.", severity="warning", markup=False)
            return False
        return True

    def refresh(self, names: list[str] | None, *, new_session: bool = False, note: str | None = None) -> None:
        """Refresh ``names`` (None: everything stale); ``new_session`` makes a new MFA session for each identity;
        ``note`` is said in its token dialogs."""
        if not self._chosen(names):
            return
        if self.running("refresh"):
            self.screen.notify("A refresh is already running.", severity="warning", markup=False)
            return
        self.screen.table.clear_marks()
        cancel = self._begin("refresh")
        self._new_session, self._note = new_session, note
        title = "New MFA session" if new_session else "Refresh"
        self.screen.run_in_thread("refresh", partial(self._refresh_worker, names, new_session, title, cancel))

    def whoami(self, names: list[str] | None) -> None:
        """GetCallerIdentity for ``names`` (None: every profile)."""
        if not self._chosen(names):
            return
        if self.running("whoami"):
            self.screen.notify("A who-am-I is already running.", severity="warning", markup=False)
            return
        cancel = self._begin("whoami")
        self.screen.run_in_thread("whoami", partial(self._whoami_worker, names, cancel))

    def _begin(self, group: str) -> threading.Event:
        cancel = threading.Event()
        self.runs[group] = (cancel, RunCount(group))
        self.screen.update_status_line()
        return cancel

    def cancel(self) -> bool:
        """Cancel every run going (``escape``); False when none is."""
        if not self.runs:
            return False
        for cancel, count in self.runs.values():
            cancel.set()
            count.cancelling = True
        self.screen.notify(
            "Cancelling: calls already sent finish, nothing new is sent; the rest is skipped.",
            title="Cancel", timeout=5, markup=False,
        )
        self._close_token_dialog()
        self.screen.update_status_line()
        return True

    def _close_token_dialog(self) -> None:
        """A dialog still asking for the cancelled run's code goes too (the palette can cancel over it)."""
        from mfa_tui.ui.dialogs.token import TokenDialog  # loaded already: a run is going

        app = self.screen.app
        if isinstance(app.screen, TokenDialog):
            app.screen.dismiss(None)

    # ── worker bodies (on a thread) ───────────────────────────────────────────────────────────

    def _post(self, message: Message) -> None:
        self.screen.post_message(message)

    def _refresh_worker(self, names: list[str] | None, new_session: bool, title: str, cancel: threading.Event) -> None:
        try:
            message = self._refresh_run(names, new_session, title, cancel)
            if message is not None:
                self._post(message)
        finally:
            self._post(RunEnded("refresh"))

    def _refresh_run(
        self, names: list[str] | None, new_session: bool, title: str, cancel: threading.Event
    ) -> Message | None:
        """Select, plan and refresh (blocking); returns the message that ends it."""
        service = self.service
        worker = get_current_worker()
        chosen: list[str] = list(names or [])
        if not self._wait_for_lock(cancel):
            return None
        try:
            profiles = service.select(chosen, stale_only=names is None)
            chosen = [p.name for p in profiles]
            if not profiles:
                from mfa_tui.core.session.refresh import RefreshReport

                return RefreshFinished(RefreshReport(), [], title=title)
            self._post(RunStarted("refresh", len(profiles)))
            report = service.refresh(
                profiles,
                lambda request: self.provide_code(request, worker, cancel),
                progress=lambda progress: self._post(RowProgress(progress)),
                cancel=cancel,
                new_session=new_session,
            )
            # A new MFA session changes "MFA left" on every row of its identity, refreshed or not.
            identities = {p.identity for p in profiles}
            rows = service.statuses([n for n, p in service.registry.profiles.items() if p.identity in identities])
        except Exception as exc:  # noqa: BLE001 - shown as one line; rows are re-read below
            self._fail("refresh", exc, chosen)
            return None
        finally:
            self.aws_lock.release()
        return RefreshFinished(report, rows, title=title)

    def _wait_for_lock(self, cancel: threading.Event) -> bool:
        """Wait for a re-mint in flight to finish; False when cancelled (or the screen closed) meanwhile."""
        while not self.aws_lock.acquire(timeout=CODE_POLL):
            if cancel.is_set() or self.closing.is_set():
                return False
        return True

    def provide_code(self, request: CodeRequest, worker: Worker | None, cancel: threading.Event) -> str | None:
        """The engine's code provider; runs on the worker thread and waits for the token dialog."""
        reply: Future = Future()
        self._post(CodeWanted(request, reply))
        while True:
            try:
                return reply.result(timeout=CODE_POLL)
            except FutureTimeout:
                # Any sign that nobody will answer any more ends the wait: cancelled, unmounted, app gone.
                if cancel.is_set() or self.closing.is_set() or (worker is not None and worker.is_cancelled):
                    return None
                if not self.screen.app.is_running:
                    return None

    def _whoami_worker(self, names: list[str] | None, cancel: threading.Event) -> None:
        service = self.service
        try:
            profiles = service.select(names or ())
            self._post(RunStarted("whoami", len(profiles)))
            results = service.whoami(profiles, progress=self._whoami_step, cancel=cancel)
            rows = service.statuses([p.name for p in profiles])
        except Exception as exc:  # noqa: BLE001
            self._fail("who-am-I", exc, names or [])
        else:
            self._post(WhoamiFinished(results, rows))
        finally:
            self._post(RunEnded("whoami"))

    def _whoami_step(self, progress: Progress) -> None:
        if progress.state is not State.REFRESHING:
            self._post(WhoamiStep(progress.profile))

    def _fail(self, what: str, exc: Exception, names: list[str]) -> None:
        """A worker failed as a whole: say so in one line and put its rows back as the state says."""
        self._post(WorkerFailed(what, failure_text(exc)))
        try:
            self._post(RowsChanged(self.service.statuses(names or None)))
        except Exception:  # noqa: BLE001 - the failure above is already being shown
            pass

    # ── messages back (on the event loop) ─────────────────────────────────────────────────────

    def code_wanted(self, message: CodeWanted) -> None:
        """A worker waits for a code: the token dialog, whose answer goes back to it."""
        reply = message.reply

        def answered(code: str | None) -> None:
            if not reply.done():
                reply.set_result(code)

        if reply.done():
            return
        # Imported on first use: most start-ups never need a code. Protects bench figure 4 (dashboard
        # first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py).
        from mfa_tui.ui.dialogs.token import TokenDialog

        note = NEW_SESSION_NOTE if self._new_session and message.request.purpose == "mfa-session" else self._note
        if note and message.request.reason and message.request.reason not in note:  # e.g. why a code source failed
            note = f"{message.request.reason}\n{note}"
        self.screen.app.push_screen(TokenDialog(message.request, self.service.clock, note=note), answered)

    def started(self, message: RunStarted) -> None:
        run = self.runs.get(message.group)
        if run is not None:
            run[1].total = message.total
            self.screen.update_status_line()

    def ended(self, message: RunEnded) -> None:
        self.runs.pop(message.group, None)
        if message.group == "refresh":
            self.rows_settled()
        self.screen.update_status_line()

    def rows_settled(self) -> None:
        """A refresh or re-mint ended: its rows are the core's again (re-read), nothing is in flight."""
        self._before.clear()
        self.touched.clear()

    def _count(self, group: str, profile: str) -> None:
        run = self.runs.get(group)
        if run is not None:
            run[1].done.add(profile)
            self.screen.update_status_line()

    def progress(self, message: RowProgress) -> None:
        """One profile's step of a refresh or re-mint: its row now, and the count when it ended."""
        screen = self.screen
        progress = message.progress
        name = progress.profile
        before = self._before.get(name)
        if before is None:
            before = screen.table.get_row(name)
            if before is None:
                return
            if before.state is not State.REFRESHING:
                self._before[name] = before
        now = self.service.clock.now().timestamp()
        if progress.status is not None:
            # Committed (VALID, a refused write) or skipped: the engine hands over the whole row,
            # so the row turns valid as soon as its credentials are durable, not at the run's end.
            row = progress.status
            if progress.state is State.ERROR and row.last_error is None:
                row = failed_row(row, progress.message or "failed", now)
        elif progress.state is State.ERROR:
            row = failed_row(before, progress.message or "failed", now)
        else:
            row = replace(screen.table.get_row(name) or before, state=State.REFRESHING)
        ended = progress.status is not None or progress.state is State.ERROR or progress.skipped
        self.touched.add(name)
        screen.rows.show(row, progress=None if ended and not progress.skipped else progress.message or None)
        if message.counted and (ended or _in_hand(progress)):
            self._count("refresh", name)

    def refresh_finished(self, message: RefreshFinished) -> None:
        self.last_report = message.report
        self.screen.remints.refreshed([r.profile for r in message.report.succeeded])
        self.screen.rows.apply(message.rows)
        summary = summaries.refresh_summary(message.report)
        self.screen.say(summary, message.title)
        record_summary(self.screen, message.title.lower(), summary)
        warnings = summaries.refresh_warnings(message.report) + self.screen.service.take_file_warnings()
        if warnings:
            self.screen.say(summaries.Summary("\n".join(warnings[:3]), "warning"), f"{message.title} warnings")

    def whoami_step(self, message: WhoamiStep) -> None:
        self._count("whoami", message.profile)

    def whoami_finished(self, message: WhoamiFinished) -> None:
        from mfa_tui.core.errors import CancelledError

        self.last_whoami = message.results
        for name, result in message.results.items():
            if isinstance(result, CancelledError):
                continue  # not tried: what was known about it still holds
            error = None if isinstance(result, WhoAmI) else str(result)
            self.screen.rows.set_extra(name, whoami_error=error)
        self.screen.rows.apply(message.rows)
        summary = summaries.whoami_summary(message.results)
        self.screen.say(summary, "Who am I")
        record_summary(self.screen, "who-am-I", summary)

