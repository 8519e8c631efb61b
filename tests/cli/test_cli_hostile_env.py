"""The CLI on an output encoding that cannot show a profile's name: escaped text, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mfa_tui.core.registry import edit as registry_edit

ASCII = {"PYTHONIOENCODING": "ascii"}
"""An encoding that lacks the name's letters, as a C locale, or Windows' cp1252 (redirected) for non-Latin names."""


def mfa(*args: str, stdin: str | None = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args], capture_output=True, input=stdin,
        env={**os.environ, **(env or {})}, timeout=120, text=True, encoding="utf-8", errors="replace",
    )


def add_unicode_profile(world) -> str:
    name = "prod-café"
    registry_edit.add_entries(
        world.config_path,
        profiles={name: {"identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin"}},
        aws_config_path=world.aws_config_path,
    )
    return name


def test_status_prints_a_name_the_encoding_lacks_escaped(demo_world):
    add_unicode_profile(demo_world)
    status = mfa("status", env=ASCII)
    assert status.returncode == 0, status.stderr
    assert "prod-caf\\xe9" in status.stdout and "unexpected" not in status.stderr


def test_refresh_prints_a_name_the_encoding_lacks_escaped_after_its_commit(demo_world):
    name = add_unicode_profile(demo_world)
    refresh = mfa("refresh", name, "--code", demo_world.code(), env=ASCII)
    assert refresh.returncode == 0, refresh.stderr
    assert "prod-caf\\xe9: valid until" in refresh.stdout
    assert "unexpected" not in refresh.stderr and "1 profile refreshed" in refresh.stderr

    rows = {r["profile"]: r for r in json.loads(mfa("status", "--json", env=ASCII).stdout)}
    assert rows[name]["state"] == "valid"
