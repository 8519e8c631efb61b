"""The registry's schema: every rule a parsed registry must meet, checked all at once.

:func:`validate` takes the dict tomllib produced and returns either a
:class:`~mfa_tui.core.models.Registry` or the complete list of problems, each naming
the table and key (``profiles.prod-admin.duration``) and saying how to fix it. It
never stops at the first problem: a user fixing a registry by hand should see
everything in one run of ``mfa-tui config check``.

The schema itself is documented for users in ``config.example.toml``; the key tables
below must stay in step with it (a test loads the example).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mfa_tui.core.clock import format_setting, parse_duration
from mfa_tui.core.errors import Problem
from mfa_tui.core.models import (
    ACCOUNT_ID_RE,
    CHAINED_ROLE_MAX,
    MFA_SERIAL_RE,
    MFA_SESSION_MAX,
    MFA_SESSION_MIN,
    ROLE_ARN_RE,
    ROLE_MAX,
    ROLE_MIN,
    SESSION_NAME_RE,
    EXTERNAL_ID_RE,
    HARDWARE_SERIAL_RE,
    IAM_USER_NAME_RE,
    REGION_RE,
    profile_name_problem,
    Account,
    Identity,
    Profile,
    ProfileKind,
    Registry,
    Settings,
    Strategy,
)
from mfa_tui.core.registry.refs import check_references, check_shadowing
from mfa_tui.core.registry.text import format_path

Where = tuple[str, ...]

SETTINGS_KEYS = (
    "theme",
    "warn_before",
    "mfa_session_duration",
    "role_duration",
    "credentials_file",
    "refresh_concurrency",
    "auto_remint",
    "keys",
)
ACCOUNT_KEYS = ("id", "alias", "tags")
IDENTITY_KEYS = (
    "source_profile",
    "mfa_serial",
    "region",
    "endpoint_url",
    "account",
    "mfa_session_duration",
    "user_name",
)
PROFILE_KEYS = (
    "identity",
    "role_arn",
    "strategy",
    "external_id",
    "role_session_name",
    "duration",
    "region",
    "account",
    "tags",
)
TABLES = {"settings": SETTINGS_KEYS, "accounts": ACCOUNT_KEYS, "identities": IDENTITY_KEYS, "profiles": PROFILE_KEYS}

# Names users bring from ~/.aws files or aws-mfa; difflib would not connect them.
_ALIASES = {
    "aws_mfa_device": "mfa_serial",
    "mfa_device": "mfa_serial",
    "mfa_arn": "mfa_serial",
    "duration_seconds": "duration",
    "assume_role": "role_arn",
    "role": "role_arn",
    "account_id": "id",
    "name": "alias",
    "profile": "source_profile",
    "session_name": "role_session_name",
}

CONCURRENCY_MIN, CONCURRENCY_MAX = 1, 64
_THEME_RE = re.compile(r"^[\w.-]+$")

_BAD = object()
"""Marks a value that failed its check (its problem is already recorded)."""

_SESSION_KINDS = {
    "mfa": ("an", "MFA session", "would count as expiring from the moment it is made, so every refresh would ask for a code"),
    "chained": ("a", "chained role", "would count as expiring as soon as it is minted, so the dashboard would re-mint it every 30 s"),
    "direct": ("a", "direct role", "would count as expiring as soon as it is written, so every refresh asks for a code for it again"),
}
"""A session kind -> its article, its name, and what a warn_before at least as long as it does."""


def show(value: Any) -> str:
    """A value as it could appear in a message: short, quoted like TOML."""
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 70 else text[:67] + "..."


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _shown(value: Any, seconds: int) -> str:
    """A duration as written, with its seconds when it was written with units."""
    return show(value) + ("" if isinstance(value, int) else f" ({seconds} s)")


def validate(
    raw: dict[str, Any],
    *,
    path: Path,
    aws_config_path: Path | None = None,
    locate: Callable[[Where], tuple[int, int] | None] | None = None,
) -> tuple[Registry | None, list[Problem]]:
    """Check ``raw`` against the schema; a Registry when there is no problem, else every problem.

    ``aws_config_path`` is the AWS config file to check for shadowing profiles, tolerated
    missing or unparsable; None skips that check (``credentials_file`` is then compared with
    :func:`mfa_tui.core.paths.aws_config_path`). ``locate`` maps a key path to
    its line and column in the file, for messages.
    """
    checker = _Checker(path, locate, aws_config_path)
    registry = checker.run(raw, aws_config_path)
    return (registry if not checker.problems else None), checker.problems


def credentials_file_clash(setting: str, registry_path: Path, aws_config_path: Path | None = None) -> str | None:
    """Why ``credentials_file = setting`` names a file mfa-tui or the AWS CLI already uses, or None.

    Compared after ``~`` and symlinks are resolved, and by inode when both exist (hard links,
    case-insensitive file systems): the registry, the AWS config file, mfa-tui's state dir.
    """
    from mfa_tui.core import paths

    target = os.path.realpath(os.path.expanduser(setting))
    if _same_file(target, registry_path):
        return "is the registry itself"
    aws_config = aws_config_path or paths.aws_config_path()
    if _same_file(target, aws_config):
        return f"is the AWS config file ({aws_config})"
    state = os.path.realpath(paths.state_dir())
    if target == state or target.startswith(os.path.join(state, "")):
        return f"is in mfa-tui's state dir ({state}), beside its session state"
    return None


def _same_file(target: str, other: Path) -> bool:
    if target == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(target, other)
    except OSError:
        return False


def _lifetimes(settings: Settings, identity: Identity | None, profile: Profile) -> Iterator[tuple[Where, int, str, str]]:
    """For each session ``profile`` needs: where its length is set, its seconds, its kind, who uses it.

    The same lengths a refresh asks for (:meth:`Registry.mfa_duration`, a role's duration or the
    default role_duration, chained roles held to AWS's 1-hour cap).
    """
    if identity is not None and profile.kind is not ProfileKind.DIRECT_ROLE:
        own = identity.mfa_session_duration
        source = ("identities", identity.name, "mfa_session_duration") if own else ("settings", "mfa_session_duration")
        yield source, own or settings.mfa_session_duration, "mfa", format_path(("identities", identity.name))
    if profile.kind is ProfileKind.MFA_SESSION:
        return
    chained = profile.kind is ProfileKind.CHAINED_ROLE
    user = format_path(("profiles", profile.name))
    if profile.duration:
        yield ("profiles", profile.name, "duration"), profile.duration, "chained" if chained else "direct", user
    elif chained:
        yield ("settings", "role_duration"), min(settings.role_duration, CHAINED_ROLE_MAX), "chained", user
    else:
        yield ("settings", "role_duration"), settings.role_duration, "direct", user


class _Checker:
    """One validation run: field checks record problems and return ``_BAD``, never raise."""

    def __init__(self, path: Path, locate, aws_config_path: Path | None = None):
        self.path = path
        self.locate = locate
        self.aws_config_path = aws_config_path
        self.timing: Settings | None = None
        """[settings]' durations when each is valid (even if another setting is not), for the warn_before check."""
        self.problems: list[Problem] = []
        self._pending: list[tuple[Where, str]] = []

    def add(self, where: Where, message: str) -> None:
        self._pending.append((where, message))

    def _finish(self) -> None:
        for where, message in self._pending:
            pos = self.locate(where) if self.locate else None
            line, column = pos if pos else (None, None)
            self.problems.append(Problem(str(self.path), format_path(where), message, line, column))
        # File order reads best in an editor; problems without a line (whole tables) first.
        self.problems.sort(key=lambda p: (p.line or 0, p.column or 0))

    # -- field checks: each returns the value, or _BAD after recording a problem ----
    def string(self, where: Where, value: Any, *, pattern: re.Pattern | None = None, hint: str = "") -> Any:
        if not isinstance(value, str):
            self.add(where, f"must be a string in quotes, got {show(value)} ({_kind(value)})")
            return _BAD
        if not value.strip():
            self.add(where, "must not be empty")
            return _BAD
        if pattern is not None and not pattern.match(value):
            self.add(where, f"{show(value)} {hint}")
            return _BAD
        return value

    def tags(self, where: Where, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            self.add(where, f'must be a list of non-empty strings, e.g. tags = ["prod", "admin"]; got {show(value)}')
            return _BAD
        return tuple(value)

    def duration(self, where: Where, value: Any, low: int, high: int | None, what: str) -> Any:
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            message = str(exc)
            self.add(where, message if repr(value) in message else f"{message}; got {show(value)}")
            return _BAD
        if seconds < low or (high is not None and seconds > high):
            shown = _shown(value, seconds)
            limits = f"{format_setting(low)} to {format_setting(high)}" if high is not None else f"at least {low}"
            self.add(where, f"{shown} is outside {what}: {limits}")
            return _BAD
        return seconds

    def unknown(self, where: Where, key: str, known: tuple[str, ...], table_kind: str) -> None:
        import difflib  # local: only paid for when a registry has a typo

        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if not close and _ALIASES.get(key) in known:
            close = [_ALIASES[key]]
        if close:
            hint = f"did you mean {close[0]}?"
        else:
            homes = [name for name, keys in TABLES.items() if key in keys and name != table_kind]
            if homes:
                home = homes[0]
                hint = f"{key} belongs in " + ("[settings]" if home == "settings" else f"[{home}.NAME] tables")
            else:
                hint = "known keys: " + ", ".join(known)
        self.add(where, f"unknown key; {hint}")

    def keys_of(self, where: Where, table: dict, known: tuple[str, ...], table_kind: str) -> None:
        for key in table:
            if key not in known:
                self.unknown(where + (key,), key, known, table_kind)

    def table(self, where: Where, value: Any, what: str) -> dict | None:
        if not isinstance(value, dict):
            self.add(where, f"must be a table ([{format_path(where)}] or [{format_path(where)}.NAME]), got {_kind(value)}; {what}")
            return None
        return value

    def name_ok(self, where: Where, name: str) -> bool:
        if not name.strip():
            self.add(where, "table names must not be empty or blank")
            return False
        return True

    # -- the run --------------------------------------------------------------------
    def run(self, raw: dict[str, Any], aws_config_path: Path | None) -> Registry | None:
        for key, value in raw.items():
            if key in TABLES:
                continue
            if key in SETTINGS_KEYS and not isinstance(value, dict):
                self.add((key,), "unknown top-level key; put it under [settings]")
                continue
            import difflib

            close = difflib.get_close_matches(key, list(TABLES), n=1, cutoff=0.6)
            hint = f"did you mean [{close[0]}]?" if close else "the tables are [settings], [accounts.NAME], [identities.NAME] and [profiles.NAME]"
            self.add((key,), f"unknown table; {hint}")

        settings = self.settings(raw.get("settings", {}))
        accounts = self.section(raw, "accounts", self.account)
        identities = self.section(raw, "identities", self.identity)
        profiles = self.section(raw, "profiles", self.profile)
        if self.timing is not None:
            self.warn_before_limits(raw, self.timing, identities, profiles)
        check_references(raw, self.add)
        if aws_config_path is not None and isinstance(raw.get("profiles"), dict) and raw["profiles"]:
            check_shadowing(list(raw["profiles"]), aws_config_path, self.add)
        self._finish()
        if self._pending or settings is None:
            return None
        return Registry(self.path, settings, accounts, identities, profiles)

    def section(self, raw: dict, name: str, build) -> dict:
        if name not in raw:
            return {}
        tables = self.table((name,), raw[name], f"each entry is a [{name}.NAME] table")
        if tables is None:
            return {}
        built = {}
        for entry_name, table in tables.items():
            where = (name, entry_name)
            if not self.name_ok(where, entry_name):
                continue
            if not isinstance(table, dict):
                self.add(where, f"must be a table [{format_path(where)}], got {show(table)} ({_kind(table)})")
                continue
            result = build(where, entry_name, table)
            if result is not None:
                built[entry_name] = result
        return built

    def settings(self, table: Any) -> Settings | None:
        where = ("settings",)
        if not isinstance(table, dict):
            self.add(where, f"must be a table [settings], got {_kind(table)}")
            return None
        self.keys_of(where, table, SETTINGS_KEYS, "settings")
        values: dict[str, Any] = {}
        if "theme" in table:
            values["theme"] = self.string(
                where + ("theme",),
                table["theme"],
                pattern=_THEME_RE,
                hint="is not a theme name: use a theme file's name without .toml (letters, digits, . _ -)",
            )
        if "warn_before" in table:
            values["warn_before"] = self.duration(where + ("warn_before",), table["warn_before"], 0, None, "the allowed range")
        if "mfa_session_duration" in table:
            values["mfa_session_duration"] = self.duration(
                where + ("mfa_session_duration",), table["mfa_session_duration"],
                MFA_SESSION_MIN, MFA_SESSION_MAX, "AWS's limits for an MFA session (GetSessionToken)",
            )
        if "role_duration" in table:
            values["role_duration"] = self.duration(
                where + ("role_duration",), table["role_duration"], ROLE_MIN, ROLE_MAX,
                "AWS's limits for a role session (AssumeRole)",
            )
        if "credentials_file" in table:
            values["credentials_file"] = self.credentials_file(where + ("credentials_file",), table["credentials_file"])
        if "refresh_concurrency" in table:
            value = table["refresh_concurrency"]
            if isinstance(value, bool) or not isinstance(value, int) or not CONCURRENCY_MIN <= value <= CONCURRENCY_MAX:
                self.add(
                    where + ("refresh_concurrency",),
                    f"must be a whole number from {CONCURRENCY_MIN} to {CONCURRENCY_MAX}, got {show(value)}",
                )
                values["refresh_concurrency"] = _BAD
            else:
                values["refresh_concurrency"] = value
        if "auto_remint" in table:
            value = table["auto_remint"]
            if not isinstance(value, bool):
                self.add(where + ("auto_remint",), f"must be true or false, got {show(value)}")
                values["auto_remint"] = _BAD
            else:
                values["auto_remint"] = value
        if "keys" in table:
            values["keys"] = self.key_bindings(where + ("keys",), table["keys"])
        timing = {k: values[k] for k in ("warn_before", "mfa_session_duration", "role_duration") if k in values}
        if _BAD not in timing.values():
            self.timing = Settings(**timing)
        if any(v is _BAD for v in values.values()):
            return None
        return Settings(**values)

    def credentials_file(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is _BAD:
            return _BAD
        clash = credentials_file_clash(value, self.path, self.aws_config_path)
        if clash:
            self.add(
                where,
                f"{show(value)} {clash}: a refresh would append INI sections holding secret keys to it; point "
                "credentials_file at another file, or remove it to use $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials",
            )
            return _BAD
        return value

    def warn_before_limits(self, raw: dict, settings: Settings, identities: dict, profiles: dict) -> None:
        """Sessions no longer than warn_before: "expiring" from the moment they are made, so never left alone.

        Only the sessions in use are checked. A length that comes from [settings] is reported once
        (at warn_before when that is set), naming the first entry that uses it.
        """
        table = raw.get("settings", {})
        warn = settings.warn_before
        short: dict[tuple[Where, str], tuple[int, dict[str, None]]] = {}
        for profile in profiles.values():
            for source, seconds, kind, user in _lifetimes(settings, identities.get(profile.identity), profile):
                if seconds <= warn:
                    short.setdefault((source, kind), (seconds, {}))[1][user] = None
        for (source, kind), (seconds, users) in short.items():
            article, noun, outcome = _SESSION_KINDS[kind]
            used_by = next(iter(users)) + (f" and {len(users) - 1} more" if len(users) > 1 else "")
            length = format_setting(seconds)
            if source[0] == "settings" and "warn_before" in table:
                basis = format_path(source) + ("" if source[-1] in table else ", the default")
                if kind == "chained" and settings.role_duration > CHAINED_ROLE_MAX:
                    basis = f"{format_path(source)} {format_setting(settings.role_duration)}, held to AWS's 1-hour cap for chained roles"
                self.add(
                    ("settings", "warn_before"),
                    f"{_shown(table['warn_before'], warn)} is not shorter than the {length} {article} {noun} lasts "
                    f"({basis}; used by {used_by}): the {noun} {outcome}; set warn_before below {length}",
                )
                continue
            written: Any = raw
            for key in source:
                written = written[key]
            default = "" if "warn_before" in table else ", the default"
            used = f" (used by {used_by})" if source[0] == "settings" else ""
            self.add(
                source,
                f"{show(written)} is not longer than settings.warn_before ({format_setting(warn)}{default}): the {noun}{used} "
                f"{outcome}; make it longer than warn_before, or warn_before shorter",
            )

    def key_bindings(self, where: Where, table: Any) -> Any:
        if not isinstance(table, dict):
            self.add(where, f'must be a table [settings.keys] of binding id = "keys", got {_kind(table)}')
            return _BAD
        ok = True
        for binding, keys in table.items():
            if not isinstance(keys, str) or not keys.strip():
                self.add(where + (binding,), f'must be a string of comma-separated keys, e.g. "R,ctrl+r"; got {show(keys)}')
                ok = False
        return dict(table) if ok else _BAD

    def account(self, where: Where, name: str, table: dict) -> Account | None:
        self.keys_of(where, table, ACCOUNT_KEYS, "accounts")
        bad = False
        if "id" not in table:
            self.add(where, 'id is missing: every account needs its 12-digit id, e.g. id = "123456789012"')
            bad = True
        else:
            value = table["id"]
            if isinstance(value, int) and not isinstance(value, bool):
                self.add(
                    where + ("id",),
                    f'must be a string of 12 digits in quotes, e.g. id = "{value:012d}" (a number loses leading zeros)',
                )
                bad = True
            elif self.string(where + ("id",), value, pattern=ACCOUNT_ID_RE, hint="is not a 12-digit account id") is _BAD:
                bad = True
        alias = self.string(where + ("alias",), table["alias"]) if "alias" in table else ""
        tags = self.tags(where + ("tags",), table["tags"]) if "tags" in table else ()
        if bad or alias is _BAD or tags is _BAD:
            return None
        return Account(name=name, id=table["id"], alias=alias, tags=tags)

    def mfa_serial(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is _BAD:
            return _BAD
        if MFA_SERIAL_RE.match(value) or HARDWARE_SERIAL_RE.match(value):
            return value
        m = re.match(r"^arn:aws[a-zA-Z-]*:iam::([0-9]{12}):user/(?:.*/)?([^/]+)$", value)
        if m:
            acct, user = m.groups()
            self.add(
                where,
                f"{show(value)}: this is the user's ARN; the MFA device is arn:aws:iam::{acct}:mfa/NAME "
                f"(often arn:aws:iam::{acct}:mfa/{user}; `aws iam list-mfa-devices --user-name {user}` shows it)",
            )
        elif re.match(r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:u2f/", value):
            self.add(where, f"{show(value)} is a FIDO security key, which AWS accepts only in the console, never for CLI or API calls; use a virtual or hardware TOTP device")
        else:
            self.add(
                where,
                f"{show(value)} is not an MFA device serial: use the device's ARN, arn:aws:iam::ACCOUNT:mfa/NAME "
                "(or a hardware token's serial number)",
            )
        return _BAD

    def region(self, where: Where, value: Any) -> Any:
        return self.string(where, value, pattern=REGION_RE, hint="is not a region name like us-east-1")

    def identity(self, where: Where, name: str, table: dict) -> Identity | None:
        self.keys_of(where, table, IDENTITY_KEYS, "identities")
        values: dict[str, Any] = {}
        if "source_profile" not in table:
            self.add(where, "source_profile is missing: name the credentials-file profile that holds this user's long-term keys")
            values["source_profile"] = _BAD
        else:
            values["source_profile"] = self.string(where + ("source_profile",), table["source_profile"])
        if "mfa_serial" in table:
            values["mfa_serial"] = self.mfa_serial(where + ("mfa_serial",), table["mfa_serial"])
        if "region" in table:
            values["region"] = self.region(where + ("region",), table["region"])
        if "endpoint_url" in table:
            values["endpoint_url"] = self.endpoint(where + ("endpoint_url",), table["endpoint_url"])
        if "account" in table:
            values["account"] = self.string(where + ("account",), table["account"])
        if "mfa_session_duration" in table:
            values["mfa_session_duration"] = self.duration(
                where + ("mfa_session_duration",), table["mfa_session_duration"],
                MFA_SESSION_MIN, MFA_SESSION_MAX, "AWS's limits for an MFA session (GetSessionToken)",
            )
        if "user_name" in table:
            values["user_name"] = self.string(
                where + ("user_name",), table["user_name"], pattern=IAM_USER_NAME_RE,
                hint="is not an IAM user name (1-64 letters, digits and +=,.@_-)",
            )
        if any(v is _BAD for v in values.values()):
            return None
        return Identity(name=name, **values)

    def endpoint(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is _BAD:
            return _BAD
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            ok = False
        if not ok:
            self.add(where, f"{show(value)} is not an http:// or https:// URL, e.g. \"http://127.0.0.1:5000\"")
            return _BAD
        return value

    def profile(self, where: Where, name: str, table: dict) -> Profile | None:
        self.keys_of(where, table, PROFILE_KEYS, "profiles")
        ok = self.profile_name(where, name)
        values: dict[str, Any] = {}
        if "identity" not in table:
            self.add(where, "identity is missing: name the [identities.NAME] this profile's session comes from")
            values["identity"] = _BAD
        else:
            values["identity"] = self.string(where + ("identity",), table["identity"])
        role_arn = table.get("role_arn")
        if "role_arn" in table:
            values["role_arn"] = self.role_arn(where + ("role_arn",), role_arn)
        else:
            # An MFA-session profile: role-only keys would silently do nothing.
            for key in ("strategy", "external_id", "role_session_name"):
                if key in table:
                    self.add(where + (key,), "only applies to role profiles (with role_arn); this profile is its identity's MFA session")
                    values[key] = _BAD
            if "duration" in table:
                self.add(
                    where + ("duration",),
                    "has no effect on an MFA-session profile (no role_arn); set mfa_session_duration on its identity instead",
                )
                values["duration"] = _BAD
        strategy = Strategy.CHAINED
        if "role_arn" in table and "strategy" in table:
            value = table["strategy"]
            if value in (Strategy.CHAINED.value, Strategy.DIRECT.value):
                strategy = values["strategy"] = Strategy(value)
            else:
                self.add(where + ("strategy",), f'{show(value)} is not a strategy: use "chained" (the default) or "direct"')
                values["strategy"] = _BAD
        if "role_arn" in table and "external_id" in table:
            values["external_id"] = self.string(
                where + ("external_id",), table["external_id"], pattern=EXTERNAL_ID_RE,
                hint="is not a valid ExternalId (2-1224 letters, digits and +=,.@:/_-)",
            )
        if "role_arn" in table and "role_session_name" in table:
            values["role_session_name"] = self.string(
                where + ("role_session_name",), table["role_session_name"], pattern=SESSION_NAME_RE,
                hint="is not a valid RoleSessionName (2-64 letters, digits and +=,.@_-)",
            )
        if "role_arn" in table and "duration" in table:
            # With an unreadable strategy, still check AWS's general limits (as for "direct").
            checked_as = strategy if values.get("strategy") is not _BAD else Strategy.DIRECT
            values["duration"] = self.role_duration(where + ("duration",), table["duration"], checked_as)
        if "region" in table:
            values["region"] = self.region(where + ("region",), table["region"])
        if "account" in table:
            values["account"] = self.string(where + ("account",), table["account"])
        if "tags" in table:
            values["tags"] = self.tags(where + ("tags",), table["tags"])
        if not ok or any(v is _BAD for v in values.values()):
            return None
        return Profile(name=name, **values)

    def profile_name(self, where: Where, name: str) -> bool:
        problem = profile_name_problem(name)
        if problem:
            self.add(where, problem)
        return problem is None

    def role_arn(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is _BAD:
            return _BAD
        if ROLE_ARN_RE.match(value):
            return value
        if re.match(r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:user/", value):
            hint = "this is a user's ARN; a role ARN looks like arn:aws:iam::123456789012:role/NAME"
        elif re.match(r"^arn:aws[a-zA-Z-]*:sts::[0-9]{12}:assumed-role/", value):
            acct = value.split(":")[4]
            role = value.split("/")[1] if value.count("/") >= 1 else "NAME"
            hint = f"this is an assumed-role session ARN; use the role's ARN, arn:aws:iam::{acct}:role/{role}"
        else:
            hint = "is not a role ARN like arn:aws:iam::123456789012:role/NAME"
            self.add(where, f"{show(value)} {hint}")
            return _BAD
        self.add(where, f"{show(value)}: {hint}")
        return _BAD

    def role_duration(self, where: Where, value: Any, strategy: Strategy) -> Any:
        seconds = self.duration(where, value, ROLE_MIN, ROLE_MAX, "AWS's limits for a role session (AssumeRole)")
        if seconds is _BAD:
            return _BAD
        if strategy is Strategy.CHAINED and seconds > CHAINED_ROLE_MAX:
            self.add(
                where,
                f"{show(value)} is too long for a chained role: AWS caps chained roles (assumed with an MFA "
                f'session) at 1 hour; use duration = "1h" or less, or strategy = "direct" to assume this role '
                "with its own code for up to 12h",
            )
            return _BAD
        return seconds
