"""The credential-process hot path (core/session/peek.py) answers exactly what the state store says.

It reads state.json by its line layout without the store, the models or platformdirs, so
every test here compares it with the slow, authoritative path: :class:`StateStore` for the
content, :func:`mfa_tui.core.paths.state_dir` for the location, ``datetime`` for the time math.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mfa_tui.cli import credential_process_cmd
from mfa_tui.core import paths
from mfa_tui.core.clock import rfc3339
from mfa_tui.core.models import Credentials
from mfa_tui.core.session.state import SessionState, StateStore
from mfa_tui.core.session.peek import (
    epoch_of_rfc3339,
    peek_credentials,
    registry_path_fast,
    registry_stamp,
    state_dir_fast,
)

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def creds(tag: str, left: timedelta = HOUR) -> Credentials:
    return Credentials(f"ASIA{tag}", f"SECRET-{tag}", f"TOKEN-{tag}", NOW + left)


def peek(name: str, min_left: float = 900, at: datetime = NOW):
    return peek_credentials(name, min_left, now=at.timestamp())


def registry_file() -> str:
    """The default registry (only its stat matters to the fast path), created if missing."""
    path = paths.default_config_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# a registry\n")
    return str(path)


def tied(directory=None) -> StateStore:
    """The default registry's state store; its updates stamp the state as the session store does."""
    registry = registry_file()
    store = StateStore(directory, registry_path=registry)
    plain_update = store.update

    def update(fill):
        def apply(state):
            fill(state)
            state.registry = (os.path.realpath(registry), registry_stamp(registry))

        return plain_update(apply)

    store.update = update
    return store


def expected(state: SessionState, name: str) -> Credentials | None:
    """What Service.credentials would serve from this state (no re-mint)."""
    pst = state.profiles[name]
    found = pst.credentials
    if found is None and pst.kind == "mfa-session":
        ist = state.identities.get(pst.identity)
        found = ist.mfa_credentials if ist else None
    return found


def as_fields(c: Credentials) -> dict[str, str]:
    return {
        "access_key_id": c.access_key_id,
        "secret_access_key": c.secret_access_key,
        "session_token": c.session_token,
        "expiration": rfc3339(c.expiration),
    }


# ── where the state lives ────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(
    "env",
    [
        {"MFA_TUI_STATE_DIR": "~/elsewhere"},
        {"XDG_STATE_HOME": "/tmp/xdg-state"},
        {"XDG_STATE_HOME": "relative/ignored"},
        {"XDG_STATE_HOME": ""},
        {},
    ],
)
def test_state_dir_matches_platformdirs(monkeypatch, env):
    if sys.platform != "linux":
        pytest.skip("the platformdirs-free rule is Linux's; elsewhere the fast path asks platformdirs")
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert state_dir_fast() == str(paths.state_dir())


def test_a_relative_home_is_left_to_platformdirs(monkeypatch):
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", "not/absolute")
    assert state_dir_fast() is None
    assert peek("anything") is None


# ── time math ────────────────────────────────────────────────────────────────────────────────

@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)))
def test_epoch_matches_datetime(when):
    when = when.replace(microsecond=0, tzinfo=UTC)
    assert epoch_of_rfc3339(rfc3339(when)) == int(when.timestamp())


@pytest.mark.parametrize(
    "text",
    ["2026-01-01T12:00:00+00:00", "2026-01-01 12:00:00Z", "2026-13-01T12:00:00Z", "2026-01-01T24:00:00Z",
     "２026-01-01T12:00:00Z", "2026-01-01T12:00:0xZ", ""],
)
def test_other_layouts_are_refused(text):
    assert epoch_of_rfc3339(text) is None


# ── content ──────────────────────────────────────────────────────────────────────────────────

AWKWARD = [
    "identities", "profiles", "version", "credentials", "mfa_credentials", "alice", "a", "a-b",
    'quote"in', "back\\slash", "new\nline", "ünïcode", "x:y", "",
]


def test_every_awkward_name_finds_its_own_line():
    def fill(state: SessionState) -> None:
        state.identity("alice").mfa_credentials = creds("MFA", 12 * HOUR)
        for i, name in enumerate(AWKWARD):
            pst = state.profile(name)
            pst.credentials, pst.identity, pst.kind = creds(f"P{i}"), "alice", "chained-role"

    state = tied().update(fill)
    for name in AWKWARD:
        assert peek(name) == as_fields(expected(state, name)), name
    assert peek("not-there") is None


def test_an_mfa_session_profile_uses_its_identity_session():
    def fill(state: SessionState) -> None:
        state.identity("alice").mfa_credentials = creds("MFA", 12 * HOUR)
        state.identity("profiles").mfa_credentials = creds("OTHER", 12 * HOUR)
        for name, identity in (("alice", "alice"), ("profiles", "profiles")):
            pst = state.profile(name)
            pst.identity, pst.kind = identity, "mfa-session"

    state = tied().update(fill)
    assert peek("alice")["access_key_id"] == "ASIAMFA"
    assert peek("profiles")["access_key_id"] == "ASIAOTHER"
    assert peek("alice") == as_fields(expected(state, "alice"))


def test_too_little_time_left_takes_the_full_path():
    def fill(state: SessionState) -> None:
        for name, left in (("soon", timedelta(minutes=15)), ("later", timedelta(minutes=15, seconds=1))):
            pst = state.profile(name)
            pst.credentials, pst.identity, pst.kind = creds(name, left), "alice", "chained-role"

    tied().update(fill)
    assert peek("soon") is None  # exactly 15 minutes: the full path re-mints (as `cached` did)
    assert peek("later")["access_key_id"] == "ASIAlater"
    assert peek("later", at=NOW + timedelta(seconds=2)) is None


@given(st.dictionaries(st.text(max_size=12), st.sampled_from(["chained-role", "mfa-session", "direct-role"]), max_size=8))
def test_random_names_agree_with_the_store(tmp_path_factory, names):
    directory = tmp_path_factory.mktemp("state")

    def fill(state: SessionState) -> None:
        state.identity("alice").mfa_credentials = creds("MFA", 12 * HOUR)
        for i, (name, kind) in enumerate(names.items()):
            pst = state.profile(name)
            pst.identity, pst.kind = "alice", kind
            if kind != "mfa-session":
                pst.credentials = creds(f"R{i}")

    state = tied(directory).update(fill)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MFA_TUI_STATE_DIR", str(directory))
        for name in names:
            assert peek(name) == as_fields(expected(state, name))


def test_a_file_in_another_layout_takes_the_full_path():
    tied().update(lambda s: setattr(s.profile("dev"), "credentials", creds("DEV")))
    path = tied().path
    path.write_text(json.dumps(json.loads(path.read_text()), separators=(",", ":")) + "\n")
    assert "\n" not in path.read_text().rstrip("\n")
    assert peek("dev") is None


def test_an_edited_registry_takes_the_full_path():
    """The stamp says the entries were checked against this very registry file; after an edit they are not."""
    tied().update(lambda s: setattr(s.profile("dev"), "credentials", creds("DEV")))
    assert peek("dev") is not None
    with open(registry_file(), "a") as fh:
        fh.write("# edited\n")
    assert peek("dev") is None


def test_another_registry_never_sees_this_ones_state(tmp_path, monkeypatch):
    tied().update(lambda s: setattr(s.profile("dev"), "credentials", creds("DEV")))
    other = tmp_path / "other.toml"
    other.write_text("# registry B\n")
    monkeypatch.setenv("MFA_TUI_CONFIG", str(other))
    assert registry_path_fast() == str(other)
    assert peek("dev") is None
    assert StateStore(registry_path=other).path != StateStore(registry_path=paths.default_config_path()).path


@pytest.mark.parametrize(
    "env",
    [{"MFA_TUI_CONFIG": "~/mine.toml"}, {"XDG_CONFIG_HOME": "/tmp/xdg-config"}, {"XDG_CONFIG_HOME": "relative/ignored"},
     {"XDG_CONFIG_HOME": ""}, {}],
)
def test_registry_path_matches_the_full_rule(monkeypatch, env):
    if sys.platform != "linux":
        pytest.skip("the platformdirs-free rule is Linux's")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert registry_path_fast() == str(paths.config_path(None))


@pytest.mark.parametrize("content", ["{oops", '{"version": 2, "profiles": {}}', "[]", ""])
def test_bad_files_take_the_full_path(content):
    path = tied().path
    path.parent.mkdir(parents=True)
    path.write_text(content)
    assert peek("dev") is None


def test_no_state_at_all():
    assert peek("dev") is None


# ── the command ──────────────────────────────────────────────────────────────────────────────

def test_fast_and_full_paths_print_the_same(capsys):
    later = datetime.now(UTC).replace(microsecond=0) + HOUR

    def fill(state: SessionState) -> None:
        pst = state.profile("dev")
        pst.credentials = Credentials("ASIADEV", "SECRET-DEV", "TOKEN-DEV", later)
        pst.identity, pst.kind = "alice", "chained-role"

    state = tied().update(fill)
    assert credential_process_cmd.fast(["dev"]) == 0
    fast = capsys.readouterr().out
    assert credential_process_cmd._emit(state.profiles["dev"].credentials) == 0
    assert capsys.readouterr().out == fast
    assert json.loads(fast) == {
        "Version": 1, "AccessKeyId": "ASIADEV", "SecretAccessKey": "SECRET-DEV", "SessionToken": "TOKEN-DEV",
        "Expiration": rfc3339(later),
    }


@pytest.mark.parametrize("secret", ['quo"te', "back\\slash", "ünïcode", "tab\there", "del\x7f", "plain/+=abc"])
def test_values_needing_escapes_read_and_print_like_json(capsys, secret):
    later = datetime.now(UTC).replace(microsecond=0) + HOUR
    tied().update(lambda s: setattr(s.profile("dev"), "credentials", Credentials("ASIA", secret, "T", later)))
    assert peek_credentials("dev", 900)["secret_access_key"] == secret
    assert credential_process_cmd.fast(["dev"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed)["SecretAccessKey"] == secret
    assert printed == json.dumps({"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": secret, "SessionToken": "T",
                                  "Expiration": rfc3339(later)}) + "\n"


def test_the_cached_path_imports_nothing_heavy():
    later = datetime.now(UTC) + HOUR
    tied().update(lambda s: setattr(s.profile("dev"), "credentials", Credentials("A", "B", "C", later)))
    probe = (
        "import sys\n"
        "from mfa_tui.cli import main\n"
        "code = main(['credential-process', 'dev'])\n"
        "heavy = {'json', 'dataclasses', 'pathlib', 'typing', 'datetime', 'platformdirs', 'botocore',"
        " 'mfa_tui.core.session.state', 'mfa_tui.core.models', 'argparse'}\n"
        "print(sorted(heavy & set(sys.modules)), code, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.stderr.strip() == "[] 0", proc.stderr
    assert json.loads(proc.stdout)["AccessKeyId"] == "A"
