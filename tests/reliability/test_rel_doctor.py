"""``mfa-tui doctor`` against the local AWS: each check finds its problem, names the fix, sets the exit code.

The in-process CLI runs on the frozen clock the local AWS answers with (``cli_clock``), so a
clock problem is made by the server's ``Date`` header (``faults.set(date_skew_seconds=…)``),
never by touching this machine's clock.
"""

from __future__ import annotations

import json
import socket

import pytest
from rel_helpers import Codes, mfa

from mfa_tui.cli import main
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.clock import SystemClock
from mfa_tui.core.service.doctor import CLOCK_TOLERANCE, diagnose
from mfa_tui.core.service.facade import Service


@pytest.fixture
def cli_clock(frozen_clock, monkeypatch):
    """The in-process CLI on the frozen clock the local AWS runs on (the CLI takes no clock)."""
    monkeypatch.setattr(SystemClock, "now", lambda _self: frozen_clock.now())
    return frozen_clock


def doctor(capsys, *args: str) -> tuple[int, dict]:
    code = main(["doctor", "--json", *args])
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert report["exit_code"] == code
    return code, report


def findings(report: dict, check: str, level: str | None = None) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check and (level is None or f["level"] == level)]


def _refresh(world, clock) -> None:
    service = Service.open(world.config_path, clock=clock)
    assert not service.refresh(service.select(["alice", "dev-admin"]), Codes(world)).failed


def test_a_healthy_setup_has_no_problem(demo_world, cli_clock, capsys):
    _refresh(demo_world, cli_clock)
    demo_world.aws.clear_calls()
    code, report = doctor(capsys)
    assert code == 0 and report["ok"] and report["problems"] == 0
    assert findings(report, "registry", "ok") and findings(report, "shadowed", "ok")
    assert {f["subject"] for f in findings(report, "permissions", "ok")} >= {
        str(demo_world.credentials_path), str(demo_world.state_dir), str(demo_world.state_path),
    }
    [clock] = findings(report, "clock")
    assert clock["level"] == "ok" and clock["subject"] == demo_world.endpoint
    # One cheap call for the clock (both identities share the endpoint), and the key-age check's
    # one ListAccessKeys on alice's live MFA session.
    assert demo_world.aws.calls == [("sts", "GetCallerIdentity"), ("iam", "ListAccessKeys")]
    [alice] = [f for f in findings(report, "mfa-session") if f["subject"] == "identity alice"]
    assert alice["level"] == "ok" and alice["message"].startswith("live for 12h 00m")
    [bob] = [f for f in findings(report, "mfa-session") if f["subject"] == "identity bob"]
    assert bob["message"] == "no MFA device, so no MFA session"

    code = main(["doctor"])
    text = capsys.readouterr().out
    assert code == 0 and text.endswith("No problems found.\n")
    assert "ok      clock" in text and "within 0s of AWS's Date header" in text


@pytest.mark.parametrize("skew, words", [(300, "300s behind AWS's"), (-120, "120s ahead of AWS's")])
def test_a_clock_off_from_aws_is_a_problem_with_its_fix(demo_world, cli_clock, capsys, skew, words):
    demo_world.aws.faults.set(date_skew_seconds=skew)
    code, report = doctor(capsys)
    assert code == 1
    [clock] = findings(report, "clock", "problem")
    assert clock["message"] == f"the local clock is {words}"
    assert "timedatectl set-ntp true" in clock["fix"]


def test_a_small_skew_is_fine(demo_world, cli_clock, capsys):
    demo_world.aws.faults.set(date_skew_seconds=CLOCK_TOLERANCE - 5)
    code, report = doctor(capsys)
    assert code == 0 and findings(report, "clock", "ok")


def test_permissions_each_named_with_its_fix(demo_world, cli_clock, capsys):
    _refresh(demo_world, cli_clock)
    state_file = demo_world.state_path
    demo_world.credentials_path.chmod(0o644)
    state_file.chmod(0o640)
    demo_world.state_dir.chmod(0o755)
    demo_world.config_path.chmod(0o666)
    code, report = doctor(capsys)
    assert code == 1
    problems = {f["subject"]: f for f in findings(report, "permissions", "problem")}
    assert problems[str(demo_world.credentials_path)]["fix"] == f"chmod 600 {demo_world.credentials_path}"
    assert "readable by others (mode 0644)" in problems[str(demo_world.credentials_path)]["message"]
    assert problems[str(state_file)]["fix"] == f"chmod 600 {state_file}"
    assert problems[str(demo_world.state_dir)]["fix"] == f"chmod 700 {demo_world.state_dir}"
    assert problems[str(demo_world.config_path)]["fix"] == f"chmod go-w {demo_world.config_path}"
    assert len(problems) == 4
    # doctor only reads: the modes are as they were.
    assert demo_world.credentials_path.stat().st_mode & 0o777 == 0o644


def test_a_state_file_set_aside_must_be_private_too(demo_world, cli_clock, capsys):
    _refresh(demo_world, cli_clock)
    aside = demo_world.state_dir / f"{demo_world.state_path.name}.corrupt-20260101T000000Z"
    aside.write_text("{}")
    aside.chmod(0o644)
    code, report = doctor(capsys)
    assert code == 1
    [problem] = findings(report, "permissions", "problem")
    assert problem["subject"] == str(aside) and problem["fix"] == f"chmod 600 {aside}"


def test_a_corrupt_state_is_named(demo_world, cli_clock, capsys):
    (demo_world.state_path).write_text("{not json")
    code, report = doctor(capsys)
    assert code == 1
    [problem] = findings(report, "state", "problem")
    assert "is corrupt: not valid JSON" in problem["message"] and "moved it to" in problem["message"]


def test_a_shadowed_profile_is_named_with_both_fixes(demo_world, cli_clock, capsys):
    with open(demo_world.aws_config_path, "a") as fh:
        fh.write("\n[profile dev-admin]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice-long-term\n")
    code, report = doctor(capsys)
    assert code == 2  # the registry does not load with it, as `config check` says
    [shadowed] = findings(report, "shadowed", "problem")
    assert shadowed["subject"] == "profile dev-admin"
    assert "role_arn (an assume-role profile)" in shadowed["message"]
    assert f"rename profiles.dev-admin in {demo_world.config_path}" in shadowed["fix"]
    assert f"[profile dev-admin] in {demo_world.aws_config_path}" in shadowed["fix"]
    assert findings(report, "registry", "problem") == []
    # Checks that need no registry still ran; those that need it say they were skipped.
    assert findings(report, "permissions") and findings(report, "credentials-file", "ok")
    assert findings(report, "mfa-session")[0]["message"] == "skipped: the registry does not load"


def test_a_missing_registry_says_how_to_make_one(isolated_home, capsys):
    code, report = doctor(capsys, "--offline")
    assert code == 2
    [problem] = findings(report, "registry", "problem")
    assert "mfa-tui import --write" in problem["message"]


def test_missing_long_term_keys_and_a_missing_device(demo_world, cli_clock, capsys):
    text = demo_world.credentials_path.read_text()
    demo_world.credentials_path.write_text(text.replace("[alice-long-term]", "[alice-renamed]"))
    registry_edit.add_entries(demo_world.config_path, profiles={"bob": {"identity": "bob"}},
                         aws_config_path=demo_world.aws_config_path)
    code, report = doctor(capsys, "--offline")
    assert code == 1
    keys = {f["subject"]: f for f in findings(report, "keys", "problem")}
    assert "no long-term keys in profile [alice-long-term]" in keys["identity alice"]["message"]
    assert keys["identity alice"]["fix"] == "aws configure --profile alice-long-term"
    assert keys["identity bob"]["fix"] == "mfa-tui enroll bob"
    assert findings(report, "clock")[0]["message"] == "skipped (--offline)"


def test_an_unreachable_endpoint_is_named_quickly(demo_world, cli_clock, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    for name in ("alice", "bob"):
        registry_edit.set_value(demo_world.config_path, ("identities", name), "endpoint_url", dead)
    code, report = doctor(capsys)
    assert code == 1
    [keys] = findings(report, "keys", "problem")
    assert f"cannot reach {dead}" in keys["message"] and "endpoint_url" in keys["fix"]
    assert findings(report, "clock")[0]["level"] == "info"


def test_offline_makes_no_call(demo_world, cli_clock, capsys):
    demo_world.aws.clear_calls()
    code, _ = doctor(capsys, "--offline")
    assert code == 0 and demo_world.aws.calls == []


def test_an_mfa_session_ending_soon_is_said(demo_world, cli_clock, capsys):
    _refresh(demo_world, cli_clock)
    cli_clock.advance(12 * 3600 - 10 * 60)
    report = diagnose(demo_world.config_path, clock=cli_clock, online=False)
    [alice] = [f for f in report.findings if f.check == "mfa-session" and f.subject == "identity alice"]
    assert alice.level == "info" and alice.message.startswith("ending in 10m")
    cli_clock.advance(20 * 60)
    report = diagnose(demo_world.config_path, clock=cli_clock, online=False)
    [alice] = [f for f in report.findings if f.check == "mfa-session" and f.subject == "identity alice"]
    assert alice.message.startswith("no live MFA session")
    assert report.exit_code == 0


def test_the_real_script(demo_world):
    demo_world.credentials_path.chmod(0o604)
    result = mfa("doctor", "--offline")
    assert result.returncode == 1 and result.stderr == ""
    assert "PROBLEM permissions" in result.stdout and "is readable by others (mode 0604)" in result.stdout
    assert result.stdout.rstrip().endswith("1 problem found.")


def test_an_aws_config_file_the_aws_cli_cannot_parse(demo_world, cli_clock, capsys):
    with open(demo_world.aws_config_path, "a") as fh:
        fh.write("\nthis line is not ini\n")
    demo_world.aws.clear_calls()
    code, report = doctor(capsys)
    assert code == 1
    [problem] = findings(report, "aws-config", "problem")
    assert "the AWS CLI and SDKs cannot parse it" in problem["message"]
    assert problem["fix"] == f"fix the line it names in {demo_world.aws_config_path}"
    # botocore would fail on it too: no AWS call is tried, and the clock says why.
    assert demo_world.aws.calls == []
    assert findings(report, "clock")[0]["message"] == "not checked: the AWS files above must parse first"
