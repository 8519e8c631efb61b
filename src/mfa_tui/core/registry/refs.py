"""References between the registry's tables, and to the AWS config file beside it.

Split from :mod:`mfa_tui.core.registry.validate` (which checks each table on its own):
these rules look across tables (a profile's identity, an account's id against a role
ARN, a profile named like an identity's long-term-key profile) or outside the registry
(a ``[profile NAME]`` with ``role_arn`` in ~/.aws/config that the AWS CLI would use
instead of the credentials mfa-tui writes). They run on the raw tables, so an entry
with a problem of its own still gets its references checked: every problem at once.
Each problem is reported through ``add(where, message)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mfa_tui.core.models import ACCOUNT_ID_RE, MFA_SERIAL_RE, ROLE_ARN_RE

Where = tuple[str, ...]
Add = Callable[[Where, str], None]

_SHADOWING_KEYS = {
    "role_arn": "role_arn (an assume-role profile)",
    "web_identity_token_file": "web_identity_token_file",
    "sso_session": "sso_session (an SSO profile)",
    "sso_start_url": "sso_start_url (an SSO profile)",
}


def _show(value: str) -> str:
    text = f'"{value}"'
    return text if len(text) <= 70 else text[:67] + "..."


def _reference(add: Add, where: Where, value: str, known: dict, what: str) -> None:
    """An unknown name: suggest the closest known one."""
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    if close:
        hint = f'did you mean "{close[0]}"?'
    elif known:
        names = list(known)
        hint = "known: " + ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    else:
        hint = f"there is no [{what}.NAME] table"
    add(where, f"{_show(value)} is not one of this registry's {what}; {hint}")


def check_references(raw: dict[str, Any], add: Add) -> None:
    """Names that point at other tables, duplicate account ids, and long-term-key names."""

    def tables(name: str) -> dict[str, dict]:
        group = raw.get(name)
        if not isinstance(group, dict):
            return {}
        return {k: v for k, v in group.items() if isinstance(v, dict)}

    def text(table: dict, key: str) -> str | None:
        value = table.get(key)
        return value if isinstance(value, str) and value.strip() else None

    accounts, identities, profiles = tables("accounts"), tables("identities"), tables("profiles")
    account_ids: dict[str, str] = {}
    for name, table in accounts.items():
        acct_id = text(table, "id")
        if acct_id is None or not ACCOUNT_ID_RE.match(acct_id):
            continue
        if acct_id in account_ids:
            add(("accounts", name, "id"), f"account id {acct_id} is also accounts.{account_ids[acct_id]}'s; give each account one table")
        else:
            account_ids[acct_id] = name
    id_of = {name: text(t, "id") for name, t in accounts.items()}

    def account_ref(where: Where, table: dict, key: str, arn_re: re.Pattern) -> None:
        """The table's ``account`` names an [accounts.NAME] whose id is the account of the ARN in ``key``."""
        account = text(table, "account")
        arn = arn_re.match(text(table, key) or "")
        if account is None:
            return
        if account not in accounts:
            _reference(add, where + ("account",), account, accounts, "accounts")
        elif arn and ACCOUNT_ID_RE.match(id_of[account] or "") and id_of[account] != arn.group(1):
            add(where + ("account",), f"accounts.{account} has id {id_of[account]} but {key} is in account {arn.group(1)}")

    key_profiles: dict[str, str] = {}
    for name, table in identities.items():
        where = ("identities", name)
        source = text(table, "source_profile")
        if source is not None:
            key_profiles.setdefault(source, name)
        account_ref(where, table, "mfa_serial", MFA_SERIAL_RE)

    for name, table in profiles.items():
        where = ("profiles", name)
        identity = text(table, "identity")
        if identity is not None and identity not in identities:
            _reference(add, where + ("identity",), identity, identities, "identities")
        if name in key_profiles:
            owner = key_profiles[name]
            add(
                where,
                f"has the same name as identities.{owner}.source_profile, the credentials-file profile holding "
                f"{owner}'s long-term keys; writing it would overwrite those keys: rename this profile",
            )
        account_ref(where, table, "role_arn", ROLE_ARN_RE)


def check_shadowing(names: list[str], aws_config_path: Path, add: Add) -> None:
    """Profiles that a ``[profile NAME]`` of the AWS config file would shadow (docs/aws-behaviour.md, "The shared credentials file")."""
    sections = read_aws_config_profiles(aws_config_path)
    for name in names:
        keys = sections.get(name)
        if not keys:
            continue
        for key, what in _SHADOWING_KEYS.items():
            if key in keys:
                section = "default" if name == "default" else f"profile {name}"
                add(
                    ("profiles", name),
                    f"{aws_config_path} has [{section}] with {what}, which the AWS CLI and SDKs resolve before "
                    "the credentials file, so the credentials mfa-tui writes for this profile would never be "
                    f"used; rename this profile or remove {key} there",
                )
                break


def read_aws_config_profiles(path: Path) -> dict[str, set[str]]:
    """Profile name -> its keys, from an AWS config file; empty when missing or unparsable.

    Section names follow botocore's ``build_profile_map``: ``[default]`` and
    ``[profile NAME]`` (NAME may be shell-quoted); other sections are not profiles. A path
    that is no file at all (a named pipe, a directory: the AWS CLI silently takes it for no
    config) raises :class:`~mfa_tui.core.fileio.NotAFileError` naming it.
    """
    import configparser
    import shlex

    from mfa_tui.core.errors import FileError
    from mfa_tui.core.fileio import NotAFileError, read_bytes

    try:
        data = read_bytes(path, limit=4 * 1024 * 1024)
        if data is None:
            return {}
        parser = configparser.RawConfigParser(strict=False)
        parser.read_string(data.decode("utf-8", errors="replace"))
    except NotAFileError:
        raise
    except (FileError, configparser.Error, UnicodeError):
        return {}
    profiles: dict[str, set[str]] = {}
    for section in parser.sections():
        if section == "default":
            name = "default"
        elif section.startswith("profile"):
            try:
                parts = shlex.split(section)
            except ValueError:
                continue
            if len(parts) != 2 or parts[0] != "profile":
                continue
            name = parts[1]
        else:
            continue
        profiles.setdefault(name, set()).update(k for k, v in parser.items(section) if v and v.strip())
    return profiles
