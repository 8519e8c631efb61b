"""The log file: the whole story of every unexpected error, named in the one line the user sees.

An error mfa-tui expects is one line and nothing more (:mod:`mfa_tui.core.errors`). Anything
else (a bug, a library raising what it never raised before) must not vanish into "unexpected
TypeError": :func:`record` appends a timestamped (UTC) traceback to ``mfa-tui.log`` in the state
dir (:func:`mfa_tui.core.paths.state_dir`) and returns the file's path, and :func:`unexpected`
builds the one line that names it::

    identity alice: unexpected KeyError: 'Credentials' (details in ~/.local/state/mfa-tui/mfa-tui.log)

The file is private from its first byte (created 0600 in a 0700 directory, narrowed if it was
wider) and rotated: past :data:`MAX_BYTES` it becomes ``mfa-tui.log.1`` and the older copies move
up to ``.BACKUPS``. Before anything is written, whatever looks like a secret is replaced by
``[redacted]`` (:func:`redact`): an AWS secret key (40 characters of base64), a session token
(a long base64 run), a TOTP seed (32 or more characters of base32). With :data:`ECHO` set (the
CLI's ``--debug``) the same text also goes to stderr. Writing the log never raises: a log that
cannot be written is said in the line instead.

Imports neither Textual nor Rich (the core seam); the lock is taken only when writing.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from mfa_tui import __version__
from mfa_tui.core import paths

LOG_FILE = "mfa-tui.log"
MAX_BYTES = 1024 * 1024
"""Past this size the log is rotated."""
BACKUPS = 3
"""Rotated copies kept: ``mfa-tui.log.1`` (newest) to ``mfa-tui.log.3``."""
LOCK_TIMEOUT = 5.0
"""Seconds to wait for another process writing the log; after that the entry is written unlocked."""

ECHO = False
"""Also print each entry to stderr (``mfa-tui --debug``)."""

REDACTED = "[redacted]"
_SECRETS = re.compile(
    r"(?<![A-Za-z0-9/+=])(?:"
    r"[A-Za-z0-9/+]{60,}={0,2}"  # a session token (hundreds of base64 characters), or any long key
    r"|[A-Za-z0-9/+]{40}"  # an AWS secret access key
    r"|[A-Z2-7]{32,}={0,6}"  # a TOTP seed (base32)
    r")(?![A-Za-z0-9/+=])"
)
_lock = threading.Lock()


def log_path() -> Path:
    """Where the log is: ``<state dir>/mfa-tui.log``."""
    return paths.state_dir() / LOG_FILE


def redact(text: str) -> str:
    """``text`` with every run that looks like a secret key, session token or TOTP seed replaced."""
    return _SECRETS.sub(REDACTED, text)


def display(path: Path) -> str:
    """``path`` as the user would type it: under HOME it starts with ``~``."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def summary(exc: BaseException) -> str:
    """``KeyError: 'Credentials'``: the exception's type and the first line of its message, redacted."""
    lines = str(exc).strip().splitlines()
    message = redact(lines[0]) if lines else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def record(exc: BaseException, context: str) -> Path:
    """Append ``exc``'s traceback, with ``context`` and the time, to the log; returns the log's path.

    Never raises (a log that cannot be written is lost; :func:`unexpected` says so).
    """
    return _record(exc, context)[0]


def unexpected(exc: BaseException, context: str) -> str:
    """Record ``exc`` and return the line naming it and the log, e.g.
    ``unexpected KeyError: 'Credentials' (details in ~/.local/state/mfa-tui/mfa-tui.log)``."""
    path, failure = _record(exc, context)
    where = f"the log {failure}" if failure else f"details in {display(path)}"
    return f"unexpected {summary(exc)} ({where})"


def _record(exc: BaseException, context: str) -> tuple[Path, str | None]:
    """The log's path and, when it could not be written, why not."""
    import traceback  # local: only an unexpected error pays for it

    path = log_path()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    entry = redact(f"{stamp} pid {os.getpid()} mfa-tui {__version__}: {context}\n{trace}\n")
    if ECHO:
        try:
            sys.stderr.write(entry)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    try:
        with _lock:
            _append(path, entry.encode("utf-8", "replace"))
    except OSError as failed:
        return path, f"{display(path)} could not be written: {failed.strerror or failed}"
    return path, None


def _append(path: Path, data: bytes) -> None:
    from mfa_tui.core.errors import FileError
    from mfa_tui.core.fileio import ensure_private_dir, open_regular, owner_of

    try:
        ensure_private_dir(path.parent)
    except FileError as exc:
        raise OSError(str(exc)) from None
    lock = _file_lock(path)
    try:
        _rotate_if_full(path, len(data))
        owner = owner_of(path)
        try:
            fd = open_regular(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        except FileError as exc:  # a named pipe or a directory in its place
            raise OSError(str(exc)) from None
        try:
            info = os.fstat(fd)
            if info.st_mode & 0o077:
                os.fchmod(fd, 0o600)
            if owner is not None and (info.st_uid, info.st_gid) != owner:
                os.fchown(fd, *owner)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    finally:
        if lock is not None:
            lock.release()


def _file_lock(path: Path):
    """The cross-process lock around rotation and append, held; None when it cannot be had."""
    from filelock import Timeout

    from mfa_tui.core.fileio import take_lock

    try:
        return take_lock(path.with_name(path.name + ".lock"), guarding=path, timeout=LOCK_TIMEOUT)
    except (Timeout, OSError):
        return None


def _rotate_if_full(path: Path, adding: int) -> None:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return
    if size + adding <= MAX_BYTES:
        return
    for n in range(BACKUPS - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))
