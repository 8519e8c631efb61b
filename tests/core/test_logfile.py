"""The log file: private from its first byte, rotated, timestamped in UTC, and never holding a secret."""

from __future__ import annotations

import os
import re
import stat
import threading

import pytest

from mfa_tui.core import logfile, paths

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # 40 characters of base64
TOKEN = "FwoGZXIvYXdzE" + "Zm9vYmFyYmF6cXV4" * 20
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 32 characters of base32


def _raise(message: str) -> BaseException:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return exc


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_entry_is_private_timestamped_and_holds_the_traceback(isolated_home):
    path = logfile.record(_raise("it broke"), "profile dev-admin")
    assert path == paths.state_dir() / "mfa-tui.log"
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    text = path.read_text()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ pid \d+ mfa-tui [^:]+: profile dev-admin\n", text), text
    assert "Traceback (most recent call last)" in text and "RuntimeError: it broke" in text
    assert "in _raise" in text  # the frame that raised
    logfile.record(_raise("again"), "identity alice")
    assert path.read_text().startswith(text) and "RuntimeError: again" in path.read_text()


def test_the_file_is_created_private_whatever_the_umask_and_narrowed_if_wider(isolated_home):
    old = os.umask(0)
    try:
        path = logfile.record(_raise("x"), "first")
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    path.chmod(0o644)
    logfile.record(_raise("y"), "second")
    assert _mode(path) == 0o600


def test_secrets_are_redacted_before_writing(isolated_home):
    exc = _raise(f"key {SECRET_KEY} token {TOKEN} seed {SEED}")
    line = logfile.unexpected(exc, f"context with {SECRET_KEY}")
    text = logfile.log_path().read_text()
    for secret in (SECRET_KEY, TOKEN, SEED):
        assert secret not in text and secret not in line
    assert text.count(logfile.REDACTED) >= 4
    assert line.startswith("unexpected RuntimeError: key [redacted] token [redacted] seed [redacted] (details in ")


@pytest.mark.parametrize("text", [
    "arn:aws:iam::111111111111:role/Admin", "AKIAIOSFODNN7EXAMPLE", "/home/alice/.local/state/mfa-tui/mfa-tui.log",
    "KeyError: 'Credentials'", "2026-11-30T12:00:00Z",
])
def test_ordinary_text_is_left_alone(text):
    assert logfile.redact(text) == text


def test_the_line_names_the_log_with_a_tilde(isolated_home):
    line = logfile.unexpected(_raise("first line\nsecond line"), "whatever")
    assert line == "unexpected RuntimeError: first line (details in ~/.local/state/mfa-tui/mfa-tui.log)"
    try:
        {}["Credentials"]
    except KeyError as exc:
        assert logfile.unexpected(exc, "x").startswith("unexpected KeyError: 'Credentials' (details in ~/")


def test_the_log_is_rotated_and_every_copy_stays_private(isolated_home, monkeypatch):
    monkeypatch.setattr(logfile, "MAX_BYTES", 4000)
    for n in range(40):
        logfile.record(_raise(f"entry {n:03d} " + "x y " * 100), "rotation")
    path = logfile.log_path()
    copies = sorted(path.parent.glob("mfa-tui.log*"))
    names = [p.name for p in copies if not p.name.endswith(".lock")]
    assert names == ["mfa-tui.log", "mfa-tui.log.1", "mfa-tui.log.2", "mfa-tui.log.3"]
    for copy in copies:
        assert _mode(copy) == 0o600, copy
        assert copy.stat().st_size <= 4000
    assert "entry 039" in path.read_text()
    assert "entry 000" not in "".join(p.read_text() for p in copies if not p.name.endswith(".lock"))


def test_threads_writing_at_once_lose_no_entry(isolated_home):
    threads = [threading.Thread(target=logfile.record, args=(_raise(f"thread {n}"), "threads")) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    text = logfile.log_path().read_text()
    assert all(f"RuntimeError: thread {n}" in text for n in range(8))


def test_a_log_that_cannot_be_written_is_said_in_the_line_and_nothing_raises(isolated_home, monkeypatch):
    blocker = isolated_home / "not-a-dir"
    blocker.write_text("a file where the state dir would go")
    monkeypatch.setenv("MFA_TUI_STATE_DIR", str(blocker / "state"))
    line = logfile.unexpected(_raise("boom"), "context")
    assert line.startswith("unexpected RuntimeError: boom (the log ~/not-a-dir/state/mfa-tui.log could not be written: ")


def test_echo_prints_the_entry_to_stderr(isolated_home, monkeypatch, capsys):
    monkeypatch.setattr(logfile, "ECHO", True)
    logfile.record(_raise(f"shown {SECRET_KEY}"), "debugging")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: shown [redacted]" in err
