"""The refresh engine against the local AWS: one code, many roles; code errors; faults.

Every test uses the demo world (alice with an enabled device, roles in three accounts that
trust her only with MFA) and a FrozenClock shared by the local AWS and the service, so a
fresh TOTP step is a clock advance, not a 30-second wait.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta

import boto3
import pytest

from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.models import State
from mfa_tui.core.session.refresh import CANCEL_REASON, SKIP_REASON, WRITING, CodeRequest, RefreshReport
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import StateStore
from mfa_tui.localaws import backends
from refresh_support import Codes, make_service


def add_role(account_id: str, name: str, trust: dict, max_session: int = 3600) -> str:
    role = backends.iam(account_id).create_role(
        role_name=name, assume_role_policy_document=json.dumps(trust), path="/", permissions_boundary=None,
        description="test", tags=[], max_session_duration=str(max_session),
    )
    return role.arn


def test_one_code_makes_one_session_and_assumes_every_chained_role(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    chained = [p for p in service.registry.profiles.values() if p.strategy.value == "chained"]
    codes = Codes(demo_world)
    demo_world.aws.clear_calls()

    report = service.refresh(chained, codes)

    assert not report.failed, [r.message for r in report.failed]
    assert len(codes.requests) == 1 and codes.requests[0].purpose == "mfa-session"
    roles = [p for p in chained if p.role_arn]
    assert demo_world.aws.count("GetSessionToken") == 1
    assert demo_world.aws.count("AssumeRole") == len(roles) >= 6
    # Each written profile, read by boto3 from the credentials file, is its own role in its account.
    for profile in roles:
        session = boto3.Session(profile_name=profile.name)
        sts = session.client("sts", endpoint_url=demo_world.endpoint, region_name="us-east-1")
        arn = sts.get_caller_identity()["Arn"]
        role_name = profile.role_arn.rsplit("/", 1)[1]
        assert arn.startswith(f"arn:aws:sts::{profile.role_account_id}:assumed-role/{role_name}/"), (profile.name, arn)
    rows = {s.profile: s for s in service.statuses()}
    assert all(rows[p.name].state is State.VALID for p in chained)
    assert (demo_world.credentials_path.stat().st_mode & 0o777) == 0o600


def test_a_live_mfa_session_needs_no_second_code(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice"]), Codes(demo_world))
    plan = service.plan(service.select(["dev-admin", "prod-admin"]))
    assert plan.codes_needed == 0
    codes = Codes(demo_world)
    report = service.refresh(service.select(["dev-admin", "prod-admin"]), codes)
    assert codes.requests == [] and not report.failed


def test_direct_roles_each_take_a_code_from_a_later_step(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    direct = [p for p in service.registry.profiles.values() if p.strategy.value == "direct"]
    assert direct, "the demo world has a direct profile"
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice", direct[0].name]), codes)
    assert not report.failed, [r.message for r in report.failed]
    assert [r.purpose for r in codes.requests] == ["mfa-session", "direct-role"]
    # The second request had to wait for a new step: the first step's code was spent.
    assert codes.requests[1].wait_seconds > 0
    row = service.statuses([direct[0].name])[0]
    assert (row.expires_at - frozen_clock.now()).total_seconds() > 3600


def test_malformed_code_is_refused_before_sending_and_asked_again(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world, answers=["12345", "abcdef"])
    demo_world.aws.clear_calls()
    report = service.refresh(service.select(["alice"]), codes)
    assert not report.failed
    assert "exactly 6 digits" in codes.requests[1].error
    assert "exactly 6 digits" in codes.requests[2].error
    assert demo_world.aws.count("GetSessionToken") == 1


def test_wrong_code_is_named_and_the_right_code_of_the_same_step_goes_through(demo_world, frozen_clock):
    """A refused code blocks only itself: the right code of the same 30-second step is sent at once."""
    service = make_service(demo_world, frozen_clock)
    good = demo_world.code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    codes = Codes(demo_world, answers=[wrong, good])
    demo_world.aws.clear_calls()
    report = service.refresh(service.select(["alice", "dev-admin"]), codes)
    assert not report.failed, [r.message for r in report.failed]
    assert "refused the MFA code" in codes.requests[1].error
    assert codes.requests[1].wait_seconds == 0  # no wait imposed: the wrong code was not the step's code
    assert codes.requests[0].sent_codes == () and codes.requests[1].sent_codes == (wrong,)  # the dialog refuses it as typed
    assert demo_world.aws.count("GetSessionToken") == 2
    # Nor does the refusal carry into the next run: the wrong code alone is remembered.
    service.state_store.update(lambda st: st.identities.pop("alice"))
    frozen_clock.advance(30)
    later = Codes(demo_world)
    assert not service.refresh(service.select(["alice"]), later).failed
    assert later.requests[0].wait_seconds == 0 and later.requests[0].error is None


def test_after_an_accepted_code_no_code_of_that_step_is_sent(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    code = demo_world.code()
    service.refresh(service.select(["alice"]), Codes(demo_world, answers=[code]))
    service.state_store.update(lambda st: st.identities.pop("alice"))
    demo_world.aws.clear_calls()
    other = f"{(int(code) + 7) % 1_000_000:06d}"
    requests = []

    def impatient(request):  # answers at once, without waiting for the next step
        requests.append(request)
        return other if len(requests) == 1 else None

    report = service.refresh(service.select(["alice"]), impatient)
    assert requests[0].wait_seconds > 0  # the dialog says to wait for the next step
    assert "already accepted a code from this 30-second step" in requests[1].error
    assert demo_world.aws.count("GetSessionToken") == 0  # nothing was sent
    assert [r.message for r in report.skipped] == [f"skipped: {requests[1].error}"]  # the refusal, not "no code entered"


def test_a_reused_code_is_refused_locally(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    code = demo_world.code()
    service.refresh(service.select(["alice"]), Codes(demo_world, answers=[code]))
    # The MFA session is expired by force: the next run needs a code, and the user types the old one.
    service.state_store.update(lambda st: setattr(st.identity("alice"), "mfa_credentials", None))
    frozen_clock.advance(30)
    demo_world.aws.clear_calls()
    codes = Codes(demo_world, answers=[code, "000000", "111111"])
    report = service.refresh(service.select(["alice"]), codes)
    assert "already used" in codes.requests[1].error
    assert demo_world.aws.count("GetSessionToken") == 2  # the two new (wrong) codes, never the reused one
    assert report.failed and "refused the MFA code" in report.failed[0].message


def test_reused_code_rejected_by_aws_when_spent_elsewhere(demo_world, frozen_clock):
    """Another tool spent the code: AWS refuses it; we say it may be already used."""
    service = make_service(demo_world, frozen_clock)
    code = demo_world.code()
    demo_world.client("sts").get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=code)
    report = service.refresh(service.select(["alice"]), Codes(demo_world, answers=[code, None]))
    assert report.failed and "already used" in report.failed[0].message


def test_wrong_serial_is_named(demo_world, frozen_clock):
    registry_edit.set_value(demo_world.config_path, ("identities", "alice"), "mfa_serial",
                       "arn:aws:iam::111111111111:mfa/not-alices")
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice"]), Codes(demo_world, answers=[demo_world.code(), None]))
    assert "serial" in report.failed[0].message and "arn:aws:iam::ACCOUNT:mfa/NAME" in report.failed[0].message


def test_one_failing_role_does_not_stop_the_others(demo_world, frozen_clock):
    no_mfa_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "arn:aws:iam::999999999999:root"}}]}
    arn = add_role("222222222222", "Untrusting", no_mfa_trust)
    registry_edit.add_entries(demo_world.config_path, profiles={"dev-untrusting": {"identity": "alice", "role_arn": arn}},
                         aws_config_path=demo_world.aws_config_path)
    before = demo_world.credentials_path.read_text()
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(all=True), Codes(demo_world))
    failed = {r.profile: r.message for r in report.failed}
    assert list(failed) == ["dev-untrusting"]
    assert "not authorized to perform: sts:AssumeRole" in failed["dev-untrusting"]
    assert len(report.succeeded) == len(service.registry.profiles) - 1
    assert "[dev-untrusting]" not in demo_world.credentials_path.read_text()
    assert before.splitlines()[0] in demo_world.credentials_path.read_text()
    row = service.statuses(["dev-untrusting"])[0]
    assert row.state is State.ERROR and "sts:AssumeRole" in row.last_error


def test_a_role_that_requires_mfa_refuses_a_session_without_it(demo_world, frozen_clock):
    """A session made without a code is not MFA: the roles' trust condition refuses it, by name."""
    from mfa_tui.core.clock import utc
    from mfa_tui.core.models import Credentials

    from mfa_tui.core.session.store import identity_binding

    plain = demo_world.client("sts").get_session_token()["Credentials"]
    session = Credentials(plain["AccessKeyId"], plain["SecretAccessKey"], plain["SessionToken"], utc(plain["Expiration"]))
    service = make_service(demo_world, frozen_clock)

    def plant(st):
        st.identity("alice").mfa_credentials = session
        st.identity("alice").binding = identity_binding(service.registry.identities["alice"])

    service.state_store.update(plant)
    report = service.remint(service.select(["dev-admin"]))
    message = report.results["dev-admin"].message
    assert "not authorized to perform: sts:AssumeRole" in message and message.startswith("profile dev-admin:")


def test_chained_duration_above_one_hour_is_clamped_with_a_warning(demo_world, frozen_clock):
    registry_edit.set_value(demo_world.config_path, ("settings",), "role_duration", "2h",
                       aws_config_path=demo_world.aws_config_path)
    registry_edit.add_entries(demo_world.config_path, profiles={"dev-long": {
        "identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin"}},
        aws_config_path=demo_world.aws_config_path)
    service = make_service(demo_world, frozen_clock)
    assert service.registry.settings.role_duration == 7200
    demo_world.aws.clear_calls()
    report = service.refresh(service.select(["dev-long"]), Codes(demo_world))
    result = report.results["dev-long"]
    assert result.ok and "caps chained roles at 1 hour" in result.warnings[0]
    assert (result.credentials.expiration - frozen_clock.now()).total_seconds() == 3600
    assert demo_world.aws.count("AssumeRole") == 1  # clamped before sending, never sent to fail


def test_direct_role_over_its_maximum_is_retried_at_one_hour(demo_world, frozen_clock):
    arn = add_role("444444444444", "ShortMax", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": demo_world.alice.arn},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}, max_session=3600)
    # The role's own session reads its maximum (alice cannot read account 444's roles), as the demo roles may.
    backends.iam("444444444444").put_role_policy("ShortMax", "ReadItself", json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": arn}]}))
    registry_edit.add_entries(demo_world.config_path, profiles={"prod-short": {
        "identity": "alice", "role_arn": arn, "strategy": "direct", "duration": "6h"}},
        aws_config_path=demo_world.aws_config_path)
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["prod-short"]), Codes(demo_world))
    result = report.results["prod-short"]
    assert result.ok, result.message
    assert result.warnings == ["profile prod-short: the role allows at most 1h, not 6h; asked again at 1h"]


def test_remint_renews_chained_roles_without_a_code(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin", "prod-admin"]), Codes(demo_world))
    first = service.statuses(["dev-admin"])[0].expires_at
    frozen_clock.advance(50 * 60)  # 10 minutes left: inside the 15-minute warn window
    demo_world.aws.clear_calls()
    report = service.remint()
    assert sorted(r.profile for r in report.succeeded) == ["dev-admin", "prod-admin"]
    assert demo_world.aws.count("GetSessionToken") == 0 and demo_world.aws.count("AssumeRole") == 2
    assert service.statuses(["dev-admin"])[0].expires_at > first


def test_remint_after_the_mfa_session_ended_asks_for_a_code(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    frozen_clock.advance(13 * 3600)
    report = service.remint(service.select(["dev-admin"]))
    assert report.failed and "refresh with a code" in report.failed[0].message


def test_whoami_flags_an_account_mismatch(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    # prod-admin's account table claims another id than the role ARN's.
    raw = demo_world.config_path.read_text()
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    results = service.whoami(service.select(["alice", "dev-admin", "prod-admin"]))
    assert results["dev-admin"].account == "222222222222" and not results["dev-admin"].mismatch
    assert results["alice"].arn.endswith(":user/alice")
    assert "refresh it first" in str(results["prod-admin"])
    assert raw == demo_world.config_path.read_text()
    status = service.statuses(["dev-admin"])[0]
    assert status.whoami is not None and status.whoami.arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")


def test_endpoint_down_is_one_line_per_profile(demo_world, frozen_clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    registry_edit.set_value(demo_world.config_path, ("identities", "alice"), "endpoint_url", dead)
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    assert {r.profile for r in report.failed} == {"alice", "dev-admin"}
    for result in report.failed:
        assert "cannot reach" in result.message and dead in result.message and "\n" not in result.message


def test_throttling_is_retried_by_botocore(demo_world, frozen_clock):
    demo_world.aws.faults.set(throttle_rate=0.3, actions={"AssumeRole"}, seed=7)
    service = make_service(demo_world, frozen_clock)
    demo_world.aws.clear_calls()
    report = service.refresh(service.select(all=True), Codes(demo_world))
    assert not report.failed, [r.message for r in report.failed]
    roles = [name for name in report.results if service.registry.profiles[name].role_arn]
    # Every role succeeded once; the calls beyond that are botocore's retries of throttled ones.
    assert demo_world.aws.count("AssumeRole") > len(roles), "no call was throttled: the fault did not apply"


def test_persistent_throttling_gives_a_clear_reason(demo_world, frozen_clock):
    demo_world.aws.faults.set(throttle_rate=1.0, actions={"AssumeRole"}, seed=1)
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    assert [r.profile for r in report.failed] == ["dev-admin"]
    assert "throttled" in report.failed[0].message


def test_clock_skew_is_named_when_a_code_is_refused(demo_world, frozen_clock):
    demo_world.aws.faults.set(date_skew_seconds=300)
    service = make_service(demo_world, frozen_clock)
    code = demo_world.code()
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    report = service.refresh(service.select(["alice"]), Codes(demo_world, answers=[wrong, None]))
    assert "your clock is 300s behind AWS's" in report.failed[0].message


def test_credentials_are_served_from_the_cache_then_reminted(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    demo_world.aws.clear_calls()
    cached = service.credentials("dev-admin")
    assert demo_world.aws.calls == []
    frozen_clock.advance(50 * 60)
    renewed = service.credentials("dev-admin")
    assert renewed.access_key_id != cached.access_key_id
    assert demo_world.aws.count("AssumeRole") == 1 and demo_world.aws.count("GetSessionToken") == 0


def test_credentials_need_a_code_once_the_mfa_session_ended(demo_world, frozen_clock):
    from mfa_tui.core.errors import NeedsCodeError

    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    frozen_clock.advance(13 * 3600)
    with pytest.raises(NeedsCodeError, match="mfa-tui refresh dev-admin"):
        service.credentials("dev-admin")


# ── sections the credentials file refuses: those profiles fail alone ────────────────────────

AWS_MFA_DEV_ADMIN = (
    "\n# written by aws-mfa\n[dev-admin]\nassumed_role = False\naws_access_key_id = ASIAOTHERTOOL\n"
    "aws_secret_access_key = other-secret\naws_session_token = other-token\naws_security_token = other-token\n"
    "expiration = 2020-01-01 00:00:00\n"
)
LONG_TERM_PROD_ADMIN = "\n[prod-admin]\naws_access_key_id = AKIAUSERKEYS\naws_secret_access_key = user-secret\n"


def test_refused_sections_fail_alone_before_any_aws_call_and_the_rest_is_written(demo_world, frozen_clock):
    path = demo_world.credentials_path
    with open(path, "a") as fh:
        fh.write(AWS_MFA_DEV_ADMIN + LONG_TERM_PROD_ADMIN)
    before = path.read_text()
    service = make_service(demo_world, frozen_clock)
    chained = [p for p in service.registry.profiles.values() if p.strategy.value == "chained"]
    roles = [p for p in chained if p.role_arn]
    events = []
    demo_world.aws.clear_calls()

    report = service.refresh(chained, Codes(demo_world), progress=events.append)

    failed = {r.profile: r.message for r in report.failed}
    assert set(failed) == {"dev-admin", "prod-admin"}
    assert failed["dev-admin"] == (
        f"profile dev-admin: not written: {path}: profile [dev-admin] holds another tool's temporary credentials "
        "(aws-mfa style); let mfa-tui manage it with `mfa-tui refresh dev-admin --adopt`"
    )
    assert failed["prod-admin"].startswith(f"profile prod-admin: not written: {path}: profile [prod-admin] holds long-term keys")
    # No AssumeRole was spent on them, and they were reported before the code was even asked for.
    assert demo_world.aws.count("AssumeRole") == len(roles) - 2
    asked = next(i for i, e in enumerate(events) if e.message == "waiting for a code")
    for name in failed:
        index, event = next((i, e) for i, e in enumerate(events) if e.profile == name)
        assert index < asked and event.state is State.ERROR and event.message == failed[name]
        assert all(e.state is State.ERROR for e in events if e.profile == name)
    # Everything else was written; nothing that is not mfa-tui's moved by a byte.
    assert len(report.succeeded) == len(chained) - 2
    assert path.read_text().startswith(before)
    sections = CredentialsFile(path).read()
    for result in report.succeeded:
        assert sections[result.profile]["aws_access_key_id"] == result.credentials.access_key_id
    rows = {s.profile: s for s in service.statuses()}
    assert rows["dev-admin"].state is State.ERROR and rows["dev-admin"].last_error == failed["dev-admin"]
    assert all(rows[r.profile].state is State.VALID for r in report.succeeded)
    # Results keep the plan's order, refused profiles in their place.
    assert list(report.results) == [p.name for p in service.plan(chained).profiles]


def test_an_identity_whose_profiles_are_all_refused_needs_no_code(demo_world, frozen_clock):
    with open(demo_world.credentials_path, "a") as fh:
        fh.write(AWS_MFA_DEV_ADMIN)
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world)
    demo_world.aws.clear_calls()
    report = service.refresh(service.select(["dev-admin"]), codes)
    assert "--adopt" in report.results["dev-admin"].message
    assert codes.requests == [] and demo_world.aws.calls == []


def test_adopt_takes_over_another_tools_section(demo_world, frozen_clock):
    path = demo_world.credentials_path
    with open(path, "a") as fh:
        fh.write(AWS_MFA_DEV_ADMIN)
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["dev-admin", "dev-readonly"]), Codes(demo_world), adopt=["dev-admin"])
    assert not report.failed, [r.message for r in report.failed]
    section = CredentialsFile(path).read()["dev-admin"]
    new = report.results["dev-admin"].credentials
    assert section["aws_access_key_id"] == new.access_key_id and section["mfa_tui_managed"] == "true"
    # aws-mfa's second copy of the token is kept in step (botocore prefers it).
    assert section["aws_security_token"] == section["aws_session_token"] == new.session_token
    assert "# written by aws-mfa\n[dev-admin]\n" in path.read_text()


def test_a_section_taken_during_the_run_is_refused_under_the_lock_and_only_it(demo_world, frozen_clock):
    """The pre-check is early, not final: the write decides on the file as it is under the lock."""
    path = demo_world.credentials_path
    foreign = "\n[dev-readonly]\naws_access_key_id = ASIAOTHER\naws_secret_access_key = x\naws_session_token = y\n"

    def code_while_another_tool_writes():
        with open(path, "a") as fh:
            fh.write(foreign)
        return demo_world.code()

    service = make_service(demo_world, frozen_clock)
    events = []
    demo_world.aws.clear_calls()
    report = service.refresh(
        service.select(["alice", "dev-admin", "dev-readonly"]),
        Codes(demo_world, answers=[code_while_another_tool_writes]), progress=events.append,
    )
    assert [r.profile for r in report.failed] == ["dev-readonly"]
    assert "`mfa-tui refresh dev-readonly --adopt`" in report.failed[0].message
    assert report.failed[0].credentials is None
    assert demo_world.aws.count("AssumeRole") == 2  # it was tried: the section was still free then
    assert foreign in path.read_text()
    assert CredentialsFile(path).read()["dev-readonly"] == {
        "aws_access_key_id": "ASIAOTHER", "aws_secret_access_key": "x", "aws_session_token": "y",
    }
    readonly = [e for e in events if e.profile == "dev-readonly"]
    assert State.VALID not in {e.state for e in readonly}
    assert readonly[-1].state is State.ERROR and readonly[-1].status.state is State.ERROR
    assert {e.profile for e in events if e.state is State.VALID} == {"alice", "dev-admin"}
    state = service.state_store.load()
    assert state.profiles["dev-readonly"].last_error == report.failed[0].message
    assert state.profiles["dev-readonly"].credentials is None
    assert state.profiles["dev-admin"].credentials == report.results["dev-admin"].credentials


# ── live progress: VALID once durable ───────────────────────────────────────────────────────


def test_valid_is_reported_once_committed_with_the_new_expiry_and_role(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    seen = []

    def sink(event):
        if event.state is State.VALID:
            # Durable when reported: in the credentials file and the state, as another process reads them.
            section = CredentialsFile(demo_world.credentials_path).read()[event.profile]
            stored = service.state_store.load().profiles[event.profile]
            seen.append((event, section["aws_access_key_id"], stored))

    report = service.refresh(service.select(["alice", "dev-admin", "prod-admin"]), Codes(demo_world), progress=sink)

    assert sorted(e.profile for e, _, _ in seen) == ["alice", "dev-admin", "prod-admin"]
    for event, written_key, stored in seen:
        result = report.results[event.profile]
        assert written_key == stored.credentials.access_key_id == result.credentials.access_key_id
        assert event.expires_at == stored.expires_at == result.credentials.expiration
        assert event.expires_at.tzinfo is not None and event.expires_at > frozen_clock.now()
        assert event.status.state is State.VALID and event.status.expires_at == event.expires_at
        assert event.status.mfa_expires_at == report.mfa_sessions["alice"].expiration
        assert not event.skipped and event.message == ""
    by_name = {e.profile: e for e, _, _ in seen}
    assert by_name["alice"].assumed_role_arn is None
    assert by_name["dev-admin"].assumed_role_arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
    assert by_name["dev-admin"].assumed_role_arn == by_name["dev-admin"].status.assumed_role_arn


def test_the_engine_alone_never_says_valid(demo_world, frozen_clock):
    """Credentials in hand are "writing" until the service commits them."""
    service = make_service(demo_world, frozen_clock)
    plan = service.plan(service.select(["alice", "dev-admin"]))
    events = []
    report = service.engine.run(plan, RefreshReport(), mfa_sessions={}, code_provider=Codes(demo_world),
                                progress=events.append)
    assert not report.failed
    assert {e.state for e in events} == {State.REFRESHING}
    assert [e.message for e in events if e.profile == "dev-admin"][-1] == WRITING
    assert not demo_world.credentials_path.read_text().count("[dev-admin]")


def test_remint_reports_valid_after_its_commit_with_warnings(demo_world, frozen_clock):
    registry_edit.add_entries(demo_world.config_path, profiles={"dev-long": {
        "identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin", "duration": "1h"}},
        aws_config_path=demo_world.aws_config_path)
    registry_edit.set_value(demo_world.config_path, ("settings",), "role_duration", "2h",
                       aws_config_path=demo_world.aws_config_path)
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin", "dev-long"]), Codes(demo_world))
    frozen_clock.advance(50 * 60)
    events = []

    def sink(event):
        if event.state is State.VALID:
            assert service.state_store.load().profiles[event.profile].expires_at == event.expires_at
        events.append(event)

    report = service.remint(progress=sink)
    valid = {e.profile: e for e in events if e.state is State.VALID}
    assert set(valid) == {"dev-admin", "dev-long"} == {r.profile for r in report.succeeded}
    assert valid["dev-admin"].expires_at == frozen_clock.now() + timedelta(hours=1)


# ── a skipped code changes nothing ───────────────────────────────────────────────────────────


def test_a_skipped_code_leaves_the_profiles_exactly_as_they_were(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))

    def earlier_failure_and_no_session(state):
        state.profile("dev-admin").last_error = "profile dev-admin: an earlier failure"
        state.identity("alice").mfa_credentials = None

    service.state_store.update(earlier_failure_and_no_session)
    names = ["alice", "dev-admin", "dev-readonly"]
    state_before = service.state_store.load()
    rows_before = {s.profile: s for s in service.statuses(names)}
    file_before = demo_world.credentials_path.read_bytes()
    events = []
    demo_world.aws.clear_calls()

    report = service.refresh(service.select(names), Codes(demo_world, answers=[None]), progress=events.append)

    assert {r.profile for r in report.skipped} == set(names) == {r.profile for r in report.failed}
    assert {r.message for r in report.skipped} == {SKIP_REASON}
    assert report.summary() == "0 profiles refreshed, 3 skipped (they keep their previous credentials)"
    assert demo_world.aws.calls == []
    state_after = service.state_store.load()
    for name in ("alice", "dev-admin"):
        assert state_after.profiles[name] == state_before.profiles[name]
    assert state_after.profiles["dev-admin"].last_error == "profile dev-admin: an earlier failure"
    assert "dev-readonly" not in state_after.profiles  # never refreshed: a skip records nothing
    assert demo_world.credentials_path.read_bytes() == file_before
    # Each profile's last event is the skip, carrying its status from before the run.
    last = {e.profile: e for e in events}
    for name, row in rows_before.items():
        assert last[name].skipped and last[name].message == SKIP_REASON
        assert last[name].state is row.state and last[name].expires_at == row.expires_at
        assert last[name].status == row
    assert last["alice"].state is State.VALID  # its kept MFA-session credentials still run
    # Credentials that still work stay valid after a failure; the error is shown beside them.
    assert last["dev-admin"].state is State.VALID and last["dev-admin"].status.last_error.endswith("an earlier failure")
    assert last["dev-readonly"].state is State.MISSING
    assert not [e for e in events if e.state is State.VALID and not e.skipped]


def test_a_skipped_direct_role_is_a_skip_too(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["prod-readonly-direct"]), Codes(demo_world, answers=[None]))
    result = report.results["prod-readonly-direct"]
    assert result.skipped and result.message == SKIP_REASON
    assert "prod-readonly-direct" not in service.state_store.load().profiles


def test_giving_up_after_aws_refused_the_code_is_a_failure_on_record(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    good = demo_world.code()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    report = service.refresh(service.select(["alice"]), Codes(demo_world, answers=[wrong, None]))
    result = report.results["alice"]
    assert not result.skipped and "refused the MFA code" in result.message
    assert service.state_store.load().profiles["alice"].last_error == result.message


def test_a_cancelled_run_records_nothing_for_what_it_did_not_reach(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    cancel = threading.Event()

    def cancel_while_asked():
        cancel.set()
        return demo_world.code()

    demo_world.aws.clear_calls()
    report = service.refresh(
        service.select(["alice", "dev-admin", "prod-readonly-direct"]),
        Codes(demo_world, answers=[cancel_while_asked]), cancel=cancel,
    )
    assert {r.profile for r in report.skipped} == {"alice", "dev-admin", "prod-readonly-direct"}
    assert {r.message for r in report.skipped} == {CANCEL_REASON}
    assert demo_world.aws.calls == []
    assert service.state_store.load().profiles == {}


def test_a_config_file_botocore_cannot_parse_fails_each_row_with_one_line(demo_world, frozen_clock, monkeypatch):
    config = demo_world.aws_config_path
    config.write_text(config.read_text() + "\n[default]\nregion = us-east-1\n[default]\nregion = eu-west-1\n")
    from mfa_tui.core.aws import clients as aws

    monkeypatch.setattr(aws, "_session", None)  # as a new mfa-tui process meets the file
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world)
    report = service.refresh(service.select(["alice", "dev-admin"]), codes)
    assert codes.requests == []  # no code spent on a run that cannot call AWS
    assert {r.profile for r in report.failed} == {"alice", "dev-admin"}
    for result in report.failed:
        assert str(config) in result.message and "[default]" in result.message and "\n" not in result.message


def test_credentials_near_expiry_that_cannot_be_renewed_need_a_code_not_served(demo_world, frozen_clock):
    """A direct role with 5 minutes left: credential-process must not hand them to botocore, which
    refreshes 15 minutes before expiry and fails on credentials that are still about to expire; it
    says a code is needed instead (the README's promise)."""
    from mfa_tui.core.errors import NeedsCodeError

    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "prod-readonly-direct"]), Codes(demo_world))
    assert not report.failed, [r.message for r in report.failed]
    expires = report.results["prod-readonly-direct"].credentials.expiration
    frozen_clock.advance((expires - frozen_clock.now()).total_seconds() - 5 * 60)
    with pytest.raises(NeedsCodeError, match="prod-readonly-direct"):
        service.credentials("prod-readonly-direct", min_left=15 * 60)
    # What still has more than min_left is served as before (env asks for a minute).
    assert service.credentials("prod-readonly-direct", min_left=60).access_key_id.startswith("ASIA")
