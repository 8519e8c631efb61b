"""``keys rotate`` on the demo world: one key, two keys, a failure after the create, and the force-MFA policy.

Every IAM call of a rotation is made on alice's MFA session; the local AWS authorises each one
against her force-MFA policy as AWS would.
"""

from __future__ import annotations

import pytest
from keyring_support import ring  # noqa: F401 - ring is a fixture
from refresh_support import Codes, make_service

from mfa_tui.core.credentials.reader import split_sections
from mfa_tui.core.errors import AccessDeniedError, ConfigError, MfaTuiError
from mfa_tui.core.keys import rotate
from mfa_tui.core.keys.move import move
from mfa_tui.core.keystore import store
from mfa_tui.localaws import backends

ACCOUNT = "111111111111"


def _session(world, clock):
    service = make_service(world, clock)
    assert not service.refresh(service.select(["alice"]), Codes(world)).failed
    return service, service.mfa_session("alice")


def _iam_keys(user="alice") -> dict[str, str]:
    iam = backends.iam(ACCOUNT)
    return {k.access_key_id: k.status for k in iam.list_access_keys(user)}


def _rotate(world, clock, *, delete=None, **kwargs):
    service, session = _session(world, clock)
    identity = service.registry.identities["alice"]
    current = service.long_term_keys(identity).access_key_id
    plan = rotate.plan(identity, session, current, service.credentials_path, clock, delete=delete)
    world.before_rotation = world.credentials_path.read_text()
    return service, rotate.rotate(identity, session, plan, service.credentials_path, clock, waits=(0.0,), **kwargs)


def test_the_force_mfa_policy_denies_key_calls_without_mfa(demo_world):
    iam = demo_world.client("iam")  # alice's long-term keys: no MFA
    for call, params in (("list_access_keys", {}), ("create_access_key", {}),
                         ("delete_access_key", {"AccessKeyId": demo_world.alice.access_key_id})):
        with pytest.raises(Exception) as err:
            getattr(iam, call)(UserName="alice", **params)
        assert "AccessDenied" in str(err.value), call
    assert list(_iam_keys()) == [demo_world.alice.access_key_id]


def test_rotation_with_one_key_in_the_credentials_file(demo_world, frozen_clock):
    old = demo_world.alice.access_key_id
    service, done = _rotate(demo_world, frozen_clock)
    before = demo_world.before_rotation

    assert done.old == old and done.new != old and done.created is not None
    assert _iam_keys() == {done.new: "Active"}
    after = demo_world.credentials_path.read_text()
    # Only alice's key lines changed: every other section as it was, byte for byte.
    section = demo_world.alice.source_profile
    assert [p for n, p in split_sections(after)[1] if n != section] == [p for n, p in split_sections(before)[1] if n != section]
    piece = dict(split_sections(after)[1])[section]
    assert f"aws_access_key_id = {done.new}\n" in piece and demo_world.alice.secret_access_key not in after
    rotate.follow_new_key(service.sessions, "alice", done.old, done.new)
    # The refresh still works: roles from the MFA session, no new code needed.
    report = service.refresh(service.select(["dev-admin"]), Codes(demo_world, answers=[None]))
    assert not report.failed, report.summary()


def test_rotation_with_one_key_in_the_keyring(demo_world, frozen_clock, ring):
    move(make_service(demo_world, frozen_clock).registry, "alice", demo_world.credentials_path, clock=frozen_clock,
         aws_config_path=demo_world.aws_config_path)
    service, done = _rotate(demo_world, frozen_clock)
    assert _iam_keys() == {done.new: "Active"}
    assert store.read("alice").access_key_id == done.new and done.where == "the keyring item mfa-tui/alice"
    assert f"[{demo_world.alice.source_profile}]" not in demo_world.credentials_path.read_text()
    # A new MFA session is made with the new key, read from the keyring.
    plan = service.plan(service.select(["alice"]), new_session=True)
    report = service.refresh(service.select(["alice"]), Codes(demo_world), plan=plan)
    assert not report.failed, report.summary()


def test_two_keys_are_named_and_refused_without_delete(demo_world, frozen_clock):
    other = backends.iam(ACCOUNT).create_access_key("alice").access_key_id
    with pytest.raises(ConfigError) as err:
        _rotate(demo_world, frozen_clock)
    line = str(err.value)
    assert demo_world.alice.access_key_id in line and other in line and f"--delete {other}" in line
    # An active other key is refused even when named.
    with pytest.raises(ConfigError, match="deactivate it first"):
        _rotate(demo_world, frozen_clock, delete=other)
    assert set(_iam_keys()) == {demo_world.alice.access_key_id, other}


def test_two_keys_with_an_inactive_one_named(demo_world, frozen_clock):
    iam = backends.iam(ACCOUNT)
    other = iam.create_access_key("alice").access_key_id
    iam.update_access_key("alice", other, "Inactive")
    _service, done = _rotate(demo_world, frozen_clock, delete=other)
    assert done.deleted_first == other
    assert _iam_keys() == {done.new: "Active"}


def test_a_failure_after_create_leaves_the_old_key_working(demo_world, frozen_clock):

    def fail():
        raise MfaTuiError("the store was refused (injected)")

    with pytest.raises(MfaTuiError) as err:
        _rotate(demo_world, frozen_clock, store_hook=fail)
    line = str(err.value)
    old = demo_world.alice.access_key_id
    assert "injected" in line and f"your key {old} is unchanged in [alice-long-term]" in line and "was deleted" in line
    assert _iam_keys() == {old: "Active"}
    assert demo_world.credentials_path.read_text() == demo_world.before_rotation


def test_an_old_key_that_cannot_be_deleted_is_named_with_the_command(demo_world, frozen_clock, monkeypatch):
    """The new key is stored and works; the line says the old one is still in IAM and how to delete it."""
    real_call = rotate._call

    def refuse_old_delete(identity, client, method, what, **params):
        if method == "delete_access_key" and "old key" in what:
            raise AccessDeniedError("DeleteAccessKey refused (injected)")
        return real_call(identity, client, method, what, **params)

    monkeypatch.setattr(rotate, "_call", refuse_old_delete)
    old = demo_world.alice.access_key_id
    with pytest.raises(MfaTuiError) as err:
        _rotate(demo_world, frozen_clock)
    line = str(err.value)
    keys = _iam_keys()
    new = next(k for k in keys if k != old)
    assert f"new key {new} is in [alice-long-term]" in line and f"--access-key-id {old}" in line
    assert f"aws_access_key_id = {new}" in demo_world.credentials_path.read_text()
