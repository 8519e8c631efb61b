"""The session store: the state file and the credentials file as one unit, and the only code that reads or writes either for sessions.

Three rules live here and nowhere else:

- **Bound sessions.** Cached credentials are served only while the registry still describes
  what made them: an MFA session is bound to its identity's endpoint, region, user and
  device (:func:`identity_binding`) and to the long-term access key id that made it; a
  profile's credentials to its kind, identity, role ARN, external id and endpoint
  (:func:`profile_binding`). A registry edit that changes any of these drops them: a
  re-pointed profile is never "valid" with the old role's keys.
- **Status is checked against the file.** Every status row is computed from a
  :class:`~mfa_tui.core.session.status.Snapshot` this store makes: the state as the registry
  allows it and the credentials file's key ids (the rule itself: :mod:`.status`).
- **Commits save what was bought.** :meth:`SessionStore.commit` writes the state first
  (new MFA sessions and the device's code memory, so a spent code's session survives any
  later failure), then the credentials file in one locked write, then the profiles' results.

Every state write goes through :meth:`SessionStore.update`, which also drops entries the
registry no longer describes and stamps the state with the registry it was checked against,
so the ``credential-process`` fast path (:mod:`mfa_tui.core.session.peek`) can trust an entry
without reading the registry.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from mfa_tui.core.clock import Clock
from mfa_tui.core.errors import CredentialsFileError, FileError, StateError
from mfa_tui.core.models import Credentials, Identity, Profile, ProfileStatus, Registry, State, WhoAmI
from mfa_tui.core.session import outputs, status
from mfa_tui.core.session.peek import registry_stamp
from mfa_tui.core.session.entries import IdentityState, ProfileState, SessionState
from mfa_tui.core.session.state import StateStore
from mfa_tui.core.session.status import Snapshot

if TYPE_CHECKING:
    from mfa_tui.core.credentials.file import CredentialsFile
    from mfa_tui.core.session.refresh import ProfileResult, ProgressSink, RefreshReport

def identity_binding(identity: Identity) -> str:
    """What an MFA session is made for: endpoint, region, user and device of the identity."""
    return "\x1f".join(
        (identity.endpoint_url or "", identity.region, identity.user_name or "", identity.mfa_serial or "",
         identity.source_profile)
    )


def profile_binding(profile: Profile, identity: Identity | None) -> str:
    """What a profile's credentials are made for: kind, identity, role, external id and endpoint."""
    return "\x1f".join(
        (profile.kind.value, profile.identity, profile.role_arn or "", profile.external_id or "",
         (identity.endpoint_url or "") if identity is not None else "")
    )


def bind_all(state: SessionState, registry: Registry) -> None:
    """Mark every entry of ``state`` as made for what ``registry`` describes now.

    For states made by hand rather than by a refresh (the benchmarks' fabricated worlds, test
    fixtures): a refresh binds what it writes by itself.
    """
    for name, ist in state.identities.items():
        if name in registry.identities:
            ist.binding = identity_binding(registry.identities[name])
    for name, pst in state.profiles.items():
        profile = registry.profiles.get(name)
        if profile is not None:
            pst.binding = profile_binding(profile, registry.identities.get(profile.identity))


class SessionStore:
    """The state file and the credentials file of one registry, kept true to each other and to the registry."""

    def __init__(
        self,
        registry: Callable[[], Registry],
        state_store: StateStore,
        credentials_file: Callable[[], CredentialsFile],
        clock: Clock,
        *,
        reload_registry: Callable[[], object] | None = None,
        aws_config_path=None,
    ):
        self.aws_config_path = aws_config_path
        """The AWS config file, for profiles with output = "credential-process" (:mod:`.outputs`)."""
        self._registry = registry
        self.state_store = state_store
        self._credentials_file = credentials_file
        self.clock = clock
        self._reload_registry = reload_registry
        self.commit_lock = threading.Lock()
        """Serialises commits of one process (the engine commits per identity from its run)."""

    @property
    def registry(self) -> Registry:
        return self._registry()

    # ── reading ─────────────────────────────────────────────────────────────
    def snapshot(self, only: Iterable[str] | None = None, *, state: SessionState | None = None) -> Snapshot:
        """The state (only those profiles' entries with ``only``) filtered by binding, and the file's key ids."""
        if state is None:
            state = self.state_store.load(None if only is None else set(only))
        try:
            keys: dict[str, str | None] | None = self._credentials_file().key_ids()
            error = None
        except FileError as exc:
            keys, error = None, str(exc)
        return Snapshot(self.bound(state, keys), keys, error)

    def bound(self, state: SessionState, file_keys: dict[str, str | None] | None) -> SessionState:
        """A copy of ``state`` without the sessions and credentials the registry no longer describes."""
        out = SessionState(identities=dict(state.identities), profiles=dict(state.profiles),
                           devices=dict(state.devices), registry=state.registry)
        _drop_unbound(out, self.registry, file_keys)
        return out

    def mfa_sessions(self, snap: Snapshot) -> dict[str, Credentials | None]:
        return {name: ist.mfa_credentials for name, ist in snap.state.identities.items()}

    def current(self, profile: Profile, snap: Snapshot | None = None) -> Credentials | None:
        """The credentials this profile has now: bound to the registry and unexpired; None otherwise.

        The one resolver behind status, credential-process, who-am-I, env and the policy pane.
        """
        snap = snap if snap is not None else self.snapshot([profile.name])
        creds = status.stored(profile, snap)
        if creds is None or creds.expiration <= self.clock.now():
            return None
        return creds

    def statuses(self, names: Iterable[str] | None = None, *, snap: Snapshot | None = None) -> list[ProfileStatus]:
        """One :class:`ProfileStatus` per profile (all, in registry order, when ``names`` is None): :func:`.status.statuses`."""
        names = None if names is None else list(names)
        snap = snap if snap is not None else self.snapshot(names)
        return status.statuses(self.registry, snap, self.clock.now(), names)

    # ── writing ─────────────────────────────────────────────────────────────
    def update(self, fn: Callable[[SessionState], None]) -> SessionState:
        """Lock, re-read, apply ``fn``, drop what the registry no longer describes, stamp, write.

        The registry is read again first when its file changed since it was loaded (and
        loads), so entries are checked against the registry the user has now.
        """
        self._follow_registry()
        registry = self.registry

        def apply(state: SessionState) -> None:
            fn(state)
            _drop_unbound(state, registry)
            if registry.stamp is not None:
                state.registry = (os.path.realpath(registry.path), registry.stamp)

        return self.state_store.update(apply)

    def _follow_registry(self) -> None:
        registry = self.registry
        if self._reload_registry is None or registry.stamp is None:
            return
        if registry_stamp(str(registry.path)) != registry.stamp:
            try:
                self._reload_registry()
            except Exception:  # a registry broken meanwhile: keep the one in use (its stamp then differs)
                pass

    def refresh_stamp(self) -> None:
        """Check every entry against the registry now and stamp the state, when its stamp is not the registry's.

        What the full ``credential-process`` path does, so the next call takes the fast path again.
        """
        registry = self.registry
        if registry.stamp is None:
            return
        state = self.state_store.load()
        if state.registry == (os.path.realpath(registry.path), registry.stamp) or not self.state_store.path.exists():
            return
        try:
            self.update(lambda _state: None)
        except StateError:
            pass  # the next call tries again; serving the credentials does not depend on it

    def commit(self, report: RefreshReport, *, adopt: Collection[str] = (), names: Collection[str] | None = None) -> tuple[list[str], SessionState | None]:
        """Make ``report`` durable: MFA sessions and codes first, then the credentials file, then the profiles.

        ``names`` limits the profiles committed (the engine commits per identity); every
        result committed is marked in ``report.committed`` so a later commit skips it.
        Returns the profiles the credentials file refused (now failed) and the state written
        last. A state that cannot be written raises :class:`StateError` after the credentials
        file was written: the rows then show CHANGED, which is the truth.
        """
        from mfa_tui.core.credentials.ownership import ProfileCredentials

        registry = self.registry
        unwritten: list[str] = []
        with self.commit_lock:
            results = [
                r for r in report.results.values()
                if r.profile not in report.committed and (names is None or r.profile in names)
            ]
            sessions = {n: c for n, c in report.mfa_sessions.items() if n not in report.committed_sessions}
            discarded = report.discarded_sessions - report.committed_sessions
            codes = dict(report.devices)
            written = None
            if sessions or discarded or codes != report.committed_devices:
                written = self.update(lambda state: self._apply_sessions(state, report, sessions, discarded, codes))
                report.committed_sessions.update(sessions)
                report.committed_sessions.update(discarded)
                report.committed_devices = codes
            ok = [r for r in results if r.ok]
            refused = outputs.divert(registry, ok, self._credentials_file, self._config_path()) if ok else {}
            ok = [r for r in ok if r.profile not in refused and not outputs.is_process(registry, r.profile)]
            if ok:
                updates = []
                for result in ok:
                    profile = registry.profiles[result.profile]
                    identity = registry.identities[profile.identity]
                    updates.append(ProfileCredentials(result.profile, result.credentials,
                                                      region=profile.region or identity.region))
                try:
                    refused |= self._credentials_file().write(updates, adopt=set(adopt), skip_refused=True)
                except CredentialsFileError as exc:
                    refused |= {result.profile: str(exc) for result in ok}
            for name, reason in refused.items():
                result = report.results[name]
                result.ok = False
                result.message = not_written(name, reason)
                result.credentials = None
                unwritten.append(name)
            if results:
                now = self.clock.now()
                held = self._file_keys if any(r.ok for r in results) else dict
                written = self.update(lambda state: self._apply_results(state, results, now, held()))
            report.committed.update(r.profile for r in results)
        return unwritten, written

    def commit_and_report(self, report: RefreshReport, *, adopt: Collection[str] = (),
                          names: Collection[str] | None = None, progress: ProgressSink | None = None) -> None:
        """:meth:`commit`, then VALID (with the new expiry and role ARN) for each profile now durable, ERROR for each refused."""
        from mfa_tui.core.session.refresh import Progress

        before = set(report.committed)
        unwritten, state = self.commit(report, adopt=adopt, names=names)
        if progress is None or state is None:
            return
        done = [n for n in report.committed - before if report.results[n].ok or n in unwritten]
        if not done:
            return
        rows = {row.profile: row for row in self.statuses(done, snap=self.snapshot(done, state=state))}
        for name in done:
            result = report.results[name]
            if result.ok:
                progress(Progress(
                    name, State.VALID, "; ".join(result.warnings),
                    expires_at=result.credentials.expiration if result.credentials else None,
                    assumed_role_arn=result.assumed_role_arn, status=rows.get(name),
                ))
            else:
                progress(Progress(name, State.ERROR, result.message, status=rows.get(name)))

    def refused(self, names: list[str], adopt: Collection[str]) -> dict[str, ProfileResult]:
        """Profiles the credentials file would refuse, as failed results: no code is to be spent on them.

        A file that cannot be read or parsed, or is read-only, refuses every profile.
        """
        from mfa_tui.core.fileio import read_only_reason
        from mfa_tui.core.session.refresh import ProfileResult

        if not names:
            return {}
        try:
            credentials_file = self._credentials_file()
            reasons = credentials_file.refusals(names, adopt=adopt)
            reasons = outputs.config_refusals(self.registry, names, self._config_path()) | reasons
            read_only = read_only_reason(credentials_file.path)
            if read_only:
                raise CredentialsFileError(read_only)
        except CredentialsFileError as exc:
            reasons = {name: str(exc) for name in names}
        return {name: ProfileResult(name, ok=False, message=not_written(name, reason)) for name, reason in reasons.items()}

    def record_whoami(self, answers: dict[str, object], asked: dict[str, str]) -> None:
        """Save each who-am-I answer, only while its profile still holds the credentials (key id in ``asked``) it was asked with."""
        def apply(state: SessionState) -> None:
            for name, answer in answers.items():
                pst = state.profiles.get(name)
                if isinstance(answer, WhoAmI) and pst is not None and pst.credentials is not None \
                        and pst.credentials.access_key_id == asked.get(name):
                    pst.whoami = answer

        if any(isinstance(answer, WhoAmI) for answer in answers.values()):
            self.update(apply)

    def _apply_sessions(self, state: SessionState, report: RefreshReport, sessions, discarded, codes) -> None:
        registry = self.registry
        for name in discarded:
            if name in state.identities and name not in sessions:
                ist = state.identities[name]
                ist.mfa_credentials, ist.binding, ist.key_id = None, None, None
        for name, creds in sessions.items():
            ist = state.identity(name)
            ist.mfa_credentials = creds
            ist.binding = identity_binding(registry.identities[name])
            ist.key_id = report.session_key_ids.get(name)
        state.devices.update(codes)

    def _config_path(self):
        from mfa_tui.core import paths

        return self.aws_config_path or paths.aws_config_path()

    def _file_keys(self) -> dict[str, str | None] | None:
        """The credentials file's key id per section, or None when it cannot be read now."""
        try:
            return self._credentials_file().key_ids()
        except CredentialsFileError:
            return None

    def _apply_results(self, state: SessionState, results, now: datetime, held: dict[str, str | None] | None) -> None:
        """Record how each profile ended, under the state lock; ``held`` is what the file holds now.

        Another process may have written a profile's section after this one did, and recorded
        its own keys: then this result is stale, and recording it would make the state name keys
        the file no longer holds (a "changed" row although only mfa-tui wrote). Each writer records
        after its file write, so the last record always matches the last write.
        """
        registry = self.registry
        for result in results:
            if result.skipped:
                continue  # the user's choice, not a failure: credentials and last error stay
            if result.ok and result.credentials and held is not None and not outputs.is_process(registry, result.profile) \
                    and held.get(result.profile) != result.credentials.access_key_id:
                continue  # overtaken by another writer, whose own record stands
            profile = registry.profiles[result.profile]
            pst = state.profile(result.profile)
            binding = profile_binding(profile, registry.identities.get(profile.identity))
            if result.ok:
                pst.credentials = result.credentials
                pst.expires_at = result.credentials.expiration if result.credentials else None
                pst.last_refresh = now
                pst.last_error = None
                pst.assumed_role_arn = result.assumed_role_arn
                pst.source_identity = result.source_identity
                pst.whoami = None  # the who-am-I answer was for the credentials now replaced
                pst.binding = binding
            else:
                pst.last_error = result.message
                if pst.binding is None:
                    pst.binding = binding
            pst.identity = profile.identity
            pst.kind = profile.kind.value


def _drop_unbound(state: SessionState, registry: Registry, file_keys: dict[str, str | None] | None = None) -> None:
    """The one rule for what ``state`` may keep: what ``registry`` still describes, as it describes it.

    Entries of identities and profiles no longer in the registry go. An MFA session whose
    binding differs (or whose long-term key id differs from the one in ``file_keys``, when that
    file holds it: a key kept in ~/.aws/config is checked by the refresh, which reads it anyway)
    is emptied. A profile whose binding differs loses its credentials and keeps only the last
    error its own refresh recorded. Entries are replaced, never changed in place, so a copy
    of the containers leaves the original state as it was.
    """
    identities = {}
    for name, ist in state.identities.items():
        identity = registry.identities.get(name)
        if identity is None:
            continue
        current = (file_keys or {}).get(identity.source_profile)
        matches = ist.binding == identity_binding(identity) and (
            current is None or ist.key_id is None or current == ist.key_id
        )
        identities[name] = ist if matches else IdentityState()
    profiles = {}
    for name, pst in state.profiles.items():
        profile = registry.profiles.get(name)
        if profile is None:
            continue
        if pst.binding != profile_binding(profile, registry.identities.get(profile.identity)):
            pst = ProfileState(last_error=pst.last_error if pst.binding is not None else None)
        profiles[name] = pst
    state.identities, state.profiles = identities, profiles


def not_written(name: str, reason: str) -> str:
    """A profile's one-line failure when the credentials file refused it or could not be written."""
    return f"profile {name}: not written: {reason}"
