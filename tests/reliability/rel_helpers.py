"""Helpers shared by the reliability suite (this module holds no tests).

- :class:`Codes`: a code provider answering from the demo device (advancing the frozen clock
  to a fresh TOTP step when a code was already spent in this one).
- :func:`mfa`: run the real ``mfa-tui`` in a child process, as a user's shell would.
- :func:`add_foreign_sections`: put other tools' and the user's own sections into the
  credentials file, so every test can check that they survive byte for byte.
- :func:`check_credentials_file`: the invariants every fault test asserts on the file.
- :func:`soak_scale` / :func:`scaled`: sizes of the ``soak`` variants, re-exported from
  tests/soak.py (``MFA_TUI_SOAK_SCALE``, one default for the whole suite; 1 is full size).
- :func:`figure`: print a measured figure (shown even when pytest captures output) and, with
  ``MFA_TUI_FIGURES=PATH``, append it to that JSON-lines file for the README.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from soak import scaled, soak_scale  # noqa: F401 - re-exported for the reliability tests

from mfa_tui.core.session.refresh import CodeRequest

FOREIGN = (
    "# my own notes: keep this comment\n"
    "[personal]\n"
    "aws_access_key_id = AKIAPERSONAL00000001\n"
    "aws_secret_access_key = personal-long-term-secret-never-touch\n"
    "region = eu-central-1\n"
    "\n"
    "; another tool's session (aws-mfa style), not adopted\n"
    "[other-tool]\n"
    "aws_access_key_id = ASIAOTHERTOOL0000001\n"
    "aws_secret_access_key = other-tool-secret\n"
    "aws_session_token = other-tool-token\n"
    "expiration = 2030-01-01 00:00:00\n"
)
"""Sections mfa-tui must never change: long-term keys and another tool's session."""


class Codes:
    """Answers every code request with an unspent code of the demo device; records the requests."""

    def __init__(self, world, answers: list | None = None):
        self.world = world
        self.answers = list(answers or [])
        self.requests: list[CodeRequest] = []

    def __call__(self, request: CodeRequest) -> str | None:
        self.requests.append(request)
        if request.wait_seconds and hasattr(self.world.clock, "advance"):
            self.world.clock.advance(request.wait_seconds)
        if self.answers:
            answer = self.answers.pop(0)
            return answer() if callable(answer) else answer
        return self.world.code()


def mfa(*args: str, stdin: str | None = "", env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m mfa_tui ARGS`` in the test's isolated environment."""
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


def add_foreign_sections(path: Path) -> bytes:
    """Append :data:`FOREIGN` to the credentials file at ``path``; returns the file's new bytes."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + FOREIGN)
    return path.read_bytes()


def sections(path: Path) -> dict[str, dict[str, str]]:
    """The file as botocore reads it (strict: a duplicate section or key fails)."""
    parser = configparser.RawConfigParser()
    parser.read_string(path.read_bytes().decode("utf-8-sig"))
    return {name: dict(parser.items(name)) for name in parser.sections()}


_HEADER = re.compile(rb"^[ \t]*\[([^\]\r\n]*)\]", re.M)


def foreign_blocks(data: bytes) -> list[bytes]:
    """The text before the first section and every section mfa-tui does not own, verbatim, in order.

    A section's block runs from its header to the next header. Trailing line breaks are left
    out: appending a section may separate it from the file's last line with a blank line.
    """
    starts = [m.start() for m in _HEADER.finditer(data)]
    bounds = list(zip([0, *starts], [*starts, len(data)], strict=True))
    blocks = []
    for i, (start, end) in enumerate(bounds):
        block = data[start:end]
        if i > 0 and re.search(rb"^mfa_tui_managed\s*=\s*true\s*$", block, re.M):
            continue
        blocks.append(block.rstrip(b"\r\n"))
    return blocks


def check_credentials_file(path: Path, before: bytes, ledger=None) -> dict[str, dict[str, str]]:
    """The invariants after any fault: the file parses, every byte the user and other tools wrote
    is still there, and (with the local AWS's ``ledger``) every triple mfa-tui wrote is one set of
    credentials the local AWS issued together, never a mix of two writes."""
    assert foreign_blocks(path.read_bytes()) == foreign_blocks(before), "a section mfa-tui does not own was changed"
    found = sections(path)
    assert found["personal"]["aws_secret_access_key"] == "personal-long-term-secret-never-touch"
    assert found["other-tool"]["aws_session_token"] == "other-tool-token"
    if ledger is not None:
        for name, keys in found.items():
            if keys.get("mfa_tui_managed") != "true":
                continue
            issued = ledger.lookup(keys["aws_access_key_id"])
            assert issued is not None, f"[{name}] holds a key id the local AWS never issued"
            assert (issued.secret_access_key, issued.session_token) == (
                keys["aws_secret_access_key"], keys["aws_session_token"],
            ), f"[{name}] mixes two sets of credentials"
    return found


def figure(name: str, capsys, **values) -> None:
    """Show one measured figure in the test output (captured or not), and record it if asked."""
    text = ", ".join(f"{k}={v}" for k, v in values.items())
    with capsys.disabled():
        print(f"\n[reliability] {name}: {text}")
    target = os.environ.get("MFA_TUI_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, **values}) + "\n")
