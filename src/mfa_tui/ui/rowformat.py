"""The text of one status-table row: what each cell says, and which parts change with time.

Pure functions over :class:`~mfa_tui.core.models.ProfileStatus` and a POSIX timestamp, with no
Textual or Rich, so they are cheap to call on every tick and easy to test. The table widget
turns these strings into styled strips; this module decides only the words.

A row splits into a static part, computed once per row update (:class:`PreparedRow`), and a
live part that depends on "now" (:class:`Live`). The table compares a row's ``Live`` against the
one it last drew to decide whether a countdown tick must redraw that row, so the live strings are
deliberately coarse: ``11h 42m`` changes once a minute, seconds appear only under 10 minutes,
and "last refresh" moves in minutes/hours/days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import NamedTuple

from mfa_tui.core.clock import format_duration
from mfa_tui.core.models import CHAINED_ROLE_MAX, MFA_SESSION_DEFAULT, ProfileKind, ProfileStatus, State, classify

KIND_LABELS: dict[ProfileKind, str] = {
    ProfileKind.MFA_SESSION: "MFA session",
    ProfileKind.CHAINED_ROLE: "chained role",
    ProfileKind.DIRECT_ROLE: "direct role",
}
"""How each profile kind reads in the table."""

_ATTENTION_ORDER = ("error", "expired", "expiring", "changed", "missing", "refreshing", "valid")
"""State values from most to least in need of attention."""
STATE_RANK: dict[State, int] = {
    # A state not in the list (one added to the core later) sorts last instead of failing.
    state: _ATTENTION_ORDER.index(state) if state in _ATTENTION_ORDER else len(_ATTENTION_ORDER)
    for state in State
}
"""Sort and group order for states: what needs attention first."""

DERIVED_STATES = frozenset({State.VALID, State.EXPIRING, State.EXPIRED})
"""States that follow from the expiry and the clock; the row itself decides every other one."""
FIXED_STATES = frozenset(State) - DERIVED_STATES
"""States the row itself decides (missing, changed, refreshing, error, ...), whatever the clock says."""
WORKING_STATES = frozenset({State.VALID, State.EXPIRING})
"""States whose credentials work: a ``last_error`` on such a row is shown beside it, not instead of it."""
ERROR_MARK = "⚠"
"""Put after the state of a row whose credentials work but whose last refresh failed."""

BAR_CELLS = 8
"""Width of the time-left bar, in cells."""
_EIGHTHS = " ▏▎▍▌▋▊▉"
NONE_TEXT = "-"
"""Shown in a cell that has no value (no expiry, no who-am-I yet)."""
EXPIRED_TEXT = "expired"
"""Time left of credentials (or an MFA session) already past their expiry: "0s" read as a countdown still running."""
OWN_CODE_TEXT = "own code"
"""A direct role's "MFA left" (see :func:`mfa_left_text`)."""
MISMATCH_FLAG = "⚠ "
"""Put before a who-am-I ARN whose account differs from the registry's."""

_DEFAULT_LENGTH: dict[ProfileKind, int] = {
    ProfileKind.MFA_SESSION: MFA_SESSION_DEFAULT,
    ProfileKind.CHAINED_ROLE: CHAINED_ROLE_MAX,
    # AssumeRole's own default duration is one hour as well.
    ProfileKind.DIRECT_ROLE: CHAINED_ROLE_MAX,
}



def clock_text(when: datetime, fmt: str, *, local: bool) -> str:
    """``when`` written with ``fmt`` and its zone: UTC, or local time with the zone's name.

    The one rule for every time of day the dashboard shows ([settings] time = "utc" | "local");
    times stay aware UTC everywhere else.
    """
    return when.astimezone().strftime(f"{fmt} %Z") if local else when.astimezone(UTC).strftime(f"{fmt} UTC")


def shows_local_time(service) -> bool:
    """Whether the registry asks for local times (``[settings] time = "local"``)."""
    return getattr(service.registry.settings, "time", "utc") == "local"

def derive_state(
    fixed: State, expires: float | None, now: float, warn_before: float, last_error: str | None = None
) -> State:
    """The state to show: ``fixed`` unless it is one of :data:`DERIVED_STATES`, else the core's rule.

    The core classified the row when it was read (:func:`mfa_tui.core.models.classify`); a state
    that follows from the clock is classified again by that same rule at ``now``, so a row turns
    expiring, expired (or, with ``last_error``, error) as time passes.
    """
    if fixed in FIXED_STATES:
        return fixed
    expires_at = None if expires is None else datetime.fromtimestamp(expires, UTC)
    return classify(expires_at, datetime.fromtimestamp(now, UTC), warn_before, last_error=last_error)


def failed_row(row: ProfileStatus, message: str, now: float) -> ProfileStatus:
    """``row`` (as it was before a run) once the run failed it with ``message``, until the core's row comes.

    Credentials that still work keep their state, the error beside it; without working ones the row is an error.
    """
    expires = row.expires_at.timestamp() if row.expires_at is not None else None
    if expires is None or expires <= now:
        return replace(row, state=State.ERROR, last_error=message)
    state = State.VALID if row.state in (State.REFRESHING, State.ERROR) else row.state  # VALID: from the clock
    return replace(row, state=state, last_error=message)


def shows_error_mark(state: State, last_error: str | None) -> bool:
    """Whether a row shown as ``state`` carries :data:`ERROR_MARK`: an error beside a state that is not one."""
    return bool(last_error) and state is not State.ERROR and state is not State.REFRESHING


def left_text(expires: float | None, now: float) -> str:
    """Time left as ``11h 42m`` / ``42m`` / ``9m 05s`` / ``1s``, ``expired`` once past, or ``-`` with no expiry."""
    if expires is None:
        return NONE_TEXT
    if expires <= now:
        return EXPIRED_TEXT
    return format_duration(expires - now)


def mfa_left_text(kind: ProfileKind, mfa_expires: float | None, now: float) -> str:
    """The "MFA left" cell: how long this profile can be renewed without typing a code.

    For the MFA session and the chained roles made from it, that is the identity's MFA session
    (:func:`left_text`). A direct role never uses that session: each refresh calls AssumeRole
    with a code of its own, and the MFA its credentials carry ends when they do (the time left
    beside it already says when). So its cell reads ``own code`` whether or not the identity has
    a live session: showing the session's time there would promise a renewal without a code that
    a direct role cannot have, and a blank would look like missing data.
    """
    if kind is ProfileKind.DIRECT_ROLE:
        return OWN_CODE_TEXT
    return left_text(mfa_expires, now)


def row_arn(status: ProfileStatus) -> str | None:
    """The ARN to copy for a row: the role session its credentials are (from AssumeRole), else who-am-I's
    answer (an MFA session's user), else the role the registry names; None when none is known yet."""
    if status.assumed_role_arn:
        return status.assumed_role_arn
    if status.whoami is not None:
        return status.whoami.arn
    return status.role_arn


def bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """A left-aligned bar of ``cells`` cells filled to ``fraction`` (0..1) in eighths of a cell."""
    fraction = 0.0 if fraction < 0 else 1.0 if fraction > 1 else fraction
    eighths = round(fraction * cells * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full
    if full < cells:
        text += _EIGHTHS[part]
    return text.ljust(cells)


def ago_text(when: float | None, now: float) -> str:
    """How long ago ``when`` was, coarsely: ``just now``, ``3m ago``, ``5h ago``, ``2d ago``."""
    if when is None:
        return NONE_TEXT
    seconds = now - when
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def account_text(status: ProfileStatus) -> str:
    """``alias (id)``, or whichever of the two is known, or ``-``."""
    if status.account_alias and status.account_id:
        return f"{status.account_alias} ({status.account_id})"
    return status.account_alias or status.account_id or NONE_TEXT


def whoami_text(whoami) -> str:
    """The caller ARN's resource part (``assumed-role/Admin/alice``): the Account column already
    shows the account, and a narrow column would otherwise cut off the part that differs.
    On a mismatch the caller's real account leads, since it is the news."""
    if whoami is None:
        return NONE_TEXT
    parts = whoami.arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 else whoami.arn
    return f"{whoami.account} {resource}" if whoami.mismatch else resource


def session_length(status: ProfileStatus) -> float:
    """Seconds the current session lasts in total, for scaling the bar.

    The session started at the last refresh when we know it; otherwise the kind's usual
    length is the best guess (the bar is a hint, the text is exact).
    """
    if status.expires_at is not None and status.last_refresh is not None:
        length = (status.expires_at - status.last_refresh).total_seconds()
        if length > 0:
            return length
    return float(_DEFAULT_LENGTH[status.kind])


class Live(NamedTuple):
    """The parts of a row that change as time passes; equal tuples draw identically."""

    state: State
    left: str
    bar: str
    mfa_left: str
    refreshed: str


class PreparedRow:
    """One row's static texts and its times as timestamps, computed once per update.

    Read-only by convention (a plain slotted class rather than a frozen dataclass: the table
    prepares every row at start-up, and a frozen dataclass's ``__init__`` and eager filter text
    made that a measurable share of the first frame with 1000 profiles). Two rows are equal when
    their statuses are.
    """

    __slots__ = (
        "status", "profile", "account", "kind", "whoami", "mismatch", "first_tag", "expires", "mfa_expires",
        "refreshed", "length", "failed", "_search_text",
    )

    status: ProfileStatus
    profile: str
    account: str
    kind: str
    whoami: str
    """The who-am-I ARN's resource part (:func:`whoami_text`), ``-`` when unknown (the mismatch flag is drawn separately)."""
    mismatch: bool
    first_tag: str
    """The first tag, for grouping and sorting by tag; empty when untagged."""
    expires: float | None
    mfa_expires: float | None
    refreshed: float | None
    length: float
    failed: bool
    """The last refresh failed (``last_error``): shown beside a state that is not "error" (:data:`ERROR_MARK`)."""

    def __init__(self, status: ProfileStatus) -> None:
        whoami = status.whoami
        expires_at, refreshed_at = status.expires_at, status.last_refresh
        self.status = status
        self.profile = status.profile
        self.account = account_text(status)
        self.kind = KIND_LABELS.get(status.kind) or str(status.kind)
        self.whoami = whoami_text(whoami)
        self.mismatch = bool(whoami and whoami.mismatch)
        self.first_tag = status.tags[0] if status.tags else ""
        self.expires = None if expires_at is None else expires_at.timestamp()
        self.mfa_expires = None if status.mfa_expires_at is None else status.mfa_expires_at.timestamp()
        self.refreshed = None if refreshed_at is None else refreshed_at.timestamp()
        self.length = session_length(status)
        self._search_text: str | None = None

    @classmethod
    def prepare(cls, status: ProfileStatus) -> PreparedRow:
        return cls(status)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        return type(other) is PreparedRow and self.status == other.status

    def __hash__(self) -> int:
        return hash(self.status)

    def __repr__(self) -> str:
        return f"PreparedRow({self.status!r})"

    @property
    def search_text(self) -> str:
        """Lower-cased profile, account alias and id, kind, tags and ARNs for the filter (built on first use)."""
        if self._search_text is None:
            status, whoami = self.status, self.status.whoami
            arns = [a for a in (status.role_arn, status.assumed_role_arn, whoami.arn if whoami else None) if a]
            self._search_text = " ".join(
                [status.profile, self.account, self.kind, str(status.kind), *status.tags, *arns]
            ).lower()
        return self._search_text

    def state(self, now: float, warn_before: float) -> State:
        return derive_state(self.status.state, self.expires, now, warn_before, self.status.last_error)

    def live(self, now: float, warn_before: float) -> Live:
        """Everything time-dependent this row shows at ``now``."""
        expires = self.expires
        if expires is None:
            fill = " " * BAR_CELLS
        else:
            fill = bar((expires - now) / self.length)
        return Live(
            derive_state(self.status.state, expires, now, warn_before, self.status.last_error),
            left_text(expires, now),
            fill,
            mfa_left_text(self.status.kind, self.mfa_expires, now),
            ago_text(self.refreshed, now),
        )

    def matches(self, needle: str, now: float, warn_before: float) -> bool:
        """Case-insensitive substring match; ``needle`` must already be lower-case."""
        return needle in self.search_text or needle in self.state(now, warn_before).value

    def next_change(self, now: float, warn_before: float) -> float | None:
        """When this row's derived state next changes (valid→expiring→expired), or None."""
        if self.status.state in FIXED_STATES or self.expires is None:
            return None
        for at in (self.expires - warn_before, self.expires):
            if at > now:
                return at
        return None
