"""``keys move``: an identity's long-term key into the OS keyring and back, on the demo world.

The keyring is :class:`keyring_support.MemoryKeyring`, set with ``keyring.set_keyring`` as keyring
documents; one test uses keyrings.alt's real file backend. Each failure point leaves the registry and
the credentials file byte for byte as they were, and the keyring without the item.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from keyring_support import ring, use  # noqa: F401 - ring is a fixture
from refresh_support import Codes, make_service

from mfa_tui.core.credentials.reader import split_sections
from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.keys.move import move, move_back
from mfa_tui.core.keystore import store
from mfa_tui.core.registry import load as registry_load
from mfa_tui.localaws import backends

EXTRA = "\n# a comment the user wrote\n[someone-else]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n"


def _registry(world):
    return registry_load.load(world.config_path, aws_config_path=world.aws_config_path)


def _files(world):
    return world.config_path.read_bytes(), world.credentials_path.read_bytes()


def test_move_then_back_keeps_every_other_byte_and_refresh_reads_the_keyring(demo_world, frozen_clock, ring):
    with open(demo_world.credentials_path, "a") as fh:
        fh.write(EXTRA)
    creds_before = demo_world.credentials_path.read_text()
    alice = demo_world.alice

    moved = move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
                 aws_config_path=demo_world.aws_config_path)

    assert moved.access_key_id == alice.access_key_id and moved.arn.endswith(":user/alice")
    text = demo_world.credentials_path.read_text()
    assert alice.secret_access_key not in text and f"[{alice.source_profile}]" not in text
    assert "[bob-long-term]" in text and EXTRA.strip() in text
    # The rest of the file: the original with alice's section cut out, byte for byte.
    preamble, pieces = split_sections(creds_before)
    assert text == preamble + "".join(piece for name, piece in pieces if name != alice.source_profile)
    assert stat.S_IMODE(os.stat(moved.backup).st_mode) == 0o600
    assert moved.backup.read_text() == creds_before
    assert json.loads(ring.items[("mfa-tui", "alice")]) == {
        "aws_access_key_id": alice.access_key_id, "aws_secret_access_key": alice.secret_access_key}
    reg = _registry(demo_world)
    assert reg.identities["alice"].keys == "keyring"

    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    assert not report.failed, report.summary()
    # Nothing of the key was written anywhere else: not the state, not the log.
    for path in demo_world.home.rglob("*"):
        if path.is_file() and path != moved.backup:
            assert alice.secret_access_key.encode() not in path.read_bytes(), path

    text = demo_world.credentials_path.read_text()
    back = move_back(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
                     aws_config_path=demo_world.aws_config_path)
    assert back.access_key_id == alice.access_key_id
    assert ("mfa-tui", "alice") not in ring.items
    after = demo_world.credentials_path.read_text()
    # The file as the move left it, byte for byte, with the section appended after one blank line.
    assert after.startswith(text)
    assert after[len(text):].lstrip("\n") == (
        f"[{alice.source_profile}]\naws_access_key_id = {alice.access_key_id}\n"
        f"aws_secret_access_key = {alice.secret_access_key}\n")
    assert _registry(demo_world).identities["alice"].keys == "source_profile"
    service.reload_registry()
    assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed


def test_a_failed_get_caller_identity_leaves_both_files_and_no_item(demo_world, frozen_clock, ring):
    # The key is no longer valid in IAM: GetCallerIdentity is refused.
    backends.iam("111111111111").delete_access_key(demo_world.alice.access_key_id, "alice")
    before = _files(demo_world)

    with pytest.raises(MfaTuiError) as err:
        move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
             aws_config_path=demo_world.aws_config_path)

    assert "checking alice's key" in str(err.value)
    assert demo_world.alice.secret_access_key not in str(err.value)
    assert _files(demo_world) == before
    assert ring.items == {}


def test_a_keyring_that_refuses_the_write_changes_nothing(demo_world, frozen_clock, ring):
    ring.fail_writes = 1
    before = _files(demo_world)
    with pytest.raises(store.KeystoreError, match="keyring write failed"):
        move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
             aws_config_path=demo_world.aws_config_path)
    assert _files(demo_world) == before and ring.items == {}


def test_a_credentials_file_that_cannot_be_edited_undoes_the_registry_and_the_item(demo_world, frozen_clock, ring):
    before = _files(demo_world)
    # Another tool rewrote alice's section with another key between the read and the edit: simulated by
    # a section the editor refuses (the key id it expects is gone) after the registry switch.
    reg = _registry(demo_world)
    text = demo_world.credentials_path.read_text()
    demo_world.credentials_path.chmod(0o400)  # read-only: the atomic write is refused
    try:
        with pytest.raises(MfaTuiError):
            move(reg, "alice", demo_world.credentials_path, clock=frozen_clock,
                 aws_config_path=demo_world.aws_config_path)
    finally:
        demo_world.credentials_path.chmod(0o600)
    assert _files(demo_world) == before and demo_world.credentials_path.read_text() == text
    assert ring.items == {}


def test_a_broken_registry_stops_the_move_before_the_credentials_file(demo_world, frozen_clock, ring):
    reg = _registry(demo_world)
    with open(demo_world.config_path, "a") as fh:
        fh.write("\n[identities.alice]\nbad = = 1\n")  # not TOML any more: the exact editor refuses
    before = _files(demo_world)
    with pytest.raises(MfaTuiError):
        move(reg, "alice", demo_world.credentials_path, clock=frozen_clock, aws_config_path=demo_world.aws_config_path)
    assert _files(demo_world) == before and ring.items == {}


def test_no_usable_backend_is_one_line_naming_the_fix(demo_world, frozen_clock):
    import keyring.backends.fail

    restore = use(keyring.backends.fail.Keyring())
    try:
        before = _files(demo_world)
        with pytest.raises(store.KeystoreError) as err:
            move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock)
    finally:
        restore()
    line = str(err.value)
    assert "\n" not in line and "Secret Service" in line and "EncryptedKeyring" in line
    assert _files(demo_world) == before


def test_a_plaintext_backend_is_never_picked_on_its_own(monkeypatch):
    import keyring.backend
    import keyring.core
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [PlaintextKeyring()])
    with pytest.raises(store.KeystoreError, match="no usable OS keyring"):
        store.backend()
    report = store.describe()
    assert report.active is None
    assert any(name.endswith("PlaintextKeyring") and "used only when chosen" in why for name, why in report.others)


def test_move_and_back_with_keyrings_alt_file_backend(demo_world, frozen_clock, monkeypatch, isolated_home):
    """keyrings.alt's file backend, chosen with PYTHON_KEYRING_BACKEND (its file under the test's XDG_DATA_HOME)."""
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
         aws_config_path=demo_world.aws_config_path)
    files = list((isolated_home / ".local" / "share").rglob("keyring_pass.cfg"))
    assert files, "the file backend kept the item under XDG_DATA_HOME"
    assert store.describe().plaintext
    service = make_service(demo_world, frozen_clock)
    assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed
    move_back(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock,
              aws_config_path=demo_world.aws_config_path)
    assert store.read("alice") is None
    assert demo_world.alice.secret_access_key in demo_world.credentials_path.read_text()


def test_a_section_another_identity_uses_is_not_moved(demo_world, frozen_clock, ring):
    from mfa_tui.core.registry import edit

    edit.set_value(demo_world.config_path, ("identities", "bob"), "source_profile", demo_world.alice.source_profile)
    before = _files(demo_world)
    with pytest.raises(MfaTuiError, match="also the key of bob"):
        move(_registry(demo_world), "alice", demo_world.credentials_path, clock=frozen_clock)
    assert _files(demo_world) == before and ring.items == {}


def test_the_registry_checks_keys_and_key_max_age(tmp_path):
    from mfa_tui.core.registry.validate import validate

    raw = {"settings": {"key_max_age": "1h"},
           "identities": {"a": {"source_profile": "a-keys", "keys": "vault"}}}
    registry, problems = validate(raw, path=tmp_path / "config.toml")
    messages = sorted(p.message for p in problems)
    assert registry is None and len(messages) == 2
    assert any('"vault" is not a key store' in m for m in messages)
    assert any("a day or more" in m for m in messages)
    raw = {"settings": {"key_max_age": "30d"}, "identities": {"a": {"source_profile": "a-keys", "keys": "keyring"}}}
    registry, problems = validate(raw, path=tmp_path / "config.toml")
    assert problems == [] and registry.identities["a"].keys == "keyring" and registry.settings.key_max_age == 30 * 86400
