"""Time, always aware and in UTC, from a clock the caller can replace.

Expiry bugs in other tools came from naive or local datetimes (aws-mfa#74,
aws-vault#635); here every timestamp is ``datetime`` with ``tzinfo=UTC`` and the
current time comes from a :class:`Clock` passed in, so tests freeze or advance it.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

TOTP_STEP = 30
"""Seconds in one TOTP step (RFC 6238 default, used by every AWS virtual device)."""


class Clock(Protocol):
    """Anything that says what time it is, aware and in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to; thread-safe for worker tests."""

    def __init__(self, start: datetime | None = None):
        start = start or datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as aware UTC; a naive value is taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """Parse RFC 3339 / ISO 8601 or aws-mfa's ``YYYY-MM-DD HH:MM:SS`` (UTC) into aware UTC."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return utc(datetime.fromisoformat(text))


def parse_instant(text: str) -> datetime:
    """:func:`parse_time`, also taking Unix epoch seconds (``1700000000``, ``-1.5``) and RFC 3339's
    lower-case ``z``, as IAM's date condition operators accept them. Raises ``ValueError`` (or
    ``OverflowError``/``OSError`` for an epoch out of range)."""
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    return parse_time(text[:-1] + "Z" if text.endswith("z") else text)


def rfc3339(dt: datetime) -> str:
    """Format as RFC 3339 in UTC with a ``Z``, as botocore's credential_process expects."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def totp_step(when: datetime) -> int:
    """The TOTP step number (30-second window) that ``when`` falls in."""
    return int(utc(when).timestamp()) // TOTP_STEP


def seconds_left_in_step(when: datetime) -> int:
    """Whole seconds until the next TOTP step starts (1..30)."""
    return TOTP_STEP - int(utc(when).timestamp()) % TOTP_STEP


def format_duration(seconds: float) -> str:
    """A short human duration: ``11h 42m`` when far, ``9m 05s`` under 10 minutes, ``0s`` when past."""
    s = int(max(0, seconds))
    if s >= 86400:
        return f"{s // 86400}d {s % 86400 // 3600}h"
    if s >= 3600:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    if s >= 600:
        return f"{s // 60}m"
    if s >= 60:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s}s"


def format_setting(seconds: int) -> str:
    """A duration as the registry writes it, exactly (:func:`parse_duration` reads it back): ``4h``, ``90m``, ``45s``."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def parse_duration(value: int | str) -> int:
    """Seconds from an int or a string such as ``"12h"``, ``"90m"``, ``"1h30m"``, ``"3600"``.

    Raises ``ValueError`` with a message naming the accepted forms.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 3600, \"1h\" or \"90m\"")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a duration such as 3600, \"1h\" or \"90m\"")
    text = value.strip().lower()
    if not text.isascii():
        # int() and str.isdigit() take any script's digits ("²", "٣٦٠٠"); AWS and people expect 0-9.
        raise ValueError(
            f"cannot read duration {value!r}: write it with the ASCII digits 0-9 and units d/h/m/s, e.g. \"1h30m\""
        )
    if text.isdigit():
        return int(text)
    total, number = 0, ""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch in units and number:
            total += int(number) * units[ch]
            number = ""
        elif ch == " ":
            continue
        else:
            raise ValueError(f"cannot read duration {value!r}: use seconds or units d/h/m/s, e.g. \"1h30m\"")
    if number or not text:
        raise ValueError(f"cannot read duration {value!r}: use seconds or units d/h/m/s, e.g. \"1h30m\"")
    return total
