"""First run from the command line (issue 14): `mfa-tui init`, enrolment that ends with a profile,
and `enroll --delete --yes`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pyotp

from mfa_tui.cli import main
from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import totp_step
from mfa_tui.core.registry.starter import DATA_DIR, example_path, starter_text
from mfa_tui.core.service.facade import Service

ROOT = Path(__file__).resolve().parents[2]
BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


def _enroll(world, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mfa_tui", "--config", str(world.config_path), "enroll", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,
    )


def _seed_from(proc: subprocess.Popen) -> str:
    while True:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        if line.startswith("Secret:"):
            return line.split(":", 1)[1].strip()


def _enable(world, clock, *args: str) -> tuple[str, str, str]:
    """Enrol bob over pipes with two good codes; returns (seed, stdout, stderr)."""
    proc = _enroll(world, "bob", *args)
    seed = _seed_from(proc)
    clock.set(datetime.now(UTC))
    step = totp_step(clock.now())
    totp = pyotp.TOTP(seed)
    out, err = proc.communicate(f"{totp.generate_otp(step)}\n{totp.generate_otp(step + 1)}\n", timeout=60)
    assert proc.returncode == 0, err
    return seed, out, err


# ── init ──

def test_init_creates_the_folder_and_a_starter_registry(isolated_home, capsys):
    path = isolated_home / "nested" / "mfa-tui" / "config.toml"
    assert main(["--config", str(path), "init"]) == 0
    assert path.read_text() == starter_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert registry.load(path).profiles == {}
    assert f"Created {path}." in capsys.readouterr().out


def test_init_example_writes_config_example(isolated_home, capsys):
    path = isolated_home / "config.toml"
    assert main(["--config", str(path), "init", "--example"]) == 0
    assert path.read_text() == (ROOT / "config.example.toml").read_text()
    assert "alice" in registry.load(path).identities


def test_init_at_the_default_path(isolated_home, capsys):
    from mfa_tui.core import paths

    assert main(["init"]) == 0
    assert paths.config_path().is_file()


def test_init_never_replaces_a_registry(isolated_home, capsys):
    path = isolated_home / "config.toml"
    path.write_text("# mine\n")
    assert main(["--config", str(path), "init", "--example"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"mfa-tui: {path} already exists; nothing was written (edit it, or check it with `mfa-tui config check`)"]
    assert path.read_text() == "# mine\n"


def test_the_example_ships_in_the_wheel():
    """The wheel carries the top-level file (the one source) as package data, where init looks first."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert build["force-include"]["config.example.toml"] == "mfa_tui/data/config.example.toml"
    assert Path(build["packages"][0]) / "data" == DATA_DIR.relative_to(ROOT)
    assert example_path() == ROOT / "config.example.toml"  # editable install: no copy to drift
    assert (DATA_DIR / "starter.toml").is_file()


# ── enrolment ends with something to refresh ──

def test_enrolled_bob_gets_a_profile_that_the_next_code_refreshes(demo_world, local_aws, frozen_clock):
    assert "bob" not in registry.load(demo_world.config_path).profiles
    seed, out, _ = _enable(demo_world, frozen_clock)
    assert f"Added profile bob (the MFA session of identity bob) to {demo_world.config_path}" in out
    reg = registry.load(demo_world.config_path)
    assert reg.identities["bob"].mfa_serial == BOB_SERIAL
    assert reg.profiles["bob"].identity == "bob" and reg.profiles["bob"].role_arn is None

    service = Service.open(demo_world.config_path, clock=frozen_clock)
    frozen_clock.advance(60)  # the enable spent two steps; the next code comes from a later one
    code = pyotp.TOTP(seed).at(frozen_clock.now())
    report = service.refresh(service.select(["bob"]), lambda request: code)
    assert not report.failed and report.results["bob"].ok, report


def test_no_profile_skips_it(demo_world, local_aws, frozen_clock):
    _, out, _ = _enable(demo_world, frozen_clock, "--no-profile")
    assert "Added profile" not in out
    assert "bob" not in registry.load(demo_world.config_path).profiles


def test_a_taken_profile_name_is_said_and_skipped(demo_world, local_aws, frozen_clock):
    from mfa_tui.core.registry.edit import add_entries

    add_entries(demo_world.config_path, profiles={"bob": {"identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin"}})
    _, out, _ = _enable(demo_world, frozen_clock)
    assert "No profile added: [profiles.bob] is taken (identity alice); add one for bob by hand." in out
    assert registry.load(demo_world.config_path).profiles["bob"].identity == "alice"


# ── enroll --delete ──

def test_delete_with_yes_does_not_ask(demo_world, local_aws):
    # Deleting needs MFA under alice's force-MFA policy: her live MFA session does it.
    demo_world.clock.set(datetime.now(UTC))  # the command checks expiry against the real clock
    service = Service.open(demo_world.config_path, clock=demo_world.clock)
    assert service.refresh(service.select(["alice"]), lambda _req: demo_world.code()).results["alice"].ok
    serial = demo_world.alice_serial
    result = subprocess.run(
        [sys.executable, "-m", "mfa_tui", "--config", str(demo_world.config_path), "enroll", "alice", "--delete", serial, "--yes"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"Deleted {serial}." in result.stdout and "Type yes" not in result.stderr


def test_delete_without_yes_or_a_terminal_is_one_line(demo_world, local_aws):
    serial = demo_world.alice_serial
    result = subprocess.run(
        [sys.executable, "-m", "mfa_tui", "--config", str(demo_world.config_path), "enroll", "alice", "--delete", serial],
        input="yes\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mfa-tui: --delete {serial}: no terminal to confirm on; add --yes to delete without asking"
    ]
    assert local_aws.count("DeactivateMFADevice") == 0
