"""What a refresh hands its caller: code requests, progress events, per-profile results, the run's report.

The vocabulary the CLI and the dashboard receive from a refresh (:mod:`.engine` runs it): they
import it from here without loading the engine. Codes come from a :data:`CodeProvider` callback
(a terminal prompt, the dashboard's dialog, a test); progress goes to a :data:`ProgressSink`.
All successes go to the credentials file in one locked write, then into the state
(:meth:`mfa_tui.core.service.facade.Service.commit`, which then reports them VALID). A failure
keeps that profile's previous credentials and gets a one-line reason; a skip (no code entered,
or the run cancelled before the profile was tried) keeps its credentials and its last error as
they were.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core.models import Credentials, ProfileStatus, State
from mfa_tui.core.totp import DeviceCodes

MAX_CODE_ATTEMPTS = 3
"""How many times a code prompt is repeated after a refused code before giving up on that identity."""

SKIP_REASON = "skipped: no code entered"
"""The message of a profile skipped because the code was not given (the user chose not to)."""
CANCEL_REASON = "cancelled"
"""The message of a profile the run was cancelled before (nothing was sent for it)."""
WRITING = "done; writing the credentials file"
"""Progress message once a profile's credentials are in hand, until they are committed."""


@dataclass(frozen=True)
class CodeRequest:
    """What the engine asks the user for: one code from one device."""

    identity: str
    serial: str
    profiles: tuple[str, ...]
    """The profiles this code unlocks."""
    purpose: str
    """``"mfa-session"`` or ``"direct-role"``."""
    wait_seconds: int = 0
    """Seconds until a code may be sent (a code was already spent in the current step)."""
    error: str | None = None
    """Why the previous code for this request was refused, when re-asking."""
    attempt: int = 1
    reason: str | None = None
    """Why a code is asked although the identity had an MFA session (AWS no longer accepts it)."""
    sent_codes: tuple[str, ...] = ()
    """Codes already sent for this device, accepted or refused: none may be sent again."""


CodeProvider = Callable[[CodeRequest], "str | None"]
"""Returns a code, or None to skip this request (its profiles are left as they were)."""


@dataclass(frozen=True)
class Progress:
    """One profile's progress during a run, for live display.

    A profile goes REFRESHING (``message`` says what it waits for; :data:`WRITING` once its
    credentials are in hand), then ends with exactly one of:

    - VALID: its new credentials are in the credentials file *and* the state (emitted by
      :meth:`~mfa_tui.core.service.facade.Service.commit` right after the run's one locked write);
      ``expires_at``, ``assumed_role_arn`` and ``status`` are set; ``message`` holds any
      warnings (e.g. a duration clamped to 1 hour), else it is empty;
    - ERROR: the one-line reason in ``message``, previous credentials kept. Emitted as
      soon as the failure is known (before the commit records it as the last error),
      except for a profile whose section the write refused, which gets it after the
      write, with ``status``;
    - ``skipped``: nothing changed for the profile (see :attr:`skipped`).
    """

    profile: str
    state: State
    message: str = ""
    expires_at: datetime | None = None
    """When the profile's credentials expire (aware UTC): on VALID the new, committed ones; on
    a skip the ones it kept (None if it has none). None on every other event."""
    assumed_role_arn: str | None = None
    """On VALID for a role profile: AWS's ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``."""
    skipped: bool = False
    """True when the profile was left exactly as it was: no code was entered for it (the
    code prompt was skipped before any code reached AWS) or the run was cancelled before
    it. ``message`` is :data:`SKIP_REASON` ("skipped: " and the reason when the code given was
    refused before it was sent: malformed, already used), or :data:`CANCEL_REASON`; ``state`` and
    ``expires_at`` are its status from before the run (the state is not touched)."""
    status: ProfileStatus | None = None
    """The profile's whole row as the state now has it, when the event follows a commit
    (VALID; a refused write's ERROR) or is a skip (its row from before the run)."""


ProgressSink = Callable[[Progress], None]
StatusLookup = Callable[[str], "ProfileStatus | None"]
"""A profile's status before the run (for skip events); None when unknown."""


@dataclass
class ProfileResult:
    """How one profile's refresh ended."""

    profile: str
    ok: bool
    message: str = ""
    """The one-line reason on failure or skip; empty on success."""
    warnings: list[str] = field(default_factory=list)
    credentials: Credentials | None = field(default=None, repr=False)
    assumed_role_arn: str | None = None
    source_identity: str | None = None
    skipped: bool = False
    """Not ok, but not a failure either: no code was entered (or the run was cancelled first).
    The commit leaves such a profile's credentials and last error untouched."""
    error_code: str | None = None
    """AWS's error code of the failure, when there was one."""


@dataclass
class RefreshReport:
    """The outcome of a run, per profile, plus new or discarded MFA sessions and each device's codes."""

    results: dict[str, ProfileResult] = field(default_factory=dict)
    mfa_sessions: dict[str, Credentials] = field(default_factory=dict, repr=False)
    """Identity -> the MFA session made in this run."""
    session_key_ids: dict[str, str] = field(default_factory=dict)
    """Identity -> the long-term access key id that made its new MFA session."""
    discarded_sessions: set[str] = field(default_factory=set)
    """Identities whose cached MFA session AWS no longer accepts (or other keys made): dropped from the state."""
    devices: dict[str, DeviceCodes] = field(default_factory=dict)
    """Device serial -> its code memory after this run (seeded from the state)."""
    warnings: list[str] = field(default_factory=list)
    committed: set[str] = field(default_factory=set)
    """Profiles whose results are already durable (the session store commits per identity)."""
    committed_sessions: set[str] = field(default_factory=set)
    committed_devices: dict[str, DeviceCodes] = field(default_factory=dict)

    @property
    def failed(self) -> list[ProfileResult]:
        """Every profile not refreshed, skipped ones included (see :attr:`skipped`)."""
        return [r for r in self.results.values() if not r.ok]

    @property
    def skipped(self) -> list[ProfileResult]:
        """Profiles left as they were because no code was entered or the run was cancelled."""
        return [r for r in self.results.values() if r.skipped]

    @property
    def succeeded(self) -> list[ProfileResult]:
        return [r for r in self.results.values() if r.ok]

    def order_by(self, order: list[str]) -> None:
        """The results in ``order`` (the plan's); profiles not in it go last, as they were."""
        ranked = {name: i for i, name in enumerate(order)}
        self.results = dict(sorted(self.results.items(), key=lambda item: ranked.get(item[0], len(ranked))))

    def outcome(self) -> list[str]:
        """What did not go through, in words: ``["1 failed", "3 skipped (cancelled; they keep their previous credentials)"]``.

        The one wording of a run's failures and skips, for the CLI's summary line and the dashboard's
        notification; a skip is the user's choice (or the run cancelled), counted apart from failures.
        """
        skipped = self.skipped
        failed = len([r for r in self.failed if not r.skipped])
        parts = [f"{failed} failed"] if failed else []
        if skipped:
            cancelled = len([r for r in skipped if r.message == CANCEL_REASON])
            why = "" if not cancelled else "cancelled; " if cancelled == len(skipped) else f"{cancelled} cancelled; "
            parts.append(f"{len(skipped)} skipped ({why}they keep their previous credentials)")
        return parts

    def summary(self) -> str:
        """``7 profiles refreshed, 1 failed, 2 skipped (they keep their previous credentials)``."""
        return ", ".join([f"{profile_count(len(self.succeeded))} refreshed", *self.outcome()])


def profile_count(count: int) -> str:
    """``1 profile``, ``7 profiles``."""
    return f"{count} profile{'s' * (count != 1)}"


CommitHook = Callable[[Collection[str]], None]
"""Makes the named profiles' results (and every new MFA session and code memory) durable now."""
