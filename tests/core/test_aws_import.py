"""Import from real ~/.aws trees: each layout, the profiles it must skip, idempotence, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from unprivileged import as_unprivileged, user_dir

from mfa_tui.core.importers import aws_files as aws_import
from mfa_tui.core.registry import load as registry
from mfa_tui.core.errors import FileError, RegistryError

ALICE_MFA = "arn:aws:iam::111111111111:mfa/alice"
ADMIN = "arn:aws:iam::444444444444:role/Admin"
READONLY = "arn:aws:iam::444444444444:role/ReadOnly"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"

LAYOUT1_CONFIG = f"""
[default]
region = us-east-1

[profile alice]
region = eu-central-1

[profile prod-admin]
role_arn = {ADMIN}
source_profile = alice
mfa_serial = {ALICE_MFA}
region = eu-west-1
external_id = ext-1
role_session_name = alice-admin

[profile prod-long]
role_arn = {READONLY}
source_profile = alice
mfa_serial = {ALICE_MFA}
duration_seconds = 28800
"""
LAYOUT1_CREDENTIALS = f"""
# alice's IAM user
[alice]
aws_access_key_id = AKIAALICE00000000000
aws_secret_access_key = {SECRET}
"""

AWS_MFA_CREDENTIALS = f"""
[dev-long-term]
aws_access_key_id = AKIADEV0000000000000
aws_secret_access_key = {SECRET}
aws_mfa_device = arn:aws:iam::111111111111:mfa/dev-user

[dev]
assumed_role = False
aws_access_key_id = ASIADEV0000000000000
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}
aws_security_token = {TOKEN}
expiration = 2026-01-01 12:00:00

[ops-long-term]
aws_access_key_id = AKIAOPS0000000000000
aws_secret_access_key = {SECRET}
aws_mfa_device = arn:aws:iam::111111111111:mfa/ops-user
assume_role = arn:aws:iam::555555555555:role/Ops

[ops]
assumed_role = True
assumed_role_arn = arn:aws:iam::555555555555:role/Ops
aws_access_key_id = ASIAOPS0000000000000
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}
aws_security_token = {TOKEN}
expiration = 2026-01-01 12:00:00
"""


def write_aws(home: Path, config: str = "", credentials: str = "") -> tuple[Path, Path]:
    aws = home / ".aws"
    aws.mkdir(exist_ok=True)
    (aws / "config").write_text(config)
    (aws / "credentials").write_text(credentials)
    return aws / "config", aws / "credentials"


def plan(home: Path) -> aws_import.ImportPlan:
    return aws_import.plan_import(home / "registry.toml")


def added(p: aws_import.ImportPlan, kind: str) -> dict[str, dict]:
    return {a.name: a.table for a in p.additions if a.kind == kind}


def skipped(p: aws_import.ImportPlan) -> dict[str, str]:
    return {s.name: s.reason for s in p.skips if s.kind == "profile"}


def test_role_profiles_become_roles_of_the_source_identity(isolated_home):
    write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
    p = plan(isolated_home)
    assert added(p, "account") == {"acct-111111111111": {"id": "111111111111"}, "acct-444444444444": {"id": "444444444444"}}
    assert added(p, "identity") == {
        "alice": {"source_profile": "alice", "mfa_serial": ALICE_MFA, "account": "acct-111111111111", "region": "eu-central-1"}
    }
    profiles = added(p, "profile")
    assert profiles["alice-mfa"] == {"identity": "alice"}
    assert profiles["prod-admin-mfa"] == {
        "identity": "alice", "role_arn": ADMIN, "strategy": "chained",
        "external_id": "ext-1", "role_session_name": "alice-admin", "region": "eu-west-1",
    }
    assert profiles["prod-long-mfa"] == {"identity": "alice", "role_arn": READONLY, "strategy": "direct", "duration": 28800}
    note = next(a.note for a in p.additions if a.name == "prod-long-mfa")
    assert "1h" in note and "direct" in note
    # [default] holds only settings: explained, not silently dropped.
    assert "settings only" in skipped(p)["default"]
    assert [a.kind for a in p.additions] == sorted((a.kind for a in p.additions), key=["account", "identity", "profile"].index)


def test_long_term_keys_with_an_mfa_device_become_an_identity(isolated_home):
    write_aws(
        isolated_home,
        "[profile carol]\naws_mfa_device = arn:aws:iam::222222222222:mfa/carol\n",
        f"[bob]\naws_access_key_id = AKIABOB\naws_secret_access_key = {SECRET}\nmfa_serial = arn:aws:iam::111111111111:mfa/bob\n"
        f"[carol]\naws_access_key_id = AKIACAROL\naws_secret_access_key = {SECRET}\n"
        f"[plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = {SECRET}\n"
        f"[hw]\naws_access_key_id = AKIAHW\naws_secret_access_key = {SECRET}\nmfa_serial = GAHT12345678\n",
    )
    p = plan(isolated_home)
    assert added(p, "identity")["bob"]["mfa_serial"] == "arn:aws:iam::111111111111:mfa/bob"
    assert added(p, "identity")["carol"] == {
        "source_profile": "carol", "mfa_serial": "arn:aws:iam::222222222222:mfa/carol", "account": "acct-222222222222",
    }
    # A hardware token's serial names no account.
    assert added(p, "identity")["hw"] == {"source_profile": "hw", "mfa_serial": "GAHT12345678"}
    assert added(p, "profile") == {"bob-mfa": {"identity": "bob"}, "carol-mfa": {"identity": "carol"}, "hw-mfa": {"identity": "hw"}}
    assert "without mfa_serial" in skipped(p)["plain"]


def test_aws_mfa_layout(isolated_home):
    config = "[profile dev-ro]\nrole_arn = arn:aws:iam::333333333333:role/ReadOnly\nsource_profile = dev\n"
    write_aws(isolated_home, config, AWS_MFA_CREDENTIALS)
    p = plan(isolated_home)
    assert added(p, "identity") == {
        "dev": {"source_profile": "dev-long-term", "mfa_serial": "arn:aws:iam::111111111111:mfa/dev-user", "account": "acct-111111111111"},
        "ops": {"source_profile": "ops-long-term", "mfa_serial": "arn:aws:iam::111111111111:mfa/ops-user", "account": "acct-111111111111"},
    }
    profiles = added(p, "profile")
    # Without assume_role, aws-mfa's [NAME] is the MFA session; with it, [NAME] is the role.
    assert profiles["dev"] == {"identity": "dev"}
    assert profiles["ops"] == {"identity": "ops", "role_arn": "arn:aws:iam::555555555555:role/Ops", "strategy": "chained"}
    assert profiles["ops-mfa"] == {"identity": "ops"}
    # A role whose source_profile is aws-mfa's session chains from that identity.
    assert profiles["dev-ro-mfa"]["identity"] == "dev"
    assert set(profiles) == {"dev", "ops", "ops-mfa", "dev-ro-mfa"}
    assert p.skips == []
    assert set(added(p, "account")) == {"acct-111111111111", "acct-333333333333", "acct-555555555555"}


def test_aws_mfa_without_a_device_is_imported_with_a_note(isolated_home):
    write_aws(isolated_home, "", f"[x-long-term]\naws_access_key_id = AKIAX\naws_secret_access_key = {SECRET}\n")
    p = plan(isolated_home)
    assert added(p, "identity") == {"x": {"source_profile": "x-long-term"}}
    assert "mfa-tui enroll x" in next(a.note for a in p.additions if a.name == "x" and a.kind == "identity")
    assert added(p, "profile") == {"x": {"identity": "x"}}


SKIP_CONFIG = f"""
[profile sso-dev]
sso_start_url = https://example.awsapps.com/start
sso_account_id = 222222222222
sso_role_name = Dev
sso_region = us-east-1

[profile proc]
credential_process = /usr/bin/get-creds

[profile ec2-role]
role_arn = {ADMIN}
credential_source = Ec2InstanceMetadata

[profile tmp-role]
role_arn = {ADMIN}
source_profile = tmp
mfa_serial = {ALICE_MFA}

[profile nomfa-role]
role_arn = {ADMIN}
source_profile = plain

[profile missing-role]
role_arn = {ADMIN}
source_profile = nobody
mfa_serial = {ALICE_MFA}

[profile chain]
role_arn = {READONLY}
source_profile = ec2-role

[profile orphan]
role_arn = {ADMIN}
mfa_serial = {ALICE_MFA}

[profile user-arn]
role_arn = {ADMIN}
source_profile = plain2
mfa_serial = arn:aws:iam::111111111111:user/alice

[profile bad-arn]
role_arn = arn:aws:iam::1234:role/Nope
source_profile = alice
mfa_serial = {ALICE_MFA}

[profile too-long]
role_arn = {ADMIN}
source_profile = alice
mfa_serial = {ALICE_MFA}
duration_seconds = 99999
"""
SKIP_CREDENTIALS = f"""
[tmp]
aws_access_key_id = ASIATMP
aws_secret_access_key = {SECRET}
aws_session_token = {TOKEN}

[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = {SECRET}

[plain2]
aws_access_key_id = AKIAPLAIN2
aws_secret_access_key = {SECRET}

[half]
aws_access_key_id = AKIAHALF

[alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = {SECRET}
"""


def test_profiles_it_must_skip_each_have_a_reason(isolated_home):
    write_aws(isolated_home, SKIP_CONFIG, SKIP_CREDENTIALS)
    p = plan(isolated_home)
    reasons = skipped(p)
    expected = {
        "sso-dev": "SSO profile",
        "proc": "credential_process",
        "ec2-role": "credential_source",
        "tmp-role": "source_profile tmp holds only session credentials",
        "nomfa-role": "no mfa_serial",
        "missing-role": "source_profile nobody does not exist",
        "chain": "source_profile ec2-role is itself a role",
        "orphan": "without source_profile",
        "user-arn": "user's ARN",
        "bad-arn": "is not arn:aws:iam::ACCOUNT:role/NAME",
        "too-long": "not 900..43200",
        "tmp": "only session credentials",
        "plain": "without mfa_serial",
        "plain2": "without mfa_serial",
        "half": "incomplete key pair",
    }
    for name, text in expected.items():
        assert text in reasons[name], (name, reasons[name])
    # alice has keys and no device of her own, and no valid role used her: nothing is planned.
    assert "alice" in reasons
    assert p.additions == []


def test_names_taken_by_aws_profiles_get_a_suffix_or_are_skipped(isolated_home):
    config = LAYOUT1_CONFIG + f"\n[profile prod-admin-mfa]\nrole_arn = {READONLY}\nsource_profile = alice\n"
    credentials = LAYOUT1_CREDENTIALS + (
        f"[alice-mfa]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = {SECRET}\n"
        f"[prod-admin-mfa-mfa]\naws_access_key_id = AKIAOTHER2\naws_secret_access_key = {SECRET}\n"
    )
    write_aws(isolated_home, config, credentials)
    p = plan(isolated_home)
    profiles = added(p, "profile")
    # alice-mfa holds long-term keys, so alice's MFA session moves aside.
    assert profiles["alice-mfa-mfa"] == {"identity": "alice"}
    assert "alice-mfa holds long-term keys" in next(a.note for a in p.additions if a.name == "alice-mfa-mfa")
    # prod-admin-mfa is a role_arn profile and prod-admin-mfa-mfa holds keys: no free name.
    assert "prod-admin-mfa" not in profiles and "prod-admin-mfa-mfa" not in profiles
    assert "no free profile name" in skipped(p)["prod-admin"]


def test_secrets_never_reach_the_plan(isolated_home):
    write_aws(isolated_home, LAYOUT1_CONFIG + SKIP_CONFIG.replace("[profile", "[profile x-"), LAYOUT1_CREDENTIALS + AWS_MFA_CREDENTIALS)
    text = repr(plan(isolated_home).to_json())
    assert SECRET not in text and TOKEN not in text and "AKIA" not in text and "ASIA" not in text


def test_write_then_second_run_adds_nothing(isolated_home):
    config, credentials = write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS + AWS_MFA_CREDENTIALS)
    aws_before = (config.read_bytes(), credentials.read_bytes())
    first = plan(isolated_home)
    assert len(first.additions) >= 8
    aws_import.write_plan(first)
    loaded = registry.load(first.registry_path, aws_config_path=config)
    assert set(loaded.profiles) == {a.name for a in first.additions if a.kind == "profile"}
    assert loaded.profiles["prod-long-mfa"].duration == 28800
    second = plan(isolated_home)
    assert second.additions == []
    reasons = skipped(second)
    assert "already in the registry as profile prod-admin-mfa" in reasons["prod-admin"]
    assert {s.name for s in second.skips if s.kind == "identity"} == {"alice", "dev", "ops"}
    assert loaded.identities["alice"].account == "acct-111111111111"
    assert (config.read_bytes(), credentials.read_bytes()) == aws_before


def test_existing_registry_entries_are_reused(isolated_home):
    reg = isolated_home / "registry.toml"
    reg.write_text(
        '[accounts.prod]\nid = "444444444444"\n\n'
        f'[identities.me]\nsource_profile = "alice"\nmfa_serial = "{ALICE_MFA}"\n\n'
        f'[profiles.admin]\nidentity = "me"\nrole_arn = "{ADMIN}"\nexternal_id = "ext-1"\n'
    )
    config, _ = write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
    p = plan(isolated_home)
    # Identity matched by source_profile, role by identity + ARN, account by id.
    assert added(p, "identity") == {}
    assert "already in the registry as profile admin" in skipped(p)["prod-admin"]
    assert added(p, "profile") == {"prod-long-mfa": {"identity": "me", "role_arn": READONLY, "strategy": "direct", "duration": 28800}}
    assert added(p, "account") == {}
    aws_import.write_plan(p)
    assert "prod-long-mfa" in registry.load(reg, aws_config_path=config).profiles


def test_dry_run_changes_nothing(isolated_home):
    config, credentials = write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
    before = sorted((str(p), p.read_bytes()) for p in isolated_home.rglob("*") if p.is_file())
    assert plan(isolated_home).additions
    after = sorted((str(p), p.read_bytes()) for p in isolated_home.rglob("*") if p.is_file())
    assert before == after
    assert not (isolated_home / "registry.toml").exists()


def test_broken_registry_is_refused(isolated_home):
    reg = isolated_home / "registry.toml"
    reg.write_text("[profiles.x\n")
    write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
    with pytest.raises(RegistryError) as err:
        plan(isolated_home)
    assert str(reg) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        (f"[default]\nregion = us-east-1\n{SECRET}\n", 3, "not a `key = value` line"),
        (f"aws_secret_access_key = {SECRET}\n[default]\n", 1, "before the first [section]"),
        ("[default]\nregion = a\n[default]\nregion = b\n", 3, "a second [default] section"),
        ("[default]\nregion = a\nregion = b\n", 3, "a second `region` key in [default]"),
    ],
)
def test_unparsable_files_name_file_and_line_without_their_text(isolated_home, text, line, why):
    config, _ = write_aws(isolated_home, text, LAYOUT1_CREDENTIALS)
    with pytest.raises(FileError) as err:
        plan(isolated_home)
    message = str(err.value)
    # The one wording of an INI fault (credentials.reader.ini_problem), as the credentials writer says it.
    assert message.startswith(f"{config}:{line}: ") and why in message
    assert SECRET not in message and "\n" not in message


def test_byte_order_mark_and_non_utf8_are_explained(isolated_home):
    _, credentials = write_aws(isolated_home, "", "")
    credentials.write_bytes(b"\xef\xbb\xbf[alice]\naws_access_key_id = A\n")
    with pytest.raises(FileError, match="byte-order mark"):
        plan(isolated_home)
    credentials.write_bytes(b"[alice]\nregion = \xff\xfe\n")
    with pytest.raises(FileError, match=rf"{credentials}:2: not UTF-8"):
        plan(isolated_home)


def test_directory_instead_of_file(isolated_home):
    config, _ = write_aws(isolated_home)
    config.unlink()
    config.mkdir()
    with pytest.raises(FileError, match="is a directory"):
        plan(isolated_home)


def test_unreadable_file(isolated_home, monkeypatch):
    """Run as an unprivileged user: root would read the mode-0 file and prove nothing."""
    home = user_dir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)

    write_aws(isolated_home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
    plan(isolated_home)  # readable, as root first: the child inherits the modules this imports

    def unreadable() -> str:
        config, _ = write_aws(home, LAYOUT1_CONFIG, LAYOUT1_CREDENTIALS)
        config.chmod(0)
        with pytest.raises(FileError, match="permission denied") as refused:
            plan(home)
        return str(refused.value)

    try:
        assert "config" in as_unprivileged(unreadable)
    finally:
        shutil.rmtree(home.parent)


def test_environment_file_locations_are_honoured(isolated_home, tmp_path, monkeypatch):
    write_aws(isolated_home, "", "")  # the default locations hold nothing
    (tmp_path / "cfg").write_text(LAYOUT1_CONFIG)
    (tmp_path / "creds").write_text(LAYOUT1_CREDENTIALS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "cfg"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "creds"))
    p = plan(isolated_home)
    assert (p.config_path, p.credentials_path) == (tmp_path / "cfg", tmp_path / "creds")
    assert "prod-admin-mfa" in added(p, "profile")


def test_registry_credentials_file_setting_is_honoured(isolated_home, tmp_path):
    write_aws(isolated_home, "", "")
    (tmp_path / "creds").write_text(LAYOUT1_CREDENTIALS.replace("[alice]", f"[alice]\nmfa_serial = {ALICE_MFA}"))
    reg = isolated_home / "registry.toml"
    reg.write_text(f'[settings]\ncredentials_file = "{tmp_path / "creds"}"\n')
    p = plan(isolated_home)
    assert p.credentials_path == tmp_path / "creds"
    assert set(added(p, "identity")) == {"alice"}


def test_missing_files_plan_nothing(isolated_home):
    p = plan(isolated_home)
    assert p.additions == [] and p.skips == []
