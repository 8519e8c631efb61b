"""Plan and run a refresh: one code per MFA device, then every role with that session.

The flow (AWS_FACTS facts 1–4):

1. **Plan.** Profiles are grouped by identity. An identity whose cached MFA session
   outlives the warn threshold needs no code; otherwise it needs exactly one, however
   many profiles hang off it. Each *direct* role needs a code of its own.
2. **MFA session.** ``GetSessionToken(SerialNumber, TokenCode)`` with the long-term keys.
3. **Chained roles** are assumed with the MFA session's keys over a bounded thread pool,
   capped at 1 hour (longer requests are clamped with a warning, never sent to fail).
4. **Direct roles** carry their own code, each from a later 30-second step than the last.
5. All successes go to the credentials file in one locked write, then into the state.
   A failure keeps that profile's previous credentials and gets a one-line reason.

Codes come from a ``code_provider`` callback (a terminal prompt, the dashboard's dialog,
a test) so the engine never blocks on a UI; cancellation is a ``threading.Event``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core import aws, sts
from mfa_tui.core.clock import Clock, seconds_left_in_step
from mfa_tui.core.errors import CodeError, MfaTuiError
from mfa_tui.core.models import CHAINED_ROLE_MAX, Credentials, Identity, Profile, ProfileKind, Registry, State
from mfa_tui.core.totp import SpentCodes, check_format

CLIENT_CACHE_SIZE = 32
"""STS clients kept for reuse (long-term keys and MFA sessions of recent identities)."""

MAX_CODE_ATTEMPTS = 3
"""How many times a code prompt is repeated after a refused code before giving up on that identity."""


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
    """One profile's progress during a run, for live display."""

    profile: str
    state: State
    message: str = ""


ProgressSink = Callable[[Progress], None]


@dataclass
class ProfileResult:
    """How one profile's refresh ended."""

    profile: str
    ok: bool
    message: str = ""
    """The one-line reason on failure; empty on success."""
    warnings: list[str] = field(default_factory=list)
    credentials: Credentials | None = field(default=None, repr=False)
    assumed_role_arn: str | None = None
    source_identity: str | None = None


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
        return [r for r in self.results.values() if not r.ok]

    @property
    def succeeded(self) -> list[ProfileResult]:
        return [r for r in self.results.values() if r.ok]

    def summary(self) -> str:
        ok, bad = len(self.succeeded), len(self.failed)
        text = f"{ok} profile{'s' * (ok != 1)} refreshed"
        if bad:
            text += f", {bad} failed"
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
        client = aws.client(
            "sts",
            keys,
            region=identity.region,
            endpoint_url=identity.endpoint_url,
            max_pool_connections=max(10, self.registry.settings.refresh_concurrency),
        )
        if cache:
            with self._clients_lock:
                self._clients[key] = client
                while len(self._clients) > CLIENT_CACHE_SIZE:
                    self._clients.popitem(last=False)
        return client

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
    ) -> RefreshReport:
        """Refresh everything in ``plan``; never raises for AWS or code failures."""
        report = RefreshReport(spent=dict(spent))
        emit = progress or (lambda _p: None)
        cancel = cancel or threading.Event()
        workers = max(1, min(64, self.registry.settings.refresh_concurrency))
        futures: list[Future] = []
        for profile in plan.profiles:
            emit(Progress(profile.name, State.REFRESHING, "waiting"))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-refresh") as pool:
            for ip in plan.identities:
                if cancel.is_set():
                    self._fail_all(report, ip.profiles, "cancelled", emit)
                    continue
                self._run_identity(ip, report, mfa_sessions, code_provider, emit, cancel, pool, futures)
            for future in futures:
                result: ProfileResult = future.result()
                report.results[result.profile] = result
        return report

    def _fail_all(self, report: RefreshReport, profiles: list[Profile], message: str, emit: ProgressSink) -> None:
        for profile in profiles:
            report.results[profile.name] = ProfileResult(profile.name, ok=False, message=message)
            emit(Progress(profile.name, State.ERROR, message))

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

        Returns ``(result, None)`` on success or ``(None, reason)``.
        """
        serial = identity.mfa_serial or ""
        device = self._device(identity)
        error: str | None = None
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            if cancel.is_set():
                return None, "cancelled"
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
                return None, "cancelled"
            if raw is None:
                # Giving up after a refusal: the refusal is the reason worth keeping.
                return None, error or "skipped: no code entered"
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
                return send(code), None
            except CodeError as exc:
                error = str(exc)
                continue
            except MfaTuiError as exc:
                return None, str(exc)
        return None, error or "no valid code"

    def _run_identity(self, ip, report, mfa_sessions, code_provider, emit, cancel, pool, futures) -> None:
        identity: Identity = ip.identity
        try:
            keys = self.long_term_keys(identity)
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
                client = self.sts_client(identity, keys)
                duration = self.registry.mfa_duration(identity)

                def send(code: str) -> Credentials:
                    return sts.get_session_token(
                        client, serial=identity.mfa_serial, code=code, duration=duration,
                        what=self._device(identity), clock=self.clock, watch=self.watch,
                        endpoint=identity.endpoint_url,
                    )

                for p in ip.session_profiles + ip.chained:
                    emit(Progress(p.name, State.REFRESHING, "waiting for a code"))
                session, reason = self._ask_code(
                    identity, ip.session_profiles + ip.chained, "mfa-session", report, code_provider, send, cancel
                )
                if session is None:
                    self._fail_all(report, ip.session_profiles + ip.chained, reason or "no MFA session", emit)
                else:
                    report.mfa_sessions[identity.name] = session
        if session is not None:
            for p in ip.session_profiles:
                report.results[p.name] = ProfileResult(p.name, ok=True, credentials=session)
                emit(Progress(p.name, State.VALID))
            session_keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
            for p in ip.chained:
                emit(Progress(p.name, State.REFRESHING, "assuming role"))
                futures.append(pool.submit(self._assume_chained, identity, p, session_keys, emit))
        for p in ip.direct:
            if cancel.is_set():
                self._fail_all(report, [p], "cancelled", emit)
                continue
            report.results[p.name] = self._assume_direct(identity, p, keys, report, code_provider, emit, cancel)

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
        emit(Progress(profile.name, State.VALID, "; ".join(warnings)))
        return ProfileResult(
            profile.name, ok=True, warnings=warnings, credentials=role.credentials,
            assumed_role_arn=role.assumed_role_arn, source_identity=role.source_identity,
        )

    def _assume_direct(self, identity, profile, keys, report, code_provider, emit, cancel) -> ProfileResult:
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

            role, reason = self._ask_code(identity, [profile], "direct-role", report, code_provider, send, cancel)
            if role is None:
                raise MfaTuiError(reason if reason and reason.startswith("profile ") else f"profile {profile.name}: {reason}")
            return role

        return self._finish(profile, attempt, duration, warnings, emit)

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
