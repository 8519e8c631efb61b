"""``output = "credential-process"``: credentials in the state only, a byte-exact ``credential_process`` line in ~/.aws/config.

Against the local AWS and real files in the isolated HOME (issue 19).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mfa_tui.core.credentials.config_file import AwsConfigFile, command_for
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.models import State
from mfa_tui.core.registry import edit
from mfa_tui.core.registry import load as registry
from mfa_tui.core.service.facade import Service

from refresh_support import Codes

USER_CONFIG = (
    "# my config\r\n"  # CRLF lines are kept as they are
    "[profile keep-me]\r\n"
    "region = eu-west-1\r\n"
)


def service_for(world, clock) -> Service:
    loaded = registry.load(world.config_path, aws_config_path=world.aws_config_path)
    return Service(loaded, clock=clock, aws_config_path=world.aws_config_path)


def set_output(world, name: str, output: str | None) -> None:
    edit.set_value(world.config_path, ("profiles", name), "output", output, aws_config_path=world.aws_config_path)


def test_credential_process_profile_goes_to_the_config_only(demo_world, frozen_clock):
    before = demo_world.aws_config_path.read_bytes()
    set_output(demo_world, "dev-admin", "credential-process")
    service = service_for(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    assert not report.failed, report.results
    sections = CredentialsFile(demo_world.credentials_path).read()
    assert "alice" in sections and "dev-admin" not in sections
    after = demo_world.aws_config_path.read_bytes()
    command = command_for("dev-admin")
    # Exactly two lines added to [profile dev-admin], after its last key; every other byte the same.
    start = before.index(b"[profile dev-admin]\n")
    end = before.index(b"\n\n", start) + 1
    expected = before[:end] + f"credential_process = {command}\nmfa_tui_managed = true\n".encode() + before[end:]
    assert after == expected
    rows = {r.profile: r.state for r in service.statuses(["alice", "dev-admin"])}
    assert rows == {"alice": State.VALID, "dev-admin": State.VALID}
    creds = service.credentials("dev-admin")
    assert creds.access_key_id == report.results["dev-admin"].credentials.access_key_id
    # A second refresh writes nothing more to the config.
    service.refresh(service.select(["dev-admin"]), Codes(demo_world))
    assert demo_world.aws_config_path.read_bytes() == after


def test_switching_mode_removes_the_old_credentials_section(demo_world, frozen_clock):
    service = service_for(demo_world, frozen_clock)
    service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    assert "dev-admin" in CredentialsFile(demo_world.credentials_path).read()
    set_output(demo_world, "dev-admin", "credential-process")
    service = service_for(demo_world, frozen_clock)
    report = service.refresh(service.select(["dev-admin"]), Codes(demo_world))
    assert not report.failed, report.results
    assert "dev-admin" not in CredentialsFile(demo_world.credentials_path).read()
    assert service.statuses(["dev-admin"])[0].state is State.VALID
    # Back to the credentials file: the section is written again; the config line stays inert behind it.
    set_output(demo_world, "dev-admin", None)
    service = service_for(demo_world, frozen_clock)
    report = service.refresh(service.select(["dev-admin"]), Codes(demo_world))
    assert not report.failed and "dev-admin" in CredentialsFile(demo_world.credentials_path).read()
    assert service.statuses(["dev-admin"])[0].state is State.VALID


def test_a_fresh_config_section_is_appended_and_removed_exactly(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(USER_CONFIG.encode())
    config = AwsConfigFile(path)
    assert config.write({"ops": ("mfa-tui credential-process ops", "eu-west-2")}) == {}
    assert path.read_bytes() == (USER_CONFIG + "\r\n[profile ops]\r\ncredential_process = mfa-tui credential-process ops\r\n"
                                 "region = eu-west-2\r\nmfa_tui_managed = true\r\n").encode()
    assert config.owned() == {"ops"}
    assert config.write({}, remove=["ops", "keep-me"]) == {}
    assert path.read_bytes() == (USER_CONFIG + "\r\n").encode()


def test_a_section_with_role_arn_is_refused_and_left_alone(demo_world, frozen_clock):
    text = demo_world.aws_config_path.read_text()
    # Another tool's assume-role setup for the same name (written after the registry loaded it).
    set_output(demo_world, "dev-admin", "credential-process")
    service = service_for(demo_world, frozen_clock)
    shadow = "\n[profile dev-admin-extra]\nrole_arn = arn:aws:iam::222222222222:role/X\nsource_profile = x\n"
    demo_world.aws_config_path.write_text(text.replace("[profile dev-admin]\n", "[profile dev-admin]\nrole_arn = arn:aws:iam::222222222222:role/Other\n") + shadow)
    before = demo_world.aws_config_path.read_bytes()
    report = service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world))
    result = report.results["dev-admin"]
    assert not result.ok and "role_arn" in result.message and "not written by mfa-tui" in result.message
    assert report.results["alice"].ok
    assert demo_world.aws_config_path.read_bytes() == before
    assert "dev-admin" not in CredentialsFile(demo_world.credentials_path).read()


def test_the_command_serves_a_credential_process_profile(demo_world, frozen_clock):
    set_output(demo_world, "dev-admin", "credential-process")
    service = service_for(demo_world, frozen_clock)
    report = service.refresh(service.select(["dev-admin"]), Codes(demo_world))
    assert not report.failed
    out = subprocess.run([sys.executable, "-m", "mfa_tui", "credential-process", "dev-admin"], capture_output=True,
                         text=True, env=dict(os.environ), timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AccessKeyId"] == report.results["dev-admin"].credentials.access_key_id


def test_output_is_validated(demo_world):
    from mfa_tui.core.errors import RegistryError

    try:
        set_output(demo_world, "dev-admin", "stdout")
    except RegistryError as exc:
        assert "is not an output" in str(exc)
    else:
        raise AssertionError("a bad output was accepted")


def test_doctor_suggests_credential_process_above_200_profiles(demo_world, frozen_clock):
    from mfa_tui.core.service.doctor import diagnose

    def fleet(report):
        return [f for f in report.findings if f.check == "fleet"]

    assert fleet(diagnose(demo_world.config_path, clock=frozen_clock, online=False)) == []
    roles = {f"bulk-{i:03d}": {"identity": "alice", "role_arn": f"arn:aws:iam::222222222222:role/R{i}"} for i in range(200)}
    edit.add_entries(demo_world.config_path, profiles=roles, aws_config_path=demo_world.aws_config_path)
    found = fleet(diagnose(demo_world.config_path, clock=frozen_clock, online=False))
    assert len(found) == 1 and found[0].level == "info" and 'output = "credential-process"' in found[0].message
