"""Which sections of the shared credentials file are mfa-tui's, and what it writes into them.

Owns the ownership rule (the marker key, long-term keys never touched, another tool's
temporary credentials only when adopted; see :mod:`mfa_tui.core.credentials.file`), the
checks of a write request before anything is locked, and the keys written for a profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mfa_tui.core.clock import utc
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.models import Credentials, profile_name_problem

MARKER_KEY = "mfa_tui_managed"
"""The key mfa-tui writes into every section it owns."""
MARKER_VALUE = "true"
EXPIRATION_FORMAT = "%Y-%m-%d %H:%M:%S"
"""UTC without a zone, exactly as aws-mfa writes ``expiration`` (docs/aws-behaviour.md, "aws-mfa's file layout")."""
_SESSION_KEYS = ("aws_session_token", "aws_security_token")


@dataclass(frozen=True)
class ProfileCredentials:
    """Credentials to write under one profile name."""

    profile: str
    credentials: Credentials
    region: str | None = None
    """Written as ``region`` when given; an existing ``region`` key is otherwise left alone."""


def has_long_term_keys(keys: dict[str, str]) -> bool:
    """An access key without a session token: a user's permanent keys, never ours to touch."""
    return "aws_access_key_id" in keys and not any(k in keys for k in _SESSION_KEYS)


def has_marker(keys: dict[str, str]) -> bool:
    return keys.get(MARKER_KEY, "").strip().lower() == MARKER_VALUE



# ── request checks and ownership ────────────────────────────────────────────
def check_request(path: Path, updates: list[ProfileCredentials], remove: list[str]) -> None:
    """Refuse names and values that would not survive an INI round trip (before locking anything)."""
    seen: set[str] = set()
    for name in [u.profile for u in updates] + remove:
        if not isinstance(name, str) or profile_name_problem(name):
            raise CredentialsFileError(
                f"{path}: {name!r} cannot be a profile name in the credentials file "
                "(no brackets, control characters, edge spaces or DEFAULT); nothing was written"
            )
    for update in updates:
        if update.profile in seen:
            raise CredentialsFileError(f"{path}: profile [{update.profile}] given twice in one write; nothing was written")
        seen.add(update.profile)
        if update.profile in remove:
            raise CredentialsFileError(
                f"{path}: profile [{update.profile}] is both written and removed in one write; nothing was written"
            )
        creds = update.credentials
        for key, value in (
            ("aws_access_key_id", creds.access_key_id),
            ("aws_secret_access_key", creds.secret_access_key),
            ("aws_session_token", creds.session_token),
            ("region", update.region),
        ):
            if key == "region" and value is None:
                continue
            # Never echo the value: it may be a secret.
            if not isinstance(value, str) or not value or value != value.strip() or any(c in value for c in "\r\n"):
                raise CredentialsFileError(
                    f"{path}: profile [{update.profile}]: {key} is not a single-line value without edge spaces; "
                    "nothing was written"
                )


def refusal(keys: dict[str, str], adopt: bool, *, name: str, removing: bool = False) -> str | None:
    """Why the existing section ``[name]`` may not be written (or removed), or None when it is ours (or adopted)."""
    if has_long_term_keys(keys):
        return (
            "holds long-term keys (aws_access_key_id without aws_session_token), which mfa-tui never overwrites; "
            "give the registry profile another name"
        )
    if has_marker(keys):
        return None
    holds_session = any(k in keys for k in _SESSION_KEYS)
    if holds_session and adopt:
        return None
    if holds_session:
        return "holds another tool's temporary credentials (aws-mfa style)" + (
            "" if removing else f"; let mfa-tui manage it with `mfa-tui refresh {name} --adopt`"
        )
    return f"was not written by mfa-tui (no `{MARKER_KEY} = {MARKER_VALUE}`); rename or remove that section"


def refusal_message(path: Path, name: str, why: str) -> str:
    """One refused profile's reason, on its own (the per-profile form of the refusal error)."""
    return f"{path}: profile [{name}] {why}"


def check_ownership(
    path: Path,
    sections: dict[str, dict[str, str]],
    updates: list[ProfileCredentials],
    remove: list[str],
    adopted: set[str],
    *,
    raise_: bool,
) -> dict[str, str]:
    """Refused profiles -> one-line reason; with ``raise_``, the first refusal is raised for the whole call."""
    problems = []
    for update in updates:
        if update.profile in sections:
            why = refusal(sections[update.profile], update.profile in adopted, name=update.profile)
            if why:
                problems.append((update.profile, why))
    for name in remove:
        if name in sections:
            why = refusal(sections[name], False, name=name, removing=True)
            if why:
                problems.append((name, why))
    if problems and raise_:
        name, why = problems[0]
        more = len(problems) - 1
        extra = f" (and {more} more refused profile{'s' * (more > 1)})" if more else ""
        raise CredentialsFileError(f"{refusal_message(path, name, why)}; nothing was written{extra}")
    return {name: refusal_message(path, name, why) for name, why in problems}


def values_for(update: ProfileCredentials, existing: dict[str, str] | None) -> dict[str, str]:
    """The keys mfa-tui writes for one profile, in the order a new section lists them."""
    creds = update.credentials
    values = {
        "aws_access_key_id": creds.access_key_id,
        "aws_secret_access_key": creds.secret_access_key,
        "aws_session_token": creds.session_token,
    }
    if existing and "aws_security_token" in existing:
        # aws-mfa writes both; botocore prefers aws_security_token, so a stale one would win.
        values["aws_security_token"] = creds.session_token
    values["expiration"] = utc(creds.expiration).strftime(EXPIRATION_FORMAT)
    if update.region is not None:
        values["region"] = update.region
    values[MARKER_KEY] = MARKER_VALUE
    return values
