"""A new device's default name is free, and the authenticator label names the device."""

from __future__ import annotations

from urllib.parse import unquote

from localaws_fixtures import admin_client

from mfa_tui.core.enroll.device import open_enrolment
from mfa_tui.core.enroll.naming import authenticator_label, default_device_name, device_name_of, unique_device_name
from mfa_tui.core.registry import load as registry


def test_unique_device_name():
    assert unique_device_name("alice", []) == "alice"
    assert unique_device_name("alice", ["alice"]) == "alice-2"
    assert unique_device_name("alice", ["Alice", "alice-2", "bob"]) == "alice-3"


def test_labels():
    assert device_name_of("arn:aws:iam::111111111111:mfa/alice-phone") == "alice-phone"
    assert device_name_of("arn:aws:iam::111111111111:mfa/team/alice-phone") == "alice-phone"
    assert authenticator_label("alice", "111111111111", "alice-phone") == "alice@111111111111 (alice-phone)"
    assert authenticator_label("alice", "111111111111", "alice") == "alice@111111111111"
    assert authenticator_label("alice", None, "alice-backup") == "alice (alice-backup)"


def test_the_otpauth_label_includes_the_device_name(demo_world, local_aws):
    flow = open_enrolment(registry.load(demo_world.config_path), "bob", clock=demo_world.clock)
    flow.create("bob-backup")
    uri = flow.uri()
    assert unquote(uri).startswith("otpauth://totp/AWS:bob@111111111111 (bob-backup)?secret=")
    assert "issuer=AWS" in uri


def test_the_flow_knows_the_registry_serial(demo_world):
    flow = open_enrolment(registry.load(demo_world.config_path), "alice", clock=demo_world.clock)
    assert flow.registry_serial == "arn:aws:iam::111111111111:mfa/alice"


def test_the_default_name_skips_a_device_left_behind(demo_world, local_aws):
    """A cancelled enrolment without an MFA session leaves an unassigned device named alice-2 in
    IAM: names are per account, so the next default is alice-3 (issue 14)."""
    admin_client(demo_world.aws, "iam").create_virtual_mfa_device(VirtualMFADeviceName="alice-2")
    flow = open_enrolment(registry.load(demo_world.config_path), "alice", clock=demo_world.clock)
    assert default_device_name(flow, flow.devices()) == "alice-3"


def test_the_default_name_skips_another_users_device(demo_world, local_aws):
    flow = open_enrolment(registry.load(demo_world.config_path), "bob", clock=demo_world.clock)
    assert default_device_name(flow, flow.devices()) == "bob"
    admin_client(demo_world.aws, "iam").create_virtual_mfa_device(VirtualMFADeviceName="bob")
    assert default_device_name(flow, flow.devices()) == "bob-2"
