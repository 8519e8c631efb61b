"""The code sources themselves: run ``ykman`` or the identity's command and read one code from it.

A source is a program run without a shell (``stdin`` closed, its own process group), given
:data:`YKMAN_TIMEOUT` or :data:`COMMAND_TIMEOUT` seconds and killed, with anything it started,
when they run out or the run is cancelled. Its stdout must hold exactly one 6-digit code and
nothing else (surrounding whitespace aside); anything else is refused with one line naming the
command, never echoing what it printed (it may be a secret). Its stderr is shown only after a
failure, cut to one line. Every failure is a :class:`CodeSourceError` whose text is that line.
What ``ykman``, ``op`` and ``pass`` print: docs/aws-behaviour.md, "Code sources: what ykman, op and pass print".
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from mfa_tui.core.errors import MfaTuiError, not_started
from mfa_tui.core.models import Identity

YKMAN_TIMEOUT = 30.0
"""Seconds ``ykman`` gets: long enough to find the key and touch it."""
COMMAND_TIMEOUT = 15.0
"""Seconds a ``code_command`` gets (a password manager may ask to be unlocked)."""
POLL = 0.2
"""How often a running source checks whether the run was cancelled."""
STDERR_SHOWN = 160
"""At most this many characters of a failed source's stderr are shown (its first non-blank line)."""
NAME_SHOWN = 60

_ONE_CODE = re.compile(rb"\s*(\d{6})\s*\Z")


class CodeSourceError(MfaTuiError):
    """A code source gave no usable code; ``str()`` is the one line saying why."""


@dataclass(frozen=True)
class CodeSource:
    """One identity's source: what to run, how long it may take, and what to say while it runs."""

    kind: str
    """``"ykman"`` or ``"command"``."""
    argv: tuple[str, ...]
    timeout: float

    @property
    def name(self) -> str:
        """The command as a person would type it (the program without its directory; shortened), for messages."""
        text = shlex.join((os.path.basename(self.argv[0]) or self.argv[0], *self.argv[1:]))
        return text if len(text) <= NAME_SHOWN else text[: NAME_SHOWN - 1] + "…"

    @property
    def waiting(self) -> str:
        """What to tell the user while it runs."""
        if self.kind == "ykman":
            return "touch your YubiKey (ykman is waiting for it)"
        return f"getting a code from `{self.name}`"


def source_for(identity: Identity | None, timeouts: dict[str, float] | None = None) -> CodeSource | None:
    """The identity's source, or None for ``prompt`` (and for an unknown identity)."""
    if identity is None:
        return None
    timeouts = timeouts or {}
    if identity.code_source == "ykman" and identity.ykman_account:
        device = ("--device", identity.ykman_device) if identity.ykman_device else ()
        argv = ("ykman", *device, "oath", "accounts", "code", "--single", identity.ykman_account)
        return CodeSource("ykman", argv, timeouts.get("ykman", YKMAN_TIMEOUT))
    if identity.code_source == "command" and identity.code_command:
        program, *args = identity.code_command  # "~/bin/otp" as a shell would find it (nothing else is expanded)
        argv = (os.path.expanduser(program), *args)
        return CodeSource("command", argv, timeouts.get("command", COMMAND_TIMEOUT))
    return None


def findings(identities) -> list[tuple[str, str, str, str, str | None]]:
    """doctor's check of each source: its program is found and executable (a source never runs here).

    Rows are ``(check, subject, level, message, fix)`` with doctor's levels. Found as the source
    would be started: a bare name on PATH, a path as it is (``~`` expanded).
    """
    out = []
    for identity in identities:
        source = source_for(identity)
        if source is None:
            continue
        subject = f"identity {identity.name}"
        program = source.argv[0]
        found = shutil.which(program)
        if found is not None:
            out.append(("code-source", subject, "ok", f"{source.kind}: `{found}` runs for each code", None))
            continue
        if os.sep in program:
            why = f"`{program}` is not an executable file"
        else:
            why = f"`{program}` is not on PATH"
        if source.kind == "ykman":
            fix = ('install YubiKey Manager (`pip install yubikey-manager`, or your package manager\'s), '
                   'or set code_source = "prompt"')
        else:
            fix = f'fix code_command of [identities.{identity.name}], or set code_source = "prompt"'
        out.append(("code-source", subject, "problem", f"{why}: every refresh would fall back to the prompt", fix))
    return out


def read_code(source: CodeSource, cancel: threading.Event | None = None) -> str:
    """Run ``source`` and return its code; :class:`CodeSourceError` (one line) otherwise.

    Returns "" when ``cancel`` was set while it ran (the program is killed).
    """
    try:
        proc = subprocess.Popen(
            list(source.argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, close_fds=True,
        )
    except OSError as exc:
        raise CodeSourceError(not_started(source.argv[0], exc)) from None
    deadline = time.monotonic() + source.timeout
    while True:
        try:
            out, err = proc.communicate(timeout=POLL)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                _kill(proc)
                return ""
            if time.monotonic() >= deadline:
                _kill(proc)
                raise CodeSourceError(
                    f"`{source.name}` gave no code within {source.timeout:g}s and was stopped"
                ) from None
    if proc.returncode != 0:
        status = f"exit {proc.returncode}" if proc.returncode > 0 else f"killed by signal {-proc.returncode}"
        raise CodeSourceError(f"`{source.name}` failed ({status})" + _stderr_line(err))
    match = _ONE_CODE.match(out)
    if match is None:
        what = "nothing" if not out.strip() else "something other than one 6-digit code"
        raise CodeSourceError(f"`{source.name}` printed {what}; its output was not used")
    return match.group(1).decode()


def _stderr_line(err: bytes) -> str:
    """``": FIRST LINE"`` of a failed source's stderr (cut), or "" when it said nothing."""
    for line in err.decode("utf-8", "replace").splitlines():
        line = "".join(ch for ch in line.strip() if ch.isprintable())
        if line:
            return ": " + (line if len(line) <= STDERR_SHOWN else line[: STDERR_SHOWN - 1] + "…")
    return ""


def _kill(proc: subprocess.Popen) -> None:
    """Stop the source and whatever it started (its own process group), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a grandchild keeping the pipes open
        pass
