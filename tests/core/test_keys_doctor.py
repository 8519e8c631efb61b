"""doctor on long-term keys: the keyring backend in use (and why not the others), and each key's age."""

from __future__ import annotations

from datetime import timedelta

import pytest

import keyring.backends.fail
from keyring_support import ring, use  # noqa: F401 - ring is a fixture
from refresh_support import Codes, make_service

from mfa_tui.core.keys.move import move
from mfa_tui.core.registry import edit
from mfa_tui.core.service.doctor import diagnose
from mfa_tui.localaws import backends


def _findings(report, check):
    return [f for f in report.findings if f.check == check]


def test_doctor_names_the_backend_and_why_the_others_are_not_used(demo_world, frozen_clock, ring):
    move(make_service(demo_world, frozen_clock).registry, "alice", demo_world.credentials_path, clock=frozen_clock,
         aws_config_path=demo_world.aws_config_path)
    report = diagnose(demo_world.config_path, clock=frozen_clock, online=False, aws_config_path=demo_world.aws_config_path)
    found = _findings(report, "keyring")
    assert found[0].level == "ok" and "MemoryKeyring" in found[0].message and "set in this process" in found[0].message
    others = {f.subject: f.message for f in found[1:]}
    assert "keyring.backends.SecretService.Keyring" in others
    assert any(s.endswith("PlaintextKeyring") and "used only when chosen" in m for s, m in others.items())
    keys = {f.subject: f for f in _findings(report, "keys")}
    assert keys["identity alice"].level == "ok" and "the keyring" in keys["identity alice"].message


def test_no_backend_is_a_problem_only_when_an_identity_uses_it(demo_world, frozen_clock):
    restore = use(keyring.backends.fail.Keyring())
    try:
        report = diagnose(demo_world.config_path, clock=frozen_clock, online=False)
        # Nobody keeps keys there: one line, not a fix to follow nor every backend's reason.
        [only] = _findings(report, "keyring")
        assert only.level == "info" and only.fix is None and "no identity uses it" in only.message
        edit.set_value(demo_world.config_path, ("identities", "alice"), "keys", "keyring")
        report = diagnose(demo_world.config_path, clock=frozen_clock, online=False)
    finally:
        restore()
    first = _findings(report, "keyring")[0]
    assert first.level == "problem" and "alice" in first.message and "Secret Service" in (first.fix or "")


def test_key_age_is_read_on_the_mfa_session_and_warned_past_key_max_age(demo_world, frozen_clock, ring):
    service = make_service(demo_world, frozen_clock)
    assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed
    report = diagnose(demo_world.config_path, clock=frozen_clock, aws_config_path=demo_world.aws_config_path)
    ages = {f.subject: f for f in _findings(report, "key-age")}
    assert ages["identity alice"].level == "ok" and demo_world.alice.access_key_id in ages["identity alice"].message
    assert ages["identity bob"].level == "info" and "MFA session" in ages["identity bob"].message

    user = backends.user("111111111111", "alice")
    for key in user.access_keys:
        key.create_date = (frozen_clock.now() - timedelta(days=100)).replace(tzinfo=None)
    report = diagnose(demo_world.config_path, clock=frozen_clock, aws_config_path=demo_world.aws_config_path)
    alice = next(f for f in _findings(report, "key-age") if f.subject == "identity alice")
    assert alice.level == "problem" and "over key_max_age (90d" in alice.message
    assert alice.fix == "mfa-tui keys rotate alice"


def test_a_refused_key_listing_is_one_line_naming_the_identity(demo_world, frozen_clock):
    # A session IAM does not know (expired, or forgotten) makes ListAccessKeys fail: the key-age
    # line of doctor and of the detail pane is then AWS's reason, never a Python error.
    from mfa_tui.core.errors import AwsError
    from mfa_tui.core.keys import health
    from mfa_tui.core.models import Credentials

    identity = make_service(demo_world, frozen_clock).registry.identities["alice"]
    stranger = Credentials("ASIAUNKNOWNSESSION00", "not-a-real-secret", "not-a-real-token",
                           frozen_clock.now() + timedelta(hours=1))
    with pytest.raises(AwsError) as refused:
        health.key_created(identity, stranger, demo_world.alice.access_key_id)
    message = str(refused.value)
    assert "\n" not in message and "alice" in message and "attribute" not in message
