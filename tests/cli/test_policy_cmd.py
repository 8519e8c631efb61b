"""``mfa-tui policy`` end to end on the demo world: text, JSON and exit codes."""

from __future__ import annotations

import json

import pytest

from mfa_tui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refreshed(capsys, demo_world, profile="alice"):
    """A live MFA session, as AWS requires for alice (force-MFA policy) to read her policies."""
    code, _, err = run(capsys, "refresh", profile, "--code", demo_world.code())
    assert code == 0, err


def test_text_report_for_the_mfa_session_profile(demo_world, capsys):
    refreshed(capsys, demo_world)
    code, out, err = run(capsys, "policy", "alice")
    assert code == 0, err
    assert out.startswith("profile alice: identity alice, MFA age 300s, at ")
    assert "user alice (arn:aws:iam::111111111111:user/alice), read with the MFA session of identity alice" in out
    assert "    ForceMFA  (managed, user alice)  tests MFA: DenyAllExceptListedIfNoMFA" in out
    assert "  AWS simulation unavailable: " in out
    table = {line.split()[0]: line for line in out.splitlines() if line.startswith("  s3:") or line.startswith("  iam:")}
    assert table["s3:ListAllMyBuckets"].split()[1:5] == ["DENIED", "DENIED", "allowed", "-"]
    assert table["s3:ListAllMyBuckets"].endswith("needs MFA")
    assert table["iam:EnableMFADevice"].split()[1:4] == ["allowed", "allowed", "allowed"]
    assert (
        "    s3:ListAllMyBuckets: long-term, no-MFA: denied by ForceMFA#DenyAllExceptListedIfNoMFA; "
        "MFA: allowed by DemoAdministratorAccess#0"
    ) in out
    assert "    iam:EnableMFADevice on arn:aws:iam::111111111111:user/alice: allowed by " in out
    assert err == ""


def test_long_term_keys_say_in_one_line_to_refresh_first(demo_world, capsys):
    code, out, err = run(capsys, "policy", "alice", "--no-simulate")
    assert code == 0, err
    assert (
        "note: identity alice's policy requires MFA to read its policies and it has no live MFA session, so this "
        "shows only what its long-term keys could read: run `mfa-tui refresh alice` first"
    ) in out


def test_json_report_with_extra_actions(demo_world, capsys):
    refreshed(capsys, demo_world)
    code, out, _ = run(capsys, "policy", "dev-admin", "--action", "dynamodb:Scan", "-a", "s3:GetObject",
                       "--mfa-age", "900", "--json", "--no-simulate")
    assert code == 0
    data = json.loads(out)
    assert data["profile"] == "dev-admin" and data["mfa_age"] == 900
    assert data["notes"] and "could not read role arn:aws:iam::222222222222:role/Admin" in data["notes"][0]
    [user] = data["principals"]
    assert user["simulation"] == "AWS simulation not attempted"
    actions = [r["action"] for r in user["rows"]]
    assert actions[:3] == ["dynamodb:Scan", "s3:GetObject", "sts:AssumeRole"]
    assume = user["rows"][2]
    assert assume["resource"] == "arn:aws:iam::222222222222:role/Admin" and assume["needs_mfa"] is True
    assert assume["mfa"]["deciding"] == ["DemoAdministratorAccess#0"]


def test_role_profile_text_says_what_could_not_be_read(demo_world, capsys):
    code, out, _ = run(capsys, "policy", "prod-readonly", "--no-simulate")
    assert code == 0
    assert "note: could not read role arn:aws:iam::444444444444:role/ReadOnly" in out
    assert "AWS simulation not attempted" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["policy", "nope"], "unknown profile nope"),
        (["policy", "alice", "--action", "ListBuckets"], "--action: action 'ListBuckets': expected SERVICE:ACTION"),
        (["policy", "alice", "--mfa-age", "-5"], "--mfa-age -5: expected 0 to 129600 seconds"),
    ],
)
def test_bad_input_exits_2(demo_world, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("mfa-tui: ") and message in err and err.count("\n") == 1


def test_broken_registry_exits_2(isolated_home, capsys, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[profiles.alice\nidentity = 'x'\n")
    code, _, err = run(capsys, "--config", str(config), "policy", "alice")
    assert code == 2 and str(config) in err and err.count("\n") == 1


def test_rejected_keys_exit_1(demo_world, capsys):
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    text = demo_world.credentials_path.read_text()
    key = demo_world.alice.access_key_id
    demo_world.credentials_path.write_text(text.replace(key, "AKIAREVOKED000000000"))
    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    try:
        code, out, err = run(capsys, "policy", "alice", "--no-simulate")
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before
    assert code == 1 and out == ""
    assert err.startswith("mfa-tui: reading user alice: AWS does not recognise the access key")
    assert demo_world.alice.secret_access_key not in err
