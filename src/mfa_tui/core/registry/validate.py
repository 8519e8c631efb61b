"""The registry's schema: every rule a parsed registry must meet, checked all at once.

:func:`validate` takes the dict tomllib produced and returns either a
:class:`~mfa_tui.core.models.Registry` or the complete list of problems, each naming
the table and key (``profiles.prod-admin.duration``) and saying how to fix it. It
never stops at the first problem: a user fixing a registry by hand should see
everything in one run of ``mfa-tui config check``.

This module holds the schema (the keys of each table, checked by :mod:`.checks`) and walks the
tables; the rules across tables are :mod:`.refs` and :mod:`.lifetimes`. The schema itself is
documented for users in ``config.example.toml``; the key tables below must stay in step with it
(a test loads the example).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import Problem
from mfa_tui.core.models import (
    EXTERNAL_ID_RE,
    IAM_USER_NAME_RE,
    KEY_STORES,
    OUTPUTS,
    SESSION_NAME_RE,
    Account,
    Identity,
    Profile,
    Registry,
    Settings,
    Strategy,
    profile_name_problem,
)
from mfa_tui.core.registry.checks import BAD, Checks, Where, kind, show
from mfa_tui.core.registry.code_keys import CODE_KEYS, check_code_keys
from mfa_tui.core.registry.lifetimes import check_lifetimes
from mfa_tui.core.registry.refs import check_references, check_shadowing
from mfa_tui.core.registry.text import format_path

SETTINGS_KEYS = (
    "theme",
    "warn_before",
    "mfa_session_duration",
    "role_duration",
    "credentials_file",
    "refresh_concurrency",
    "auto_remint",
    "time",
    "keys",
    "key_max_age",
    "federation_endpoint",
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
    "keys",
    *CODE_KEYS,
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
    "output",
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

_THEME_RE = re.compile(r"^[\w.-]+$")
_ROLE_ONLY = ("strategy", "external_id", "role_session_name")
"""Keys that mean nothing without role_arn (duration too, with its own message)."""


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


class _Checker(Checks):
    """One validation run over the tables: each table's keys get their checks, never raising."""

    def __init__(self, path: Path, locate, aws_config_path: Path | None = None):
        super().__init__(path, locate, aws_config_path)
        self.timing: Settings | None = None
        """[settings]' durations when each is valid (even if another setting is not), for the warn_before check."""

    # -- keys and tables --------------------------------------------------------------
    def unknown(self, where: Where, key: str, known: tuple[str, ...], table_kind: str) -> None:
        import difflib  # local: only paid for when a registry has a typo

        # A known alias first: aws_mfa_device is mfa_serial, however close it looks to ykman_device.
        close = [_ALIASES[key]] if _ALIASES.get(key) in known else difflib.get_close_matches(key, known, n=1, cutoff=0.6)
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

    def keys_of(self, where: Where, table: dict, table_kind: str) -> None:
        known = TABLES[table_kind]
        for key in table:
            if key not in known:
                self.unknown(where + (key,), key, known, table_kind)

    def unknown_tables(self, raw: dict[str, Any]) -> None:
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

    # -- the run --------------------------------------------------------------------
    def run(self, raw: dict[str, Any], aws_config_path: Path | None) -> Registry | None:
        self.unknown_tables(raw)
        settings = self.settings(raw.get("settings", {}))
        accounts = self.section(raw, "accounts", self.account)
        identities = self.section(raw, "identities", self.identity)
        profiles = self.section(raw, "profiles", self.profile)
        if self.timing is not None:
            check_lifetimes(raw, self.timing, identities, profiles, self.add)
        check_references(raw, self.add)
        if aws_config_path is not None and isinstance(raw.get("profiles"), dict) and raw["profiles"]:
            check_shadowing(list(raw["profiles"]), aws_config_path, self.add)
        self.finish()
        if self.failed or settings is None:
            return None
        return Registry(self.path, settings, accounts, identities, profiles)

    def section(self, raw: dict, name: str, build) -> dict:
        if name not in raw:
            return {}
        tables = raw[name]
        if not isinstance(tables, dict):
            self.add((name,), f"must be a table ([{name}] or [{name}.NAME]), got {kind(tables)}; each entry is a [{name}.NAME] table")
            return {}
        built = {}
        for entry_name, table in tables.items():
            where = (name, entry_name)
            if not entry_name.strip():
                self.add(where, "table names must not be empty or blank")
                continue
            if not isinstance(table, dict):
                self.add(where, f"must be a table [{format_path(where)}], got {show(table)} ({kind(table)})")
                continue
            result = build(where, entry_name, table)
            if result is not None:
                built[entry_name] = result
        return built

    # -- the tables: each returns its model, or None after recording its problems --------
    def settings(self, table: Any) -> Settings | None:
        where = ("settings",)
        if not isinstance(table, dict):
            self.add(where, f"must be a table [settings], got {kind(table)}")
            return None
        self.keys_of(where, table, "settings")
        values = self.fields(where, table, {
            "theme": self.matching(_THEME_RE, "is not a theme name: use a theme file's name without .toml (letters, digits, . _ -)"),
            "warn_before": self.warn_before,
            "mfa_session_duration": self.mfa_duration,
            "role_duration": self.role_duration,
            "credentials_file": self.credentials_file,
            "refresh_concurrency": self.concurrency,
            "auto_remint": self.boolean,
            "time": self.matching(re.compile(r"(utc|local)\Z"), 'is not a time display: use "utc" (the default) or "local"'),
            "keys": self.key_bindings,
            "key_max_age": self.key_max_age,
            "federation_endpoint": self.endpoint,
        })
        timing = {k: values[k] for k in ("warn_before", "mfa_session_duration", "role_duration") if k in values}
        if BAD not in timing.values():
            self.timing = Settings(**timing)
        return _built(Settings, values)

    def account(self, where: Where, name: str, table: dict) -> Account | None:
        self.keys_of(where, table, "accounts")
        values = {"id": self.required(where, table, "id", 'every account needs its 12-digit id, e.g. id = "123456789012"', self.account_id)}
        values |= self.fields(where, table, {"alias": self.string, "tags": self.tags})
        return _built(Account, values, name=name)

    def identity(self, where: Where, name: str, table: dict) -> Identity | None:
        self.keys_of(where, table, "identities")
        values = {
            "source_profile": self.required(
                where, table, "source_profile", "name the credentials-file profile that holds this user's long-term keys", self.string,
            )
        }
        values |= self.fields(where, table, {
            "mfa_serial": self.mfa_serial,
            "region": self.region,
            "endpoint_url": self.endpoint,
            "account": self.string,
            "mfa_session_duration": self.mfa_duration,
            "user_name": self.matching(IAM_USER_NAME_RE, "is not an IAM user name (1-64 letters, digits and +=,.@_-)"),
            "keys": self.key_store,
        })
        values |= check_code_keys(self, where, table)
        return _built(Identity, values, name=name)

    def profile(self, where: Where, name: str, table: dict) -> Profile | None:
        self.keys_of(where, table, "profiles")
        problem = profile_name_problem(name)
        if problem:
            self.add(where, problem)
        values = {"identity": self.required(where, table, "identity", "name the [identities.NAME] this profile's session comes from", self.string)}
        if "role_arn" in table:
            values["role_arn"] = self.role_arn(where + ("role_arn",), table["role_arn"])
            values |= self.fields(where, table, {
                "strategy": self.strategy,
                "external_id": self.matching(EXTERNAL_ID_RE, "is not a valid ExternalId (2-1224 letters, digits and +=,.@:/_-)"),
                "role_session_name": self.matching(SESSION_NAME_RE, "is not a valid RoleSessionName (2-64 letters, digits and +=,.@_-)"),
            })
            if "duration" in table:
                # With an unreadable strategy, still check AWS's general limits (as for "direct").
                strategy = values.get("strategy", Strategy.CHAINED)
                checked_as = strategy if strategy is not BAD else Strategy.DIRECT
                values["duration"] = self.role_duration(where + ("duration",), table["duration"], checked_as)
        else:
            # An MFA-session profile: role-only keys would silently do nothing.
            for key in _ROLE_ONLY:
                if key in table:
                    self.add(where + (key,), "only applies to role profiles (with role_arn); this profile is its identity's MFA session")
                    values[key] = BAD
            if "duration" in table:
                self.add(
                    where + ("duration",),
                    "has no effect on an MFA-session profile (no role_arn); set mfa_session_duration on its identity instead",
                )
                values["duration"] = BAD
        values |= self.fields(where, table, {"region": self.region, "account": self.string, "tags": self.tags,
                                             "output": self.output})
        return None if problem else _built(Profile, values, name=name)

    def output(self, where: Where, value: Any) -> Any:
        if value in OUTPUTS:
            return value
        self.add(where, f'{show(value)} is not an output: use "credentials-file" (the default) or "credential-process"')
        return BAD

    def key_store(self, where: Where, value: Any) -> Any:
        if value in KEY_STORES:
            return value
        self.add(where, f'{show(value)} is not a key store: use "source_profile" (the default) or "keyring"')
        return BAD

    def key_max_age(self, where: Where, value: Any) -> Any:
        return self.duration(where, value, 86400, None, "the allowed range (a day or more)")


def _built(model: type, values: dict[str, Any], **names: str) -> Any:
    """``model(**names, **values)``, or None when a value failed its check (its problem is recorded)."""
    if any(v is BAD for v in values.values()):
        return None
    return model(**names, **values)
