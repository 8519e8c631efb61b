"""One demo world per size: the local AWS in its own process, its files, and a supply of MFA codes.

:class:`World` starts ``mfa-tui demo serve --home DIR`` (the local AWS, a separate process from
everything measured), reads the endpoint from its first stdout line, and reads back what the
demo wrote: the registry, alice's long-term keys and her device's seed.

Codes are the bench's real constraint. The local AWS, like AWS, takes each device's code once
per 30-second step (it accepts the steps just before and after "now", each at most once, in
order). A run needs a fresh code for every ``mfa-tui refresh``, every floor script and every
aws-mfa process, so :class:`CodeBook` enrols up to seven more virtual devices for alice (AWS
allows eight per user) and hands out the oldest unspent step of any device, sleeping only when
every device has spent every step it may. ``mfa-tui`` is pointed at the device a code belongs to
through a copy of the registry that differs only in alice's ``mfa_serial``.
"""

from __future__ import annotations

import json
import math
import select
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from procs import BenchError, clean_env

VENV_BIN = Path(sys.executable).parent
"""The bench's own interpreter's bin dir (the project venv): same Python for every side."""
MFA_TUI = str(VENV_BIN / "mfa-tui")
PYTHON = str(VENV_BIN / "python")
REGION = "us-east-1"
ROLES_PER_ACCOUNT = 10
EXTRA_DEVICES = 7
"""AWS allows 8 MFA devices per IAM user: the demo's own plus these."""
STEP = 30
SAFE_MARGIN = 5
"""Seconds a code from the previous step must still have before the server's clock moves on."""


@dataclass
class Device:
    serial: str
    seed: str = field(repr=False)
    last_step: int | None = None
    registry: Path | None = None
    """A copy of the registry whose alice identity uses this device."""


class CodeBook:
    """Fresh codes across alice's devices: the oldest step each device may still accept."""

    def __init__(self, devices: list[Device]):
        self.devices = devices
        self.waited = 0.0
        """Seconds slept waiting for a new step (reported, so waits never hide in a figure)."""

    def take(self, only: Device | None = None) -> tuple[Device, str]:
        """A fresh code from any device (or from ``only``), waiting for a new step when none has one."""
        import pyotp

        while True:
            now = time.time()
            step = int(now) // STEP
            left = STEP - now % STEP
            candidates = ([step - 1] if left > SAFE_MARGIN else []) + [step, step + 1]
            for device in [only] if only is not None else self.devices:
                for candidate in candidates:
                    if device.last_step is None or candidate > device.last_step:
                        device.last_step = candidate
                        return device, pyotp.TOTP(device.seed).at(candidate * STEP)
            pause = left + 0.05
            self.waited += pause
            time.sleep(pause)


class World:
    """A demo world with at least ``roles`` chained roles, served by its own ``mfa-tui demo serve``."""

    def __init__(self, root: Path, roles: int):
        self.roles = roles
        self.home = root / f"world-{roles}"
        self.home.mkdir(parents=True)
        per_account = min(ROLES_PER_ACCOUNT, roles)
        self.accounts = math.ceil(roles / per_account) + 1  # +1: the identity account has no roles
        self.per_account = per_account
        self.env = clean_env(self.home)
        self._log = open(root / f"world-{roles}.log", "wb")  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [MFA_TUI, "demo", "serve", "--home", str(self.home), "--accounts", str(self.accounts),
             "--roles-per-account", str(per_account)],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
        )
        self.endpoint = self._first_line(timeout=120)
        self.start_seconds = time.perf_counter() - started
        self.config_path = self.home / ".config" / "mfa-tui" / "config.toml"
        self.state_dir = self.home / ".local" / "state" / "mfa-tui"
        self.credentials_path = self.home / ".aws" / "credentials"
        registry = tomllib.loads(self.config_path.read_text())
        chained = [(name, p["role_arn"]) for name, p in registry["profiles"].items()
                   if p.get("role_arn") and p.get("strategy", "chained") == "chained"]
        if len(chained) < roles:
            raise BenchError(f"demo world has {len(chained)} chained roles, wanted {roles}")
        self.profiles = [name for name, _ in chained[:roles]]
        self.role_arns = dict(chained[:roles])
        self.keys = self._long_term_keys()
        demo = json.loads((self.state_dir / "demo.json").read_text())["identities"]["alice"]
        self.serial = demo["mfa_serial"]
        self._set_concurrency()
        devices = [Device(self.serial, demo["seed"], registry=self.config_path)]
        devices += self._enrol_devices(EXTRA_DEVICES)
        self.codes = CodeBook(devices)

    # ── set-up ───────────────────────────────────────────────────────────────────────────────
    def _first_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            log = (self.home.parent / f"world-{self.roles}.log").read_text(errors="replace")[-1500:]
            raise BenchError(f"`mfa-tui demo serve` did not print its endpoint:\n{line}\n{log}")
        return line

    def _long_term_keys(self) -> tuple[str, str]:
        import configparser

        parser = configparser.RawConfigParser()
        parser.read(self.credentials_path)
        section = parser["alice-long-term"]
        return section["aws_access_key_id"], section["aws_secret_access_key"]

    def _set_concurrency(self) -> None:
        """Say ``refresh_concurrency = 8`` in the registry (also the default): the floors use 8 threads."""
        text = self.config_path.read_text()
        if "refresh_concurrency" not in text:
            text = text.replace("[settings]\n", "[settings]\nrefresh_concurrency = 8\n", 1)
            self.config_path.write_text(text)

    def _enrol_devices(self, count: int) -> list[Device]:
        """Create and enable ``count`` more virtual devices for alice, as a user would with the API."""
        import boto3
        import pyotp

        iam = boto3.client("iam", aws_access_key_id=self.keys[0], aws_secret_access_key=self.keys[1],
                           region_name=REGION, endpoint_url=self.endpoint)
        text = self.config_path.read_text()
        devices = []
        for k in range(count):
            made = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"alice-bench-{k + 2}")["VirtualMFADevice"]
            serial, seed = made["SerialNumber"], made["Base32StringSeed"]
            seed = seed.decode() if isinstance(seed, bytes) else seed
            totp = pyotp.TOTP(seed)
            now = time.time()
            # Two consecutive codes ending one step back leave this step and the next unspent.
            second = int(now) // STEP - (1 if STEP - now % STEP > SAFE_MARGIN else 0)
            iam.enable_mfa_device(UserName="alice", SerialNumber=serial,
                                  AuthenticationCode1=totp.at((second - 1) * STEP),
                                  AuthenticationCode2=totp.at(second * STEP))
            variant = self.config_path.with_name(f"config-device-{k + 2}.toml")
            variant.write_text(text.replace(f'mfa_serial = "{self.serial}"', f'mfa_serial = "{serial}"'))
            devices.append(Device(serial, seed, last_step=second, registry=variant))
        return devices

    # ── use ──────────────────────────────────────────────────────────────────────────────────
    def clear_state(self) -> None:
        """Forget every cached session, so the next refresh needs (and spends) a code."""
        for path in self.state_dir.glob("state*.json*"):  # each registry's state file and its lock
            path.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()
