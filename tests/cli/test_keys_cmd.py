"""``mfa-tui keys move`` and ``keys rotate`` through the real ``mfa-tui`` process, in the demo world.

The keyring is keyrings.alt's file backend, chosen with ``PYTHON_KEYRING_BACKEND`` (its file lives
under the test's XDG_DATA_HOME); the unavailable case chooses keyring's own ``fail`` backend.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pty_support import at_terminal

from mfa_tui.localaws import backends

KEYRING = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}


def mfa(*args: str, stdin: str | None = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, **KEYRING, **(env or {})}, timeout=180,
    )


def _iam_keys() -> list[str]:
    return [k.access_key_id for k in backends.iam("111111111111").list_access_keys("alice")]


def _no_secret(world, *outputs: str) -> None:
    secret = world.alice.secret_access_key
    for out in outputs:
        assert secret not in out and "aws_secret_access_key" not in out


def test_move_then_refresh_all_uses_the_keyring(demo_world):
    moved = mfa("keys", "move", "alice")
    assert moved.returncode == 0, moved.stderr
    assert f"key {demo_world.alice.access_key_id}" in moved.stdout and "mfa-tui/alice" in moved.stdout
    text = demo_world.credentials_path.read_text()
    assert demo_world.alice.secret_access_key not in text and "[alice-long-term]" not in text

    done = mfa("refresh", "--all", "--code", demo_world.code())
    assert "dev-admin: valid until" in done.stdout and "alice: valid until" in done.stdout, done.stderr
    _no_secret(demo_world, moved.stdout, moved.stderr, done.stdout, done.stderr)
    # Nothing but the keyring's own file holds the secret (the credentials file's backup aside).
    for path in demo_world.home.rglob("*"):
        if path.is_file() and path.name not in ("keyring_pass.cfg",) and not path.name.endswith(".mfa-tui-keys.bak"):
            assert demo_world.alice.secret_access_key.encode() not in path.read_bytes(), path

    back = mfa("keys", "move", "alice", "--back")
    assert back.returncode == 0, back.stderr
    assert demo_world.alice.secret_access_key in demo_world.credentials_path.read_text()


def test_rotate_without_a_session_asks_for_a_code_and_leaves_one_new_key(demo_world):
    assert mfa("keys", "move", "alice").returncode == 0
    old = demo_world.alice.access_key_id

    no_code = mfa("keys", "rotate", "alice")
    assert no_code.returncode == 1 and "needs a code" in no_code.stderr and "Traceback" not in no_code.stderr
    assert _iam_keys() == [old]

    plan = mfa("keys", "rotate", "alice", "--dry-run")
    assert plan.returncode == 0 and "create a new access key" in plan.stdout and _iam_keys() == [old]

    done = mfa("keys", "rotate", "alice", "--code", demo_world.code())
    assert done.returncode == 0, done.stderr
    (new,) = _iam_keys()
    assert new != old and f"new key {new} (age " in done.stdout and f"old key {old} deleted" in done.stdout
    _no_secret(demo_world, done.stdout, done.stderr)
    # The MFA session made for the rotation still serves: roles need no new code.
    again = mfa("refresh", "dev-admin")
    assert again.returncode == 0, again.stderr
    status = {r["profile"]: r["state"] for r in json.loads(mfa("status", "--json").stdout)}
    assert status["dev-admin"] == "valid"


def test_rotate_with_two_keys_names_them(demo_world):
    other = backends.iam("111111111111").create_access_key("alice").access_key_id
    result = mfa("keys", "rotate", "alice", "--code", demo_world.code())
    assert result.returncode == 2
    assert other in result.stderr and demo_world.alice.access_key_id in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_usable_keyring_is_one_line_with_the_fix(demo_world):
    before = demo_world.credentials_path.read_bytes(), demo_world.config_path.read_bytes()
    result = mfa("keys", "move", "alice", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Secret Service" in result.stderr and "EncryptedKeyring" in result.stderr
    assert (demo_world.credentials_path.read_bytes(), demo_world.config_path.read_bytes()) == before


# ── at a terminal, with two keys: rotate asks before deleting the inactive one (IAM allows two per user) ──


def _two_keys(demo_world) -> str:
    assert mfa("refresh", "alice", "--code", demo_world.code()).returncode == 0  # a live MFA session: no code asked
    iam = backends.iam("111111111111")
    other = iam.create_access_key("alice").access_key_id
    iam.update_access_key("alice", other, "Inactive")
    return other


def _rotate_at_terminal(answer: bytes) -> tuple[int, bytes]:
    with at_terminal([sys.executable, "-m", "mfa_tui", "keys", "rotate", "alice"], {**os.environ, **KEYRING}) as terminal:
        prompt = terminal.read_until(b"[y/N] ")
        assert b"has two keys; delete the inactive key" in prompt, prompt
        terminal.type(answer)
        code = terminal.exit_code()
        return code, terminal.seen


def test_yes_deletes_the_inactive_key_then_rotates(demo_world):
    other = _two_keys(demo_world)
    old = demo_world.alice.access_key_id
    code, seen = _rotate_at_terminal(b"y\r")
    assert code == 0, seen
    [new] = _iam_keys()
    assert new not in (old, other)
    assert f"new key {new}".encode() in seen and f"old key {old} deleted".encode() in seen
    assert demo_world.alice.secret_access_key.encode() not in seen


def test_no_keeps_both_keys_and_says_how_to_go_on(demo_world):
    other = _two_keys(demo_world)
    code, seen = _rotate_at_terminal(b"\r")  # the default: no
    assert code == 2, seen
    assert sorted(_iam_keys()) == sorted([demo_world.alice.access_key_id, other])
    assert f"--delete {other}".encode() in seen
