"""The report for a registry profile: which credentials read what, the role part, the notes."""

from __future__ import annotations

import json

import pytest

from mfa_tui.core.errors import ConfigError
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.report import report_for_profile
from mfa_tui.core.service.facade import Service


@pytest.fixture
def service(demo_world, frozen_clock) -> Service:
    return Service.open(demo_world.config_path, clock=frozen_clock)


def refresh(service, world, *names):
    report = service.refresh(service.select(list(names)), lambda _req: world.code())
    assert all(r.ok for r in report.results.values()), report.results


def rows(principal_report):
    return {r.action: r for r in principal_report.rows}


MFA_FIRST = (
    "identity alice's policy requires MFA to read its policies and it has no live MFA session, so this shows only "
    "what its long-term keys could read: run `mfa-tui refresh {}` first"
)


def test_long_term_keys_under_force_mfa_say_to_refresh_first(service):
    # As on AWS: alice's force-MFA policy lets her long-term keys read her user, not her policies.
    report = report_for_profile(service, "alice", actions=["dynamodb:Scan"], mfa_age=120)
    assert (report.profile, report.identity, report.mfa_age) == ("alice", "alice", 120)
    [user] = report.principals
    assert user.principal.read_with == "the long-term keys of identity alice"
    assert user.principal.policies == []
    assert user.principal.unreadable and all("AccessDenied" in u for u in user.principal.unreadable)
    assert report.notes == [MFA_FIRST.format("alice")]


def test_mfa_session_profile_reads_with_the_live_session(service, demo_world):
    refresh(service, demo_world, "alice")
    report = report_for_profile(service, "alice", actions=["dynamodb:Scan"], mfa_age=120)
    [user] = report.principals
    assert user.principal.read_with == "the MFA session of identity alice"
    assert user.principal.unreadable == [] and report.notes == []
    assert {d.label for d in user.principal.policies} == {"ForceMFA", "SelfManageMFA", "DemoAdministratorAccess"}
    r = rows(user)
    assert r["dynamodb:Scan"].origin == "requested" and r["dynamodb:Scan"].needs_mfa
    assert "sts:AssumeRole" not in r
    assert user.simulation.startswith("AWS simulation unavailable: ")


def test_role_profile_before_refresh_reads_only_the_user(service, demo_world):
    report = report_for_profile(service, "dev-admin")
    [user] = report.principals
    assert rows(user)["sts:AssumeRole"].resource == "arn:aws:iam::222222222222:role/Admin"
    assert report.notes == [
        MFA_FIRST.format("dev-admin"),
        "could not read role arn:aws:iam::222222222222:role/Admin: profile dev-admin has no live session and the role "
        "is in another account; run `mfa-tui refresh dev-admin` and try again",
    ]


def test_role_profile_asks_assume_role_of_the_role(service, demo_world):
    refresh(service, demo_world, "alice")  # the user's MFA session only: the role stays unread
    report = report_for_profile(service, "dev-admin")
    user = report.principals[0]
    assume = rows(user)["sts:AssumeRole"]
    assert assume.resource == "arn:aws:iam::222222222222:role/Admin"
    assert [c.result for c in assume.cells.values()] == [Result.EXPLICIT_DENY, Result.EXPLICIT_DENY, Result.ALLOWED]
    assert assume.needs_mfa


def test_role_profile_after_refresh_reads_with_the_sessions(service, demo_world):
    refresh(service, demo_world, "dev-admin")
    report = report_for_profile(service, "dev-admin")
    user, role = report.principals
    assert user.principal.read_with == "the MFA session of identity alice"
    assert role.principal.read_with == "the role session of profile dev-admin"
    assert (role.principal.kind, role.principal.name) == ("role", "Admin")
    assert role.principal.arn == "arn:aws:iam::222222222222:role/Admin"
    assert role.principal.account_id == "222222222222" and role.principal.unreadable == []
    # The demo roles may use S3 and read IAM (localaws.demo_policies.ROLE_POLICY), MFA or not.
    decided = {r.action: {c.result for c in r.cells.values()} for r in role.rows}
    assert decided["s3:ListAllMyBuckets"] == decided["s3:DeleteBucket"] == decided["iam:ListMFADevices"] == {Result.ALLOWED}
    assert decided["ec2:DescribeInstances"] == decided["iam:EnableMFADevice"] == {Result.IMPLICIT_DENY}
    assert report.notes == []
    data = json.loads(json.dumps(report.to_dict()))
    assert [p["principal"]["kind"] for p in data["principals"]] == ["user", "role"]


def test_unknown_profile_is_bad_input(service):
    with pytest.raises(ConfigError, match="unknown profile nope"):
        report_for_profile(service, "nope")


def test_long_term_keys_under_force_mfa_say_to_refresh(service, demo_world):
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    try:
        report = report_for_profile(service, "alice", simulate_with_aws=False)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before
    [user] = report.principals
    assert user.principal.policies == [] and len(user.principal.unreadable) == 3
    assert user.simulation == "AWS simulation not attempted"
    assert any("run `mfa-tui refresh alice`" in n for n in report.notes)


def test_user_name_comes_from_get_caller_identity_when_the_registry_has_none(demo_world, frozen_clock):
    text = demo_world.config_path.read_text()
    demo_world.config_path.write_text(text.replace('user_name = "alice"\n', ""))
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    assert service.registry.identities["alice"].user_name is None
    before = demo_world.aws.count("GetCallerIdentity")
    report = report_for_profile(service, "alice", simulate_with_aws=False)
    assert demo_world.aws.count("GetCallerIdentity") == before + 1
    assert report.principals[0].principal.name == "alice"
    assert report.principals[0].principal.arn == "arn:aws:iam::111111111111:user/alice"
