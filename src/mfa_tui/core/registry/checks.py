"""The checks on one value of the registry, each recording its problem and never raising.

:class:`Checks` holds one validation run's problems (:meth:`Checks.add`, then
:meth:`Checks.finish` gives each its line and column) and the rule for every kind of value a
table holds: strings and names matching a pattern, tags, durations within AWS's limits, MFA
serials, role ARNs, endpoint URLs, key bindings, the credentials file. Each check returns the
value as the models hold it, or :data:`BAD` after recording a problem. Which key gets which
check, and the tables themselves, are :mod:`mfa_tui.core.registry.validate`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mfa_tui.core.clock import format_setting, parse_duration
from mfa_tui.core.errors import Problem
from mfa_tui.core.models import (
    ACCOUNT_ID_RE,
    CHAINED_ROLE_MAX,
    HARDWARE_SERIAL_RE,
    MFA_SERIAL_RE,
    MFA_SESSION_MAX,
    MFA_SESSION_MIN,
    REGION_RE,
    ROLE_ARN_RE,
    ROLE_MAX,
    ROLE_MIN,
    Strategy,
)
from mfa_tui.core.registry import keymap
from mfa_tui.core.registry.text import format_path

Where = tuple[str, ...]
Check = Callable[[Where, Any], Any]

BAD = object()
"""Marks a value that failed its check (its problem is already recorded)."""

CONCURRENCY_MIN, CONCURRENCY_MAX = 1, 64


def show(value: Any) -> str:
    """A value as it could appear in a message: short, quoted like TOML."""
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 70 else text[:67] + "..."


def kind(value: Any) -> str:
    """The TOML kind of ``value``, for messages: "a string", "a table", ..."""
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def shown(value: Any, seconds: int) -> str:
    """A duration as written, with its seconds when it was written with units."""
    return show(value) + ("" if isinstance(value, int) else f" ({seconds} s)")


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


class Checks:
    """One validation run's problems, and the check for each kind of value."""

    def __init__(self, path: Path, locate, aws_config_path: Path | None = None):
        self.path = path
        self.locate = locate
        self.aws_config_path = aws_config_path
        self.problems: list[Problem] = []
        self._pending: list[tuple[Where, str]] = []

    def add(self, where: Where, message: str) -> None:
        self._pending.append((where, message))

    @property
    def failed(self) -> bool:
        """Whether any problem was recorded."""
        return bool(self._pending)

    def finish(self) -> None:
        """Turn what :meth:`add` recorded into :attr:`problems`, in file order."""
        for where, message in self._pending:
            pos = self.locate(where) if self.locate else None
            line, column = pos if pos else (None, None)
            self.problems.append(Problem(str(self.path), format_path(where), message, line, column))
        # File order reads best in an editor; problems without a line (whole tables) first.
        self.problems.sort(key=lambda p: (p.line or 0, p.column or 0))

    def fields(self, where: Where, table: dict, checks: dict[str, Check]) -> dict[str, Any]:
        """Each key of ``checks`` that ``table`` sets, checked by its check (in the order of ``checks``)."""
        return {key: check(where + (key,), table[key]) for key, check in checks.items() if key in table}

    def required(self, where: Where, table: dict, key: str, missing: str, check: Check) -> Any:
        """``table[key]`` checked, or :data:`BAD` after the problem ``"KEY is missing: {missing}"``."""
        if key not in table:
            self.add(where, f"{key} is missing: {missing}")
            return BAD
        return check(where + (key,), table[key])

    # -- the checks: each returns the value, or BAD after recording a problem ----------
    def string(self, where: Where, value: Any, *, pattern: re.Pattern | None = None, hint: str = "") -> Any:
        if not isinstance(value, str):
            self.add(where, f"must be a string in quotes, got {show(value)} ({kind(value)})")
            return BAD
        if not value.strip():
            self.add(where, "must not be empty")
            return BAD
        if pattern is not None and not pattern.match(value):
            self.add(where, f"{show(value)} {hint}")
            return BAD
        return value

    def matching(self, pattern: re.Pattern, hint: str) -> Check:
        """The check for a string that must match ``pattern`` (``hint`` says what it is not)."""
        return lambda where, value: self.string(where, value, pattern=pattern, hint=hint)

    def tags(self, where: Where, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            self.add(where, f'must be a list of non-empty strings, e.g. tags = ["prod", "admin"]; got {show(value)}')
            return BAD
        return tuple(value)

    def boolean(self, where: Where, value: Any) -> Any:
        if not isinstance(value, bool):
            self.add(where, f"must be true or false, got {show(value)}")
            return BAD
        return value

    def concurrency(self, where: Where, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not CONCURRENCY_MIN <= value <= CONCURRENCY_MAX:
            self.add(where, f"must be a whole number from {CONCURRENCY_MIN} to {CONCURRENCY_MAX}, got {show(value)}")
            return BAD
        return value

    def duration(self, where: Where, value: Any, low: int, high: int | None, what: str) -> Any:
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            message = str(exc)
            self.add(where, message if repr(value) in message else f"{message}; got {show(value)}")
            return BAD
        if seconds < low or (high is not None and seconds > high):
            limits = f"{format_setting(low)} to {format_setting(high)}" if high is not None else f"at least {low}"
            self.add(where, f"{shown(value, seconds)} is outside {what}: {limits}")
            return BAD
        return seconds

    def warn_before(self, where: Where, value: Any) -> Any:
        return self.duration(where, value, 0, None, "the allowed range")

    def mfa_duration(self, where: Where, value: Any) -> Any:
        """An MFA session's length ([settings] or an identity's own)."""
        return self.duration(where, value, MFA_SESSION_MIN, MFA_SESSION_MAX, "AWS's limits for an MFA session (GetSessionToken)")

    def role_duration(self, where: Where, value: Any, strategy: Strategy = Strategy.DIRECT) -> Any:
        """A role session's length: AWS's limits, and the 1-hour cap on ``chained`` roles."""
        seconds = self.duration(where, value, ROLE_MIN, ROLE_MAX, "AWS's limits for a role session (AssumeRole)")
        if seconds is BAD:
            return BAD
        if strategy is Strategy.CHAINED and seconds > CHAINED_ROLE_MAX:
            self.add(
                where,
                f"{show(value)} is too long for a chained role: AWS caps chained roles (assumed with an MFA "
                f'session) at 1 hour; use duration = "1h" or less, or strategy = "direct" to assume this role '
                "with its own code for up to 12h",
            )
            return BAD
        return seconds

    def strategy(self, where: Where, value: Any) -> Any:
        if value in (Strategy.CHAINED.value, Strategy.DIRECT.value):
            return Strategy(value)
        self.add(where, f'{show(value)} is not a strategy: use "chained" (the default) or "direct"')
        return BAD

    def account_id(self, where: Where, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            self.add(where, f'must be a string of 12 digits in quotes, e.g. id = "{value:012d}" (a number loses leading zeros)')
            return BAD
        return self.string(where, value, pattern=ACCOUNT_ID_RE, hint="is not a 12-digit account id")

    def region(self, where: Where, value: Any) -> Any:
        return self.string(where, value, pattern=REGION_RE, hint="is not a region name like us-east-1")

    def mfa_serial(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is BAD:
            return BAD
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
        return BAD

    def role_arn(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is BAD:
            return BAD
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
            return BAD
        self.add(where, f"{show(value)}: {hint}")
        return BAD

    def endpoint(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is BAD:
            return BAD
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            ok = False
        if not ok:
            self.add(where, f"{show(value)} is not an http:// or https:// URL, e.g. \"http://127.0.0.1:5000\"")
            return BAD
        return value

    def credentials_file(self, where: Where, value: Any) -> Any:
        if self.string(where, value) is BAD:
            return BAD
        clash = credentials_file_clash(value, self.path, self.aws_config_path)
        if clash:
            self.add(
                where,
                f"{show(value)} {clash}: a refresh would append INI sections holding secret keys to it; point "
                "credentials_file at another file, or remove it to use $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials",
            )
            return BAD
        return value

    def key_bindings(self, where: Where, table: Any) -> Any:
        if not isinstance(table, dict):
            self.add(where, f'must be a table [settings.keys] of binding id = "keys", got {kind(table)}')
            return BAD
        ok = True
        valid: dict[str, str] = {}
        for binding, keys in table.items():
            if binding not in keymap.ACTION_IDS:
                self.add(where + (binding,), f"unknown binding id; {keymap.suggestion(binding)}")
                ok = False
            elif not isinstance(keys, str) or not keys.strip():
                self.add(where + (binding,), f'must be a string of comma-separated keys, e.g. "R,ctrl+r"; got {show(keys)}')
                ok = False
            else:
                valid[binding] = keys
        for key, binding, other in keymap.clashes(valid):
            also = " (its default)" if other not in table else ""
            self.add(
                where + (binding,),
                f"key {key!r} is also bound to {other}{also}: one of them would have no key; give it another",
            )
            ok = False
        return dict(table) if ok else BAD
