"""Re-minting chained roles from a live MFA session, with no code: the dashboard's timer and "Re-mint now".

- The timer (``remint_every``, 30 s) runs a re-mint in a thread worker and is re-armed with
  ``set_timer`` only after that worker finished, so slow calls never stack.
- Which roles: chained roles minted before, whose identity's MFA session lives, expiring within
  the warn threshold (at least :data:`REMINT_MARGIN`) — :func:`~mfa_tui.core.service.facade.due_for_remint`,
  less those backing off.
- Back-off per profile (issue 11): a role whose re-mint failed is tried again after 1 min, then
  2, 4 … up to 30 min (:class:`RemintBackoff`); a success forgets it. Its failure is notified
  once, and again only when the error changes. The detail pane says when the next try is.
- Never beside a refresh: the worker holds the run control's ``aws_lock`` and never waits for
  it (a refresh holding it means "not now"), and a refresh waits for a re-mint in flight.
- "Re-mint now" (palette) tries every due role, backed off or not, says how it went, and does
  not start while a refresh runs. Pressed while the timer's re-mint is in flight, it runs right
  after it (the timer's run leaves backed-off roles out, so it is not the same request).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from mfa_tui.core.clock import format_duration
from mfa_tui.ui import summaries
from mfa_tui.ui.activity import record, record_summary
from mfa_tui.ui.messages import RemintFinished, RowProgress
from mfa_tui.ui.runs import failure_text
from mfa_tui.ui.rowformat import clock_text, shows_local_time

if TYPE_CHECKING:
    from mfa_tui.core.session.refresh import ProfileResult
    from mfa_tui.ui.runs import RunControl
    from mfa_tui.ui.host import Dashboard

REMINT_MARGIN = 5 * 60
"""Re-mint chained roles at least this long before they expire, whatever warn_before says."""
REMINT_FIRST = 3.0
"""Seconds after start-up before the first background re-mint check."""
BACKOFF_FIRST = 60.0
"""Seconds before a role whose re-mint failed is tried again; doubled after each further failure ..."""
BACKOFF_MAX = 30 * 60.0
"""... up to this."""


@dataclass
class Failing:
    """A role whose last re-mints failed."""

    failures: int
    """Failures in a row."""
    retry_at: datetime
    notified: str
    """The error last notified: the same one again is not."""


class RemintBackoff:
    """Per-profile back-off after failed re-mints: 1, 2, 4 … up to 30 min between attempts."""

    def __init__(self, first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX) -> None:
        self.first = first
        self.cap = cap
        self.failing: dict[str, Failing] = {}

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure in a row."""
        return min(self.first * 2 ** min(failures - 1, 30), self.cap)

    def waiting(self, now: datetime) -> set[str]:
        """Profiles not to be tried before their time."""
        return {name for name, f in self.failing.items() if now < f.retry_at}

    def record(self, results: dict[str, ProfileResult], now: datetime) -> list[str]:
        """Note how each profile's re-mint ended; returns the failure messages not notified yet."""
        news = []
        for name, result in results.items():
            if result.ok:
                self.failing.pop(name, None)
                continue
            if result.skipped:
                continue
            old = self.failing.get(name)
            failures = old.failures + 1 if old else 1
            self.failing[name] = Failing(failures, now + timedelta(seconds=self.delay(failures)), result.message)
            if old is None or old.notified != result.message:
                news.append(result.message)
        return news

    def forget(self, names: Collection[str]) -> None:
        """These profiles were refreshed: their next re-mint starts afresh."""
        for name in names:
            self.failing.pop(name, None)

    def note(self, name: str, *, local: bool = False) -> str | None:
        """When ``name`` is tried again, for the detail pane; None when it is not backing off."""
        f = self.failing.get(name)
        if f is None:
            return None
        wait = format_duration(self.delay(f.failures))
        return f"failed {f.failures} time{'s' * (f.failures != 1)} in a row; next try after {wait}, " \
            f"at {clock_text(f.retry_at, '%H:%M:%S', local=local)}"


class RemintControl:
    """The screen's re-mint timer, its worker and "Re-mint now"."""

    def __init__(self, screen: Dashboard, runs: RunControl, every: float | None) -> None:
        self.screen = screen
        self.runs = runs
        self.every = every
        """Seconds between background re-mint checks; None: no automatic re-mint."""
        self.backoff = RemintBackoff()
        self._error_shown: str | None = None
        """The last whole-run failure notified by the timer's re-mint (told once, like a role's)."""
        self._queued = False
        """"Re-mint now" was asked for while the timer's re-mint ran: run it when that one ends."""

    def start(self) -> None:
        if self.every is not None:
            self.screen.set_timer(min(REMINT_FIRST, self.every), self._due)

    def busy(self) -> bool:
        return self.screen.is_busy("remint")

    def _due(self) -> None:
        if self.runs.running("refresh") or self.busy():
            self._arm()
            return
        self._launch(manual=False)

    def _arm(self) -> None:
        if self.every is not None and self.screen.is_mounted:
            self.screen.set_timer(self.every, self._due)

    def now(self) -> None:
        """Re-mint every due role now, backed off or not (the palette's "Re-mint now")."""
        if self.runs.running("refresh"):
            self._not_now()
            return
        if self.busy():
            self._queued = True
            return
        self._launch(manual=True)

    def _run_queued(self) -> None:
        """The queued "Re-mint now", once the worker before it has ended (and let go of the AWS lock)."""
        if not self._queued or not self.screen.is_mounted:
            return
        if self.busy():
            self.screen.set_timer(0.05, self._run_queued)
            return
        self._queued = False
        self.now()

    def _not_now(self) -> None:
        self.screen.notify(
            "Re-mint not started: a refresh is running (it renews these roles too).", severity="warning", markup=False
        )

    def _launch(self, manual: bool) -> None:
        skip = set() if manual else self.backoff.waiting(self.screen.service.clock.now())
        self.screen.run_in_thread("remint", partial(self._worker, manual, skip))

    def _worker(self, manual: bool, skip: set[str]) -> None:
        """On a thread: re-mint what is due (minus ``skip``), holding the AWS lock, never waiting for it."""
        service = self.screen.service
        post = self.screen.post_message
        if not self.runs.aws_lock.acquire(blocking=False):
            post(RemintFinished(None, [], rearm=not manual, busy=True))
            return
        try:
            # Posted before the lock is released: a refresh waiting for it starts after this is handled.
            post(self._remint(service, manual, skip))
        except Exception as exc:  # noqa: BLE001 - a failed re-mint is retried on the next timer
            post(RemintFinished(None, [], error=failure_text(exc), rearm=not manual))
        finally:
            self.runs.aws_lock.release()

    def _remint(self, service, manual: bool, skip: set[str]) -> RemintFinished:
        report = service.remint(
            within=max(service.registry.settings.warn_before, REMINT_MARGIN),
            exclude=skip,
            progress=lambda progress: self.screen.post_message(RowProgress(progress, counted=False)),
        )
        if not report.results and not report.discarded_sessions:
            return RemintFinished(None, [], rearm=not manual)
        rows = service.statuses(list(report.results)) if report.results else []
        return RemintFinished(report, rows, rearm=not manual)

    def finished(self, message: RemintFinished) -> None:
        try:
            self._settle(message)
        finally:
            if self._queued:
                self.screen.set_timer(0.01, self._run_queued)

    def _settle(self, message: RemintFinished) -> None:
        manual = not message.rearm
        if message.rearm:
            self._arm()
        if message.busy:  # a refresh holds the lock (and its rows): nothing here ran
            if manual:
                self._not_now()
            return
        self.runs.rows_settled()
        if message.error:
            record(self.screen, "re-mint", message.error, "error")
            if manual or message.error != self._error_shown:
                self.screen.notify(message.error, title="Re-mint failed", severity="error", timeout=10, markup=False)
            self._error_shown = None if manual else message.error
            return
        self._error_shown = None
        self.screen.rows.apply(message.rows)
        report = message.report
        if report is None:
            if manual:
                self.screen.notify("Nothing to re-mint: no chained role is expiring.", title="Re-mint", markup=False)
            return
        now = self.screen.service.clock.now()
        news = self.backoff.record(report.results, now)
        for name in report.results:
            self.screen.rows.set_extra(name, remint=self.backoff.note(name, local=shows_local_time(self.screen.service)))
        record_summary(self.screen, "re-mint", summaries.remint_summary(report))  # the quiet ones too
        summary = summaries.remint_summary(report, news=None if manual else news)
        if summary is not None:
            self.screen.say(summary, "Re-mint")

    def refreshed(self, names: Collection[str]) -> None:
        """A refresh renewed ``names``: forget their back-off."""
        self.backoff.forget(names)
        for name in names:
            self.screen.rows.set_extra(name, remint=None)
