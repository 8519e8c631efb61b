"""doctor checks each identity's code source can start: its program is found and executable.

A source whose program is missing fails only at the next refresh, after the user typed nothing and
waited; doctor names it first, with the fix.
"""

from __future__ import annotations

from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture

from mfa_tui.core.service.doctor import diagnose


def _sources(world, clock):
    report = diagnose(world.config_path, clock=clock, online=False, aws_config_path=world.aws_config_path)
    return {f.subject: f for f in report.findings if f.check == "code-source"}, report


def test_a_found_source_is_ok_and_names_the_program(demo_world, frozen_clock, code_stubs):
    set_source(demo_world, code_source="ykman", ykman_account="AWS:alice")
    found, _ = _sources(demo_world, frozen_clock)
    alice = found["identity alice"]
    assert alice.level == "ok" and str(code_stubs.bin_dir / "ykman") in alice.message


def test_a_missing_program_is_a_problem_with_its_fix(demo_world, frozen_clock, code_stubs, tmp_path):
    set_source(demo_world, code_source="command", code_command=["no-such-otp-tool", "--otp"])
    not_executable = tmp_path / "otp.sh"
    not_executable.write_text("#!/bin/sh\necho 123456\n")
    set_source(demo_world, "bob", code_source="command", code_command=[str(not_executable)])
    found, report = _sources(demo_world, frozen_clock)
    alice, bob = found["identity alice"], found["identity bob"]
    assert alice.level == "problem" and "`no-such-otp-tool` is not on PATH" in alice.message
    assert "code_command" in alice.fix and 'code_source = "prompt"' in alice.fix
    assert bob.level == "problem" and f"`{not_executable}` is not an executable file" in bob.message
    assert report.exit_code == 1


def test_ykman_missing_says_where_to_get_it(demo_world, frozen_clock, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ykman anywhere
    set_source(demo_world, code_source="ykman", ykman_account="AWS:alice")
    found, _ = _sources(demo_world, frozen_clock)
    alice = found["identity alice"]
    assert alice.level == "problem" and "`ykman` is not on PATH" in alice.message
    assert "yubikey-manager" in alice.fix


def test_prompt_identities_get_no_code_source_finding(demo_world, frozen_clock):
    found, _ = _sources(demo_world, frozen_clock)
    assert "identity alice" not in found
