"""The one façade the CLI and the dashboard both use.

:class:`Service` ties the registry, the state store, the credentials-file writer and
the refresh engine together: it selects profiles, computes their status, runs
refreshes, re-mints and who-am-I, and commits results (one locked write of the
credentials file, then the state, then a VALID progress event per committed profile).
A profile whose section in the credentials file is not mfa-tui's fails on its own, with
its reason, before any AWS call is spent on it; the others are written. Nothing here
knows about terminals or Textual; every method can run in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core import paths
from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.errors import ConfigError, CredentialsFileError, MfaTuiError, NeedsCodeError
from mfa_tui.core.models import (
    Credentials,
    Identity,
    Profile,
    ProfileKind,
    ProfileStatus,
    Registry,
    State,
    WhoAmI,
    classify,
)
from mfa_tui.core.state import SessionState, StateStore

if TYPE_CHECKING:
    # Imported on first use below: the dashboard draws its first frame without the engine,
    # the credentials-file writer or the AWS helpers (start-up time, see bench/).
    from mfa_tui.core import aws
    from mfa_tui.core.credentials_file import CredentialsFile
    from mfa_tui.core.refresh import (
        CodeProvider,
        Engine,
        ProfileResult,
        ProgressSink,
        RefreshPlan,
        RefreshReport,
    )
    from mfa_tui.core.totp import SpentCodes

CREDENTIAL_PROCESS_MIN_LEFT = 15 * 60
"""Serve cached credentials with at least this long left; botocore refreshes 15 min before expiry (fact 10)."""


class Service:
    """Registry + state + credentials file + engine, for one user."""

    def __init__(
        self,
        registry: Registry,
        *,
        clock: Clock | None = None,
        state_store: StateStore | None = None,
        credentials_path: Path | None = None,
        aws_config_path: Path | None = None,
        session_name: str | None = None,
    ):
        self.registry = registry
        self.clock = clock or SystemClock()
        self.state_store = state_store or StateStore()
        self.credentials_path = credentials_path or paths.aws_credentials_path(registry.settings.credentials_file)
        self.aws_config_path = aws_config_path or paths.aws_config_path()
        self._session_name = session_name
        self._credentials_file: CredentialsFile | None = None
        self._watch: aws.ClockWatch | None = None
        self._engine: Engine | None = None
        self._commit_lock = threading.Lock()

    # Built on first use, so opening the dashboard imports none of them (see bench/).
    @property
    def credentials_file(self) -> CredentialsFile:
        """The only writer of the shared credentials file."""
        if self._credentials_file is None:
            from mfa_tui.core.credentials_file import CredentialsFile

            self._credentials_file = CredentialsFile(self.credentials_path)
        return self._credentials_file

    @property
    def watch(self) -> aws.ClockWatch:
        """The clock-skew watch shared by every AWS call of this service."""
        if self._watch is None:
            from mfa_tui.core import aws

            self._watch = aws.ClockWatch()
        return self._watch

    @property
    def engine(self) -> Engine:
        """The refresh engine (follows :meth:`reload_registry`)."""
        if self._engine is None:
            from mfa_tui.core.refresh import Engine

            self._engine = Engine(
                self.registry, clock=self.clock, long_term_keys=self.long_term_keys, watch=self.watch,
                session_name=self._session_name,
            )
        return self._engine

    @classmethod
    def open(cls, config: str | Path | None = None, *, clock: Clock | None = None) -> Service:
        """Load the registry at the resolved path (``--config``, ``$MFA_TUI_CONFIG`` or the default)."""
        from mfa_tui.core import registry as registry_mod

        aws_config = paths.aws_config_path()
        loaded = registry_mod.load(paths.config_path(config), aws_config_path=aws_config)
        return cls(loaded, clock=clock, aws_config_path=aws_config)

    def reload_registry(self) -> Registry:
        """Read the registry file again (after an edit such as enrolling a device); the engine follows.

        Raises :class:`~mfa_tui.core.errors.RegistryError` when it no longer loads; the
        registry in use is then kept. The credentials file path stays the one in use.
        """
        from mfa_tui.core import registry as registry_mod

        loaded = registry_mod.load(self.registry.path, aws_config_path=self.aws_config_path)
        self.registry = loaded
        if self._engine is not None:
            self._engine.registry = loaded
        return loaded

    # ── inputs ──────────────────────────────────────────────────────────────
    def long_term_keys(self, identity: Identity) -> aws.Keys:
        from mfa_tui.core import aws

        return aws.long_term_keys(identity, self.credentials_path, self.aws_config_path)

    def select(
        self,
        names: Iterable[str] = (),
        *,
        all: bool = False,
        tags: Iterable[str] = (),
        stale_only: bool = False,
        state: SessionState | None = None,
    ) -> list[Profile]:
        """Profiles by name, by tag, or all; ``stale_only`` keeps those expiring, expired or missing.

        Unknown names raise :class:`ConfigError` naming them.
        """
        names = list(names)
        tags = set(tags)
        unknown = [n for n in names if n not in self.registry.profiles]
        if unknown:
            known = ", ".join(list(self.registry.profiles)[:8])
            raise ConfigError(
                f"unknown profile{'s' * (len(unknown) > 1)} {', '.join(unknown)} in {self.registry.path}"
                + (f" (known: {known}{', …' if len(self.registry.profiles) > 8 else ''})" if known else "")
            )
        if names:
            chosen = [self.registry.profiles[n] for n in names]
        elif tags:
            chosen = [p for p in self.registry.profiles.values() if tags & set(self.registry.tags_for(p))]
        else:
            chosen = list(self.registry.profiles.values())
        if stale_only:
            rows = {s.profile: s for s in self.statuses([p.name for p in chosen], state=state)}
            chosen = [p for p in chosen if rows[p.name].state.value in ("expiring", "expired", "missing", "error")]
        return chosen

    # ── status ──────────────────────────────────────────────────────────────
    def load_state(self, only: Iterable[str] | None = None) -> SessionState:
        """The session state; with ``only``, just those profiles' entries (see :meth:`StateStore.load`)."""
        return self.state_store.load(None if only is None else set(only))

    def mfa_sessions(self, state: SessionState) -> dict[str, Credentials | None]:
        return {name: ist.mfa_credentials for name, ist in state.identities.items()}

    def statuses(self, names: Iterable[str] | None = None, *, state: SessionState | None = None) -> list[ProfileStatus]:
        """One :class:`ProfileStatus` per profile (all, in registry order, when ``names`` is None)."""
        state = state if state is not None else self.load_state()
        now = self.clock.now()
        warn = self.registry.settings.warn_before
        wanted = list(self.registry.profiles) if names is None else list(names)
        rows = []
        for name in wanted:
            profile = self.registry.profiles[name]
            identity = self.registry.identities.get(profile.identity)
            ist = state.identities.get(profile.identity)
            mfa = ist.mfa_credentials if ist else None
            mfa_expires = mfa.expiration if mfa and mfa.expiration > now else None
            pst = state.profiles.get(name)
            if profile.kind is ProfileKind.MFA_SESSION:
                creds = pst.credentials if pst and pst.credentials else mfa
            else:
                creds = pst.credentials if pst else None
            expires_at = creds.expiration if creds else (pst.expires_at if pst else None)
            account = self.registry.account_for(profile)
            rows.append(
                ProfileStatus(
                    profile=name,
                    identity=profile.identity,
                    kind=profile.kind,
                    state=classify(expires_at, now, warn, last_error=pst.last_error if pst else None),
                    account_id=self.registry.account_id_for(profile),
                    account_alias=(account.alias or account.name) if account else "",
                    role_arn=profile.role_arn,
                    expires_at=expires_at,
                    mfa_expires_at=mfa_expires,
                    last_refresh=pst.last_refresh if pst else None,
                    whoami=pst.whoami if pst else None,
                    last_error=pst.last_error if pst else None,
                    assumed_role_arn=pst.assumed_role_arn if pst else None,
                    source_identity=pst.source_identity if pst else None,
                    tags=self.registry.tags_for(profile),
                    mfa_serial=identity.mfa_serial if identity else None,
                )
            )
        return rows

    # ── refresh ─────────────────────────────────────────────────────────────
    def plan(self, profiles: Iterable[Profile], *, state: SessionState | None = None) -> RefreshPlan:
        from mfa_tui.core.refresh import make_plan

        state = state if state is not None else self.load_state()
        return make_plan(self.registry, profiles, self.mfa_sessions(state), self.clock.now())

    def refresh(
        self,
        profiles: Iterable[Profile],
        code_provider: CodeProvider,
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
        plan: RefreshPlan | None = None,
        adopt: Iterable[str] = (),
    ) -> RefreshReport:
        """Refresh ``profiles``: one code per identity that needs one, then commit. Never raises for AWS failures.

        ``adopt`` names profiles whose sections hold another tool's temporary credentials
        (aws-mfa) that the user agreed to let mfa-tui take over. A profile whose section
        would be refused fails at once with its reason (no AWS call, no code asked for it
        alone); the commit checks again under the lock.
        """
        from mfa_tui.core.refresh import make_plan

        adopt = set(adopt)
        emit = progress or (lambda _p: None)
        state = self.load_state()
        plan = plan or make_plan(self.registry, profiles, self.mfa_sessions(state), self.clock.now())
        order = [p.name for p in plan.profiles]
        refused = self._refused(order, adopt, emit)
        if refused:
            plan = plan.without(refused)
        spent = {
            ident.mfa_serial: self._spent(state, ident.name)
            for ident in (ip.identity for ip in plan.identities)
            if ident.mfa_serial
        }
        report = self.engine.run(
            plan,
            mfa_sessions=self.mfa_sessions(state),
            spent=spent,
            code_provider=code_provider,
            progress=progress,
            cancel=cancel,
            status_of=lambda name: self.statuses([name], state=state)[0],
        )
        _merge(report, refused, order)
        self.commit(report, adopt=adopt, progress=progress)
        return report

    def _refused(self, names: list[str], adopt: set[str], emit: ProgressSink) -> dict[str, ProfileResult]:
        """Profiles whose sections the credentials file would refuse, failed now (and reported ERROR)."""
        from mfa_tui.core.refresh import ProfileResult, Progress

        if not names:
            return {}
        try:
            reasons = self.credentials_file.refusals(names, adopt=adopt)
        except CredentialsFileError:
            return {}  # an unreadable file fails the commit of every profile, with its own reason
        results = {}
        for name, reason in reasons.items():
            results[name] = ProfileResult(name, ok=False, message=_not_written(name, reason))
            emit(Progress(name, State.ERROR, results[name].message))
        return results

    def remint(
        self,
        profiles: Iterable[Profile] | None = None,
        *,
        within: int | None = None,
        progress: ProgressSink | None = None,
    ) -> RefreshReport:
        """Renew chained roles with no code while their MFA session lives.

        Without ``profiles``: every chained role expiring within ``within`` seconds (default:
        the warn threshold) whose identity has a live MFA session.
        """
        state = self.load_state()
        sessions = self.mfa_sessions(state)
        if profiles is None:
            now = self.clock.now()
            limit = self.registry.settings.warn_before if within is None else within
            chosen = []
            for status in self.statuses(state=state):
                profile = self.registry.profiles[status.profile]
                if profile.kind is not ProfileKind.CHAINED_ROLE or status.mfa_expires_at is None:
                    continue
                # Only profiles minted before: a profile never refreshed is the user's call.
                if status.expires_at is not None and (status.expires_at - now).total_seconds() <= limit:
                    chosen.append(profile)
            profiles = chosen
        profiles = list(profiles)
        order = [p.name for p in profiles]
        refused = self._refused(order, set(), progress or (lambda _p: None))
        profiles = [p for p in profiles if p.name not in refused]
        report = self.engine.remint(profiles, mfa_sessions=sessions, progress=progress)
        _merge(report, refused, order)
        if report.results:
            self.commit(report, progress=progress)
        return report

    def commit(self, report: RefreshReport, *, adopt: Iterable[str] = (), progress: ProgressSink | None = None) -> None:
        """Write every success to the credentials file in one locked write, then record all in the state.

        A profile whose section the write refuses fails alone (its reason names the section
        and, for another tool's credentials, ``--adopt``); the rest are written. Skipped
        profiles are not recorded at all. Then, on ``progress``: VALID for each committed
        profile, and ERROR for each the write refused.
        """
        from mfa_tui.core.credentials_file import ProfileCredentials

        unwritten: list[str] = []
        with self._commit_lock:
            updates = []
            for result in report.succeeded:
                profile = self.registry.profiles[result.profile]
                identity = self.registry.identities[profile.identity]
                updates.append(
                    ProfileCredentials(result.profile, result.credentials, region=profile.region or identity.region)
                )
            if updates:
                try:
                    refused = self.credentials_file.write(updates, adopt=set(adopt), skip_refused=True)
                except CredentialsFileError as exc:
                    refused = {result.profile: str(exc) for result in report.succeeded}
                for name, reason in refused.items():
                    result = report.results[name]
                    result.ok = False
                    result.message = _not_written(name, reason)
                    result.credentials = None
                    unwritten.append(name)
            now = self.clock.now()
            serial_to_identity = {i.mfa_serial: i.name for i in self.registry.identities.values() if i.mfa_serial}

            def apply(state: SessionState) -> None:
                for name, creds in report.mfa_sessions.items():
                    state.identity(name).mfa_credentials = creds
                for serial, spent in report.spent.items():
                    name = serial_to_identity.get(serial)
                    if name:
                        ist = state.identity(name)
                        ist.spent_step = spent.step
                        ist.spent_codes = list(spent.recent)
                        ist.mfa_serial = serial
                for result in report.results.values():
                    if result.skipped:
                        continue  # the user's choice, not a failure: credentials and last error stay
                    pst = state.profile(result.profile)
                    profile = self.registry.profiles[result.profile]
                    pst.identity = profile.identity
                    pst.kind = profile.kind.value
                    if result.ok:
                        pst.credentials = result.credentials
                        pst.expires_at = result.credentials.expiration if result.credentials else None
                        pst.last_refresh = now
                        pst.last_error = None
                        pst.assumed_role_arn = result.assumed_role_arn
                        pst.source_identity = result.source_identity
                    else:
                        pst.last_error = result.message

            committed = self.state_store.update(apply)
        if progress is not None:
            self._report_committed(report, unwritten, committed, progress)

    def _report_committed(
        self, report: RefreshReport, unwritten: list[str], state: SessionState, emit: ProgressSink
    ) -> None:
        """VALID (with the new expiry and role ARN) for what is now durable; ERROR for what the write refused."""
        from mfa_tui.core.refresh import Progress

        names = [r.profile for r in report.results.values() if r.ok] + unwritten
        rows = {row.profile: row for row in self.statuses(names, state=state)}
        for name in names:
            result = report.results[name]
            if result.ok:
                emit(Progress(
                    name, State.VALID, "; ".join(result.warnings),
                    expires_at=result.credentials.expiration if result.credentials else None,
                    assumed_role_arn=result.assumed_role_arn, status=rows.get(name),
                ))
            else:
                emit(Progress(name, State.ERROR, result.message, status=rows.get(name)))

    def _spent(self, state: SessionState, identity: str) -> SpentCodes:
        from mfa_tui.core.totp import SpentCodes

        ist = state.identities.get(identity)
        if ist is None or ist.spent_step is None:
            return SpentCodes()
        recent = tuple((int(s), str(c)) for s, c in (ist.spent_codes or []))
        return SpentCodes(step=ist.spent_step, recent=recent)

    def clear_error(self, names: Iterable[str]) -> None:
        names = list(names)

        def apply(state: SessionState) -> None:
            for name in names:
                if name in state.profiles:
                    state.profiles[name].last_error = None

        self.state_store.update(apply)

    # ── who-am-I ────────────────────────────────────────────────────────────
    def whoami(self, profiles: Iterable[Profile], *, progress: ProgressSink | None = None) -> dict[str, WhoAmI | MfaTuiError]:
        """GetCallerIdentity with each profile's current credentials; results saved in the state."""
        state = self.load_state()
        targets, results = [], {}
        for profile in profiles:
            creds = self._current_credentials(profile, state)
            if creds is None:
                results[profile.name] = NeedsCodeError(
                    f"profile {profile.name}: no credentials yet; refresh it first (`mfa-tui refresh {profile.name}`)"
                )
            else:
                targets.append((profile, creds))
        results.update(self.engine.whoami(targets, progress=progress))

        def apply(st: SessionState) -> None:
            for name, result in results.items():
                if isinstance(result, WhoAmI):
                    st.profile(name).whoami = result

        self.state_store.update(apply)
        return results

    def _current_credentials(self, profile: Profile, state: SessionState) -> Credentials | None:
        now = self.clock.now()
        pst = state.profiles.get(profile.name)
        creds = pst.credentials if pst else None
        if creds is None and profile.kind is ProfileKind.MFA_SESSION:
            ist = state.identities.get(profile.identity)
            creds = ist.mfa_credentials if ist else None
        if creds is None or creds.expiration <= now:
            return None
        return creds

    # ── credential_process / env ─────────────────────────────────────────────
    def credentials(self, name: str, *, min_left: int = CREDENTIAL_PROCESS_MIN_LEFT, allow_remint: bool = True) -> Credentials:
        """Current credentials for ``name``, re-minting a chained role if needed; never prompts.

        Raises :class:`NeedsCodeError` when only a new code would help.
        """
        profile = self.select([name])[0]
        state = self.load_state()
        creds = self._current_credentials(profile, state)
        now = self.clock.now()
        if creds is not None and (creds.expiration - now).total_seconds() > min_left:
            return creds
        if allow_remint and profile.kind is ProfileKind.CHAINED_ROLE:
            report = self.remint([profile])
            result = report.results.get(name)
            if result is not None and result.ok and result.credentials is not None:
                return result.credentials
        if creds is not None:
            return creds
        raise NeedsCodeError(
            f"profile {name}: needs a new MFA code; run `mfa-tui refresh {name}` or refresh it in the mfa-tui dashboard"
        )


def _not_written(name: str, reason: str) -> str:
    """A profile's one-line failure when the credentials file refused it or could not be written."""
    return f"profile {name}: not written: {reason}"


def _merge(report: RefreshReport, refused: dict[str, ProfileResult], order: list[str]) -> None:
    """Add the profiles refused before the run to ``report``, all results in ``order`` (the plan's)."""
    if not refused:
        return
    results = {**report.results, **refused}
    ranked = {name: i for i, name in enumerate(order)}
    report.results = dict(sorted(results.items(), key=lambda item: ranked.get(item[0], len(ranked))))
