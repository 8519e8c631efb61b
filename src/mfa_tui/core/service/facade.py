"""The one façade the CLI and the dashboard both use.

:class:`Service` ties the registry, the state store, the credentials-file writer and
the refresh engine together: it selects profiles, reads their status (the rule is
:mod:`mfa_tui.core.session.status`), runs refreshes, re-mints and who-am-I, and commits
results (one locked write of the credentials file, then the state, then a VALID progress
event per committed profile).
A profile whose section in the credentials file is not mfa-tui's fails on its own, with
its reason, before any AWS call is spent on it; the others are written. Nothing here
knows about terminals or Textual; every method can run in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core import paths
from mfa_tui.core.clock import Clock, SystemClock
from mfa_tui.core.errors import ConfigError, MfaTuiError, NeedsCodeError
from mfa_tui.core.models import Credentials, Identity, Profile, ProfileKind, ProfileStatus, Registry, State, WhoAmI
from mfa_tui.core.session import status
from mfa_tui.core.session.status import Snapshot, change_stamp, due_for_remint, is_stale
from mfa_tui.core.session.store import SessionStore
from mfa_tui.core.session.entries import SessionState
from mfa_tui.core.session.state import StateStore

if TYPE_CHECKING:
    # Imported on first use below: the dashboard draws its first frame without the engine,
    # the credentials-file writer or the AWS helpers. Protects bench figure 4 (dashboard first frame
    # ≤ 1.3× the bare app, CPU; bench/dash_bench.py); bench/fastpaths.py `lazy_imports` fails if
    # boto3 or the engine is loaded at the first frame.
    from mfa_tui.core.aws import clients as aws
    from mfa_tui.core.credentials.file import CredentialsFile
    from mfa_tui.core.service.registry_changes import RegistryChanges
    from mfa_tui.core.session.engine import Engine
    from mfa_tui.core.session.plan import RefreshPlan
    from mfa_tui.core.session.refresh import CodeProvider, ProfileResult, ProgressSink, RefreshReport

CREDENTIAL_PROCESS_MIN_LEFT = 15 * 60
"""Serve cached credentials with at least this long left; botocore refreshes 15 min before expiry (docs/aws-behaviour.md, "credential_process")."""
MANDATORY_REFRESH = 10 * 60
"""botocore refuses credentials with less than this left (docs/aws-behaviour.md, "credential_process"):
near-expiry credentials that cannot be renewed are not served below it; a code is needed."""


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
        self.state_store = state_store or StateStore(registry_path=registry.path, clock=self.clock)
        self.credentials_path = credentials_path or paths.aws_credentials_path(registry.settings.credentials_file)
        self.aws_config_path = aws_config_path or paths.aws_config_path()
        self._session_name = session_name
        self._credentials_file: CredentialsFile | None = None
        self._watch: aws.ClockWatch | None = None
        self._engine: Engine | None = None
        self._building = threading.RLock()  # parts built on first use: threads asking at once get the same one
        self.sessions = SessionStore(
            lambda: self.registry, self.state_store, lambda: self.credentials_file, self.clock,
            reload_registry=self.reload_registry, aws_config_path=self.aws_config_path,
        )
        """The state and the credentials file as one unit: every session read and write goes through it."""

    # Built on first use, so opening the dashboard imports none of them. Protects bench figure 4
    # (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py; bench/fastpaths.py `lazy_imports`).
    @property
    def credentials_file(self) -> CredentialsFile:
        """The only writer of the shared credentials file."""
        with self._building:
            if self._credentials_file is None:
                from mfa_tui.core.credentials.file import CredentialsFile

                self._credentials_file = CredentialsFile(self.credentials_path)
        return self._credentials_file

    @property
    def watch(self) -> aws.ClockWatch:
        """The clock-skew watch shared by every AWS call of this service."""
        with self._building:
            if self._watch is None:
                from mfa_tui.core.aws import clients as aws

                self._watch = aws.ClockWatch()
        return self._watch

    @property
    def engine(self) -> Engine:
        """The refresh engine (follows :meth:`reload_registry`): one per service, so one set of per-profile locks."""
        with self._building:
            if self._engine is None:
                from mfa_tui.core.session.engine import Engine

                self._engine = Engine(self.registry, clock=self.clock, long_term_keys=self.long_term_keys,
                                      watch=self.watch, session_name=self._session_name)
        return self._engine

    @classmethod
    def open(cls, config: str | Path | None = None, *, clock: Clock | None = None) -> Service:
        """Load the registry at the resolved path (``--config``, ``$MFA_TUI_CONFIG`` or the default)."""
        from mfa_tui.core.registry import load as registry_mod

        aws_config = paths.aws_config_path()
        loaded = registry_mod.load(paths.config_path(config), aws_config_path=aws_config)
        return cls(loaded, clock=clock, aws_config_path=aws_config)

    def reload_registry(self) -> Registry:
        """Read the registry file again (after an edit such as enrolling a device); the engine follows.

        Raises :class:`~mfa_tui.core.errors.RegistryError` when it no longer loads; the
        registry in use is then kept. The credentials file path stays the one in use.
        """
        from mfa_tui.core.registry import load as registry_mod

        loaded = registry_mod.load(self.registry.path, aws_config_path=self.aws_config_path)
        self.registry = loaded
        if self._engine is not None:
            self._engine.registry = loaded
        return loaded

    @property
    def changes(self) -> RegistryChanges:
        """Add, change and remove profiles and accounts through the exact editors, then reload."""
        from mfa_tui.core.service.registry_changes import RegistryChanges

        return RegistryChanges(self)

    # ── inputs ──────────────────────────────────────────────────────────────
    def long_term_keys(self, identity: Identity) -> aws.Keys:
        from mfa_tui.core.aws import clients as aws

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

        Unknown names, and tags no profile has, raise :class:`ConfigError` naming them.
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
            self._check_tags(tags)
        else:
            chosen = list(self.registry.profiles.values())
        if stale_only:
            rows = {s.profile: s for s in self.statuses([p.name for p in chosen], state=state)}
            chosen = [p for p in chosen if is_stale(rows[p.name])]
        return chosen

    def _check_tags(self, tags: set[str]) -> None:
        """A tag no profile has is a typo, never "nothing to refresh": say so, with the tags there are."""
        known = sorted({t for p in self.registry.profiles.values() for t in self.registry.tags_for(p)})
        unknown = sorted(tags - set(known))
        if unknown:
            listed = ", ".join(known[:8]) + (", …" if len(known) > 8 else "")
            raise ConfigError(
                f"no profile has tag{'s' * (len(unknown) > 1)} {', '.join(unknown)} in {self.registry.path}"
                + (f" (tags: {listed})" if known else " (no profile has any tag)")
            )

    # ── status ──────────────────────────────────────────────────────────────
    def change_stamp(self) -> tuple:
        """A cheap fingerprint of the credentials file, the state and the registry (:func:`.status.change_stamp`).

        When it differs from the last one seen, another process (or tool) wrote one of them and
        the rows must be recomputed. The dashboard polls it every second.
        """
        return change_stamp((self.credentials_path, self.state_store.path, self.registry.path))

    def load_state(self, only: Iterable[str] | None = None) -> SessionState:
        """The session state; with ``only``, just those profiles' entries (see :meth:`StateStore.load`)."""
        return self.state_store.load(None if only is None else set(only))

    def snapshot(self, only: Iterable[str] | None = None, *, state: SessionState | None = None) -> Snapshot:
        """The state as the registry allows it, and what the credentials file holds (:class:`SessionStore`)."""
        return self.sessions.snapshot(only, state=state)

    def mfa_sessions(self, state: SessionState | None = None) -> dict[str, Credentials | None]:
        """Identity -> its cached MFA session, bound to the registry (expired ones included)."""
        return self.sessions.mfa_sessions(self.snapshot(state=state))

    def mfa_session(self, identity: str) -> Credentials | None:
        """The identity's live MFA session, bound to the registry; None when there is none."""
        creds = status.mfa_session(identity, self.snapshot(()))
        return creds if creds is not None and creds.expiration > self.clock.now() else None

    def statuses(self, names: Iterable[str] | None = None, *, state: SessionState | None = None) -> list[ProfileStatus]:
        """One :class:`ProfileStatus` per profile (all, in registry order, when ``names`` is None).

        ``state`` is a state as :meth:`load_state` read it; it is checked against the registry
        and the credentials file here (:meth:`SessionStore.statuses`).
        """
        names = None if names is None else list(names)
        snap = self.snapshot(names, state=state) if state is not None else None
        return self.sessions.statuses(names, snap=snap)

    # ── refresh ─────────────────────────────────────────────────────────────
    def plan(self, profiles: Iterable[Profile], *, state: SessionState | None = None, new_session: bool = False) -> RefreshPlan:
        from mfa_tui.core.session.plan import make_plan

        return make_plan(self.registry, profiles, self.mfa_sessions(state), self.clock.now(), new_session=new_session)

    def refresh(
        self,
        profiles: Iterable[Profile],
        code_provider: CodeProvider,
        *,
        progress: ProgressSink | None = None,
        cancel: threading.Event | None = None,
        plan: RefreshPlan | None = None,
        adopt: Iterable[str] = (),
        new_session: bool = False,
        notify=None,
    ) -> RefreshReport:
        """Refresh ``profiles``: one code per identity that needs one, committed per identity. Never raises for AWS failures.

        ``adopt`` names profiles whose sections hold another tool's temporary credentials
        (aws-mfa) that the user agreed to let mfa-tui take over. A profile whose section
        would be refused fails at once with its reason, and a credentials file that cannot
        be read or written fails every profile, before any code is asked; the commit checks
        again under the lock. ``new_session`` asks for a code and makes a new MFA session for
        every identity involved, even one whose session still lives. Whatever the run bought
        before an unexpected error is committed all the same.
        """
        from mfa_tui.core.session.plan import make_plan
        from mfa_tui.core.codes.provider import sourced  # each identity's code source first (its module says how)
        from mfa_tui.core.session.refresh import RefreshReport

        code_provider = sourced(self.registry, code_provider, clock=self.clock, cancel=cancel, progress=progress, notify=notify)
        adopt = set(adopt)
        emit = progress or (lambda _p: None)
        snap = self.snapshot()
        sessions = self.sessions.mfa_sessions(snap)
        plan = plan or make_plan(self.registry, profiles, sessions, self.clock.now(), new_session=new_session)
        order = [p.name for p in plan.profiles]
        refused = self._refused(order, adopt, emit)
        if refused:
            plan = plan.without(refused)
        report = RefreshReport(devices=dict(snap.state.devices), results=dict(refused))

        def commit(names) -> None:
            self.sessions.commit_and_report(report, adopt=adopt, names=names, progress=progress)

        try:
            self.engine.run(
                plan, report,
                mfa_sessions=sessions,
                session_key_ids={name: ist.key_id for name, ist in snap.state.identities.items()},
                code_provider=code_provider,
                progress=progress,
                cancel=cancel,
                status_of=lambda name: self.sessions.statuses([name], snap=snap)[0],  # only skips need it
                commit=commit,
            )
        finally:
            # Whatever happened, what succeeded is saved (the code that bought it is spent).
            self.sessions.commit_and_report(report, adopt=adopt, progress=progress)
        report.order_by(order)
        return report

    def remint(
        self,
        profiles: Iterable[Profile] | None = None,
        *,
        within: int | None = None,
        exclude: Collection[str] = (),
        progress: ProgressSink | None = None,
    ) -> RefreshReport:
        """Renew chained roles with no code while their MFA session lives.

        Without ``profiles``: the roles :func:`due_for_remint` picks within ``within`` seconds
        (default: the warn threshold), less ``exclude`` (roles backing off after a failure). An
        MFA session AWS no longer accepts is dropped, and its roles say a code is needed.
        """
        snap = self.snapshot()
        sessions = self.sessions.mfa_sessions(snap)
        if profiles is None:
            limit = self.registry.settings.warn_before if within is None else within
            due = due_for_remint(self.sessions.statuses(snap=snap), self.clock.now(), limit)
            profiles = [self.registry.profiles[name] for name in due if name not in exclude]
        profiles = list(profiles)
        order = [p.name for p in profiles]
        refused = self._refused(order, set(), progress or (lambda _p: None))
        profiles = [p for p in profiles if p.name not in refused]
        report = self.engine.remint(profiles, mfa_sessions=sessions, progress=progress)
        report.results.update(refused)
        report.order_by(order)
        if report.results or report.discarded_sessions:
            self.sessions.commit_and_report(report, progress=progress)
        return report

    def commit(self, report: RefreshReport, *, adopt: Iterable[str] = (), progress: ProgressSink | None = None) -> None:
        """Make every result of ``report`` not yet committed durable (:meth:`SessionStore.commit`), then report it."""
        self.sessions.commit_and_report(report, adopt=set(adopt), progress=progress)

    def _refused(self, names: list[str], adopt: set[str], emit: ProgressSink) -> dict[str, ProfileResult]:
        """Profiles the credentials file would refuse (:meth:`SessionStore.refused`), reported ERROR now."""
        from mfa_tui.core.session.refresh import Progress

        refused = self.sessions.refused(names, adopt)
        for name, result in refused.items():
            emit(Progress(name, State.ERROR, result.message))
        return refused

    # ── who-am-I ────────────────────────────────────────────────────────────
    def whoami(
        self, profiles: Iterable[Profile], *, progress: ProgressSink | None = None, cancel: threading.Event | None = None
    ) -> dict[str, WhoAmI | MfaTuiError]:
        """GetCallerIdentity with each profile's current credentials; results saved in the state.

        Setting ``cancel`` ends the profiles not yet tried with :class:`~mfa_tui.core.errors.CancelledError`.
        An answer is saved only while the profile still holds the credentials it was asked with.
        """
        from mfa_tui.core.session.refresh import Progress

        snap = self.snapshot()
        targets, results, asked = [], {}, {}
        for profile in profiles:
            creds = self.sessions.current(profile, snap)
            if creds is None:
                results[profile.name] = NeedsCodeError(
                    f"profile {profile.name}: no credentials yet; refresh it first (`mfa-tui refresh {profile.name}`)"
                )
                if progress is not None:
                    progress(Progress(profile.name, State.ERROR, str(results[profile.name])))
            else:
                targets.append((profile, creds))
                asked[profile.name] = creds.access_key_id
        results.update(self.engine.whoami(targets, progress=progress, cancel=cancel))

        self.sessions.record_whoami(results, asked)
        return results

    # ── credential_process / env ─────────────────────────────────────────────
    @staticmethod
    def take_file_warnings() -> list[str]:
        """What this process's writes had to do differently (a file written in place), each file once."""
        from mfa_tui.core import fileio

        return fileio.take_warnings()

    def current_credentials(self, profile: Profile) -> Credentials | None:
        """The credentials ``profile`` has now (bound to the registry, unexpired), or None."""
        return self.sessions.current(profile)

    def credentials(self, name: str, *, min_left: int = CREDENTIAL_PROCESS_MIN_LEFT, allow_remint: bool = True) -> Credentials:
        """Current credentials for ``name``, re-minting a chained role if needed; never prompts.

        Raises :class:`NeedsCodeError` when only a new code would help. Also stamps the state
        with the registry it was checked against, so the next ``credential-process`` call takes
        the fast path again.
        """
        profile = self.select([name])[0]
        self.sessions.refresh_stamp()
        creds = self.sessions.current(profile)
        now = self.clock.now()
        if creds is not None and (creds.expiration - now).total_seconds() > min_left:
            return creds
        if allow_remint and profile.kind is ProfileKind.CHAINED_ROLE:
            report = self.remint([profile])
            result = report.results.get(name)
            if result is not None and result.ok and result.credentials is not None:
                return result.credentials
        if creds is not None and (creds.expiration - now).total_seconds() > min(min_left, MANDATORY_REFRESH):
            return creds  # short of min_left but still usable: better than nothing while AWS cannot renew them
        raise NeedsCodeError(
            f"profile {name}: needs a new MFA code; run `mfa-tui refresh {name}` or refresh it in the mfa-tui dashboard"
        )

