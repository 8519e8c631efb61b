"""``mfa-tui import`` end to end, as a user runs it: a subprocess on a real ~/.aws tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mfa_tui.core.registry import load as registry

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
CONFIG = """
[profile prod-admin]
role_arn = arn:aws:iam::444444444444:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile sso-dev]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Dev
"""
CREDENTIALS = f"""
[alice]
aws_access_key_id = AKIAALICE00000000000
aws_secret_access_key = {SECRET}

[ops-long-term]
aws_access_key_id = AKIAOPS0000000000000
aws_secret_access_key = {SECRET}
aws_mfa_device = arn:aws:iam::111111111111:mfa/ops
assume_role = arn:aws:iam::555555555555:role/Ops

[ops]
aws_access_key_id = ASIAOPS0000000000000
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}
expiration = 2026-01-01 12:00:00

[stale]
aws_access_key_id = ASIASTALE
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}
"""


def mfa_tui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mfa_tui", *args], capture_output=True, text=True, timeout=60)


def write_aws(home: Path) -> tuple[Path, Path]:
    (home / ".aws").mkdir(exist_ok=True)
    config, credentials = home / ".aws" / "config", home / ".aws" / "credentials"
    config.write_text(CONFIG)
    credentials.write_text(CREDENTIALS)
    return config, credentials


def test_dry_run_then_write_then_nothing_new(isolated_home, tmp_path):
    config, credentials = write_aws(isolated_home)
    reg = tmp_path / "registry.toml"
    dry = mfa_tui("--config", str(reg), "import")
    assert dry.returncode == 0, dry.stderr
    out = dry.stdout
    assert f"Would add to {reg}:" in out and "Dry run: nothing written" in out
    for line in ("identity  alice", "profile   alice-mfa", "profile   prod-admin-mfa", "identity  ops", "profile   ops-mfa"):
        assert line in out
    assert "sso-dev" in out and "SSO profile" in out and "stale" in out and "only session credentials" in out
    assert not reg.exists()

    written = mfa_tui("--config", str(reg), "import", "--write")
    assert written.returncode == 0, written.stderr
    assert f"Added to {reg}:" in written.stdout
    loaded = registry.load(reg, aws_config_path=config)
    assert loaded.profiles["ops"].role_arn == "arn:aws:iam::555555555555:role/Ops"
    assert loaded.profiles["prod-admin-mfa"].identity == "alice"
    assert set(loaded.identities) == {"alice", "ops"}

    again = mfa_tui("--config", str(reg), "import", "--write", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["add"] == [] and report["written"] is False
    reasons = {s["name"]: s["reason"] for s in report["skip"]}
    assert "already in the registry" in reasons["prod-admin"] and "already in the registry" in reasons["alice"]
    assert registry.load(reg, aws_config_path=config) == loaded
    # The ~/.aws files are only read.
    assert (config.read_text(), credentials.read_text()) == (CONFIG, CREDENTIALS)
    for result in (dry, written, again):
        assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr


def test_json_dry_run(isolated_home, monkeypatch, tmp_path):
    write_aws(isolated_home)
    reg = tmp_path / "from-env.toml"
    monkeypatch.setenv("MFA_TUI_CONFIG", str(reg))
    result = mfa_tui("import", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["registry"] == str(reg) and report["written"] is False
    tables = {(a["kind"], a["name"]): a["table"] for a in report["add"]}
    assert tables[("identity", "alice")] == {
        "source_profile": "alice", "mfa_serial": "arn:aws:iam::111111111111:mfa/alice", "account": "acct-111111111111",
    }
    assert tables[("profile", "ops")]["strategy"] == "chained"
    assert not reg.exists()


def test_broken_registry_is_refused_and_kept(isolated_home, tmp_path):
    write_aws(isolated_home)
    reg = tmp_path / "registry.toml"
    broken = b'[identities.alice]\nsource_profile = "alice"\nmfa_serial = "arn:aws:iam::111111111111:user/alice"\n'
    reg.write_bytes(broken)
    result = mfa_tui("--config", str(reg), "import", "--write")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(reg) in lines[0] and "identities.alice.mfa_serial" in lines[0]
    assert reg.read_bytes() == broken


def test_unparsable_aws_file_names_file_and_line(isolated_home, tmp_path):
    config, _ = write_aws(isolated_home)
    config.write_text(f"[default]\nregion = us-east-1\n{SECRET}\n")
    result = mfa_tui("--config", str(tmp_path / "r.toml"), "import")
    assert result.returncode == 2
    assert result.stderr.strip() == f"mfa-tui: {config}:3: not a `key = value` line, a comment or a [section] header (the AWS CLI cannot read it either)"
    assert "Traceback" not in result.stderr and SECRET not in result.stderr


def test_aws_file_variables_are_honoured(isolated_home, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "cfg").write_text(CONFIG)
    (elsewhere / "creds").write_text(CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(elsewhere / "cfg"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(elsewhere / "creds"))
    result = mfa_tui("--config", str(tmp_path / "r.toml"), "import", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["aws_config"], report["aws_credentials"]) == (str(elsewhere / "cfg"), str(elsewhere / "creds"))
    assert {a["name"] for a in report["add"] if a["kind"] == "identity"} == {"alice", "ops"}


def test_nothing_to_import(isolated_home, tmp_path):
    result = mfa_tui("--config", str(tmp_path / "r.toml"), "import")
    assert result.returncode == 0, result.stderr
    assert "Nothing new to add" in result.stdout
    assert not (tmp_path / "r.toml").exists()
