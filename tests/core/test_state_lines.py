"""``session.lines``: a profile's line of a real state file, found by bisection, agrees with a full load."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_tui.core.models import Credentials
from mfa_tui.core.session import lines, state_json
from mfa_tui.core.session.entries import SessionState
from mfa_tui.core.session.lines import Entries

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


def state_of(profiles: list[str], error_every: int = 3) -> SessionState:
    state = SessionState(registry=("/r/config.toml", "1:2:3:4"))
    state.identity("alice").mfa_credentials = Credentials("ASIAMFA", "S", "T", NOW + timedelta(hours=12))
    for i, name in enumerate(profiles):
        pst = state.profile(name)
        pst.identity, pst.kind = "alice", "chained-role"
        pst.credentials = Credentials(f"ASIA{i:016d}", "S" * 40, "T" * (i % 50), NOW + timedelta(minutes=i))
        pst.last_error = f"error {i}" * (i % 7) if i % error_every == 0 else None
    return state


def encoded(name: str) -> bytes:
    return json.dumps(name).encode("ascii")


def entries_in(path) -> tuple[int, Entries]:
    fd = os.open(path, os.O_RDONLY)
    found = Entries.open(fd)
    assert found is not None
    return fd, found


@settings(max_examples=60, deadline=None)
@given(st.lists(names, min_size=0, max_size=40, unique=True), names)
def test_every_line_is_found_by_bisection_and_nothing_else(tmp_path_factory, profiles, absent):
    path = tmp_path_factory.mktemp("lines") / "state.json"
    path.write_bytes(state_json.encode(state_of(profiles)))
    old, lines.WINDOW = lines.WINDOW, 64  # bisect down to a line or two, on a small file
    fd, entries = entries_in(path)
    try:
        assert entries.in_order
        full, _ = state_json.decode(path.read_bytes())
        for name in profiles:
            line = entries.line(encoded(name))
            assert line is not None, name
            assert state_json._profile(json.loads(line), {}) == full.profiles[name]
        if absent not in profiles:
            assert entries.line(encoded(absent)) is None
    finally:
        lines.WINDOW = old
        os.close(fd)


def test_a_file_in_any_order_is_searched_in_full(tmp_path):
    """An older mfa-tui wrote the lines in the registry's order and no ``"sorted"`` line."""
    profiles = [f"p{i:04d}" for i in range(400)][::-1]
    data = state_json.encode(state_of(profiles))
    head, body = data.split(lines.PROFILES)
    entries = body[:-len(lines.END) - 1].split(b",\n")
    older = head.replace(lines.SORTED, b"") + lines.PROFILES + b",\n".join(reversed(entries)) + b"\n" + lines.END
    assert state_json.decode(older)[0].profiles.keys() == set(profiles)
    path = tmp_path / "state.json"
    path.write_bytes(older)
    old, lines.WINDOW = lines.WINDOW, 64
    fd, found = entries_in(path)
    try:
        assert not found.in_order
        assert all(found.line(encoded(name)) is not None for name in profiles)
        assert found.line(encoded("p9999")) is None
    finally:
        lines.WINDOW = old
        os.close(fd)


def test_a_profile_among_5000_costs_a_few_small_reads(tmp_path, monkeypatch):
    profiles = [f"acct-{i // 10:03d}-role{i % 10}" for i in range(5000)]
    path = tmp_path / "state.json"
    path.write_bytes(state_json.encode(state_of(profiles, error_every=1)))
    size = path.stat().st_size
    read = []
    real = os.pread

    def counted(fd, n, offset):
        data = real(fd, n, offset)
        read.append(len(data))
        return data

    monkeypatch.setattr(lines.os, "pread", counted)
    fd, found = entries_in(path)
    try:
        for name in (profiles[0], profiles[2500], profiles[-1], "acct-250-role9x"):
            read.clear()
            found.line(encoded(name))
            assert sum(read) < size / 20 and len(read) < 40, (name, sum(read), len(read), size)
    finally:
        os.close(fd)


def test_other_layouts_are_not_entries(tmp_path):
    good = state_json.encode(state_of(["a", "b"]))
    for bad in (good[:-1], good[:-3], good.replace(lines.PROFILES, b'\n"profiles":{'), b"", b"{}",
                good.replace(b'\n}}\n', b'}}\n')):
        path = tmp_path / "state.json"
        path.write_bytes(bad)
        fd = os.open(path, os.O_RDONLY)
        try:
            assert Entries.open(fd) is None, bad[-20:]
        finally:
            os.close(fd)


def test_lines_and_names_longer_than_one_probe_read(tmp_path):
    """Entries of several KB (a long last error) and names near the end of a probe's read."""
    profiles = [f"p{i:03d}-" + "n" * (i % 5 * 1000) for i in range(120)]
    state = state_of(profiles, error_every=2)
    for i, name in enumerate(profiles):
        if i % 4 == 0:
            state.profiles[name].last_error = f"failed {i} " + "x" * (lines.PROBE * (i % 3 + 1))
    path = tmp_path / "state.json"
    path.write_bytes(state_json.encode(state))
    old, lines.WINDOW = lines.WINDOW, 64
    fd, found = entries_in(path)
    try:
        full, _ = state_json.decode(path.read_bytes())
        for name in profiles:
            line = found.line(encoded(name))
            assert line is not None and state_json._profile(json.loads(line), {}) == full.profiles[name]
        assert found.line(encoded(profiles[7] + "x")) is None
    finally:
        lines.WINDOW = old
        os.close(fd)
