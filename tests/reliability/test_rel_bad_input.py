"""Bad input: broken registries, broken credentials files, and fuzzed MFA codes.

Every broken file gets one clear message naming the file (and line, where there is one), a
non-zero exit from every CLI command that reads it, the error screen in the dashboard, never
a traceback, and is left exactly as it was. The corpus lives in tests/data/broken_registries
and tests/data/broken_credentials; the cases that cannot be stored in git (a 5 MiB file, a
symlink loop, a directory) are made by the tests. Credentials files with CRLF line endings
or a UTF-8 BOM are valid: they must work, and keep their line endings and BOM.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import Codes, foreign_blocks, mfa

from mfa_tui.cli import main
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.errors import CodeError
from mfa_tui.ui.textual_private import screen_lines
from mfa_tui.core.service.facade import Service
from mfa_tui.core.totp import DeviceCodes, check_format, normalise_code
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.screens.problems import ProblemsScreen

DATA = Path(__file__).resolve().parents[1] / "data"
CHAINED = ["alice", "dev-admin", "dev-readonly", "staging-admin"]

REGISTRY_CASES = {
    "truncated.toml": "(the file ends too early: is it truncated?)",
    "binary.toml": "is a binary file, not a TOML registry",
    "wrong_types.toml": 'expected a duration such as 3600, "1h" or "90m"; got true (and 9 more problems)',
    "wrong_shape.toml": "settings: must be a table [settings], got a string",
    "duplicate_tables.toml": "[profiles.dev-admin] is declared twice; TOML forbids duplicate tables",
    "not_utf8.toml": "is not UTF-8 text (byte 0xe9); save it as UTF-8",
    "huge": "larger than 4 MiB; refusing to read it",
    "symlink_loop": "too many levels of symbolic links",
    "directory": "is a directory, not a file",
}


def _make_registry(case: str, where: Path) -> Path:
    """The broken registry of ``case`` under ``where``."""
    path = where / "config.toml"
    if case == "huge":
        table = '[profiles.p{n:06d}]\nidentity = "alice"\nrole_arn = "arn:aws:iam::222222222222:role/R{n:06d}"\n\n'
        with open(path, "w") as fh:
            fh.write('[identities.alice]\nsource_profile = "alice-long-term"\n\n')
            for n in range(60_000):
                fh.write(table.format(n=n))
        assert path.stat().st_size > 4 * 1024 * 1024
    elif case == "symlink_loop":
        other = where / "other.toml"
        path.symlink_to(other)
        other.symlink_to(path)
    elif case == "directory":
        path.mkdir()
    else:
        path.write_bytes((DATA / "broken_registries" / case).read_bytes())
    return path


def _snapshot(path: Path) -> tuple:
    """What a registry path is: a link's target, a directory, or a file's bytes."""
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return ("dir",)
    return ("file", path.read_bytes())


@pytest.fixture(params=sorted(REGISTRY_CASES))
def broken_registry(request, tmp_path):
    return _make_registry(request.param, tmp_path), REGISTRY_CASES[request.param]


def test_corpus_is_complete():
    """Every stored file has a case, so a new corpus file cannot be silently skipped."""
    stored = {p.name for p in (DATA / "broken_registries").iterdir() if not p.name.startswith(".")}
    assert stored == {c for c in REGISTRY_CASES if c.endswith(".toml")}
    stored = {p.name for p in (DATA / "broken_credentials").iterdir() if not p.name.startswith(".")}
    assert stored == set(CREDENTIALS_CASES) | set(VALID_CREDENTIALS)


# ── broken registries: CLI ──────────────────────────────────────────────────────────────────

ONE_LINE_COMMANDS = [
    ["status"],
    ["status", "--json"],
    ["refresh", "--all", "--code", "123456"],
    ["whoami"],
    ["env", "dev-admin"],
    ["credential-process", "dev-admin"],
    ["policy", "dev-admin", "--no-simulate"],
]


def test_broken_registry_every_command_says_it_once_and_exits_2(broken_registry, isolated_home, capsys):
    path, expected = broken_registry
    credentials = isolated_home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text("[personal]\naws_access_key_id = AKIAPERSONAL00000001\naws_secret_access_key = s\n")
    before, credentials_before = _snapshot(path), credentials.read_bytes()
    for argv in ONE_LINE_COMMANDS:
        code = main(["--config", str(path), *argv])
        out, err = capsys.readouterr()
        assert code == 2, (argv, err)
        assert out == "" and len(err.strip().splitlines()) == 1, (argv, err)
        assert err.startswith(f"mfa-tui: {path}") and expected in err, (argv, err)
    code = main(["config", "check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and expected.split(" (and ")[0] in out and f"{path}: " in err
    code = main(["--config", str(path), "doctor", "--offline"])
    out, _ = capsys.readouterr()
    assert code == 2 and "PROBLEM registry" in out and "The registry does not load" in out
    assert _snapshot(path) == before and credentials.read_bytes() == credentials_before


@pytest.mark.parametrize("case", ["truncated.toml", "symlink_loop"])
def test_broken_registry_through_the_real_script(case, tmp_path):
    path = _make_registry(case, tmp_path)
    result = mfa("--config", str(path), "refresh", "--all")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert REGISTRY_CASES[case] in result.stderr


# ── broken registries: dashboard ────────────────────────────────────────────────────────────


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(screen_lines(app.screen))


def test_broken_registry_opens_the_error_screen(broken_registry, monkeypatch):
    """``mfa-tui --config BROKEN`` (the real entry point) shows the problems screen and exits 2."""
    path, expected = broken_registry
    before = _snapshot(path)
    seen: dict = {}
    real_run = MfaTuiApp.run

    async def look(pilot) -> None:
        await pilot.pause()
        seen["screen"] = pilot.app.screen
        seen["text"] = screen_text(pilot.app)
        await pilot.press("q")

    def run_headless(self, **_kwargs):
        return real_run(self, headless=True, size=(250, 40), auto_pilot=look)

    monkeypatch.setattr(MfaTuiApp, "run", run_headless)
    # pytest's output is not a terminal: the dashboard refuses one unless a Textual driver is named.
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.headless_driver:HeadlessDriver")
    assert main(["--config", str(path)]) == 2
    assert isinstance(seen["screen"], ProblemsScreen)
    assert "The registry cannot be loaded" in seen["text"] and "Nothing was changed" in seen["text"]
    first = expected.split(" (and ")[0]
    assert first in " ".join(seen["text"].split()), seen["text"]
    assert _snapshot(path) == before


# ── credentials files ───────────────────────────────────────────────────────────────────────

CREDENTIALS_CASES = {
    "duplicate_sections.ini": "a second [personal] section",
    "duplicate_keys.ini": "a second `aws_secret_access_key` key in [personal]",
    "invalid_ini.ini": "not a `key = value` line, a comment or a [section] header",
    "key_before_section.ini": "a key or text before the first [section] header",
    "not_utf8.ini": "not UTF-8 text",
    "lone_cr.ini": "a lone carriage return (CR) line break",
}
VALID_CREDENTIALS = ["crlf.ini", "bom.ini", "bom_crlf.ini"]


def _install(world, name: str) -> bytes:
    """The corpus file ``name`` as the world's credentials file, with alice's real keys filled in."""
    key, secret = world.keys("alice")
    data = (DATA / "broken_credentials" / name).read_bytes()
    data = data.replace(b"ALICE_KEY_ID", key.encode()).replace(b"ALICE_SECRET", secret.encode())
    world.credentials_path.write_bytes(data)
    return data


@pytest.mark.parametrize("case", sorted(CREDENTIALS_CASES))
def test_broken_credentials_file_is_refused_and_left_untouched(case, demo_world, capsys):
    before = _install(demo_world, case)
    expected = CREDENTIALS_CASES[case]
    # The real script: botocore's session (one per process) parses the credentials file only on
    # its first client, so an in-process run would depend on which test came first.
    result = mfa("refresh", *CHAINED, "--code", demo_world.code())
    err = result.stderr
    assert result.returncode == 1 and result.stdout == "", err
    failures = [line for line in err.splitlines() if ": failed: " in line]
    assert len(failures) == len(CHAINED), err
    # One reason, the same for every profile, naming the file and the line to fix.
    reasons = {line.split(": failed: ", 1)[1].removeprefix("not written: ") for line in failures}
    assert len(reasons) == 1, reasons
    reason = reasons.pop()
    assert reason.startswith(f"{demo_world.credentials_path}:") and expected in reason
    assert "Traceback" not in err
    assert demo_world.credentials_path.read_bytes() == before

    code = main(["doctor", "--offline"])
    out, _ = capsys.readouterr()
    assert code == 1 and "PROBLEM credentials-file" in out and expected in out


@pytest.mark.parametrize("case", VALID_CREDENTIALS)
def test_crlf_and_bom_credentials_files_work_and_keep_their_form(case, demo_world, capsys):
    before = _install(demo_world, case)
    code = main(["refresh", *CHAINED, "--code", demo_world.code()])
    _, err = capsys.readouterr()
    assert code == 0, err
    after = demo_world.credentials_path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in before:
        assert after.count(b"\n") == after.count(b"\r\n"), "a line lost its CR"
    else:
        assert b"\r" not in after
    assert foreign_blocks(after.replace(b"\r\n", b"\n")) == foreign_blocks(before.replace(b"\r\n", b"\n"))
    written = CredentialsFile(demo_world.credentials_path).read()
    assert set(CHAINED) <= set(written)
    assert written["personal"]["aws_access_key_id"] == "AKIAPERSONAL00000001"


@pytest.fixture
def fresh_botocore(monkeypatch):
    """A new botocore session, as a new mfa-tui process has: it reads the AWS files on first use."""
    from mfa_tui.core.aws import clients as aws

    monkeypatch.setattr(aws, "_session", None)


@pytest.mark.parametrize("case", ["lone_cr.ini", "duplicate_sections.ini"])
async def test_broken_credentials_file_in_the_dashboard(case, demo_world, frozen_clock, fresh_botocore):
    """The dashboard names the problem on the row and in an error notification; nothing written.

    The long-term keys are read from the broken file before a code is asked for, so no code is
    asked for (and none spent) on a refresh that could not be written anyway.
    """
    from pilot_support import notifications, settle

    from mfa_tui.ui.messages import CodeWanted

    before = _install(demo_world, case)
    expected = CREDENTIALS_CASES[case]
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    messages: list = []
    app = MfaTuiApp(service, remint_every=None)
    async with app.run_test(size=(200, 50), message_hook=messages.append) as pilot:
        screen = app.main_screen
        assert screen.table.move_cursor("dev-admin")
        await pilot.press("r")
        await settle(pilot, timeout=10)
        assert not any(isinstance(m, CodeWanted) for m in messages)
        row = screen.table.get_row("dev-admin")
        assert row.last_error and expected in row.last_error
        assert any(expected in n.message for n in notifications(messages) if n.severity == "error")
    assert demo_world.credentials_path.read_bytes() == before


# ── fuzzed codes ────────────────────────────────────────────────────────────────────────────

ASCII_CODE = st.from_regex(r"\A[ \t]*[0-9]{3}[ -]?[0-9]{3}[ \t\n]*\Z")
NEAR_MISSES = st.from_regex(r"\A[0-9 -]{0,9}\Z") | st.from_regex(r"\A[0-9]{5,7}[a-z]?\Z")
ANY_TEXT = st.text(max_size=20)
ANY_DIGITS = st.text(st.characters(categories=["Nd"]), min_size=5, max_size=7)
"""Digits of any script (fullwidth, Arabic-Indic, ...): only ASCII 0-9 make a code."""


@given(raw=ASCII_CODE | NEAR_MISSES | ANY_DIGITS | ANY_TEXT)
@settings(max_examples=400, deadline=None)
def test_check_format_sends_six_ascii_digits_or_refuses(raw):
    try:
        code = check_format(raw, device="identity alice")
    except CodeError as exc:
        message = str(exc)
        assert message.startswith("identity alice: a code is exactly 6 digits") and message.endswith("nothing was sent")
        assert "\n" not in message
        assert not (len(normalise_code(raw)) == 6 and normalise_code(raw).isascii() and normalise_code(raw).isdigit())
        return
    assert len(code) == 6 and code.isascii() and code.isdigit()
    assert code == "".join(ch for ch in raw if ch in "0123456789")


@pytest.mark.parametrize("raw", ["１２３４５６", "١٢٣٤٥٦", "12345６"])
def test_non_ascii_digits_are_refused(raw):
    """Fullwidth and Arabic-Indic digits are Unicode digits (``\\d``), but not a code to send."""
    with pytest.raises(CodeError) as caught:
        check_format(raw, device="identity alice")
    assert str(caught.value) == (
        "identity alice: a code is exactly 6 digits, got 6 characters, not all of them 0-9; nothing was sent"
    )


async def test_code_fields_take_only_ascii_digits():
    """The token dialog's and the enrolment screen's code fields, typed into and pasted into."""
    from textual.app import App
    from textual.events import Paste

    from mfa_tui.ui.dialogs.token import CodeField
    from mfa_tui.ui.screens.enroll import CodeInput

    class Fields(App):
        def compose(self):
            yield CodeField()
            yield CodeInput()

    async with Fields().run_test() as pilot:
        for field in (pilot.app.query_one(CodeField), pilot.app.query_one(CodeInput)):
            field.focus()
            await pilot.press("１", "٢", "1", "2")
            assert field.value == "12", type(field).__name__
        token = pilot.app.query_one(CodeField)
        token.value = ""
        token.post_message(Paste("１２３ 456\n"))
        await pilot.pause()
        assert token.value == "456"


class _Sent:
    """Records the TokenCode of every GetSessionToken the engine's STS client sends."""

    def __init__(self) -> None:
        self.codes: list[str] = []

    def __call__(self, params, **_kwargs) -> None:
        self.codes.append(params.get("TokenCode"))


@given(raw=ASCII_CODE | NEAR_MISSES | ANY_DIGITS | ANY_TEXT)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_engine_sends_a_typed_code_only_as_six_digits(raw, demo_world, frozen_clock):
    """Through the Service and the engine's code provider, against the local AWS."""
    # Past the local spent-code memory (a code is refused for DeviceCodes.KEEP_STEPS steps after it was
    # sent; hypothesis repeats examples while shrinking): what refuses a code here must be its format alone.
    frozen_clock.advance(30 * (DeviceCodes.KEEP_STEPS + 1))
    service = Service.open(demo_world.config_path, clock=frozen_clock)
    identity = service.registry.identities["alice"]
    client = service.engine.sts_client(identity, service.long_term_keys(identity))
    sent = _Sent()
    client.meta.events.register("before-parameter-build.sts.GetSessionToken", sent)
    codes = Codes(demo_world, answers=[raw, None])
    report = service.refresh(service.select(["alice"]), codes)
    try:
        expected = check_format(raw, device="d")
    except CodeError:
        assert sent.codes == []
        assert "nothing was sent" in codes.requests[1].error
        return
    assert sent.codes == [expected]
    result = report.results["alice"]
    assert result.ok or "refused the MFA code" in result.message
