"""MFA sessions about to end, watched on the main screen's once-a-second tick.

Every row of an identity carries when its MFA session ends; :class:`SessionWatch` remembers it
and, within the warn threshold, names the first session ending in the sub-title and notifies
each session (identity + end time) once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mfa_tui.core.clock import format_duration
from mfa_tui.core.models import ProfileStatus, State
from mfa_tui.ui.activity import record
from mfa_tui.ui.rowformat import clock_text, shows_local_time

if TYPE_CHECKING:
    from mfa_tui.ui.host import Dashboard


class SessionWatch:
    """MFA sessions about to end: the sub-title names the first, and each is notified once."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen
        self.ends: dict[str, datetime] = {}
        """Identity -> when its MFA session ends."""
        self._warned: set[tuple[str, datetime]] = set()

    def note(self, rows: list[ProfileStatus]) -> None:
        """Remember when each identity's MFA session ends (every row of an identity carries it)."""
        for row in rows:
            if row.mfa_expires_at is not None:
                self.ends[row.identity] = row.mfa_expires_at
            elif row.state is not State.REFRESHING:
                self.ends.pop(row.identity, None)

    def check(self) -> None:
        """Sub-title and one notification per MFA session (identity + end time) about to end."""
        screen = self.screen
        now = screen.service.clock.now()
        warn = screen.service.registry.settings.warn_before
        ending: list[str] = []
        for identity, ends in sorted(self.ends.items(), key=lambda item: item[1]):
            left = (ends - now).total_seconds()
            if left > warn:
                continue
            if left <= 0:
                ending.append(f"MFA session of {identity} has ended: refresh with a new code (R)")
                continue
            ending.append(f"MFA session of {identity} ends in {format_duration(left)}")
            if (identity, ends) not in self._warned:
                self._warned.add((identity, ends))
                at = clock_text(ends, "%H:%M", local=shows_local_time(screen.service))
                record(screen, "session", f"The MFA session of {identity} ends at {at}", "warning")
                screen.notify(
                    f"The MFA session of {identity} ends in {format_duration(left)} "
                    f"(at {at}). Its roles then need a new code: press R.",
                    title="MFA session ending",
                    severity="warning",
                    timeout=20,
                    markup=False,
                )
        subtitle = ending[0] + (f" (+{len(ending) - 1} more)" if len(ending) > 1 else "") if ending else ""
        if screen.app.sub_title != subtitle:
            screen.app.sub_title = subtitle
