"""Messages the dashboard's thread workers post back to the UI ("messages up").

Workers call the core service (which blocks on AWS) and never touch widgets: they post one of
these, and the main screen updates the table, the detail pane and the notifications on the
event loop. Each carries plain core objects (``Progress``, ``ProfileStatus``, reports), never
credentials: a report's credentials stay in the core and are not read by the UI.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    # Types only: the refresh engine is imported on the first refresh, not at start-up. Protects
    # bench figure 4 (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py), checked
    # by bench/fastpaths.py `lazy_imports` (fails if the engine or boto3 is loaded at the first frame).
    from concurrent.futures import Future

    from mfa_tui.core.errors import MfaTuiError
    from mfa_tui.core.models import ProfileStatus, WhoAmI
    from mfa_tui.core.session.refresh import CodeRequest, Progress, RefreshReport


@dataclass(eq=False, repr=False)
class CodeWanted(Message):
    """The refresh worker needs a code: show the token dialog and put the answer in ``reply``.

    A message (not ``call_from_thread``) so the worker never blocks on the event loop: it waits on
    ``reply`` with a timeout and gives up when cancelled, so quitting mid-dialog cannot hang.
    """

    request: CodeRequest
    reply: Future
    """Set once with the code string, or None when skipped."""


@dataclass(eq=False, repr=False)
class RunStarted(Message):
    """A refresh or who-am-I run chose its profiles: the status line counts "n of ``total``" from now on."""

    group: str
    """The worker group: "refresh" or "whoami"."""
    total: int


@dataclass(eq=False, repr=False)
class RunEnded(Message):
    """A refresh or who-am-I worker returned, however it ended (posted after its other messages)."""

    group: str


@dataclass(eq=False, repr=False)
class RowProgress(Message):
    """One profile's progress during a refresh or re-mint (from the engine's progress sink)."""

    progress: Progress
    """Profile, state (refreshing / valid / error) and a short message."""
    _: KW_ONLY
    counted: bool = True
    """Whether a profile it ends counts toward the refresh's "n of N" (a re-mint's do not)."""

    def can_replace(self, message: Message) -> bool:
        # A fast run posts several steps per profile; only the latest one for a profile matters.
        return isinstance(message, RowProgress) and message.progress.profile == self.progress.profile


@dataclass(eq=False, repr=False)
class WhoamiStep(Message):
    """One profile's who-am-I ended (from the engine's progress sink): it counts toward "n of N"."""

    profile: str


@dataclass(eq=False, repr=False)
class RowsChanged(Message):
    """Fresh statuses for some profiles, read from the state after a worker committed."""

    rows: list[ProfileStatus]


@dataclass(eq=False, repr=False)
class RowsReloaded(Message):
    """Every row read again because the credentials file, the state or the registry changed on disk."""

    rows: list[ProfileStatus]
    stamp: tuple
    """The files' :meth:`~mfa_tui.core.service.facade.Service.change_stamp` taken before reading them."""
    _: KW_ONLY
    registry_reloaded: bool = False
    """The registry was read again: profiles may have come or gone."""


@dataclass(eq=False, repr=False)
class RefreshFinished(Message):
    """A refresh run (``r`` / ``R`` / ``N``) ended; ``rows`` are the affected profiles' new statuses."""

    report: RefreshReport
    rows: list[ProfileStatus]
    _: KW_ONLY
    title: str = "Refresh"
    """The summary notification's title ("Refresh", "New MFA session")."""


@dataclass(eq=False, repr=False)
class RemintFinished(Message):
    """A re-mint ended (possibly with nothing to do); the timer re-arms on this."""

    report: RefreshReport | None
    """None when nothing was due (or it did not run)."""
    rows: list[ProfileStatus]
    _: KW_ONLY
    error: str | None = None
    """Why the whole re-mint could not run (e.g. the state could not be read)."""
    rearm: bool = True
    """Whether this run came from the timer, which must be re-armed now that it finished; False: "Re-mint now"."""
    busy: bool = False
    """It did not run: a refresh held the AWS lock (the two never overlap)."""


@dataclass(eq=False, repr=False)
class WhoamiFinished(Message):
    """A who-am-I run (``w`` / ``W``) ended."""

    results: dict[str, WhoAmI | MfaTuiError]
    rows: list[ProfileStatus]


@dataclass(eq=False, repr=False)
class WorkerFailed(Message):
    """A worker could not even start its job (bad state dir, unreadable registry...): one line to show."""

    what: str
    """The job, e.g. "refresh" or "who-am-I"."""
    message: str


@dataclass(eq=False, repr=False)
class EnrolmentReady(Message):
    """The enrolment worker built a flow (signed with the identity's long-term keys): show its pane."""

    flow: object
    """A :class:`~mfa_tui.core.enroll.device.Enrolment`; it holds no seed until a device is created."""
