"""The demo world and the `mfa-tui demo serve` / `demo code` commands."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import stat
import subprocess
import sys
import time

import boto3
import pyotp
import pytest

from mfa_tui.core.registry import load as registry
from mfa_tui.core.errors import ConfigError
from mfa_tui.core.models import Strategy
from mfa_tui.core.paths import default_config_path
from mfa_tui.localaws.demo import DEMO_SEED, build_world, demo_code, demo_paths


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_world_files_are_where_mfa_tui_and_the_aws_cli_look(demo_world, isolated_home):
    assert demo_world.config_path == default_config_path()  # XDG_CONFIG_HOME=HOME/.config in tests
    assert demo_paths(isolated_home) == (
        isolated_home / ".config/mfa-tui/config.toml",
        isolated_home / ".local/state/mfa-tui",
    )
    for path in (demo_world.config_path, demo_world.credentials_path, demo_world.aws_config_path):
        assert _mode(path) == 0o600
    secrets = demo_world.state_dir / "demo.json"
    assert _mode(secrets) == 0o600
    assert json.loads(secrets.read_text())["identities"]["alice"] == {
        "mfa_serial": "arn:aws:iam::111111111111:mfa/alice",
        "seed": DEMO_SEED,
    }


def test_registry_is_valid_and_describes_the_world(demo_world):
    reg = registry.load(demo_world.config_path, aws_config_path=demo_world.aws_config_path)
    assert reg.identities["alice"].mfa_serial == demo_world.alice_serial
    assert reg.identities["alice"].endpoint_url == demo_world.endpoint
    assert reg.identities["bob"].mfa_serial is None
    assert {a.id for a in reg.accounts.values()} == {"111111111111", "222222222222", "333333333333", "444444444444"}
    assert list(reg.profiles) == demo_world.profiles
    assert reg.profiles["alice"].role_arn is None
    assert reg.profiles["dev-admin"].role_arn == "arn:aws:iam::222222222222:role/Admin"
    direct = reg.profiles["prod-readonly-direct"]
    assert (direct.strategy, direct.duration) == (Strategy.DIRECT, 4 * 3600)
    chained = [p for p in reg.profiles.values() if p.role_arn and p.strategy is Strategy.CHAINED]
    assert sorted(p.role_arn for p in chained) == sorted(demo_world.role_arns)


def test_aws_config_points_every_profile_at_the_endpoint_without_role_arn(demo_world):
    text = demo_world.aws_config_path.read_text()
    assert not re.search(r"^\s*role_arn\s*=", text, re.M)
    for name in demo_world.profiles + ["alice-long-term", "bob-long-term"]:
        assert f"[profile {name}]\nregion = us-east-1\nendpoint_url = {demo_world.endpoint}\n" in text


def test_the_aws_files_work_for_boto3(demo_world):
    # AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into the isolated HOME.
    me = boto3.Session(profile_name="alice-long-term").client("sts").get_caller_identity()
    assert me["Arn"] == "arn:aws:iam::111111111111:user/alice"
    bob = boto3.Session(profile_name="bob-long-term").client("iam")
    assert bob.list_mfa_devices(UserName="bob")["MFADevices"] == []


def test_demo_code_matches_the_device(demo_world, local_aws):
    now = demo_world.clock.now().timestamp()
    code, left = demo_code(demo_world.home, now=now)
    assert code == local_aws.current_code(demo_world.alice_serial)
    assert left == 30
    with pytest.raises(ConfigError, match="no MFA device"):
        demo_code(demo_world.home, "bob")


def test_code_helpers_give_fresh_codes(demo_world, client):
    sts = client("sts", demo_world.keys("alice"))
    first = demo_world.code()
    assert demo_world.code() == first  # unspent: still the same
    sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=first)
    second = demo_world.code()
    sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=second)
    third = demo_world.next_code()
    sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=third)
    assert demo_world.clock.now().timestamp() % 30 == 0  # moved to step starts only


def test_world_scales_and_names_extra_accounts(local_aws, tmp_path):
    world = build_world(local_aws, tmp_path, accounts=12, roles_per_account=5, seed=pyotp.random_base32(64))
    assert len(world.accounts) == 12 and world.accounts["acct-12"] == "900000000012"
    assert len(world.role_arns) == 11 * 5
    assert "acct-12-role05" in world.profiles and "acct-12-readonly-direct" in world.profiles
    assert len(registry.load(world.config_path, aws_config_path=world.aws_config_path).profiles) == 11 * 5 + 2


def test_a_home_that_is_not_a_demo_is_left_alone(local_aws, tmp_path):
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text("[default]\naws_access_key_id = REAL\n")
    with pytest.raises(ConfigError, match="not an earlier demo"):
        build_world(local_aws, tmp_path)
    assert (tmp_path / ".aws" / "credentials").read_text() == "[default]\naws_access_key_id = REAL\n"


def test_an_earlier_demo_is_rebuilt(local_aws, tmp_path):
    """A second demo in the same HOME replaces the first: its files name the new keys, and they work."""
    first = build_world(local_aws, tmp_path)
    old_keys = first.keys("alice")
    local_aws.reset()
    second = build_world(local_aws, tmp_path)
    new_keys = second.keys("alice")
    assert new_keys != old_keys
    text = (tmp_path / ".aws" / "credentials").read_text()
    assert new_keys[0] in text and old_keys[0] not in text
    sts = second.client("sts", "alice")
    assert sts.get_caller_identity()["Arn"].endswith(":user/alice")


# ── the commands, as other programs drive them ──────────────────────────────
def _mfa_tui(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, timeout=60, **kwargs)


def _read_line(stream, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            return stream.readline()
    raise AssertionError("no line from demo serve")


def test_demo_serve_and_code(tmp_path):
    home = tmp_path / "demo"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mfa_tui", "demo", "serve", "--home", str(home), "--accounts", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = _read_line(proc.stdout).strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)
        creds = (home / ".aws" / "credentials").read_text()
        key = re.search(r"\[alice-long-term\]\naws_access_key_id = (\S+)\naws_secret_access_key = (\S+)", creds)
        sts = boto3.client(
            "sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key[1], aws_secret_access_key=key[2]
        )
        code = _mfa_tui("demo", "code", "--home", str(home))
        assert code.returncode == 0 and re.fullmatch(r"\d{6}\n", code.stdout)
        session = sts.get_session_token(SerialNumber="arn:aws:iam::111111111111:mfa/alice", TokenCode=code.stdout.strip())
        assert session["Credentials"]["AccessKeyId"].startswith("ASIA")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert out == ""  # nothing after the endpoint line


def test_demo_serve_refuses_a_real_home_in_one_line(isolated_home):
    (isolated_home / ".aws").mkdir(exist_ok=True)
    (isolated_home / ".aws" / "credentials").write_text("[default]\n")
    result = _mfa_tui("demo", "serve", "--home", str(isolated_home))
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert "not an earlier demo" in result.stderr


def test_demo_code_without_a_demo(tmp_path):
    result = _mfa_tui("demo", "code", "--home", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert "demo serve" in result.stderr and "Traceback" not in result.stderr


def test_demo_code_does_not_import_moto_or_boto3(demo_world):
    probe = (
        "import sys\nfrom mfa_tui.cli import main\n"
        f"main(['demo', 'code', '--home', {str(demo_world.home)!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'moto', 'boto3', 'botocore', 'textual'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=os.environ)
    assert result.stdout.splitlines()[-1] == "[]"
