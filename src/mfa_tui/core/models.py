"""The domain: what the registry describes and what a refresh produces.

All classes are plain frozen dataclasses with no I/O, so the CLI, the dashboard and
tests share them. Durations are seconds; times are aware UTC datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path

# AWS limits (docs/aws-behaviour.md, "The 1-hour cap for chained roles").
MFA_SESSION_MIN = 15 * 60
"""GetSessionToken's shortest session."""
MFA_SESSION_MAX = 36 * 3600
"""GetSessionToken's longest session for an IAM user."""
MFA_SESSION_DEFAULT = 12 * 3600
"""GetSessionToken's default."""
ROLE_MIN = 15 * 60
"""AssumeRole's shortest session."""
ROLE_MAX = 12 * 3600
"""The largest MaxSessionDuration a role can have."""
CHAINED_ROLE_MAX = 3600
"""AWS's cap for roles assumed with session credentials (role chaining)."""

# [0-9], not \d: \d also matches other scripts' digits ("١١١…"), which AWS never accepts.
ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}$")
ROLE_ARN_RE = re.compile(r"^arn:aws[a-zA-Z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}$")
MFA_SERIAL_RE = re.compile(r"^arn:aws[a-zA-Z-]*:iam::([0-9]{12}):mfa/[\w+=,.@/-]{1,512}$")
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$")
IAM_USER_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
HARDWARE_SERIAL_RE = re.compile(r"^[A-Z0-9]{9,64}$")
"""Hardware TOTP tokens have a plain serial number (e.g. GAHT12345678) instead of an ARN."""


def account_in(pattern: re.Pattern[str], arn: str | None) -> str | None:
    """The account id an ARN pattern (``ROLE_ARN_RE``, ``MFA_SERIAL_RE``) captures; None if it does not match."""
    m = pattern.match(arn) if arn else None
    return m.group(1) if m else None


_SECTION_BREAKERS = re.compile(r"[\[\]\x00-\x1f\x7f]")


def profile_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a profile (it becomes a credentials-file [section]), or None.

    The one rule for profile names: the registry's check, the credentials writer's refusal and
    the importer's choice of names all call it.
    """
    if _SECTION_BREAKERS.search(name):
        return "a profile name cannot hold [, ], a newline or control characters: it becomes a [section] of the credentials file"
    if not name:
        return "a profile name cannot be empty"
    if name != name.strip():
        return "a profile name cannot start or end with whitespace: the AWS CLI would not find it"
    if name == "DEFAULT":
        # Exactly this spelling: configparser (and so botocore) matches section names case-sensitively.
        return (
            'a profile cannot be named "DEFAULT": that is configparser\'s default section, whose keys the AWS CLI '
            'reads as every profile\'s defaults, so mfa-tui cannot write it; choose another name ("default" is fine)'
        )
    if name.startswith("profile ") or name == "profile":
        shown = name[8:].strip() or "NAME"
        return f'name the profile without the "profile " prefix ("{shown}"); that prefix is only for ~/.aws/config sections'
    return None


OUTPUTS = ("credentials-file", "credential-process")
"""A profile's ``output`` choices (:attr:`Profile.output`)."""
CREDENTIAL_PROCESS_SUGGESTED_ABOVE = 200
"""Profiles in the credentials file above which doctor and the organisation import suggest
``output = "credential-process"``: every AWS call parses that file whole, and the config file too
(docs/aws-behaviour.md, "The credentials file is read whole by every AWS call"; the costs:
bench/output_modes.py)."""


class Strategy(StrEnum):
    """How a role profile is assumed."""

    CHAINED = "chained"
    """With the identity's MFA session: one code unlocks every role; capped at 1 hour."""
    DIRECT = "direct"
    """AssumeRole carrying its own code: up to the role's maximum, one code per role."""


class ProfileKind(StrEnum):
    """What a profile written to the credentials file holds."""

    MFA_SESSION = "mfa-session"
    """The identity's own GetSessionToken session."""
    CHAINED_ROLE = "chained-role"
    """A role assumed with the MFA session."""
    DIRECT_ROLE = "direct-role"
    """A role assumed directly with its own code."""


class State(StrEnum):
    """A profile's state as the status table and ``mfa-tui status`` show it."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"
    """No credentials yet, or their section is gone from the credentials file."""
    CHANGED = "changed"
    """The profile's section holds credentials mfa-tui did not write (another tool wrote it)."""
    REFRESHING = "refreshing"
    ERROR = "error"
    """The last refresh failed and the profile has no working credentials."""


KEY_MAX_AGE_DEFAULT = 90 * 86400
"""AWS's advice: rotate long-term access keys at least every 90 days (``[settings] key_max_age``)."""
KEY_STORES = ("source_profile", "keyring")
"""Where an identity keeps its long-term keys (:attr:`Identity.keys`)."""

STALE_STATES = frozenset({State.EXPIRING, State.EXPIRED, State.MISSING, State.CHANGED, State.ERROR})
"""The states a refresh of "everything stale" (``mfa-tui refresh``, the dashboard's ``R``) takes."""


@dataclass(frozen=True)
class Settings:
    """The ``[settings]`` table."""

    theme: str = "mfa-dark"
    """Name of the dashboard theme (a file in themes/ or the user themes folder)."""
    warn_before: int = 15 * 60
    """Seconds before expiry at which a profile counts as expiring."""
    mfa_session_duration: int = MFA_SESSION_DEFAULT
    """Default GetSessionToken duration for identities that do not set one."""
    role_duration: int = CHAINED_ROLE_MAX
    """Default AssumeRole duration for profiles that do not set one."""
    credentials_file: str | None = None
    """Shared credentials file to write; None means $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials."""
    refresh_concurrency: int = 8
    """How many AssumeRole / GetCallerIdentity calls run at once."""
    auto_remint: bool = True
    """Re-mint chained roles before they expire while the MFA session lives (dashboard)."""
    time: str = "utc"
    """How the dashboard and ``mfa-tui status`` show times: ``"utc"`` or ``"local"`` (display only)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Key rebinding: binding id -> comma-separated keys (``[settings.keys]``)."""
    key_max_age: int = KEY_MAX_AGE_DEFAULT
    """Seconds after which doctor warns that an identity's long-term access key should be rotated."""
    federation_endpoint: str | None = None
    """AWS's sign-in federation endpoint for ``mfa-tui console``; None: the role's partition's
    (:mod:`mfa_tui.core.console`), or the local AWS's for an identity on a loopback endpoint."""


@dataclass(frozen=True)
class Account:
    """An AWS account, named by its table key in ``[accounts.NAME]``."""

    name: str
    id: str
    """12-digit account id."""
    alias: str = ""
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.alias or self.name} ({self.id})"


@dataclass(frozen=True)
class Identity:
    """An IAM user reached through long-term keys held in the shared credentials file."""

    name: str
    source_profile: str
    """Credentials-file profile holding the long-term keys (never copied into the registry)."""
    mfa_serial: str | None = None
    """ARN of the MFA device, ``arn:aws:iam::<acct>:mfa/<name>``; None until enrolled."""
    region: str = "us-east-1"
    endpoint_url: str | None = None
    """Override for the STS/IAM endpoint (the local AWS or a compatible service)."""
    mfa_session_duration: int | None = None
    """GetSessionToken duration; None means the settings default."""
    account: str | None = None
    """Name of the account table this user lives in, if registered."""
    user_name: str | None = None
    """IAM user name; derived from the MFA serial or who-am-I when absent."""
    keys: str = "source_profile"
    """Where the long-term keys are: ``"source_profile"`` (that credentials-file section) or ``"keyring"``
    (the OS keyring, item service ``mfa-tui``, username the identity's name; :mod:`mfa_tui.core.keystore`)."""
    code_source: str = "prompt"
    """Where codes come from: ``"prompt"`` (dialog or terminal), ``"ykman"`` or ``"command"`` (:mod:`mfa_tui.core.codes`)."""
    ykman_account: str | None = None
    """The YubiKey OATH account name (``code_source = "ykman"``)."""
    ykman_device: str | None = None
    """The YubiKey's serial, when several are plugged in (``code_source = "ykman"``)."""
    code_command: tuple[str, ...] | None = None
    """The argv printing one code (``code_source = "command"``); never run through a shell."""

    @cached_property
    def account_id(self) -> str | None:
        # Cached (the dataclass is frozen): the dashboard asks for it per row.
        return account_in(MFA_SERIAL_RE, self.mfa_serial)


@dataclass(frozen=True)
class Profile:
    """A name mfa-tui writes into the credentials file."""

    name: str
    identity: str
    """The identity whose MFA session this profile is, or is assumed from."""
    role_arn: str | None = None
    """None: the profile is the identity's MFA session itself."""
    strategy: Strategy = Strategy.CHAINED
    external_id: str | None = None
    role_session_name: str | None = None
    duration: int | None = None
    """Requested seconds; None means the settings default (and the MFA session's for MFA-session profiles)."""
    region: str | None = None
    account: str | None = None
    """Name of the account table; for roles usually derived from the ARN."""
    tags: tuple[str, ...] = ()
    output: str = "credentials-file"
    """Where the credentials go: ``"credentials-file"`` or ``"credential-process"`` (the state only, and a
    ``credential_process`` line in ~/.aws/config; core/credentials/config_file.py)."""

    @property
    def kind(self) -> ProfileKind:
        if self.role_arn is None:
            return ProfileKind.MFA_SESSION
        return ProfileKind.DIRECT_ROLE if self.strategy is Strategy.DIRECT else ProfileKind.CHAINED_ROLE

    @cached_property
    def role_account_id(self) -> str | None:
        # Cached (the dataclass is frozen): the dashboard asks for it per row.
        return account_in(ROLE_ARN_RE, self.role_arn)


@dataclass(frozen=True)
class Registry:
    """A loaded, validated registry."""

    path: Path
    settings: Settings = field(default_factory=Settings)
    accounts: dict[str, Account] = field(default_factory=dict)
    identities: dict[str, Identity] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    """In file order."""
    stamp: str | None = None
    """The file's identity and version when it was read (:func:`mfa_tui.core.session.peek.registry_stamp`,
    taken before reading, so a later edit always shows as a different stamp); None when not read from a file."""

    @cached_property
    def _accounts_by_id(self) -> dict[str, Account]:
        """Account id -> its table (the first, as a scan in file order would find), built on first use.

        Statuses look an account up several times per profile; a scan per lookup made the
        dashboard's start quadratic in accounts × profiles. The registry is never changed after
        loading (a reload makes a new one), so the index cannot go stale.
        """
        index: dict[str, Account] = {}
        for account in self.accounts.values():
            index.setdefault(account.id, account)
        return index

    def account_for(self, profile: Profile) -> Account | None:
        """The account a profile's credentials belong to, from its table, its ARN or its identity."""
        if profile.account and profile.account in self.accounts:
            return self.accounts[profile.account]
        acct_id = profile.role_account_id
        if acct_id is None:
            ident = self.identities.get(profile.identity)
            if ident is not None:
                if ident.account and ident.account in self.accounts:
                    return self.accounts[ident.account]
                acct_id = ident.account_id
        if acct_id is not None:
            return self._accounts_by_id.get(acct_id)
        return None

    def account_id_for(self, profile: Profile) -> str | None:
        account = self.account_for(profile)
        if account is not None:
            return account.id
        if profile.role_account_id:
            return profile.role_account_id
        ident = self.identities.get(profile.identity)
        return ident.account_id if ident else None

    def tags_for(self, profile: Profile) -> tuple[str, ...]:
        """The profile's own tags plus its account's."""
        account = self.account_for(profile)
        extra = account.tags if account else ()
        return tuple(dict.fromkeys(profile.tags + extra))

    def mfa_duration(self, identity: Identity) -> int:
        return identity.mfa_session_duration or self.settings.mfa_session_duration


@dataclass(frozen=True)
class Credentials:
    """A set of temporary credentials. ``repr`` hides the secret parts."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime


@dataclass(frozen=True)
class WhoAmI:
    """GetCallerIdentity's answer for one profile."""

    arn: str
    account: str
    user_id: str
    checked_at: datetime
    expected_account: str | None = None

    @property
    def mismatch(self) -> bool:
        """True when the credentials resolve to another account than the registry says."""
        return self.expected_account is not None and self.account != self.expected_account


@dataclass(frozen=True)
class ProfileStatus:
    """One row of ``mfa-tui status`` and the dashboard."""

    profile: str
    identity: str
    kind: ProfileKind
    state: State
    account_id: str | None
    account_alias: str
    role_arn: str | None
    expires_at: datetime | None
    mfa_expires_at: datetime | None
    """When the identity's MFA session ends (None: no live session)."""
    last_refresh: datetime | None = None
    whoami: WhoAmI | None = None
    last_error: str | None = None
    assumed_role_arn: str | None = None
    source_identity: str | None = None
    tags: tuple[str, ...] = ()
    mfa_serial: str | None = None


def classify(
    expires_at: datetime | None,
    now: datetime,
    warn_before: int,
    *,
    last_error: str | None = None,
    refreshing: bool = False,
    in_file: State | None = None,
) -> State:
    """A profile's state: the one rule the CLI and the dashboard share.

    ``refreshing`` wins. Then what the credentials file holds: ``in_file`` is MISSING when
    the profile's section is gone, CHANGED when it holds another key than mfa-tui wrote
    (None: the section holds mfa-tui's credentials, or nothing was ever written). Then the
    credentials' own time: missing / expired / expiring (within ``warn_before`` seconds) /
    valid. ``last_error`` makes a profile ERROR only when it has no working credentials: a
    failed refresh of credentials that still work leaves them valid, the error shown beside.
    """
    if refreshing:
        return State.REFRESHING
    if in_file is not None and expires_at is not None:
        return in_file
    if expires_at is None:
        return State.ERROR if last_error else State.MISSING
    left = (expires_at - now).total_seconds()
    if left <= 0:
        return State.ERROR if last_error else State.EXPIRED
    if left <= warn_before:
        return State.EXPIRING
    return State.VALID
