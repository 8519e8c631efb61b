"""``mfa-tui config check`` and ``mfa-tui config path``, run as a user would (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def mfa_tui(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mfa_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_check_valid_registry():
    result = mfa_tui("config", "check", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{EXAMPLE}: valid — 3 accounts, 1 identity, 3 profiles\n"
    assert result.stderr == ""


def test_check_lists_every_problem_and_exits_2(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        EXAMPLE.read_text()
        .replace('refresh_concurrency = 8', "refresh_concurrency = 0")
        .replace('strategy = "chained"\n', 'strategy = "chained"\nrol_arn = "x"\n')
        .replace(":mfa/alice", ":user/alice")
    )
    result = mfa_tui("config", "check", str(path))
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    text = path.read_text().splitlines()
    concurrency_line = text.index("refresh_concurrency = 0") + 1
    assert lines[0] == (
        f"{path}:{concurrency_line}:1: settings.refresh_concurrency: must be a whole number from 1 to 64, got 0"
    )
    serial_line = text.index('mfa_serial = "arn:aws:iam::111111111111:user/alice"') + 1
    assert lines[1].startswith(f"{path}:{serial_line}:1: identities.alice.mfa_serial: ")
    assert "this is the user's ARN" in lines[1]
    assert lines[2].endswith("profiles.dev-admin.rol_arn: unknown key; did you mean role_arn?")
    assert result.stderr == f"mfa-tui: {path}: 3 problems\n"


def test_check_syntax_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[settings]\ntheme = "a"\n[settings]\n')
    result = mfa_tui("config", "check", str(path))
    assert result.returncode == 2
    assert result.stdout == f"{path}:3:1: settings: [settings] is declared twice; TOML forbids duplicate tables (first declared on line 1)\n"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.write_bytes(b"\x00\x01\x02"), "is a binary file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: (p.symlink_to(p.with_name("loop")), p.with_name("loop").symlink_to(p)), "too many levels of symbolic links"),
        (lambda p: p.write_bytes(b'theme = "\xff"'), "is not UTF-8"),
    ],
)
def test_unreadable_registries_never_give_a_traceback(tmp_path, make, fragment):
    path = tmp_path / "reg.toml"
    make(path)
    result = mfa_tui("config", "check", str(path))
    assert result.returncode == 2
    assert fragment in result.stdout
    assert "Traceback" not in result.stderr


def test_check_defaults_to_the_resolved_registry_path(tmp_path, isolated_home):
    default = isolated_home / ".config" / "mfa-tui" / "config.toml"
    result = mfa_tui("config", "check")
    assert result.returncode == 2
    assert result.stdout.startswith(f"{default}: no registry here; create one with `cp config.example.toml {default}`")
    assert "mfa-tui import --write" in result.stdout

    from_env = tmp_path / "env.toml"
    from_env.write_text(EXAMPLE.read_text())
    result = mfa_tui("config", "check", env={"MFA_TUI_CONFIG": str(from_env)})
    assert result.returncode == 0 and result.stdout.startswith(f"{from_env}: valid")

    result = mfa_tui("--config", str(EXAMPLE), "config", "check", env={"MFA_TUI_CONFIG": str(tmp_path / "missing")})
    assert result.returncode == 0 and result.stdout.startswith(f"{EXAMPLE}: valid")


def test_config_path(tmp_path, isolated_home):
    result = mfa_tui("config", "path")
    assert (result.returncode, result.stdout) == (0, f"{isolated_home / '.config' / 'mfa-tui' / 'config.toml'}\n")
    result = mfa_tui("config", "path", env={"MFA_TUI_CONFIG": str(tmp_path / "e.toml")})
    assert result.stdout == f"{tmp_path / 'e.toml'}\n"
    result = mfa_tui("--config", str(tmp_path / "c.toml"), "config", "path")
    assert result.stdout == f"{tmp_path / 'c.toml'}\n"


def test_config_needs_an_action():
    result = mfa_tui("config")
    assert result.returncode == 2
    assert "ACTION" in result.stderr and "Traceback" not in result.stderr


def test_shadowing_profile_is_reported(isolated_home):
    config = isolated_home / ".aws" / "config"
    config.parent.mkdir()
    config.write_text("[profile prod-readonly]\nrole_arn = arn:aws:iam::444444444444:role/ReadOnly\nsource_profile = x\n")
    result = mfa_tui("config", "check", str(EXAMPLE))
    assert result.returncode == 2
    assert f"profiles.prod-readonly: {config} has [profile prod-readonly] with role_arn" in result.stdout
