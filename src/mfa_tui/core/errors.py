"""Domain errors: every one carries a message a user can act on, in one line.

Core code raises these; the CLI prints ``str(error)`` and exits non-zero, the
dashboard shows it as a row state or a notification. Nothing here ever includes
a secret: messages are built from names, ARNs, paths and AWS error codes only.
"""

from __future__ import annotations

from dataclasses import dataclass


class MfaTuiError(Exception):
    """Base of every error mfa-tui expects; ``str()`` is the one-line message."""

    exit_code: int = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as we can."""

    path: str
    """The file the problem is in."""
    where: str
    """The table and key, e.g. ``profiles.prod-admin.duration``; empty for the whole file."""
    message: str
    """What is wrong and, where we know it, how to fix it."""
    line: int | None = None
    """1-based line, when known (TOML syntax errors)."""
    column: int | None = None
    """1-based column, when known."""

    def __str__(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        if self.where:
            loc += f": {self.where}"
        return f"{loc}: {self.message}"


class RegistryError(MfaTuiError):
    """The registry could not be loaded; ``problems`` lists everything wrong at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid registry"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' * (more > 1)})" if more > 0 else ""))


class FileError(MfaTuiError):
    """A file could not be read or written (permissions, disk full, parse error)."""


class CredentialsFileError(FileError):
    """The shared credentials file cannot be parsed or a write to it was refused."""


class StateError(FileError):
    """The state directory could not be written."""


class CodeError(MfaTuiError):
    """A TOTP code was refused before or by AWS (malformed, spent, wrong)."""


class NeedsCodeError(MfaTuiError):
    """A profile needs a fresh MFA code and the caller may not prompt for one."""


class AwsError(MfaTuiError):
    """An AWS call failed; ``code`` is AWS's error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.code = code


class EndpointError(AwsError):
    """The endpoint could not be reached or timed out."""


class ThrottledError(AwsError):
    """AWS kept throttling after botocore's retries."""


class AccessDeniedError(AwsError):
    """AWS refused the call (AccessDenied and friends)."""


class ClockSkewError(AwsError):
    """The local clock is too far from AWS's."""


class CancelledError(MfaTuiError):
    """The user cancelled the run before this item was tried: nothing was sent for it."""


class ConfigError(MfaTuiError):
    """Bad command-line input or a setting that makes no sense."""

    exit_code = 2


def not_started(program: str, exc: OSError) -> str:
    """Why ``program`` would not start (``exc`` from ``subprocess.Popen``), in one line.

    The one wording for every program mfa-tui runs: a code source, and ``exec``'s command.
    """
    if isinstance(exc, FileNotFoundError):
        return f"`{program}` not found (is it installed and on PATH?)"
    if isinstance(exc, PermissionError):
        return f"`{program}` cannot be run (not executable)"
    return f"`{program}` cannot be started: {exc.strerror or exc}"
