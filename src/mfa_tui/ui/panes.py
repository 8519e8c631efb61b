"""The panes the main screen opens over itself: ``e`` enrolment, ``p`` effective policy.

The enrolment pane needs a flow built with the identity's long-term keys (which may call
GetUser), so a thread worker (group "enroll") builds it and posts
:class:`~mfa_tui.ui.messages.EnrolmentReady`; after an enrolment enables a device the registry
is read again and every row with it. The policy pane builds its own report in its own worker.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.ui.activity import record
from mfa_tui.ui.messages import EnrolmentReady, WorkerFailed
from mfa_tui.ui.rowformat import shows_local_time
from mfa_tui.ui.runs import failure_text

if TYPE_CHECKING:
    from mfa_tui.ui.host import Dashboard


class PaneControl:
    """Opens the main screen's panes for the selected row."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen

    def policy(self) -> None:
        screen = self.screen
        profile = screen.table.cursor_profile
        if profile is None:
            screen.notify("No profile selected.", severity="warning", markup=False)
            return
        from mfa_tui.ui.screens.policy import PolicyScreen

        screen.app.push_screen(PolicyScreen(screen.service, profile))

    def enroll(self) -> None:
        """The enrolment pane of the selected row's identity (the first identity when no row is)."""
        screen = self.screen
        profile = screen.table.cursor_profile
        registry = screen.service.registry
        if profile is not None and profile in registry.profiles:
            identity = registry.profiles[profile].identity
        else:
            identity = next(iter(sorted(registry.identities)), None)
        if identity is None:
            screen.notify("The registry has no identity to enrol a device for.", severity="warning", markup=False)
            return
        self.open_enrolment(identity)

    def open_enrolment(self, identity: str) -> None:
        """Open the enrolment pane for ``identity`` (once its flow is built, off the event loop)."""
        if self.screen.is_busy("enroll"):
            return
        self.screen.run_in_thread("enroll", partial(self._worker, identity))

    def _worker(self, identity: str) -> None:
        from mfa_tui.core.enroll.device import open_enrolment

        service = self.screen.service
        try:
            flow = open_enrolment(
                service.registry,
                identity,
                clock=service.clock,
                credentials_path=service.credentials_path,
                config_path=service.aws_config_path,
                mfa_session=lambda: service.mfa_session(identity),  # deletes that need MFA use it
            )
        except Exception as exc:  # noqa: BLE001 - one line, like every worker failure
            self.screen.post_message(WorkerFailed("enrolment", failure_text(exc)))
            return
        self.screen.post_message(EnrolmentReady(flow))

    def ready(self, message: EnrolmentReady) -> None:
        from mfa_tui.ui.screens.enroll import EnrollScreen
        from mfa_tui.ui.screens.enroll_words import activity_text

        screen = self.screen

        def closed(serial: str | None) -> None:
            if not serial:
                return
            record(screen, "enrolment", activity_text(message.flow, serial, "enabled"))
            try:
                screen.service.reload_registry()
                rows = screen.service.statuses()
            except MfaTuiError as exc:
                screen.notify(str(exc), title="Registry", severity="error", timeout=15, markup=False)
                return
            screen.rows.replace(rows)

        pane = EnrollScreen(message.flow, note=partial(record, screen, "enrolment"),
                            local_time=shows_local_time(screen.service))
        screen.app.push_screen(pane, closed)
