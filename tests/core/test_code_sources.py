"""Code sources (issue 16): ``ykman`` and any command give the codes; the engine asks them before anyone.

Real subprocesses (the stub ``ykman``/``op``/``pass`` of tests/stubs, on PATH), the local AWS
in-process on the frozen clock, the real Service and engine. The stubs compute codes at the
frozen clock's time, and the clock's ``sleep`` advances it, so waiting for the next 30-second
step costs nothing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyotp
import pytest
from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture
from refresh_support import make_service

from mfa_tui.core.clock import FrozenClock, totp_step
from mfa_tui.core.codes.provider import SourcedCodes, sourced
from mfa_tui.core.codes.sources import CodeSource, CodeSourceError, read_code, source_for
from mfa_tui.core.models import Identity
from mfa_tui.core.registry.validate import validate
from mfa_tui.core.session.refresh import CodeRequest
from mfa_tui.localaws.demo import DEMO_SEED

SERIAL = "arn:aws:iam::111111111111:mfa/alice"


def _identity(**keys) -> Identity:
    return Identity(name="alice", source_profile="alice-long-term", mfa_serial=SERIAL, **keys)


def _request(**fields) -> CodeRequest:
    return CodeRequest(**{"identity": "alice", "serial": SERIAL, "profiles": ("alice",), "purpose": "mfa-session", **fields})


def _code_at(clock: FrozenClock, steps: int = 0) -> str:
    return pyotp.TOTP(DEMO_SEED).at(clock.now().timestamp() + 30 * steps)


class Refuse:
    """A fallback provider that records what reached it and answers ``answer``."""

    def __init__(self, answer=None) -> None:
        self.requests: list[CodeRequest] = []
        self.answer = answer

    def __call__(self, request: CodeRequest):
        self.requests.append(request)
        return self.answer() if callable(self.answer) else self.answer


# ── the registry keys ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("keys", "where", "says"), [
    ({"code_source": "yubikey"}, "identities.a.code_source", '"yubikey" is not a code source'),
    ({"code_source": "ykman"}, "identities.a", "ykman_account is missing"),
    ({"code_source": "command"}, "identities.a", "code_command is missing"),
    ({"code_command": ["pass", "otp", "x"]}, "identities.a.code_command", 'only applies with code_source = "command"'),
    ({"ykman_account": "AWS"}, "identities.a.ykman_account", 'only applies with code_source = "ykman"'),
    ({"code_source": "command", "code_command": 7}, "identities.a.code_command", "must be a list of strings"),
    ({"code_source": "command", "code_command": "op 'item"}, "identities.a.code_command", "cannot be split"),
    ({"code_source": "ykman", "ykman_account": "a", "ykman_device": "yk-1"}, "identities.a.ykman_device", "not a YubiKey serial"),
])
def test_each_bad_code_source_key_is_one_clear_problem(keys, where, says):
    registry, problems = validate({"identities": {"a": {"source_profile": "k", **keys}}}, path=Path("/r.toml"))
    assert registry is None
    assert [(p.where, says in p.message) for p in problems] == [(where, True)], problems


def test_a_command_string_is_split_as_words_never_run_through_a_shell():
    raw = {"identities": {"a": {"source_profile": "k", "code_source": "command", "code_command": "op item get 'AWS prod' --otp"}}}
    registry, problems = validate(raw, path=Path("/r.toml"))
    assert not problems
    assert registry.identities["a"].code_command == ("op", "item", "get", "AWS prod", "--otp")
    raw = {"identities": {"a": {"source_profile": "k", "code_source": "ykman", "ykman_account": "AWS:a", "ykman_device": 1234}}}
    registry, problems = validate(raw, path=Path("/r.toml"))
    ykman = source_for(registry.identities["a"])
    assert ykman.argv == ("ykman", "--device", "1234", "oath", "accounts", "code", "--single", "AWS:a")
    assert ykman.timeout == 30
    assert source_for(_identity()) is None  # prompt: the default


# ── one source, one run ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize("argv", [("ykman", "oath", "accounts", "code", "--single", "AWS:alice"),
                                  ("op", "item", "get", "AWS", "--otp"), ("pass", "otp", "aws/alice")])
def test_each_stub_prints_the_code_as_the_real_tool_does(code_stubs, frozen_clock, argv):
    assert read_code(CodeSource("command", argv, 15)) == _code_at(frozen_clock)


def test_junk_is_refused_in_one_line_naming_the_command_and_never_echoing_it(code_stubs):
    code_stubs.mode("junk")
    with pytest.raises(CodeSourceError) as caught:
        read_code(CodeSource("command", ("pass", "otp", "aws/alice"), 15))
    assert str(caught.value) == "`pass otp aws/alice` printed something other than one 6-digit code; its output was not used"
    code_stubs.mode("empty")
    with pytest.raises(CodeSourceError, match="printed nothing"):
        read_code(CodeSource("command", ("pass", "otp", "aws/alice"), 15))


def test_a_failure_shows_the_first_line_of_stderr_only(code_stubs):
    code_stubs.mode("fail")
    with pytest.raises(CodeSourceError) as caught:
        read_code(CodeSource("command", ("op", "item", "get", "AWS", "--otp"), 15))
    line = str(caught.value)
    assert line.startswith("`op item get AWS --otp` failed (exit 1): [ERROR] ")
    assert "\n" not in line and "second line" not in line


def test_a_source_that_hangs_is_stopped_at_its_timeout(code_stubs):
    code_stubs.mode("hang")
    started = time.monotonic()
    with pytest.raises(CodeSourceError) as caught:
        read_code(CodeSource("ykman", ("ykman", "oath", "accounts", "code", "--single", "A"), 0.5))
    assert time.monotonic() - started < 10
    assert str(caught.value) == "`ykman oath accounts code --single A` gave no code within 0.5s and was stopped"


def test_a_missing_program_is_one_line(code_stubs):
    with pytest.raises(CodeSourceError) as caught:
        read_code(CodeSource("command", ("no-such-otp-tool", "x"), 15))
    assert str(caught.value) == "`no-such-otp-tool` not found (is it installed and on PATH?)"


def test_cancel_stops_a_running_source_at_once(code_stubs):
    code_stubs.mode("hang")
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    assert read_code(CodeSource("command", ("pass", "otp", "x"), 60), cancel) == ""
    assert time.monotonic() - started < 10


# ── the provider around the engine's ─────────────────────────────────────────────────


def test_a_spent_code_is_never_handed_over_the_next_step_is_waited_for(code_stubs, frozen_clock):
    spent = _code_at(frozen_clock)
    notices = []
    fallback = Refuse()
    provider = SourcedCodes({"alice": _identity(code_source="command", code_command=("pass", "otp", "aws/alice"))},
                            fallback, clock=frozen_clock, notify=notices.append)
    step = totp_step(frozen_clock.now())
    code = provider(_request(sent_codes=(spent,)))
    assert code == _code_at(frozen_clock) != spent
    assert totp_step(frozen_clock.now()) == step + 1
    assert fallback.requests == []
    kinds = [n.kind for n in notices]
    assert kinds[0] == "running" and "waiting" in kinds and kinds[-1] == "running"
    waits = [n for n in notices if n.kind == "waiting"]
    assert waits[0].first and not any(n.first for n in waits[1:])
    assert waits[0].text.startswith("waiting 30s for the next code")


def test_a_failed_source_falls_back_saying_why_and_is_not_run_again_this_run(code_stubs, frozen_clock):
    code_stubs.mode("fail")
    fallback = Refuse("123456")
    ids = {"alice": _identity(code_source="ykman", ykman_account="AWS:alice")}
    provider = sourced(ids, fallback, clock=frozen_clock)
    assert provider(_request()) == "123456"
    assert provider(_request(purpose="direct-role", profiles=("prod-direct",))) == "123456"
    assert len(code_stubs.calls()) == 1
    reason = fallback.requests[0].reason
    assert reason.startswith("`ykman oath accounts code --single AWS:alice` failed (exit 1): ERROR: ")
    assert reason.endswith("; enter the code yourself")


def test_an_identity_without_a_source_goes_straight_to_the_fallback(code_stubs, frozen_clock):
    fallback = Refuse("123456")
    assert sourced({"alice": _identity()}, fallback, clock=frozen_clock) is fallback


# ── through the Service: the engine, the local AWS, the state ────────────────────────


def test_ykman_refreshes_every_profile_the_direct_role_from_a_later_step(demo_world, frozen_clock, code_stubs):
    set_source(demo_world, code_source="ykman", ykman_account="AWS:alice", ykman_device="12345678")
    service = make_service(demo_world, frozen_clock)
    fallback = Refuse()
    notices = []
    report = service.refresh(service.select(all=True), fallback, notify=notices.append)
    assert not report.failed, report.summary()
    assert fallback.requests == []  # no one typed anything
    assert len(report.succeeded) == len(demo_world.profiles)
    calls = code_stubs.calls()
    assert len(calls) == 2  # one code for the MFA session, one (a step later) for the direct role
    assert calls[0] == ["ykman", "--device", "12345678", "oath", "accounts", "code", "--single", "AWS:alice"]
    texts = [n.text for n in notices if n.first]
    assert texts[0] == "touch your YubiKey (ykman is waiting for it)"
    assert any(t.startswith("waiting ") for t in texts)


def test_a_second_direct_role_gets_a_third_step(demo_world, frozen_clock, code_stubs):
    from refresh_support import add_direct_role

    add_direct_role(demo_world, "111111111111", "home-direct", max_session=4 * 3600, duration="2h")
    set_source(demo_world, code_source="command", code_command=["pass", "otp", "aws/alice"])
    service = make_service(demo_world, frozen_clock)
    start = totp_step(frozen_clock.now())
    report = service.refresh(service.select(all=True), Refuse())
    assert not report.failed, report.summary()
    assert len(code_stubs.calls()) == 3
    assert totp_step(frozen_clock.now()) == start + 2


def test_aws_refusing_the_sources_code_falls_back_to_the_prompt(demo_world, frozen_clock, code_stubs, monkeypatch):
    monkeypatch.setenv("MFA_TUI_STUB_SEED", pyotp.random_base32(64))  # a source with the wrong seed
    set_source(demo_world, code_source="command", code_command=["op", "item", "get", "AWS", "--otp"])
    service = make_service(demo_world, frozen_clock)
    fallback = Refuse(lambda: demo_world.code())
    report = service.refresh(service.select(["alice"]), fallback)
    assert not report.failed, report.summary()
    assert len(fallback.requests) == 1
    assert fallback.requests[0].reason.startswith("AWS refused the code from `op item get AWS --otp`")


def test_cancel_during_the_wait_skips_without_sending(demo_world, frozen_clock, code_stubs):
    set_source(demo_world, code_source="command", code_command=["pass", "otp", "aws/alice"])
    service = make_service(demo_world, frozen_clock)
    cancel = threading.Event()
    code_stubs.mode("hang")
    threading.Timer(0.5, cancel.set).start()
    report = service.refresh(service.select(["alice"]), Refuse("000000"), cancel=cancel)
    assert [r.message for r in report.results.values()] == ["cancelled"]
