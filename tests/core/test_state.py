"""The session state store: round trips, modes, corrupt files, concurrent writers, a lean read path."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from unprivileged import as_unprivileged, user_dir

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.errors import StateError
from mfa_tui.core.models import Credentials, WhoAmI
from mfa_tui.core.totp import DeviceCodes
from mfa_tui.core.session.state import SessionState, StateStore

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
WRITER = Path(__file__).with_name("state_writer.py")


@pytest.fixture
def store(tmp_path) -> StateStore:
    return StateStore(tmp_path / "state", clock=FrozenClock(NOW))


def fill(state: SessionState) -> None:
    ist = state.identity("alice")
    ist.mfa_credentials = Credentials("ASIAMFA", "MFA-SECRET", "MFA-TOKEN", NOW + timedelta(hours=12))
    ist.binding = "endpoint|region|user|serial"
    ist.key_id = "AKIAALICE"
    state.devices["arn:aws:iam::111111111111:mfa/alice"] = DeviceCodes(58_000_000, ((58_000_000, "123456"),))
    state.registry = ("/path/to/config.toml", "1:2:3:4")
    pst = state.profile("prod-admin")
    pst.credentials = Credentials("ASIAROLE", "ROLE-SECRET", "ROLE-TOKEN", NOW + timedelta(hours=1))
    pst.expires_at = NOW + timedelta(hours=1)
    pst.last_refresh = NOW
    pst.assumed_role_arn = "arn:aws:sts::222222222222:assumed-role/Admin/alice"
    pst.source_identity = "alice"
    pst.last_error = "first line\nsecond line"
    pst.whoami = WhoAmI("arn:aws:sts::222222222222:assumed-role/Admin/alice", "222222222222", "AROA:alice", NOW, "222222222222")
    pst.identity = "alice"
    pst.kind = "chained-role"
    pst.binding = "chained-role|alice|arn:aws:iam::222222222222:role/Admin||"


def test_every_field_round_trips(store):
    store.update(fill)
    state = StateStore(store.directory).load()
    ist = state.identities["alice"]
    assert ist.mfa_credentials == Credentials("ASIAMFA", "MFA-SECRET", "MFA-TOKEN", NOW + timedelta(hours=12))
    assert (ist.binding, ist.key_id) == ("endpoint|region|user|serial", "AKIAALICE")
    assert state.devices == {"arn:aws:iam::111111111111:mfa/alice": DeviceCodes(58_000_000, ((58_000_000, "123456"),))}
    assert state.registry == ("/path/to/config.toml", "1:2:3:4")
    assert ist.mfa_expires_at == NOW + timedelta(hours=12)
    pst = state.profiles["prod-admin"]
    assert pst.credentials.session_token == "ROLE-TOKEN"
    assert pst.expires_at == NOW + timedelta(hours=1) and pst.expires_at.tzinfo is not None
    assert pst.last_refresh == NOW
    assert pst.assumed_role_arn.endswith("Admin/alice") and pst.source_identity == "alice"
    assert pst.last_error == "first line second line"  # one line, always
    assert pst.whoami == WhoAmI(
        "arn:aws:sts::222222222222:assumed-role/Admin/alice", "222222222222", "AROA:alice", NOW, "222222222222"
    )
    assert (pst.identity, pst.kind) == ("alice", "chained-role")
    assert pst.binding == "chained-role|alice|arn:aws:iam::222222222222:role/Admin||"



def test_loading_only_some_profiles_reads_just_their_entries(store):
    """The dashboard's first screenful: named profiles (as a full load reads them) and every identity."""

    def more(state: SessionState) -> None:
        fill(state)
        state.profile("dev").last_error = "boom"

    store.update(more)
    full = StateStore(store.directory).load()
    some = StateStore(store.directory).load(only={"prod-admin", "not-there"})
    assert some.identities == full.identities
    assert some.profiles == {"prod-admin": full.profiles["prod-admin"]}
    # An entry left out is not checked: a bad one is found by the next full load.
    data = json.loads(store.path.read_text())
    data["profiles"]["dev"]["last_error"] = 3
    store.path.write_text(json.dumps(data))
    partial = StateStore(store.directory)
    assert partial.load(only=["prod-admin"]).profiles.keys() == {"prod-admin"} and partial.warnings == []
    whole = StateStore(store.directory)
    assert whole.load().profiles == {} and "is corrupt" in whole.warnings[0]

def test_times_are_stored_as_rfc3339_utc(store):
    store.update(fill)
    doc = json.loads(store.path.read_text())
    profile = doc["profiles"]["prod-admin"]
    assert profile["last_refresh"] == "2026-01-01T12:00:00Z"
    assert profile["credentials"]["expiration"] == "2026-01-01T13:00:00Z"
    assert doc["identities"]["alice"]["mfa_credentials"]["expiration"] == "2026-01-02T00:00:00Z"


def test_update_returns_the_written_state(store):
    returned = store.update(fill)
    assert returned == store.load()
    assert returned.profiles["prod-admin"].last_error == "first line second line"


def test_secrets_never_appear_in_repr(store):
    state = store.update(fill)
    text = repr(state) + repr(state.identities["alice"]) + repr(state.profiles["prod-admin"])
    for secret in ("MFA-SECRET", "MFA-TOKEN", "ROLE-SECRET", "ROLE-TOKEN", "123456"):
        assert secret not in text


def test_modes_dir_0700_file_0600(store):
    store.update(fill)
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_an_open_state_dir_is_narrowed(tmp_path):
    directory = tmp_path / "state"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    StateStore(directory).update(fill)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_default_directory_follows_the_environment(isolated_home, monkeypatch):
    assert StateStore().directory == isolated_home / ".local" / "state" / "mfa-tui"
    monkeypatch.setenv("MFA_TUI_STATE_DIR", str(isolated_home / "elsewhere"))
    store = StateStore()
    store.update(fill)
    assert (isolated_home / "elsewhere" / store.path.name).exists()


def test_missing_state_loads_empty_without_creating_anything(store):
    state = store.load()
    assert state == SessionState() and store.warnings == []
    assert not store.directory.exists()


@pytest.mark.parametrize(
    "content, why",
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe\x00\x01binary", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"version": 99, "profiles": {}}', "unknown version 99"),
        (b'{"version": 1, "profiles": {}}', "unknown version 1"),  # an older mfa-tui's layout
        (b'{"version": 2, "profiles": []}', "profiles is not a table of tables"),
        (b'{"version": 2, "profiles": {"p": {"expires_at": 5}}}', "expires_at has the wrong type"),
        (b'{"version": 2, "profiles": {"p": {"expires_at": "yesterday"}}}', "not valid JSON"),
        (b'{"version": 2, "devices": {"d": {"accepted_step": true}}}', "accepted_step has the wrong type"),
        (b'{"version": 2, "devices": {"d": {"sent": [["1", "123456"]]}}}', "sent is not a list of [step, code] pairs"),
        (b'{"version": 2, "registry": "elsewhere"}', "registry is not a [path, stamp] pair"),
        (b'{"version": 2, "identities": {"i": {"mfa_credentials": {"access_key_id": "A"}}}}', "incomplete"),
    ],
)
def test_corrupt_file_is_set_aside_with_a_warning_and_rebuilt(store, content, why):
    store.directory.mkdir(mode=0o700)
    store.path.write_bytes(content)
    state = store.load()
    assert state == SessionState()
    aside = store.directory / f"{store.path.name}.corrupt-20260101T120000Z"
    assert aside.read_bytes() == content
    assert not store.path.exists()
    [warning] = store.warnings
    assert str(store.path) in warning and str(aside) in warning and why in warning and "\n" not in warning
    # The next load is clean, and an update starts from the empty state.
    assert store.load() == SessionState() and store.warnings == []
    store.update(fill)
    assert "prod-admin" in store.load().profiles


def test_update_over_a_corrupt_file_sets_it_aside_and_keeps_the_new_change(store):
    store.directory.mkdir(mode=0o700)
    store.path.write_text("{oops")
    store.update(lambda s: setattr(s.profile("dev"), "last_error", "boom"))
    assert len(store.warnings) == 1 and "corrupt" in store.warnings[0]
    assert store.load().profiles["dev"].last_error == "boom"
    assert (store.directory / f"{store.path.name}.corrupt-20260101T120000Z").read_text() == "{oops"


def test_two_corrupt_files_in_the_same_second_both_survive(store):
    store.directory.mkdir(mode=0o700)
    for content in ("{one", "{two"):
        store.path.write_text(content)
        store.load()
    asides = sorted(p.name for p in store.directory.glob(f"{store.path.name}.corrupt-*"))
    assert asides == [f"{store.path.name}.corrupt-20260101T120000Z", f"{store.path.name}.corrupt-20260101T120000Z-2"]


def test_unreadable_file_is_set_aside_not_a_crash():
    """Run as an unprivileged user: root would read the mode-0 file and prove nothing."""
    home = user_dir()
    warm = StateStore(home.parent / "warm-up", clock=FrozenClock(NOW))  # as root first, on a corrupt file:
    warm.directory.mkdir(mode=0o700)  # the child inherits the modules setting a file aside imports
    warm.path.write_text("{oops")
    warm.load()

    def unreadable() -> list[str]:
        store = StateStore(home / "state", clock=FrozenClock(NOW))
        store.directory.mkdir(mode=0o700)
        store.path.write_text("{}")
        os.chmod(store.path, 0)
        assert store.load() == SessionState()
        return store.warnings

    try:
        assert "cannot be read" in as_unprivileged(unreadable)
    finally:
        shutil.rmtree(home.parent)


def test_failing_update_writes_nothing_and_releases_the_lock(store):
    store.update(fill)
    before = store.path.read_bytes()

    def broken(state: SessionState) -> None:
        state.profile("half").last_error = "written?"
        raise RuntimeError("bug in the caller")

    with pytest.raises(RuntimeError):
        store.update(broken)
    assert store.path.read_bytes() == before
    store.update(lambda s: s.profile("after"))  # the lock is free again
    assert "after" in store.load().profiles


def test_state_path_that_is_a_directory_is_set_aside_not_a_crash(store):
    # Works even as root, unlike chmod 000.
    store.path.mkdir(parents=True)
    assert store.load() == SessionState()
    assert "cannot be read" in store.warnings[0]
    assert (store.directory / f"{store.path.name}.corrupt-20260101T120000Z").is_dir()
    store.update(fill)
    assert "prod-admin" in store.load().profiles


def test_unusable_state_directory_is_a_one_line_state_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(StateError) as err:
        StateStore(blocker / "state").update(fill)
    assert str(blocker) in str(err.value) and "\n" not in str(err.value)


def test_concurrent_processes_never_lose_each_others_entries(tmp_path):
    directory = tmp_path / "state"
    writers, rounds = 4, 15
    procs = [
        subprocess.Popen([sys.executable, str(WRITER), str(directory), f"w{i}", str(rounds)], stderr=subprocess.PIPE)
        for i in range(writers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    state = StateStore(directory).load()
    assert len(state.profiles) == writers * rounds
    for i in range(writers):
        assert state.identities[f"w{i}"].key_id == str(rounds - 1)
        for r in range(rounds):
            assert state.profiles[f"w{i}-{r}"].credentials.secret_access_key == f"secret-w{i}-{r}"


def test_read_path_imports_neither_boto3_nor_filelock(store):
    store.update(fill)
    probe = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from mfa_tui.core.session.state import StateStore\n"
        f"state = StateStore(Path({str(store.directory)!r})).load()\n"
        "assert state.profiles['prod-admin'].credentials.session_token == 'ROLE-TOKEN'\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = {m.split(".")[0] for m in json.loads(out.stdout.splitlines()[-1])}
    assert not loaded & {"boto3", "botocore", "filelock", "textual", "rich", "configupdater"}
