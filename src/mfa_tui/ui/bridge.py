"""The dashboard answers ``mfa-tui credential-process`` when it needs a new code (the socket bridge).

:class:`BridgeControl` listens on the registry's socket (:mod:`mfa_tui.core.bridge`) from just
after the first frame until the app ends. A request names one profile; on the event loop the
controller

- answers at once when the row's credentials already have more than 15 minutes left (another
  refresh got there first) or the profile is unknown;
- otherwise waits for any refresh already running, then runs the dashboard's own refresh of that
  profile (:meth:`~mfa_tui.ui.runs.RunControl.refresh`), whose token dialog says
  "requested by credential_process", and answers when that run ends: refreshed, or why not.

Several requests for one profile share one run. When a caller gives up first (its 120 s wait
ended, or it was killed), its request is withdrawn: once no other caller waits for it, a queued
request is dropped, and a run the bridge started is cancelled (its token dialog closes), which the
activity log notes. Nothing secret crosses the socket: the caller
reads the fresh credentials from the state. A socket place that is not this user's alone is
refused with one notification; anything else that keeps the bridge off (another dashboard of the
same registry answers already, an unsupported platform) is left quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mfa_tui.core.bridge.server import BridgeServer
    from mfa_tui.core.session.refresh import RefreshReport
    from textual.app import App

NOTE = "Requested by credential_process for {profile}."
"""Said in the token dialog of a refresh the bridge started (one line at 60 columns for most names)."""
POLL = 0.2
"""How often the controller looks whether the refresh it waits for (or started) has ended."""
FRESH_ENOUGH = 15 * 60
"""Seconds left above which ``credential-process`` serves the cache (its ``MIN_LEFT``): answered at once."""

Reply = Callable[[str | None], None]


@dataclass
class _Request:
    profile: str
    replies: list[Reply] = field(default_factory=list)
    before: RefreshReport | None = None
    started: bool = False


class BridgeControl:
    """The app's listener for ``credential-process`` requests."""

    def __init__(self, app: App) -> None:
        # An MfaTuiApp (its service and main_screen): not imported, which would be a cycle.
        self.app = app
        self.server: BridgeServer | None = None
        self.problem: str | None = None
        """Why the dashboard does not listen, when it does not."""
        self._queue: list[_Request] = []
        self._timer = None

    # ── listening ─────────────────────────────────────────────────────────────────────────────

    def start(self) -> None:
        """Listen for the app's registry (called after the first frame; again after the welcome screen)."""
        service = self.app.service
        if service is None or self.server is not None:
            return
        from mfa_tui.core import paths
        from mfa_tui.core.bridge.server import BridgeRefused, BridgeServer

        server = BridgeServer(service.registry.path, paths.state_dir(), self._requested)
        try:
            self.problem = server.start()
        except BridgeRefused as exc:
            self.problem = str(exc)
            self.app.notify(f"credential_process cannot ask this dashboard: {exc}", title="Socket",
                            severity="warning", timeout=15, markup=False)
            return
        except OSError as exc:
            self.problem = f"the socket could not be made: {exc.strerror or exc}"
            return
        if self.problem is None:
            self.server = server

    def stop(self) -> None:
        """Stop listening and remove the socket; waiting callers hear the dashboard closed."""
        server, self.server = self.server, None
        if server is not None:
            server.close()
        for request in self._queue:
            self._answer(request, "the dashboard was closed")
        self._queue.clear()

    def _requested(self, profile: str, reply: Reply) -> Callable[[], None]:
        """On a connection's thread: hand the request to the event loop; returns its ``withdraw``."""
        try:
            self.app.call_from_thread(self._take, profile, reply)
        except Exception:  # noqa: BLE001 - the app is going away
            reply("the dashboard is closing")

        def withdraw() -> None:
            try:
                self.app.call_from_thread(self._withdraw, reply)
            except Exception:  # noqa: BLE001 - the app is going away
                pass

        return withdraw

    # ── on the event loop ─────────────────────────────────────────────────────────────────────

    def _take(self, profile: str, reply: Reply) -> None:
        main = self.app.main_screen
        if main is None or self.server is None:
            reply("the dashboard is not showing its registry")
            return
        if profile not in main.service.registry.profiles:
            reply(f"profile {profile} is not in the dashboard's registry")
            return
        for request in self._queue:
            if request.profile == profile:
                request.replies.append(reply)
                return
        self._queue.append(_Request(profile, [reply]))
        self._step()

    def _withdraw(self, reply: Reply) -> None:
        """The caller behind ``reply`` gave up: drop it; a request nobody waits for any more ends."""
        request = next((r for r in self._queue if reply in r.replies), None)
        if request is None:
            return  # answered already
        request.replies.remove(reply)
        if request.replies:
            return  # another credential_process still waits for this profile
        self._queue.remove(request)
        main = self.app.main_screen
        if main is None:
            return
        from mfa_tui.ui.activity import record

        cancelled = request.started and main.runs.running("refresh")
        if cancelled:
            self._cancel_run(main)
        what = "its refresh was cancelled" if cancelled else "its request was dropped"
        record(main, "refresh", f"credential_process for {request.profile} stopped waiting; {what}.", "warning")
        if self._queue and self._timer is None:
            self._step()

    def _cancel_run(self, main) -> None:
        """Cancel the refresh the bridge started, closing its token dialog (as escape would, without its note)."""
        from mfa_tui.ui.dialogs.token import TokenDialog  # loaded already: a run is going

        cancel, count = main.runs.runs["refresh"]
        cancel.set()
        count.cancelling = True
        if isinstance(self.app.screen, TokenDialog):
            self.app.screen.dismiss(None)
        main.update_status_line()

    def _step(self) -> None:
        """Start the next request's run when nothing runs; answer the one whose run ended."""
        self._timer = None
        main = self.app.main_screen
        if main is None:
            self.stop()
            return
        if self._queue and not main.runs.running("refresh"):
            request = self._queue[0]
            if request.started:
                self._queue.pop(0)
                self._answer(request, self._outcome(request, main.runs.last_report))
            if self._queue and not self._queue[0].started:
                self._start(self._queue[0])
        if self._queue and self._timer is None:
            self._timer = self.app.set_timer(POLL, self._step)

    def _start(self, request: _Request) -> None:
        main = self.app.main_screen
        assert main is not None
        if self._fresh(request.profile):
            self._queue.remove(request)
            self._answer(request, None)
            return
        request.before, request.started = main.runs.last_report, True
        main.runs.refresh([request.profile], note=NOTE.format(profile=request.profile))
        if not main.runs.running("refresh"):
            self._queue.remove(request)
            self._answer(request, "the dashboard could not start a refresh")

    def _fresh(self, profile: str) -> bool:
        """Whether the dashboard's row already has credentials ``credential-process`` would serve."""
        main = self.app.main_screen
        row = main.table.get_row(profile) if main is not None else None
        if row is None or row.expires_at is None:
            return False
        return (row.expires_at - main.service.clock.now()).total_seconds() > FRESH_ENOUGH

    @staticmethod
    def _outcome(request: _Request, report: RefreshReport | None) -> str | None:
        if report is None or report is request.before:
            return "its refresh failed"
        result = report.results.get(request.profile)
        if result is None:
            return "it was not refreshed"
        if result.ok:
            return None
        return result.message or "skipped"

    @staticmethod
    def _answer(request: _Request, reason: str | None) -> None:
        for reply in request.replies:
            reply(reason)
        request.replies.clear()
