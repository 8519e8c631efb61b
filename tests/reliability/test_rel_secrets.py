"""Secrets: no secret key, session token or TOTP seed is ever shown unless the user asked for it.

The CLI flows (every command, successes and failures) and the dashboard (Pilot: refresh with a
code, a wrong code, who-am-I, help, a theme change) run against the local AWS while stdout,
stderr, log records, notifications and the screen text (rendered lines and the SVG screenshot)
are collected. Every secret that exists at any point (long-term secret keys, every session's
secret key and token from the credentials file and the state, the demo device's seed and a seed
made by enrolling bob) is then searched for in all of it. Only ``env`` and ``credential-process``
may print the credentials of the profile they were asked for, on stdout; enrolment's "show
secret" is covered by tests/ui/test_enroll_screen.py and tests/cli/test_enroll_cmd.py.

Also: the files holding secrets are 0600 and the state dir 0700, no file mfa-tui writes holds a
TOTP seed, and a credentials file others can read gets a warning naming the fix. After the flows,
every file under the cache dir (``~/.cache``) and the state dir is searched too, the log file
included: only the state files (``state*.json``) may hold session credentials. ``~/.aws/config``
is given long-term keys first (botocore allows them there), and the log an error carrying secrets.
"""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pyotp
import pytest
from pilot_support import enter_code, notifications, screen_text, settle, wait_for

from mfa_tui.cli import main
from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import SystemClock, totp_step
from mfa_tui.core.enroll.device import open_enrolment
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import StateStore
from mfa_tui.localaws.demo import DEMO_SEED, demo_secrets_path
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.screens.help import HelpScreen


class Secrets:
    """Every secret seen so far: gathered from the files after each step, never forgotten."""

    def __init__(self, world):
        self.world = world
        self.values: set[str] = {DEMO_SEED}
        for ident in world.identities.values():
            self.values.add(ident.secret_access_key)
        self.gather()

    def gather(self) -> None:
        for keys in _ini(self.world.credentials_path).values():
            for key in ("aws_secret_access_key", "aws_session_token", "aws_security_token"):
                if keys.get(key):
                    self.values.add(keys[key])
        state = StateStore().load()
        creds = [p.credentials for p in state.profiles.values()] + [i.mfa_credentials for i in state.identities.values()]
        for c in creds:
            if c is not None:
                self.values.update({c.secret_access_key, c.session_token})

    def found_in(self, text: str, allowed: set[str] = frozenset()) -> list[str]:
        """The secrets (shortened) that occur in ``text``, apart from ``allowed``."""
        flat = "".join(text.split())  # a wrapped line must not hide a secret
        return [s[:8] + "…" for s in self.values - set(allowed) if s in text or s in flat]


def _ini(path: Path) -> dict[str, dict[str, str]]:
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(path, encoding="utf-8-sig")
    return {name: dict(parser.items(name)) for name in parser.sections()}


def _enrol_bob(world) -> str:
    """Enrol a virtual device for bob through the core flow; returns its (secret) seed."""
    flow = open_enrolment(registry.load(world.config_path), "bob", clock=world.clock)
    flow.create()
    seed = flow.secret()
    step = totp_step(world.clock.now())
    totp = pyotp.TOTP(seed)
    flow.enable(totp.generate_otp(step - 1), totp.generate_otp(step))
    return seed


def _long_term_keys_in_the_aws_config(world) -> None:
    """botocore reads long-term keys from ~/.aws/config too: put alice's there, where caches may look."""
    key_id, secret = world.keys("alice")
    with open(world.aws_config_path, "a", encoding="utf-8") as fh:
        fh.write(f"\n[profile legacy-keys]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")


def _log_an_error_carrying(secrets: Secrets) -> None:
    """An unexpected error whose message holds every secret seen (as a careless library's might)."""
    from mfa_tui.core import logfile

    try:
        raise RuntimeError("leaked: " + " ".join(sorted(secrets.values)))
    except RuntimeError as exc:
        logfile.record(exc, "a test error carrying secrets")


def _files_kept_are_clean(world, secrets: Secrets) -> None:
    """No secret in any file under the cache and state dirs but the state files, the log included.

    The demo world's own ``demo.json`` (the demo device's seed, for ``mfa-tui demo code``) is the
    local AWS's file, not mfa-tui's.
    """
    cache = world.home / ".cache"
    searched = [p for d in (cache, world.state_dir) for p in sorted(d.rglob("*")) if p.is_file()]
    names = {p.name for p in searched}
    assert "mfa-tui.log" in names and any(n.startswith("registry-") for n in names), names
    leaks = {}
    for path in searched:
        if path.parent == world.state_dir and path.name.startswith("state") and path.name.endswith(".json"):
            continue  # the session credentials belong here
        if path == demo_secrets_path(world.home):
            continue
        found = secrets.found_in(path.read_bytes().decode("utf-8", "replace"))
        if found:
            leaks[str(path)] = found
    assert leaks == {}
    _private(world.state_dir / "mfa-tui.log")


def _private(path: Path, mode: int = 0o600) -> None:
    actual = stat.S_IMODE(path.stat().st_mode)
    assert actual & ~mode == 0 and actual & 0o077 == 0, f"{path} is {actual:04o}"


CLI_FLOWS = [
    ["status"],
    ["status", "--json"],
    ["whoami"],
    ["whoami", "--json"],
    ["config", "check"],
    ["config", "path"],
    ["doctor"],
    ["doctor", "--json"],
    ["import"],
    ["import", "--json"],
    ["policy", "alice", "--no-simulate"],
    ["policy", "dev-admin", "--json"],
]


@pytest.fixture
def cli_clock(frozen_clock, monkeypatch):
    """The in-process CLI on the frozen clock the local AWS runs on (the CLI takes no clock)."""
    monkeypatch.setattr(SystemClock, "now", lambda _self: frozen_clock.now())
    return frozen_clock


def _server_side(record: logging.LogRecord) -> bool:
    """A record of the in-process local AWS (its request threads), not of mfa-tui."""
    return "process_request_thread" in record.threadName or record.name.startswith(("werkzeug", "mfa_tui.localaws"))


def test_cli_flows_never_show_a_secret(demo_world, cli_clock, capsys, caplog):
    caplog.set_level(logging.DEBUG, logger="mfa_tui")  # mfa-tui's own records at every level
    seen: list[tuple[str, str, str]] = []  # (command, stream, text)

    def run(*argv: str) -> int:
        code = main(list(argv))
        out, err = capsys.readouterr()
        seen.append((" ".join(argv), "stdout", out))
        seen.append((" ".join(argv), "stderr", err))
        secrets.gather()
        return code

    _long_term_keys_in_the_aws_config(demo_world)
    secrets = Secrets(demo_world)
    secrets.values.add(_enrol_bob(demo_world))
    wrong = f"{(int(demo_world.code()) + 1) % 1_000_000:06d}"
    assert run("refresh", "alice", "--code", wrong) == 1  # AWS refuses the code
    cli_clock.advance(30)
    assert run("refresh", "--all", "--code", demo_world.code()) == 1  # the direct role needs a 2nd code
    assert "dev-admin: valid until" in seen[-2][2]
    for argv in CLI_FLOWS:
        run(*argv)
    assert run("credential-process", "prod-readonly-direct") == 1  # needs a code: fails, names why
    demo_world.aws.faults.set(error_rate=1.0, actions={"AssumeRole"})
    assert run("refresh", "dev-admin") == 1  # AWS fails every call
    demo_world.aws.faults.clear()
    assert run("demo", "code", "--home", str(demo_world.home)) == 0

    # The two commands whose job is to print credentials: only the asked-for profile's, on stdout.
    dev_admin = StateStore().load().profiles["dev-admin"].credentials
    own = {dev_admin.secret_access_key, dev_admin.session_token}
    assert run("credential-process", "dev-admin") == 0
    assert json.loads(seen[-2][2])["SecretAccessKey"] == dev_admin.secret_access_key
    assert run("env", "dev-admin") == 0
    assert dev_admin.session_token in seen[-2][2]
    assert secrets.found_in(seen[-2][2]), "the search finds a secret where one is printed"

    leaks = {}
    for command, stream, text in seen:
        allowed = own if stream == "stdout" and command.split()[0] in ("env", "credential-process") else set()
        found = secrets.found_in(text, allowed)
        if found:
            leaks[f"{command} ({stream})"] = found
    records = [r for r in caplog.records if not _server_side(r)]
    for record in records:
        found = secrets.found_in(record.getMessage())
        if found:
            leaks[f"log {record.name}"] = found
    assert leaks == {}
    assert len(secrets.values) >= 16  # the search had something to find: 2 keys, 2 seeds, 7 sessions
    assert sum(len(text) for _, _, text in seen) > 5000

    # Files: secrets only where they belong, owner-only; no TOTP seed anywhere mfa-tui writes.
    _private(demo_world.credentials_path)
    _private(demo_world.state_path)
    _private(demo_world.state_dir, 0o700)
    backup = demo_world.config_path.with_name(demo_world.config_path.name + ".bak")
    assert backup.exists(), "enrolment saved the serial, keeping a backup of the registry"
    _private(backup)
    for lock in [*demo_world.state_dir.glob("*.lock"), *demo_world.credentials_path.parent.glob(".*.lock")]:
        _private(lock)
    seeds = {DEMO_SEED, *(s for s in secrets.values if len(s) == 64 and s.isalnum() and s.isupper())}
    for path in (demo_world.config_path, backup, demo_world.credentials_path, demo_world.state_path):
        data = path.read_text()
        assert not [s for s in seeds if s in data], f"{path} holds a TOTP seed"
    for path in demo_world.state_dir.glob("state*.json"):
        assert not [s for s in seeds if s in path.read_text()], f"{path} holds a TOTP seed"
    _log_an_error_carrying(secrets)
    _files_kept_are_clean(demo_world, secrets)


def test_a_credentials_file_others_can_read_gets_a_warning_naming_the_fix(demo_world, capsys):
    demo_world.credentials_path.chmod(0o644)
    fix = f"chmod 600 {demo_world.credentials_path}"
    assert main(["status"]) == 0
    _, err = capsys.readouterr()
    assert "readable by others (mode 0644)" in err and fix in err
    assert main(["status", "--json"]) == 0
    out, err = capsys.readouterr()
    assert fix in err and json.loads(out)
    assert main(["refresh", "alice", "dev-admin", "--code", demo_world.code()]) == 0
    _, err = capsys.readouterr()
    assert fix in err
    # The write itself narrowed the file to the owner (atomic_write never widens, always narrows).
    assert stat.S_IMODE(demo_world.credentials_path.stat().st_mode) == 0o600
    assert main(["doctor", "--offline"]) == 0
    capsys.readouterr()
    demo_world.credentials_path.chmod(0o640)
    assert main(["doctor", "--offline"]) == 1
    out, _ = capsys.readouterr()
    assert "PROBLEM permissions" in out and f"fix: {fix}" in out


# ── the dashboard ───────────────────────────────────────────────────────────────────────────


async def test_dashboard_never_shows_a_secret(demo_world, frozen_clock):
    _long_term_keys_in_the_aws_config(demo_world)
    secrets = Secrets(demo_world)
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    messages: list = []
    texts: list[str] = []
    app = MfaTuiApp(service, remint_every=None)
    async with app.run_test(size=(160, 50), message_hook=messages.append) as pilot:
        screen = app.main_screen
        texts.append(screen_text(app))
        # A wrong code, then the right one: one session, every chained role.
        assert screen.table.move_cursor("dev-admin")
        await pilot.press("r")
        valid = {demo_world.aws.current_code(demo_world.alice_serial, offset_steps=n) for n in (-1, 0, 1)}
        await enter_code(pilot, next(f"{n:06d}" for n in range(123456, 999999) if f"{n:06d}" not in valid))
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog) and app.screen.query("#token-error"),
                       "the dialog asking again")
        texts.append(screen_text(app))
        frozen_clock.advance(30)
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        secrets.gather()
        texts.append(screen_text(app))
        await pilot.press("R")  # the MFA session lives: only the direct role asks for a code
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog), "the direct role's dialog")
        assert app.screen.request.purpose == "direct-role"
        texts.append(screen_text(app))
        demo_world.next_code()
        app.screen.update_countdown()
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        secrets.gather()
        await pilot.press("W")
        await settle(pilot)
        for name in ("dev-admin", "prod-readonly-direct", "alice"):
            screen.table.move_cursor(name)
            await pilot.pause()
            texts.append(screen_text(app))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        texts.append(screen_text(app))
        await pilot.press("escape")
        await pilot.press("t")
        await settle(pilot)
        texts.append(screen_text(app))
        texts.append(app.export_screenshot())
        secrets.gather()
    notes = [f"{n.title}: {n.message}" for n in notifications(messages)]
    assert any("refreshed" in n for n in notes)
    leaks = {i: secrets.found_in(t) for i, t in enumerate(texts + notes) if secrets.found_in(t)}
    assert leaks == {}
    assert len(secrets.values) >= 16
    _private(demo_world.credentials_path)
    _private(demo_world.state_path)
    _private(demo_world.state_dir, 0o700)
    _log_an_error_carrying(secrets)
    _files_kept_are_clean(demo_world, secrets)


async def test_dashboard_warns_about_a_credentials_file_others_can_read(demo_world, frozen_clock):
    demo_world.credentials_path.chmod(0o644)
    messages: list = []
    app = MfaTuiApp(Service.open(demo_world.config_path, clock=frozen_clock), remint_every=None)
    async with app.run_test(size=(160, 50), message_hook=messages.append) as pilot:
        await pilot.pause()
        notes = [n.message for n in notifications(messages)]
    assert any(f"chmod 600 {demo_world.credentials_path}" in n for n in notes), notes
