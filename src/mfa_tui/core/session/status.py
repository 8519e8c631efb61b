"""The status rule: how a profile's row is computed from the session state and the credentials file.

A profile is valid only while its section of the credentials file holds the access key id
mfa-tui wrote; otherwise it is MISSING (section gone) or CHANGED (someone else wrote it)
(:func:`file_state`). Its credentials are its own, or for an MFA-session profile its identity's
MFA session (:func:`stored`). The rules that read rows are here too: which rows need attention
(:func:`is_stale`), which chained roles are due a re-mint (:func:`due_for_remint`), and when rows
must be recomputed (:func:`change_stamp`).
The state read here is a :class:`Snapshot` the session store (:mod:`.store`) made, already
checked against the registry.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mfa_tui.core.models import (
    STALE_STATES,
    Credentials,
    Profile,
    ProfileKind,
    ProfileStatus,
    Registry,
    State,
    classify,
)
from mfa_tui.core.session.entries import SessionState


@dataclass
class Snapshot:
    """The state as the registry allows it (unbound entries left out) and what the credentials file holds."""

    state: SessionState
    file_keys: dict[str, str | None] | None
    """Section -> access key id in the credentials file; None when the file could not be read."""
    file_error: str | None = None
    """Why the credentials file could not be read."""


def mfa_session(identity: str, snap: Snapshot) -> Credentials | None:
    """The identity's cached MFA session (expired or not)."""
    ist = snap.state.identities.get(identity)
    return ist.mfa_credentials if ist else None


def stored(profile: Profile, snap: Snapshot) -> Credentials | None:
    """The credentials mfa-tui holds for ``profile`` (expired or not): its own, or its identity's MFA session."""
    pst = snap.state.profiles.get(profile.name)
    creds = pst.credentials if pst else None
    if creds is None and profile.kind is ProfileKind.MFA_SESSION:
        creds = mfa_session(profile.identity, snap)
    return creds


def file_state(profile: Profile, creds: Credentials | None, snap: Snapshot) -> State | None:
    """MISSING or CHANGED when the profile's section does not hold ``creds``; None when it does."""
    if creds is None or snap.file_keys is None or profile.output == "credential-process":
        return None  # credential-process: the state is where the credentials live (session/outputs.py)
    if profile.name not in snap.file_keys:
        return State.MISSING
    if snap.file_keys[profile.name] != creds.access_key_id:
        return State.CHANGED
    return None


def statuses(registry: Registry, snap: Snapshot, now: datetime, names: Iterable[str] | None = None) -> list[ProfileStatus]:
    """One :class:`ProfileStatus` per profile (all, in registry order, when ``names`` is None)."""
    wanted = list(registry.profiles) if names is None else list(names)
    warn = registry.settings.warn_before
    rows = []
    for name in wanted:
        profile = registry.profiles[name]
        identity = registry.identities.get(profile.identity)
        mfa = mfa_session(profile.identity, snap)
        pst = snap.state.profiles.get(name)
        creds = stored(profile, snap)
        expires_at = creds.expiration if creds else None
        last_error = pst.last_error if pst else None
        if snap.file_error and creds is not None:
            last_error = snap.file_error
        account = registry.account_for(profile)
        rows.append(ProfileStatus(
            profile=name,
            identity=profile.identity,
            kind=profile.kind,
            state=classify(expires_at, now, warn, last_error=last_error,
                           in_file=file_state(profile, creds, snap)),
            account_id=registry.account_id_for(profile),
            account_alias=(account.alias or account.name) if account else "",
            role_arn=profile.role_arn,
            expires_at=expires_at,
            mfa_expires_at=mfa.expiration if mfa and mfa.expiration > now else None,
            last_refresh=pst.last_refresh if pst and creds else None,
            whoami=pst.whoami if pst and creds else None,
            last_error=last_error,
            assumed_role_arn=pst.assumed_role_arn if pst and creds else None,
            source_identity=pst.source_identity if pst and creds else None,
            tags=registry.tags_for(profile),
            mfa_serial=identity.mfa_serial if identity else None,
        ))
    return rows



def is_stale(row: ProfileStatus) -> bool:
    """The row needs attention: expiring, expired, missing, changed, or its last refresh failed."""
    return row.state in STALE_STATES or bool(row.last_error)


def due_for_remint(rows: Iterable[ProfileStatus], now: datetime, within: float) -> list[str]:
    """Chained roles minted before, with a live MFA session, expiring within ``within`` seconds.

    A role never minted is left alone: refreshing it is the user's call.
    """
    return [
        row.profile
        for row in rows
        if row.kind is ProfileKind.CHAINED_ROLE
        and row.mfa_expires_at is not None
        and row.expires_at is not None
        and (row.expires_at - now).total_seconds() <= within
    ]


def change_stamp(files: Iterable[Path]) -> tuple:
    """A cheap fingerprint (one ``stat`` each) of the files a status is computed from; None for a file not there."""
    stamp = []
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            stamp.append(None)
        else:
            stamp.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(stamp)
