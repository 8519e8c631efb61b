"""``StateStore.load(only=...)`` reads the named profiles' lines of the file's own layout, and agrees with a full load."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.models import Credentials
from mfa_tui.core.session import state_json
from mfa_tui.core.session.state import SessionState, StateStore

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
NAMES = ["a", "b.c", "d_e-f", "quote\"d", "back\\slash", "caf\u00e9", "last"]


def _fill(state: SessionState) -> None:
    state.identity("alice").mfa_credentials = Credentials("ASIAMFA", "S", "T", NOW + timedelta(hours=12))
    state.registry = ("/path/to/config.toml", "1:2:3:4")
    for i, name in enumerate(NAMES):
        pst = state.profile(name)
        pst.identity, pst.kind = "alice", "chained-role"
        if i % 2:
            pst.credentials = Credentials(f"ASIA{i}", "S", "T\n\"x", NOW + timedelta(minutes=i))
            pst.expires_at = pst.credentials.expiration
        pst.last_error = f"error of {name}" if i % 3 == 0 else None


def test_some_profiles_agree_with_the_full_load(tmp_path):
    store = StateStore(tmp_path, clock=FrozenClock(NOW))
    store.update(_fill)
    full = store.load()
    for only in (NAMES, NAMES[:1], NAMES[-1:], ["quote\"d", "caf\u00e9", "not-there"], []):
        some = StateStore(tmp_path).load(only)
        assert (some.identities, some.devices, some.registry) == (full.identities, full.devices, full.registry)
        assert some.profiles == {n: full.profiles[n] for n in only if n in full.profiles}


def test_the_lines_are_read_without_parsing_the_rest(tmp_path):
    """A bad entry outside ``only`` is left to the next full load; the named ones are read off their lines."""
    store = StateStore(tmp_path, clock=FrozenClock(NOW))
    store.update(_fill)
    data = store.path.read_bytes().replace(b'"error of a"', b"3")
    store.path.write_bytes(data)
    with open(store.path, "rb") as fh:
        assert state_json.decode_some(fh.fileno(), ["b.c"]) is not None
    partial = StateStore(tmp_path)
    assert partial.load(["b.c"]).profiles.keys() == {"b.c"} and partial.warnings == []
    whole = StateStore(tmp_path)
    assert whole.load().profiles == {} and "is corrupt" in whole.warnings[0]


def test_a_truncated_file_is_corrupt_for_a_partial_load_too(tmp_path):
    store = StateStore(tmp_path, clock=FrozenClock(NOW))
    store.update(_fill)
    store.path.write_bytes(store.path.read_bytes()[:-40])
    partial = StateStore(tmp_path)
    assert partial.load(["a"]).profiles == {} and "is corrupt" in partial.warnings[0]
