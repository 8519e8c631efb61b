"""Run a refresh plan (:mod:`.plan`): one code per MFA device, then every role with that session; re-mints and who-am-I.

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
a test) so the engine never blocks on a UI; cancellation is a ``threading.Event``. What one run
shares is a :class:`~mfa_tui.core.session.run.RunContext`; the role steps are in :mod:`.roles`.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.aws import sts
from mfa_tui.core.errors import CancelledError, MfaTuiError
from mfa_tui.core.models import Credentials, Identity, Profile, ProfileKind, State
from mfa_tui.core.session.clients import StsAccess
from mfa_tui.core.session.plan import IdentityPlan, RefreshPlan
from mfa_tui.core.session import refresh
from mfa_tui.core.session.refresh import CANCEL_REASON, WRITING, ProfileResult, Progress, RefreshReport
from mfa_tui.core.session.roles import assume_chained, assume_direct
from mfa_tui.core.session.run import RunContext

DEAD_SESSION_CODES = frozenset({"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException"})
"""AWS's answers to a call signed with session credentials it no longer accepts
(docs/aws-behaviour.md, "revoked and expired sessions"): the MFA session is discarded at once."""


class Engine(StsAccess):
    """Runs plans against AWS. Holds nothing but configuration (:class:`StsAccess`); safe to reuse."""

    # ── the run ─────────────────────────────────────────────────────────────
    def run(
        self,
        plan: RefreshPlan,
        report: RefreshReport,
        *,
        mfa_sessions: dict[str, Credentials | None],
        code_provider: refresh.CodeProvider,
        session_key_ids: dict[str, str | None] | None = None,
        progress: refresh.ProgressSink | None = None,
        cancel: threading.Event | None = None,
        status_of: refresh.StatusLookup | None = None,
        commit: refresh.CommitHook | None = None,
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
            run = RunContext(
                access=self, report=report, mfa_sessions=mfa_sessions, session_key_ids=session_key_ids or {},
                code_provider=code_provider, emit=emit, cancel=cancel or threading.Event(),
                status_of=status_of or (lambda _name: None), commit=commit or (lambda _names: None), pool=pool,
            )
            for ip in plan.identities:
                if run.cancel.is_set():
                    run.skip_all(ip.profiles, CANCEL_REASON)
                    continue
                try:
                    self._run_identity(ip, run)
                except Exception as exc:  # anything unexpected fails this identity's rest, never the run
                    error = aws_errors.translate_error(exc, what=f"identity {ip.identity.name}")
                    run.fail_all([p for p in ip.profiles if p.name not in report.results], str(error))
        return report

    def _run_identity(self, ip: IdentityPlan, run: RunContext) -> None:
        identity = ip.identity
        report = run.report
        try:
            keys = self.long_term_keys(identity)
            # Built here so that a client botocore cannot build (a broken ~/.aws/config) fails
            # this identity's rows one by one, like any other per-identity problem.
            client = self.sts_client(identity, keys)
        except MfaTuiError as exc:
            run.fail_all(ip.profiles, str(exc))
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
                futures.append(run.pool.submit(assume_chained, self, identity, p, session_keys, run.emit))
            for future in futures:
                result: ProfileResult = future.result()
                report.results[result.profile] = result
            run.commit([p.name for p in session_profiles])
        for p in ip.direct:
            if run.cancel.is_set():
                run.skip_all([p], CANCEL_REASON)
                continue
            report.results[p.name] = assume_direct(run, identity, p, keys)
            run.commit([p.name])

    def _dead_session(self, identity: Identity, session: Credentials) -> str | None:
        """Why AWS no longer accepts a cached MFA session (one GetCallerIdentity), or None when it does.

        Sessions are revoked, or the endpoint forgot them (docs/aws-behaviour.md, "revoked and
        expired sessions"); using one would fail every chained role with a message that blames
        the long-term key. Any other failure (the endpoint down) is left to the calls that follow.
        """
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

    def _new_session(self, ip: IdentityPlan, keys: aws.Keys, client, run: RunContext, reason: str | None) -> Credentials | None:
        """Ask for a code and make the identity's MFA session; on failure or skip its profiles are reported."""
        identity = ip.identity
        profiles = ip.session_profiles + ip.chained
        if not identity.mfa_serial:
            run.fail_all(
                profiles,
                f"identity {identity.name} has no mfa_serial; enrol a device with `mfa-tui enroll {identity.name}`",
            )
            return None
        duration = self.registry.mfa_duration(identity)

        def send(code: str) -> Credentials:
            return sts.get_session_token(
                client, serial=identity.mfa_serial, code=code, duration=duration,
                what=self.device(identity), clock=self.clock, watch=self.watch,
                endpoint=identity.endpoint_url,
            )

        for p in profiles:
            run.emit(Progress(p.name, State.REFRESHING, "waiting for a code"))
        session, why, skipped = run.ask_code(identity, profiles, "mfa-session", send, reason)
        if session is None and skipped:
            run.skip_all(profiles, why)
            # A dead session is dropped even when no code follows.
            run.commit(())
        elif session is None:
            run.fail_all(profiles, why or "no MFA session")
            run.commit(())
        else:
            run.report.mfa_sessions[identity.name] = session
            run.report.session_key_ids[identity.name] = keys.access_key_id
            run.commit(())  # the spent code's session is durable before any role is assumed
        return session

    def remint(
        self,
        profiles: list[Profile],
        *,
        mfa_sessions: dict[str, Credentials | None],
        progress: refresh.ProgressSink | None = None,
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
                futures.append(pool.submit(assume_chained, self, identity, profile, keys, emit))
            for future in futures:
                result = future.result()
                report.results[result.profile] = result
        self._discard_dead(report)
        return report

    def _discard_dead(self, report: RefreshReport) -> None:
        """Identities whose MFA session AWS refused during a re-mint: the session is dropped, each row says why."""
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
        progress: refresh.ProgressSink | None = None,
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
