"""Plan and run a refresh: one code per MFA device, then every role with that session.

The flow (AWS_FACTS facts 1–4):

1. **Plan.** Profiles are grouped by identity. An identity whose cached MFA session
   outlives the warn threshold needs no code; otherwise it needs exactly one, however
   many profiles hang off it. Each *direct* role needs a code of its own.
2. **MFA session.** ``GetSessionToken(SerialNumber, TokenCode)`` with the long-term keys.
3. **Chained roles** are assumed with the MFA session's keys over a bounded thread pool,
   capped at 1 hour (longer requests are clamped with a warning, never sent to fail).
4. **Direct roles** carry their own code, each from a later 30-second step than the last.
5. All successes go to the credentials file in one locked write, then into the state
   (:meth:`mfa_tui.core.service.Service.commit`, which then reports them VALID).
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

from mfa_tui.core import aws, sts
from mfa_tui.core.clock import Clock, seconds_left_in_step
from mfa_tui.core.errors import CodeError, MfaTuiError
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
from mfa_tui.core.totp import SpentCodes, check_format

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
    step_seconds_left: int = 30
    """Seconds left in the current 30-second step when asked."""
    error: str | None = None
    """Why the previous code for this request was refused, when re-asking."""
    attempt: int = 1


CodeProvider = Callable[[CodeRequest], "str | None"]
"""Returns a code, or None to skip this request (its profiles are left as they were)."""


@dataclass(frozen=True)
class Progress:
    """One profile's progress during a run, for live display.

    A profile goes REFRESHING (``message`` says what it waits for; :data:`WRITING` once its
    credentials are in hand), then ends with exactly one of:

    - VALID: its new credentials are in the credentials file *and* the state (emitted by
      :meth:`~mfa_tui.core.service.Service.commit` right after the run's one locked write);
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
    it. ``message`` is :data:`SKIP_REASON` or :data:`CANCEL_REASON`; ``state`` and
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
    """The outcome of a run, per profile, plus new MFA sessions and spent codes."""

    results: dict[str, ProfileResult] = field(default_factory=dict)
    mfa_sessions: dict[str, Credentials] = field(default_factory=dict, repr=False)
    spent: dict[str, SpentCodes] = field(default_factory=dict)
    """Device serial -> spent-code memory after this run."""
    warnings: list[str] = field(default_factory=list)

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
) -> RefreshPlan:
    """Group ``profiles`` by identity and decide which identities need a code.

    ``mfa_sessions`` maps identity name to its cached MFA-session credentials.
    """
    by_identity: dict[str, IdentityPlan] = {}
    warn = registry.settings.warn_before
    for profile in profiles:
        identity = registry.identities[profile.identity]
        plan = by_identity.get(identity.name)
        if plan is None:
            cached = mfa_sessions.get(identity.name)
            needs = sts.remaining(cached, now) <= warn
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
        *,
        mfa_sessions: dict[str, Credentials | None],
        spent: dict[str, SpentCodes],
        code_provider: CodeProvider,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
        status_of: StatusLookup | None = None,
    ) -> RefreshReport:
        """Refresh everything in ``plan``; never raises for AWS or code failures.

        Successes are reported REFRESHING (:data:`WRITING`), not VALID: they are not
        durable until committed. ``status_of`` gives a profile's status before the run,
        for the events of skipped profiles.
        """
        report = RefreshReport(spent=dict(spent))
        emit = progress or (lambda _p: None)
        cancel = cancel or threading.Event()
        status_of = status_of or (lambda _name: None)
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))
        futures: list[Future] = []
        for profile in plan.profiles:
            emit(Progress(profile.name, State.REFRESHING, "waiting"))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-refresh") as pool:
            for ip in plan.identities:
                if cancel.is_set():
                    self._skip_all(report, ip.profiles, CANCEL_REASON, emit, status_of)
                    continue
                self._run_identity(ip, report, mfa_sessions, code_provider, emit, cancel, pool, futures, status_of)
            for future in futures:
                result: ProfileResult = future.result()
                report.results[result.profile] = result
        return report

    def _fail_all(self, report: RefreshReport, profiles: list[Profile], message: str, emit: ProgressSink) -> None:
        for profile in profiles:
            report.results[profile.name] = ProfileResult(profile.name, ok=False, message=message)
            emit(Progress(profile.name, State.ERROR, message))

    def _skip_all(
        self, report: RefreshReport, profiles: list[Profile], message: str, emit: ProgressSink, status_of: StatusLookup
    ) -> None:
        for profile in profiles:
            report.results[profile.name] = self._skip(profile.name, message, emit, status_of)

    def _skip(self, name: str, message: str, emit: ProgressSink, status_of: StatusLookup) -> ProfileResult:
        """A profile left as it was: reported with its status from before the run."""
        before = status_of(name)
        emit(Progress(
            name, before.state if before is not None else State.MISSING, message, skipped=True,
            expires_at=before.expires_at if before is not None else None, status=before,
        ))
        return ProfileResult(name, ok=False, message=message, skipped=True)

    def _device(self, identity: Identity) -> str:
        return f"identity {identity.name} ({identity.mfa_serial})" if identity.mfa_serial else f"identity {identity.name}"

    def _ask_code(
        self,
        identity: Identity,
        profiles: list[Profile],
        purpose: str,
        report: RefreshReport,
        code_provider: CodeProvider,
        send: Callable[[str], object],
        cancel: threading.Event,
    ):
        """Ask for a code until ``send(code)`` succeeds, the user skips, or attempts run out.

        Returns ``(result, None, False)`` on success, ``(None, reason, True)`` for a skip
        (no code entered before any reached AWS, or cancelled) and ``(None, reason, False)``
        for a failure. Skipping after AWS refused a code is a failure: the refusal is the
        reason worth keeping.
        """
        serial = identity.mfa_serial or ""
        device = self._device(identity)
        error: str | None = None
        refused_by_aws = False
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            if cancel.is_set():
                return None, CANCEL_REASON, True
            spent = report.spent.get(serial, SpentCodes())
            now = self.clock.now()
            request = CodeRequest(
                identity=identity.name,
                serial=serial,
                profiles=tuple(p.name for p in profiles),
                purpose=purpose,
                wait_seconds=spent.wait_seconds(now),
                step_seconds_left=seconds_left_in_step(now),
                error=error,
                attempt=attempt,
            )
            raw = code_provider(request)
            if cancel.is_set():
                return None, CANCEL_REASON, True
            if raw is None:
                if refused_by_aws:
                    return None, error, False
                # Only local refusals (malformed, already used) or none: nothing reached AWS.
                return None, SKIP_REASON, True
            try:
                code = check_format(raw, device=device)
            except CodeError as exc:
                error = str(exc)
                continue
            now = self.clock.now()
            refusal = spent.refuse_reason(code, now, device=device)
            if refusal:
                error = refusal
                continue
            report.spent[serial] = spent.spend(code, now)
            try:
                return send(code), None, False
            except CodeError as exc:
                error = str(exc)
                refused_by_aws = True
                continue
            except MfaTuiError as exc:
                return None, str(exc), False
        return None, error or "no valid code", False

    def _run_identity(self, ip, report, mfa_sessions, code_provider, emit, cancel, pool, futures, status_of) -> None:
        identity: Identity = ip.identity
        try:
            keys = self.long_term_keys(identity)
            # Built here so that a client botocore cannot build (a broken ~/.aws/config) fails
            # this identity's rows one by one, like any other per-identity problem.
            client = self.sts_client(identity, keys)
        except MfaTuiError as exc:
            self._fail_all(report, ip.profiles, str(exc), emit)
            return
        session = mfa_sessions.get(identity.name)
        needs_session = bool(ip.session_profiles or ip.chained)
        if needs_session and ip.needs_code:
            if not identity.mfa_serial:
                self._fail_all(
                    report, ip.session_profiles + ip.chained,
                    f"identity {identity.name} has no mfa_serial; enrol a device with `mfa-tui enroll {identity.name}`",
                    emit,
                )
                session = None
            else:
                duration = self.registry.mfa_duration(identity)

                def send(code: str) -> Credentials:
                    return sts.get_session_token(
                        client, serial=identity.mfa_serial, code=code, duration=duration,
                        what=self._device(identity), clock=self.clock, watch=self.watch,
                        endpoint=identity.endpoint_url,
                    )

                for p in ip.session_profiles + ip.chained:
                    emit(Progress(p.name, State.REFRESHING, "waiting for a code"))
                session, reason, skipped = self._ask_code(
                    identity, ip.session_profiles + ip.chained, "mfa-session", report, code_provider, send, cancel
                )
                if session is None and skipped:
                    self._skip_all(report, ip.session_profiles + ip.chained, reason, emit, status_of)
                elif session is None:
                    self._fail_all(report, ip.session_profiles + ip.chained, reason or "no MFA session", emit)
                else:
                    report.mfa_sessions[identity.name] = session
        if session is not None:
            for p in ip.session_profiles:
                report.results[p.name] = ProfileResult(p.name, ok=True, credentials=session)
                emit(Progress(p.name, State.REFRESHING, WRITING))
            session_keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
            for p in ip.chained:
                emit(Progress(p.name, State.REFRESHING, "assuming role"))
                futures.append(pool.submit(self._assume_chained, identity, p, session_keys, emit))
        for p in ip.direct:
            if cancel.is_set():
                self._skip_all(report, [p], CANCEL_REASON, emit, status_of)
                continue
            report.results[p.name] = self._assume_direct(
                identity, p, keys, report, code_provider, emit, cancel, status_of
            )

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
        client = self.sts_client(identity, session_keys)

        def call(seconds: int) -> sts.RoleSession:
            return sts.assume_role(
                client, role_arn=profile.role_arn, session_name=profile.role_session_name or self.session_name,
                duration=seconds, external_id=profile.external_id, what=f"profile {profile.name}",
                clock=self.clock, watch=self.watch, endpoint=identity.endpoint_url,
            )

        return self._finish(profile, call, duration, warnings, emit)

    def _finish(self, profile: Profile, call: Callable[[int], sts.RoleSession], duration: int, warnings: list[str], emit: ProgressSink) -> ProfileResult:
        try:
            try:
                role = call(duration)
            except MfaTuiError as exc:
                if not sts.is_duration_over_max(exc) or duration <= 3600:
                    raise
                warnings.append(
                    f"profile {profile.name}: the role does not allow {duration // 3600}h sessions; retried at 1 hour"
                )
                role = call(3600)
        except MfaTuiError as exc:
            emit(Progress(profile.name, State.ERROR, str(exc)))
            return ProfileResult(profile.name, ok=False, message=str(exc), warnings=warnings)
        emit(Progress(profile.name, State.REFRESHING, WRITING))
        return ProfileResult(
            profile.name, ok=True, warnings=warnings, credentials=role.credentials,
            assumed_role_arn=role.assumed_role_arn, source_identity=role.source_identity,
        )

    def _assume_direct(self, identity, profile, keys, report, code_provider, emit, cancel, status_of) -> ProfileResult:
        if not identity.mfa_serial:
            message = f"profile {profile.name}: identity {identity.name} has no mfa_serial for a direct role"
            emit(Progress(profile.name, State.ERROR, message))
            return ProfileResult(profile.name, ok=False, message=message)
        duration, warnings = self._role_duration(profile, None)
        client = self.sts_client(identity, keys)
        emit(Progress(profile.name, State.REFRESHING, "waiting for a code"))

        def attempt(seconds: int) -> sts.RoleSession:
            def send(code: str) -> sts.RoleSession:
                return sts.assume_role(
                    client, role_arn=profile.role_arn, session_name=profile.role_session_name or self.session_name,
                    duration=seconds, external_id=profile.external_id, serial=identity.mfa_serial, code=code,
                    what=f"profile {profile.name}", clock=self.clock, watch=self.watch, endpoint=identity.endpoint_url,
                )

            role, reason, skipped = self._ask_code(identity, [profile], "direct-role", report, code_provider, send, cancel)
            if role is None and skipped:
                raise _Skipped(reason)
            if role is None:
                raise MfaTuiError(reason if reason and reason.startswith("profile ") else f"profile {profile.name}: {reason}")
            return role

        try:
            return self._finish(profile, attempt, duration, warnings, emit)
        except _Skipped as skip:
            return self._skip(profile.name, str(skip), emit, status_of)

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
        return report

    def whoami(
        self,
        targets: list[tuple[Profile, Credentials]],
        *,
        progress: ProgressSink | None = None,
    ) -> dict[str, "sts.WhoAmI | MfaTuiError"]:
        """GetCallerIdentity for each (profile, credentials), concurrently."""
        emit = progress or (lambda _p: None)
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))

        def one(profile: Profile, creds: Credentials):
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

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-whoami") as pool:
            return dict(pool.map(lambda t: one(*t), targets))
