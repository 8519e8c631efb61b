"""``mfa-tui serve``'s file is per registry (issue 18): two registries sharing a state dir both serve."""

from __future__ import annotations

import json
import os

from mfa_tui.core.service import serving


def _registries(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("")
    b.write_text("")
    state = tmp_path / "state"
    return a, b, state


def test_two_registries_each_have_their_own_serve(tmp_path):
    a, b, state = _registries(tmp_path)
    path_a = serving.write_marker(a, 40001, state_dir=state)
    path_b = serving.write_marker(b, 40002, state_dir=state)
    assert path_a != path_b and path_a.parent == path_b.parent == state
    assert path_a.name.startswith("serve-") and path_a.suffix == ".json"
    assert os.stat(path_a).st_mode & 0o777 == 0o600
    assert serving.read_marker(a, state_dir=state).port == 40001
    assert serving.read_marker(b, state_dir=state).port == 40002
    serving.clear_marker(a, state_dir=state)
    assert serving.read_marker(a, state_dir=state) is None
    assert serving.read_marker(b, state_dir=state).port == 40002
    assert "token" not in json.loads(path_b.read_text())


def test_the_same_registry_by_another_path_is_the_same_serve(tmp_path):
    a, _b, state = _registries(tmp_path)
    link = tmp_path / "link.toml"
    link.symlink_to(a)
    serving.write_marker(link, 40003, state_dir=state)
    assert serving.read_marker(a, state_dir=state).port == 40003


def test_a_file_naming_another_registry_is_not_this_ones(tmp_path):
    a, b, state = _registries(tmp_path)
    path = serving.marker_path(a, state)
    state.mkdir()
    path.write_text(json.dumps({"pid": os.getpid(), "port": 40004, "registry": os.path.realpath(b)}))
    assert serving.read_marker(a, state_dir=state) is None  # a CRC collision is not a serve of a
    path.write_text(json.dumps({"pid": os.getpid(), "port": 40004}))
    assert serving.read_marker(a, state_dir=state) is None  # the old, unnamed file
    path.write_text("[1, 2]")
    assert serving.read_marker(a, state_dir=state) is None


def test_a_dead_serves_file_is_ignored(tmp_path):
    a, _b, state = _registries(tmp_path)
    path = serving.write_marker(a, 40005, state_dir=state)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "pid": 0}))
    assert serving.read_marker(a, state_dir=state) is None
    assert serving.read_marker(a, state_dir=state, check_alive=False).port == 40005
