"""Session truth: what status says is what the files hold, and what a spent code bought is never lost.

Each test here failed on the code before the session store (issue 11's findings, numbered in
each docstring); they run against the local AWS and real files in the isolated HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.models import State
from mfa_tui.core.service.facade import Service
from mfa_tui.localaws import backends

from refresh_support import Codes, make_service


def mfa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, stdin=subprocess.DEVNULL)


def drop_section(path, name: str) -> None:
    """What another tool that rewrites the file whole does to mfa-tui's section."""
    out, skipping = [], False
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.strip() == f"[{name}]"
        if not skipping:
            out.append(line)
    path.write_text("".join(out))


def test_a_section_gone_or_rewritten_is_not_valid(demo_world, frozen_clock):
    """Finding 2: status came from the state alone, so a dropped section still said "valid"."""
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin", "prod-admin"]), Codes(demo_world))
    drop_section(demo_world.credentials_path, "dev-admin")
    text = demo_world.credentials_path.read_text()
    key = CredentialsFile(demo_world.credentials_path).read()["prod-admin"]["aws_access_key_id"]
    demo_world.credentials_path.write_text(text.replace(key, "ASIASOMEONEELSE00000"))
    rows = {r.profile: r.state for r in service.statuses(["alice", "dev-admin", "prod-admin"])}
    assert rows == {"alice": State.VALID, "dev-admin": State.MISSING, "prod-admin": State.CHANGED}
    # Both are stale: a plain refresh takes exactly them, and they are valid again.
    stale = {p.name for p in service.select(stale_only=True)}
    assert {"dev-admin", "prod-admin"} <= stale and "alice" not in stale


def test_doctor_names_a_missing_and_a_changed_section(demo_world):
    assert mfa("refresh", "alice", "dev-admin", "prod-admin", "--code", demo_world.code()).returncode == 0
    drop_section(demo_world.credentials_path, "dev-admin")
    key = CredentialsFile(demo_world.credentials_path).read()["prod-admin"]["aws_access_key_id"]
    demo_world.credentials_path.write_text(demo_world.credentials_path.read_text().replace(key, "ASIAOTHERTOOL0000000"))
    report = json.loads(mfa("doctor", "--offline", "--json").stdout)
    found = {(c["subject"], c["level"]) for c in report["findings"] if c["check"] == "profile"}
    assert ("profile dev-admin", "problem") in found and ("profile prod-admin", "problem") in found
    status = {r["profile"]: r["state"] for r in json.loads(mfa("status", "--json").stdout)}
    assert status["dev-admin"] == "missing" and status["prod-admin"] == "changed"


def test_a_success_clears_the_last_error(demo_world, frozen_clock):
    """Finding 13: nothing proved that a success clears the previous failure."""
    service = make_service(demo_world, frozen_clock)
    role = "arn:aws:iam::222222222222:role/Later"
    registry_edit.add_entries(demo_world.config_path, profiles={"dev-later": {"identity": "alice", "role_arn": role}},
                         aws_config_path=demo_world.aws_config_path)
    service.reload_registry()
    report = service.refresh(service.select(["dev-later"]), Codes(demo_world))
    assert report.failed and service.statuses(["dev-later"])[0].state is State.ERROR
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": demo_world.alice.arn}}]}
    backends.iam("222222222222").create_role(
        role_name="Later", assume_role_policy_document=json.dumps(trust), path="/", permissions_boundary=None,
        description="test", tags=[], max_session_duration="3600",
    )
    assert not service.refresh(service.select(["dev-later"]), Codes(demo_world)).failed
    row = service.statuses(["dev-later"])[0]
    assert row.state is State.VALID and row.last_error is None
    assert service.state_store.load().profiles["dev-later"].last_error is None


def test_a_failed_refresh_keeps_working_credentials_valid(demo_world, frozen_clock):
    """Finding 11: a role with 56 minutes left showed "error" after one failed refresh."""
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    frozen_clock.advance(4 * 60)
    service.state_store.update(lambda st: setattr(st.profiles["dev-admin"], "last_error", "profile dev-admin: boom"))
    row = service.statuses(["dev-admin"])[0]
    assert row.state is State.VALID and row.last_error == "profile dev-admin: boom"


def test_new_session_spends_a_code_even_while_the_session_lives(demo_world, frozen_clock):
    """Finding 11: `r` on a live session reported success and changed nothing."""
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    first = service.mfa_session("alice")
    frozen_clock.advance(30)
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice", "dev-admin"]), codes, new_session=True)
    assert not report.failed and len(codes.requests) == 1
    assert service.mfa_session("alice").access_key_id != first.access_key_id


def test_a_session_aws_forgot_is_replaced_with_the_code_given(demo_world, frozen_clock):
    """Finding 14: a dead cached session ignored the code and blamed the long-term key."""
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    demo_world.aws.ledger.reset()  # the endpoint forgets every session it issued (revoked, restarted)
    frozen_clock.advance(30)
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice", "dev-admin", "prod-admin"]), codes)
    assert not report.failed, [r.message for r in report.failed]
    assert len(codes.requests) == 1 and "no longer accepts" in codes.requests[0].reason


def test_a_remint_on_a_forgotten_session_drops_it(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    demo_world.aws.ledger.reset()
    report = service.remint(service.select(["dev-admin"]))
    message = report.results["dev-admin"].message
    assert "no longer accepts the MFA session" in message and "does not recognise the access key" not in message
    assert service.mfa_session("alice") is None
    assert service.plan(service.select(["dev-admin"])).codes_needed == 1


def test_a_repointed_profile_is_never_valid_with_the_old_role(demo_world, frozen_clock):
    """Finding 15: after role_arn changed, status said valid and credential-process served the old role."""
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0
    assert mfa("credential-process", "dev-admin").returncode == 0
    registry_edit.set_value(demo_world.config_path, ("profiles", "dev-admin"), "role_arn",
                       "arn:aws:iam::333333333333:role/Admin", aws_config_path=demo_world.aws_config_path)
    status = {r["profile"]: r["state"] for r in json.loads(mfa("status", "--json").stdout)}
    assert status["dev-admin"] == "missing"
    # credential-process never serves the old role's keys: it re-mints the new role from the live MFA session.
    served = json.loads(mfa("credential-process", "dev-admin").stdout)
    import boto3

    arn = boto3.client("sts", endpoint_url=demo_world.endpoint, region_name="us-east-1",
                       aws_access_key_id=served["AccessKeyId"], aws_secret_access_key=served["SecretAccessKey"],
                       aws_session_token=served["SessionToken"]).get_caller_identity()["Arn"]
    assert arn.startswith("arn:aws:sts::333333333333:assumed-role/Admin/")
    service = Service.open(clock=frozen_clock)
    report = service.refresh(service.select(["dev-admin"]), Codes(demo_world))
    assert not report.failed
    assert report.results["dev-admin"].assumed_role_arn.startswith("arn:aws:sts::333333333333:assumed-role/Admin/")


def test_another_registry_does_not_see_this_ones_sessions(demo_world, frozen_clock, tmp_path):
    """Finding 7: `--config B` saw the credentials of a same-named profile of registry A."""
    assert mfa("refresh", "alice", "dev-admin", "--code", demo_world.code()).returncode == 0
    other = tmp_path / "b.toml"
    other.write_bytes(demo_world.config_path.read_bytes())
    rows = {r["profile"]: r["state"] for r in json.loads(mfa("--config", str(other), "status", "--json").stdout)}
    assert rows["dev-admin"] == "missing" and rows["alice"] == "missing"
    assert mfa("--config", str(other), "credential-process", "dev-admin").returncode == 1


def test_chained_roles_are_durable_while_a_direct_role_waits_for_its_code(demo_world, frozen_clock):
    """Finding 8: everything waited in memory until the last direct-role dialog was answered."""
    service = make_service(demo_world, frozen_clock)
    seen = {}

    def provider(request):
        if request.purpose == "direct-role":
            state = Service.open(clock=frozen_clock).statuses(["alice", "dev-admin"])
            seen.update({row.profile: row.state for row in state})
            return None
        return demo_world.code()

    report = service.refresh(service.select(["alice", "dev-admin", "prod-readonly-direct"]), provider)
    assert seen == {"alice": State.VALID, "dev-admin": State.VALID}
    assert report.results["prod-readonly-direct"].skipped


def test_an_unexpected_error_in_a_role_keeps_the_session_and_the_other_roles(demo_world, frozen_clock, monkeypatch):
    """Finding 1: one KeyError made the whole refresh raise after the code was spent."""
    from mfa_tui.core.aws import sts

    service = make_service(demo_world, frozen_clock)
    real = sts.assume_role

    def flaky(client, **kwargs):
        if kwargs["role_arn"].endswith("222222222222:role/Admin"):
            raise KeyError("Credentials")  # an answer without the element, as a broken proxy gives
        return real(client, **kwargs)

    monkeypatch.setattr(sts, "assume_role", flaky)
    report = service.refresh(service.select(["alice", "dev-admin", "prod-admin"]), Codes(demo_world))
    assert report.results["dev-admin"].ok is False and "KeyError" in report.results["dev-admin"].message
    assert report.results["prod-admin"].ok and report.results["alice"].ok
    fresh = Service.open(clock=frozen_clock)
    assert fresh.mfa_session("alice") is not None
    assert fresh.statuses(["prod-admin"])[0].state is State.VALID


def test_an_unreadable_credentials_file_is_found_before_a_code_is_asked(demo_world, frozen_clock):
    """Finding 9's neighbour, kept as a guard: a file that does not parse fails before any code."""
    demo_world.credentials_path.write_text(demo_world.credentials_path.read_text() + "\nnot an ini line\n")
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice", "dev-admin"]), codes)
    assert codes.requests == [] and demo_world.aws.count("GetSessionToken") == 0
    assert all(str(demo_world.credentials_path) in r.message for r in report.failed) and len(report.failed) == 2


def test_a_read_only_credentials_file_is_found_before_a_code_is_asked(demo_world, frozen_clock):
    """Finding 9: a credentials file the write would refuse was found only after the code was spent."""
    demo_world.credentials_path.chmod(0o400)
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice"]), codes)
    assert codes.requests == [] and "read-only" in report.failed[0].message


def test_who_am_i_reports_each_profile_as_it_ends(demo_world, frozen_clock):
    """Finding 4: a long who-am-I showed nothing until the end; one event per profile lets it count "n of N"."""
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    events = []
    results = service.whoami(service.select(["alice", "dev-admin", "prod-admin"]), progress=events.append)
    assert sorted(e.profile for e in events) == ["alice", "dev-admin", "prod-admin"] == sorted(results)
    by_name = {e.profile: e.state for e in events}
    assert by_name == {"alice": State.VALID, "dev-admin": State.VALID, "prod-admin": State.ERROR}


def test_a_commit_overtaken_by_another_writer_does_not_record_keys_the_file_no_longer_holds(
    demo_world, frozen_clock, monkeypatch
):
    """Two processes refreshing one role: A writes the file, B writes it and records its keys, then A
    records its own. The state then named A's keys while the file held B's, and status said
    "changed" although only mfa-tui wrote (seen in CI as a flaky two-process reliability test)."""
    first = make_service(demo_world, frozen_clock)
    first.refresh(first.select(["alice", "dev-admin"]), Codes(demo_world))
    second = make_service(demo_world, frozen_clock)
    real_write = CredentialsFile.write
    overtaken = []

    def write_then_overtaken(self, *args, **kwargs):
        refused = real_write(self, *args, **kwargs)
        if not overtaken:  # between A's file write and A's state update, B does both
            overtaken.append(None)
            overtaken[0] = second.remint(second.select(["dev-admin"]))
        return refused

    monkeypatch.setattr(CredentialsFile, "write", write_then_overtaken)
    frozen_clock.advance(10)
    assert not first.remint(first.select(["dev-admin"])).failed
    assert overtaken and not overtaken[0].failed
    fresh = make_service(demo_world, frozen_clock)
    assert [r.state for r in fresh.statuses(["dev-admin"])] == [State.VALID]
