"""The dashboard's activity log: what happened this session, newest last, kept in memory.

Every refresh, new MFA session, re-mint (the timer's too, which otherwise runs quietly),
who-am-I, enrolment (a device enabled, resynced or deleted in the enrolment pane), registry edit
and failure adds one :class:`ActivityEntry`, stamped with the
service's (injectable) clock, to the app's :class:`ActivityLog`; ``l`` opens it
(:mod:`mfa_tui.ui.screens.activity`). Only the last :data:`LIMIT` entries are kept, and only what
the notifications already said: names, counts, ARNs and reasons, never a key or a token.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfa_tui.ui.summaries import Summary

LIMIT = 500
"""Entries kept; older ones are dropped."""


@dataclass(frozen=True)
class ActivityEntry:
    when: datetime
    """Aware UTC, from the service's clock."""
    kind: str
    """What happened: "refresh", "re-mint", "who-am-I", "enrolment", "registry", "session", "error"..."""
    text: str
    """One line (a summary's lines joined)."""
    severity: str = "information"
    """Textual's notification severity: "information", "warning" or "error"."""


class ActivityLog:
    """A bounded list of :class:`ActivityEntry`, oldest first."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._entries: deque[ActivityEntry] = deque(maxlen=limit)
        self.version = 0
        """Counts additions, so a view can tell it has something new."""

    def add(self, when: datetime, kind: str, text: str, severity: str = "information") -> ActivityEntry:
        entry = ActivityEntry(when, kind, " · ".join(line.strip() for line in text.splitlines() if line.strip()), severity)
        self._entries.append(entry)
        self.version += 1
        return entry

    @property
    def entries(self) -> list[ActivityEntry]:
        """Oldest first."""
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def record(screen: Any, kind: str, text: str, severity: str = "information") -> None:
    """Add to the log of ``screen``'s app (when it keeps one), stamped by ``screen.service``'s clock."""
    log = getattr(screen.app, "activity", None)
    if isinstance(log, ActivityLog):
        from mfa_tui.ui.summaries import dashboard_words  # as the notification said it: keys, not CLI commands

        log.add(screen.service.clock.now(), kind, dashboard_words(text), severity)


def record_summary(screen: Any, kind: str, summary: Summary | None) -> None:
    """Add a notification's summary (nothing when there is none)."""
    if summary is not None:
        record(screen, kind, summary.text, summary.severity)
