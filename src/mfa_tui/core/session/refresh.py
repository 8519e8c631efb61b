"""Plan and run a refresh: one code per MFA device, then every role with that session.

The flow (docs/aws-behaviour.md: "Codes are single-use", "One code, many roles", "The 1-hour cap"):

1. **Plan.** Profiles are grouped by identity. An identity whose cached MFA session
   outlives the warn threshold needs no code; otherwise it needs exactly one, however
   many profiles hang off it. Each *direct* role needs a code of its own.
2. **MFA session.** ``GetSessionToken(SerialNumber, TokenCode)`` with the long-term keys.
3. **Chained roles** are assumed with the MFA session's keys over a bounded thread pool,
   capped at 1 hour (longer requests are clamped with a warning, never sent to fail).
4. **Direct roles** carry their own code, each from a later 30-second step than the last.
   One AWS refuses as longer than the role allows is asked again once, at the role's maximum,
   with a new code (docs/aws-behaviour.md, "A role's maximum session duration").
5. All successes go to the credentials file in one locked write, then into the state
   (:meth:`mfa_tui.core.service.facade.Service.commit`, which then reports them VALID).
   A failure keeps that profile's previous credentials and gets a one-line reason; a
   skip (no code entered, or the run cancelled before the profile was tried) keeps its
   credentials and its last error as they were.

Codes come from a ``code_provider`` callback (a terminal prompt, the dashboard's dialog,
a test) so the engine never blocks on a UI; cancellation is a ``threading.Event``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import Clock, format_setting
from mfa_tui.core.errors import CancelledError, CodeError, MfaTuiError
from mfa_tui.core.models import (
    CHAINED_ROLE_MAX,
    Credentials,
    Identity,
    Profile,
    ProfileKind,
    ProfileStatus,
    Registry,
    State,
)
from mfa_tui.core.totp import DeviceCodes, check_format

EVERY_ROLE_ALLOWS = 3600
"""The least MaxSessionDuration a role can have (1 hour): a length AWS never refuses as too long."""

CLIENT_CACHE_SIZE = 32
"""STS clients kept for reuse (long-term keys and MFA sessions of recent identities)."""

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
class IdentityPlan:
    """What refreshing one identity's selected profiles takes."""

    identity: Identity
    needs_code: bool
    """True when a new MFA session must be made (one code)."""
    session_profiles: list[Profile] = field(default_factory=list)
    chained: list[Profile] = field(default_factory=list)
    direct: list[Profile] = field(default_factory=list)

    @property
    def codes_needed(self) -> int:
        return int(self.needs_code and bool(self.session_profiles or self.chained)) + len(self.direct)

    @property
    def profiles(self) -> list[Profile]:
        return self.session_profiles + self.chained + self.direct


@dataclass
class RefreshPlan:
    identities: list[IdentityPlan]

    @property
    def codes_needed(self) -> int:
        return sum(ip.codes_needed for ip in self.identities)

    @property
    def profiles(self) -> list[Profile]:
        return [p for ip in self.identities for p in ip.profiles]

    def without(self, names: Collection[str]) -> RefreshPlan:
        """The same plan minus the profiles in ``names``; an identity left with none is dropped."""
        kept = []
        for ip in self.identities:
            part = IdentityPlan(
                identity=ip.identity,
                needs_code=ip.needs_code,
                session_profiles=[p for p in ip.session_profiles if p.name not in names],
                chained=[p for p in ip.chained if p.name not in names],
                direct=[p for p in ip.direct if p.name not in names],
            )
            if part.profiles:
                kept.append(part)
        return RefreshPlan(identities=kept)


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

    def summary(self) -> str:
        ok, skipped = len(self.succeeded), len(self.skipped)
        bad = len(self.failed) - skipped
        text = f"{ok} profile{'s' * (ok != 1)} refreshed"
        if bad:
            text += f", {bad} failed"
        if skipped:
            text += f", {skipped} skipped (they keep their previous credentials)"
        return text


def make_plan(
    registry: Registry,
    profiles: Iterable[Profile],
    mfa_sessions: dict[str, Credentials | None],
    now: datetime,
    *,
    new_session: bool = False,
) -> RefreshPlan:
    """Group ``profiles`` by identity and decide which identities need a code.

    ``mfa_sessions`` maps identity name to its cached MFA-session credentials;
    ``new_session`` makes every identity need a code, however long its session lives.
    """
    by_identity: dict[str, IdentityPlan] = {}
    warn = registry.settings.warn_before
    for profile in profiles:
        identity = registry.identities[profile.identity]
        plan = by_identity.get(identity.name)
        if plan is None:
            cached = mfa_sessions.get(identity.name)
            needs = new_session or sts.remaining(cached, now) <= warn
            plan = by_identity[identity.name] = IdentityPlan(identity=identity, needs_code=needs)
        if profile.kind is ProfileKind.MFA_SESSION:
            plan.session_profiles.append(profile)
        elif profile.kind is ProfileKind.DIRECT_ROLE:
            plan.direct.append(profile)
        else:
            plan.chained.append(profile)
    return RefreshPlan(identities=list(by_identity.values()))


class _Skipped(Exception):
    """A direct role's code prompt was skipped: unwinds out of :meth:`Engine._finish` without an error."""


CommitHook = Callable[[Collection[str]], None]
"""Makes the named profiles' results (and every new MFA session and code memory) durable now."""


@dataclass
class _Run:
    """One refresh run's context, shared by the engine's steps."""

    report: RefreshReport
    mfa_sessions: dict[str, Credentials | None]
    session_key_ids: dict[str, str | None]
    code_provider: CodeProvider
    emit: ProgressSink
    cancel: threading.Event
    status_of: StatusLookup
    commit: CommitHook
    pool: ThreadPoolExecutor


class Engine:
    """Runs plans against AWS. Holds nothing but configuration; safe to reuse."""

    def __init__(
        self,
        registry: Registry,
        *,
        clock: Clock,
        long_term_keys: Callable[[Identity], aws.Keys],
        watch: aws.ClockWatch | None = None,
        session_name: str | None = None,
    ):
        self.registry = registry
        self.clock = clock
        self.long_term_keys = long_term_keys
        self.watch = watch or aws.ClockWatch()
        self.session_name = session_name or sts.default_session_name()
        self._clients: OrderedDict[tuple, object] = OrderedDict()
        self._clients_lock = threading.Lock()
        self._create_lock = threading.Lock()
        """Held while a cached client is made, so concurrent askers for one key get one client."""

    # ── clients ──────────────────────────────────────────────────────────────
    def sts_client(self, identity: Identity, keys: aws.Keys, *, cache: bool = True):
        """An STS client for ``keys``, shared by the pool's workers (botocore clients are thread-safe).

        Clients for long-term keys and MFA sessions are kept in a small LRU so re-mints reuse
        them; one-off clients (who-am-I with a role's keys) are not cached, so a long-running
        dashboard does not grow.
        """
        key = (keys.access_key_id, keys.session_token, identity.region, identity.endpoint_url)
        with self._clients_lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
        if not cache:
            return self._new_sts_client(identity, keys)
        # The pool's first workers all ask at once: make the client once, not once per worker
        # (each extra client cost a few ms, serialised behind botocore's session lock).
        with self._create_lock:
            with self._clients_lock:
                client = self._clients.get(key)
            if client is None:
                client = self._new_sts_client(identity, keys)
                with self._clients_lock:
                    self._clients[key] = client
                    while len(self._clients) > CLIENT_CACHE_SIZE:
                        self._clients.popitem(last=False)
        return client

    def _new_sts_client(self, identity: Identity, keys: aws.Keys):
        return aws.client(
            "sts",
            keys,
            region=identity.region,
            endpoint_url=identity.endpoint_url,
            max_pool_connections=max(10, self.registry.settings.refresh_concurrency),
        )

    # ── the run ─────────────────────────────────────────────────────────────
    def run(
        self,
        plan: RefreshPlan,
        report: RefreshReport,
        *,
        mfa_sessions: dict[str, Credentials | None],
        code_provider: CodeProvider,
        session_key_ids: dict[str, str | None] | None = None,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
        status_of: StatusLookup | None = None,
        commit: CommitHook | None = None,
    ) -> RefreshReport:
        """Refresh everything in ``plan`` into ``report``; never raises for AWS, code or unexpected failures.

        ``report.devices`` holds each device's code memory from the state. ``commit`` is
        called as soon as an identity's MFA session is made, again once its chained roles
        are in hand, and after each direct role, so nothing bought with a spent code waits
        on a later dialog. Successes are reported REFRESHING (:data:`WRITING`) until
        committed. ``status_of`` gives a profile's status before the run, for skip events.
        """
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))
        emit = progress or (lambda _p: None)
        for profile in plan.profiles:
            emit(Progress(profile.name, State.REFRESHING, "waiting"))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-refresh") as pool:
            run = _Run(
                report=report, mfa_sessions=mfa_sessions, session_key_ids=session_key_ids or {},
                code_provider=code_provider, emit=emit, cancel=cancel or threading.Event(),
                status_of=status_of or (lambda _name: None), commit=commit or (lambda _names: None), pool=pool,
            )
            for ip in plan.identities:
                if run.cancel.is_set():
                    self._skip_all(run, ip.profiles, CANCEL_REASON)
                    continue
                try:
                    self._run_identity(ip, run)
                except Exception as exc:  # anything unexpected fails this identity's rest, never the run
                    error = aws.translate_error(exc, what=f"identity {ip.identity.name}")
                    self._fail_all(run, [p for p in ip.profiles if p.name not in report.results], str(error))
        return report

    def _fail_all(self, run: _Run, profiles: list[Profile], message: str) -> None:
        for profile in profiles:
            run.report.results[profile.name] = ProfileResult(profile.name, ok=False, message=message)
            run.emit(Progress(profile.name, State.ERROR, message))

    def _skip_all(self, run: _Run, profiles: list[Profile], message: str) -> None:
        for profile in profiles:
            run.report.results[profile.name] = self._skip(profile.name, message, run)

    def _skip(self, name: str, message: str, run: _Run) -> ProfileResult:
        """A profile left as it was: reported with its status from before the run."""
        before = run.status_of(name)
        run.emit(Progress(
            name, before.state if before is not None else State.MISSING, message, skipped=True,
            expires_at=before.expires_at if before is not None else None, status=before,
        ))
        return ProfileResult(name, ok=False, message=message, skipped=True)

    def _device(self, identity: Identity) -> str:
        return f"identity {identity.name} ({identity.mfa_serial})" if identity.mfa_serial else f"identity {identity.name}"

    def _ask_code(self, identity: Identity, profiles: list[Profile], purpose: str, run: _Run,
                  send: Callable[[str], object], reason: str | None = None):
        """Ask for a code until ``send(code)`` succeeds, the user skips, or attempts run out.

        Returns ``(result, None, False)`` on success, ``(None, reason, True)`` for a skip
        (no code entered before any reached AWS, or cancelled) and ``(None, reason, False)``
        for a failure. Skipping after AWS refused a code is a failure: the refusal is the
        reason worth keeping. The device's code memory (:class:`DeviceCodes`) decides which
        codes may be sent.
        """
        serial = identity.mfa_serial or ""
        device = self._device(identity)
        devices = run.report.devices
        error: str | None = None
        refused_by_aws = False
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            if run.cancel.is_set():
                return None, CANCEL_REASON, True
            now = self.clock.now()
            memory = devices.get(serial, DeviceCodes())
            request = CodeRequest(
                identity=identity.name,
                serial=serial,
                profiles=tuple(p.name for p in profiles),
                purpose=purpose,
                wait_seconds=memory.wait_seconds(now),
                error=error,
                attempt=attempt,
                reason=reason,
                sent_codes=memory.recent(now),
            )
            raw = run.code_provider(request)
            if run.cancel.is_set():
                return None, CANCEL_REASON, True
            if raw is None:
                if refused_by_aws:
                    return None, error, False
                # Only local refusals (malformed, already used) or none: nothing reached AWS. A code
                # was given when one was refused, so the skip names that refusal, not "no code entered".
                return None, f"skipped: {error}" if error else SKIP_REASON, True
            try:
                code = check_format(raw, device=device)
            except CodeError as exc:
                error = str(exc)
                continue
            now = self.clock.now()
            memory = devices.get(serial, DeviceCodes())
            refusal = memory.refuse_reason(code, now, device=device)
            if refusal:
                error = refusal
                continue
            devices[serial] = memory.after_send(code, now)
            try:
                result = send(code)
            except CodeError as exc:
                error = str(exc)
                refused_by_aws = True
                continue
            except MfaTuiError as exc:
                # Refused for another reason (a duration over the role's maximum, access denied):
                # AWS may have taken the code, so its step counts as used.
                devices[serial] = devices[serial].after_accept(now)
                return None, str(exc), False
            devices[serial] = devices[serial].after_accept(now)
            return result, None, False
        return None, error or "no valid code", False

    def _run_identity(self, ip: IdentityPlan, run: _Run) -> None:
        identity = ip.identity
        report = run.report
        try:
            keys = self.long_term_keys(identity)
            # Built here so that a client botocore cannot build (a broken ~/.aws/config) fails
            # this identity's rows one by one, like any other per-identity problem.
            client = self.sts_client(identity, keys)
        except MfaTuiError as exc:
            self._fail_all(run, ip.profiles, str(exc))
            return
        session_profiles = ip.session_profiles + ip.chained
        session = run.mfa_sessions.get(identity.name) if not ip.needs_code else None
        if session is not None and run.session_key_ids.get(identity.name) not in (None, keys.access_key_id):
            session = None  # made with other long-term keys (rotated): not this user's session any more
            report.discarded_sessions.add(identity.name)
        if session_profiles:
            reason = None
            if session is not None:
                dead = self._dead_session(identity, session)
                if dead:
                    session, reason = None, dead
                    report.discarded_sessions.add(identity.name)
            if session is None:
                session = self._new_session(ip, keys, client, run, reason)
        if session is not None and session_profiles:
            for p in ip.session_profiles:
                report.results[p.name] = ProfileResult(p.name, ok=True, credentials=session)
                run.emit(Progress(p.name, State.REFRESHING, WRITING))
            session_keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
            futures = []
            for p in ip.chained:
                run.emit(Progress(p.name, State.REFRESHING, "assuming role"))
                futures.append(run.pool.submit(self._assume_chained, identity, p, session_keys, run.emit))
            for future in futures:
                result: ProfileResult = future.result()
                report.results[result.profile] = result
            run.commit([p.name for p in session_profiles])
        for p in ip.direct:
            if run.cancel.is_set():
                self._skip_all(run, [p], CANCEL_REASON)
                continue
            report.results[p.name] = self._assume_direct(identity, p, keys, run)
            run.commit([p.name])

    def _dead_session(self, identity: Identity, session: Credentials) -> str | None:
        """Why AWS no longer accepts a cached MFA session (one GetCallerIdentity), or None when it does.

        Sessions are revoked, or the endpoint forgot them (docs/aws-behaviour.md, "revoked and
        expired sessions"); using one would fail every chained role with a message that blames
        the long-term key. Any other failure (the endpoint down) is left to the calls that follow.
        """
        from mfa_tui.core.session.store import DEAD_SESSION_CODES

        keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
        try:
            sts.caller_identity(
                self.sts_client(identity, keys, cache=False), what=f"identity {identity.name}", clock=self.clock,
                watch=self.watch, endpoint=identity.endpoint_url,
            )
        except MfaTuiError as exc:
            code = getattr(exc, "code", None)
            if code in DEAD_SESSION_CODES:
                return f"AWS no longer accepts the MFA session of identity {identity.name} ({code}); a new code makes a new one"
        return None

    def _new_session(self, ip: IdentityPlan, keys: aws.Keys, client, run: _Run, reason: str | None) -> Credentials | None:
        """Ask for a code and make the identity's MFA session; on failure or skip its profiles are reported."""
        identity = ip.identity
        profiles = ip.session_profiles + ip.chained
        if not identity.mfa_serial:
            self._fail_all(
                run, profiles,
                f"identity {identity.name} has no mfa_serial; enrol a device with `mfa-tui enroll {identity.name}`",
            )
            return None
        duration = self.registry.mfa_duration(identity)

        def send(code: str) -> Credentials:
            return sts.get_session_token(
                client, serial=identity.mfa_serial, code=code, duration=duration,
                what=self._device(identity), clock=self.clock, watch=self.watch,
                endpoint=identity.endpoint_url,
            )

        for p in profiles:
            run.emit(Progress(p.name, State.REFRESHING, "waiting for a code"))
        session, why, skipped = self._ask_code(identity, profiles, "mfa-session", run, send, reason)
        if session is None and skipped:
            self._skip_all(run, profiles, why)
            # A dead session is dropped even when no code follows.
            run.commit(())
        elif session is None:
            self._fail_all(run, profiles, why or "no MFA session")
            run.commit(())
        else:
            run.report.mfa_sessions[identity.name] = session
            run.report.session_key_ids[identity.name] = keys.access_key_id
            run.commit(())  # the spent code's session is durable before any role is assumed
        return session

    def _role_duration(self, profile: Profile, cap: int | None) -> tuple[int, list[str]]:
        wanted = profile.duration or self.registry.settings.role_duration
        if cap is not None and wanted > cap:
            return cap, [
                f"profile {profile.name}: asked for {wanted // 60} min but AWS caps chained roles at 1 hour; "
                "used 1 hour (set strategy = \"direct\" for longer sessions)"
            ]
        return wanted, []

    def _assume_chained(self, identity: Identity, profile: Profile, session_keys: aws.Keys, emit: ProgressSink) -> ProfileResult:
        duration, warnings = self._role_duration(profile, CHAINED_ROLE_MAX)

        def call(seconds: int) -> sts.RoleSession:
            return sts.assume_role(
                self.sts_client(identity, session_keys), role_arn=profile.role_arn,
                session_name=profile.role_session_name or self.session_name,
                duration=seconds, external_id=profile.external_id, what=f"profile {profile.name}",
                clock=self.clock, watch=self.watch, endpoint=identity.endpoint_url,
            )

        return self._finish(profile, call, duration, warnings, emit)

    def _finish(self, profile: Profile, call: Callable[[int], sts.RoleSession], duration: int, warnings: list[str], emit: ProgressSink) -> ProfileResult:
        try:
            role = call(duration)
        except _Skipped:
            raise
        except Exception as exc:  # MfaTuiError, and anything unexpected (translated, logged)
            error = aws.translate_error(exc, what=f"profile {profile.name}") if not isinstance(exc, MfaTuiError) else exc
            emit(Progress(profile.name, State.ERROR, str(error)))
            return ProfileResult(profile.name, ok=False, message=str(error), warnings=warnings,
                                 error_code=getattr(error, "code", None))
        emit(Progress(profile.name, State.REFRESHING, WRITING))
        return ProfileResult(
            profile.name, ok=True, warnings=warnings, credentials=role.credentials,
            assumed_role_arn=role.assumed_role_arn, source_identity=role.source_identity,
        )

    def _assume_direct(self, identity: Identity, profile: Profile, keys: aws.Keys, run: _Run) -> ProfileResult:
        if not identity.mfa_serial:
            message = f"profile {profile.name}: identity {identity.name} has no mfa_serial for a direct role"
            run.emit(Progress(profile.name, State.ERROR, message))
            return ProfileResult(profile.name, ok=False, message=message)
        duration, warnings = self._role_duration(profile, None)
        client = self.sts_client(identity, keys)
        run.emit(Progress(profile.name, State.REFRESHING, "waiting for a code"))

        def attempt(seconds: int, why: str | None = None) -> sts.RoleSession:
            def send(code: str) -> sts.RoleSession:
                return sts.assume_role(
                    client, role_arn=profile.role_arn, session_name=profile.role_session_name or self.session_name,
                    duration=seconds, external_id=profile.external_id, serial=identity.mfa_serial, code=code,
                    what=f"profile {profile.name}", clock=self.clock, watch=self.watch, endpoint=identity.endpoint_url,
                )

            role, reason, skipped = self._ask_code(identity, [profile], "direct-role", run, send, why)
            if role is None and skipped:
                raise _Skipped(reason)
            if role is None:
                raise MfaTuiError(reason if reason and reason.startswith("profile ") else f"profile {profile.name}: {reason}")
            return role

        def call(seconds: int) -> sts.RoleSession:
            try:
                return attempt(seconds)
            except MfaTuiError as exc:
                if not sts.is_duration_over_max(exc) or seconds <= EVERY_ROLE_ALLOWS:
                    raise
                return self._ask_again_shorter(identity, profile, keys, run, seconds, exc, attempt, warnings)

        try:
            return self._finish(profile, call, duration, warnings, run.emit)
        except _Skipped as skip:
            return self._skip(profile.name, str(skip), run)

    def _ask_again_shorter(self, identity: Identity, profile: Profile, keys: aws.Keys, run: _Run, asked: int,
                           refusal: MfaTuiError, attempt: Callable[..., sts.RoleSession],
                           warnings: list[str]) -> sts.RoleSession:
        """AWS refused ``asked`` seconds as more than the role allows: ask once more, at the most it allows.

        The refusal does not say the maximum, so it is read with iam:GetRole where the identity can
        (a role of its own account), else the retry asks for 1 hour, which every role allows, and
        the role's own new session reads the maximum for next time. The retry takes a new code:
        AWS does not say whether a refused request spent its code (docs/aws-behaviour.md, "A role's
        maximum session duration"). Without one the profile fails, saying why: a code was given.
        """
        chaining = sts.is_chaining_cap(refusal)
        limit, unknown = (EVERY_ROLE_ALLOWS, None) if chaining else self._role_limit(identity, profile, keys, run)
        retry = limit or EVERY_ROLE_ALLOWS
        head = f"profile {profile.name}: {'role chaining' if chaining else 'the role'} allows"
        allows = f"{head} at most {format_setting(limit)}, not {format_setting(asked)}" if limit else f"{head} less than {format_setting(asked)}"
        note = f"{allows}; asked again at {format_setting(retry)}" + ("" if limit else f", which every role allows ({unknown})")
        try:
            role = attempt(retry, note)
        except _Skipped as skip:
            if str(skip) == CANCEL_REASON:
                raise
            hint = f'set duration = "{format_setting(limit)}" for this profile' if limit else (
                "set its duration to the role's maximum session duration")
            raise MfaTuiError(
                f"{allows}; asking again at {format_setting(retry)} needs a second code, and none was sent: "
                f"{hint}, or refresh it where it can prompt"
            ) from None
        if limit is None:
            # The role's new session is in the role's account, where GetRole can see it.
            creds = role.credentials
            learned, _ = self._read_role_limit(
                identity, profile, aws.Keys(creds.access_key_id, creds.secret_access_key, creds.session_token))
            if learned == retry:
                note = f"{head} at most {format_setting(learned)}, not {format_setting(asked)}; asked again at {format_setting(retry)}"
            elif learned:
                note = (f"{head} at most {format_setting(learned)}, not {format_setting(asked)} (read after asking again at "
                        f'{format_setting(retry)}): set duration = "{format_setting(learned)}" for this profile to get {format_setting(learned)}')
        warnings.append(note)
        return role

    def _role_limit(self, identity: Identity, profile: Profile, keys: aws.Keys, run: _Run) -> tuple[int | None, str | None]:
        """``(the role's MaxSessionDuration, None)``, or ``(None, why it cannot be read)``, before assuming it.

        iam:GetRole reads only the caller's own account, so only a role of the identity's account
        can be read: with its MFA session when it has a live one (which MFA-enforcing policies let
        through), else with its long-term ``keys``.
        """
        home = identity.account_id
        if home != profile.role_account_id:
            return None, f"its maximum cannot be read from identity {identity.name}'s account {home}"
        session = run.report.mfa_sessions.get(identity.name)
        if session is None and identity.name not in run.report.discarded_sessions \
                and run.session_key_ids.get(identity.name) in (None, keys.access_key_id):
            session = run.mfa_sessions.get(identity.name)
        if sts.remaining(session, self.clock.now()) > 60:
            keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
        return self._read_role_limit(identity, profile, keys)

    def _read_role_limit(self, identity: Identity, profile: Profile, keys: aws.Keys) -> tuple[int | None, str | None]:
        """iam:GetRole for the profile's role with ``keys``: ``(seconds, None)`` or ``(None, why not)``."""
        try:
            iam = aws.client("iam", keys, region=identity.region, endpoint_url=identity.endpoint_url)
            return sts.role_max_session(
                iam, role_arn=profile.role_arn, what=f"profile {profile.name}", clock=self.clock,
                watch=self.watch, endpoint=identity.endpoint_url,
            ), None
        except MfaTuiError as exc:
            return None, f"iam:GetRole failed: {getattr(exc, 'code', None) or exc}"

    # ── re-mint and who-am-I ─────────────────────────────────────────────────
    def remint(
        self,
        profiles: list[Profile],
        *,
        mfa_sessions: dict[str, Credentials | None],
        progress: ProgressSink | None = None,
    ) -> RefreshReport:
        """Renew chained roles from live MFA sessions, no code; others are reported as needing one."""
        report = RefreshReport()
        emit = progress or (lambda _p: None)
        now = self.clock.now()
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))
        futures: list[Future] = []
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-remint") as pool:
            for profile in profiles:
                identity = self.registry.identities[profile.identity]
                session = mfa_sessions.get(identity.name)
                if profile.kind is not ProfileKind.CHAINED_ROLE:
                    report.results[profile.name] = ProfileResult(
                        profile.name, ok=False, message=f"profile {profile.name}: only chained roles can be re-minted without a code"
                    )
                    continue
                if sts.remaining(session, now) <= 60:
                    report.results[profile.name] = ProfileResult(
                        profile.name, ok=False,
                        message=f"profile {profile.name}: the MFA session of identity {identity.name} has ended; "
                        f"refresh with a code (`mfa-tui refresh {profile.name}`)",
                    )
                    continue
                keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
                emit(Progress(profile.name, State.REFRESHING, "re-minting"))
                futures.append(pool.submit(self._assume_chained, identity, profile, keys, emit))
            for future in futures:
                result = future.result()
                report.results[result.profile] = result
        self._discard_dead(report)
        return report

    def _discard_dead(self, report: RefreshReport) -> None:
        """Identities whose MFA session AWS refused during a re-mint: the session is dropped, each row says why."""
        from mfa_tui.core.session.store import DEAD_SESSION_CODES

        for result in report.results.values():
            if result.ok or result.error_code not in DEAD_SESSION_CODES:
                continue
            identity = self.registry.profiles[result.profile].identity
            report.discarded_sessions.add(identity)
            result.message = (
                f"profile {result.profile}: AWS no longer accepts the MFA session of identity {identity} "
                f"({result.error_code}); refresh with a code (`mfa-tui refresh {result.profile}`)"
            )

    def whoami(
        self,
        targets: list[tuple[Profile, Credentials]],
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, "sts.WhoAmI | MfaTuiError"]:
        """GetCallerIdentity for each (profile, credentials), concurrently.

        Once ``cancel`` is set, the calls not yet started end as :class:`CancelledError`
        (nothing sent for them); the ones in flight finish.
        """
        emit = progress or (lambda _p: None)
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))

        def ask(profile: Profile, creds: Credentials):
            if cancel is not None and cancel.is_set():
                return profile.name, CancelledError(f"profile {profile.name}: {CANCEL_REASON} before it ran")
            identity = self.registry.identities[profile.identity]
            keys = aws.Keys(creds.access_key_id, creds.secret_access_key, creds.session_token)
            try:
                result = sts.caller_identity(
                    self.sts_client(identity, keys, cache=False), what=f"profile {profile.name}", clock=self.clock,
                    expected_account=self.registry.account_id_for(profile), watch=self.watch,
                    endpoint=identity.endpoint_url,
                )
            except MfaTuiError as exc:
                return profile.name, exc
            return profile.name, result

        def one(profile: Profile, creds: Credentials):
            # One event per profile as it ends, so a long run can show "n of N".
            name, result = ask(profile, creds)
            failed = isinstance(result, MfaTuiError)
            emit(Progress(name, State.ERROR if failed else State.VALID, str(result) if failed else ""))
            return name, result

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-whoami") as pool:
            return dict(pool.map(lambda t: one(*t), targets))
