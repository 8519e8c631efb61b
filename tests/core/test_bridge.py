"""The socket bridge between ``credential-process`` and a running dashboard (mfa_tui.core.bridge).

Real sockets in a tmp state dir; the "dashboard" is a :class:`BridgeServer` with a plain handler.
Ownership is tested for real: the tests run as root in CI, so files are chowned to another uid
and a client is run as that uid (:mod:`unprivileged`); as a normal user, the owner check is
tested with the expected uid as a parameter.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest
from bridge_support import bridge_servers
from unprivileged import USER, run_as

from mfa_tui.core.bridge import client
from mfa_tui.core.bridge.place import BridgeRefused, check_dir, check_socket, socket_path
from mfa_tui.core.bridge.server import BridgeServer

ROOT = os.geteuid() == 0


@pytest.fixture
def place(tmp_path):
    """(registry path, state dir 0700)."""
    registry = tmp_path / "config.toml"
    registry.write_text("")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    return str(registry), str(state)


class Dashboard:
    """A handler that answers with ``reason`` (or never, when ``silent``), recording what it was asked."""

    def __init__(self, reason: str | None = None, silent: bool = False) -> None:
        self.reason, self.silent, self.asked = reason, silent, []

    def __call__(self, profile, reply) -> None:
        self.asked.append(profile)
        if not self.silent:
            threading.Timer(0.05, reply, (self.reason,)).start()


@pytest.fixture
def serve(place):
    with bridge_servers(place[0], place[1]) as start:
        yield start


def test_the_dashboard_answers_and_only_the_profile_name_crosses(place, serve):
    dashboard = Dashboard()
    server = serve(dashboard)
    mode = os.stat(server.path).st_mode & 0o777
    assert mode == 0o600 and os.stat(place[1]).st_mode & 0o777 == 0o700
    assert client.ask(*place, "dev-admin", timeout=10) is None
    assert dashboard.asked == ["dev-admin"]


def test_the_dashboards_reason_comes_back(place, serve):
    serve(Dashboard("skipped"))
    assert client.ask(*place, "dev-admin", timeout=10) == "skipped"


def test_no_socket_is_no_dashboard(place):
    with pytest.raises(client.NoDashboard):
        client.ask(*place, "dev-admin", timeout=10)


def test_a_stale_socket_is_no_dashboard_at_once(place):
    path = socket_path(place[0], place[1])
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)  # bound, never listening, then closed: the file of a dashboard that died
    sock.close()
    os.chmod(path, 0o600)
    started = time.monotonic()
    with pytest.raises(client.NoDashboard):
        client.ask(*place, "dev-admin", timeout=10)
    assert time.monotonic() - started < 1.5
    # A new dashboard replaces it.
    server = BridgeServer(place[0], place[1], Dashboard())
    try:
        assert server.start() is None
        assert client.ask(*place, "dev-admin", timeout=10) is None
    finally:
        server.close()


def test_no_answer_in_time_is_a_timeout(place, serve):
    dashboard = Dashboard(silent=True)
    serve(dashboard)
    started = time.monotonic()
    with pytest.raises(client.BridgeTimeout, match="did not answer in time"):
        client.ask(*place, "dev-admin", timeout=0.6)
    assert 0.5 < time.monotonic() - started < 3
    assert dashboard.asked == ["dev-admin"]


def test_the_socket_goes_when_the_dashboard_closes(place, serve):
    server = serve(Dashboard())
    assert os.path.exists(server.path)
    server.close()
    assert not os.path.exists(server.path)
    with pytest.raises(client.NoDashboard):
        client.ask(*place, "dev-admin", timeout=10)


def test_a_second_dashboard_of_the_registry_leaves_the_first_listening(place, serve):
    serve(Dashboard())
    second = BridgeServer(place[0], place[1], Dashboard("second"))
    assert second.start() == "another dashboard of this registry already answers credential_process"
    second.close()
    assert client.ask(*place, "dev-admin", timeout=10) is None


def test_a_request_for_another_registry_is_refused(place, serve):
    dashboard = Dashboard()
    server = serve(dashboard)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(server.path)
        sock.sendall(json.dumps({"v": 1, "registry": "/elsewhere/config.toml", "profile": "x"}).encode() + b"\n")
        answer = json.loads(sock.makefile().readline())
    assert answer == {"ok": False, "error": "this dashboard shows another registry"}
    assert dashboard.asked == []


def test_a_long_state_path_still_works(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True, mode=0o700)
    os.chmod(deep, 0o700)
    registry = tmp_path / "config.toml"
    registry.write_text("")
    server = BridgeServer(registry, deep, Dashboard())
    assert len(server.path) > 108
    try:
        assert server.start() is None
        assert client.ask(str(registry), str(deep), "p", timeout=10) is None
    finally:
        server.close()
    assert not os.path.exists(server.path)


# ── ownership and permissions: refused, never connected to ────────────────────────────────────


@pytest.mark.parametrize("mode", [0o666, 0o660, 0o604])
def test_a_socket_others_may_use_is_refused(place, serve, mode):
    dashboard = Dashboard()
    server = serve(dashboard)
    os.chmod(server.path, mode)
    with pytest.raises(BridgeRefused, match=f"has mode {mode:04o}"):
        client.ask(*place, "dev-admin", timeout=10)
    assert server.accepted == 0 and dashboard.asked == []


def test_a_loose_directory_is_refused_by_both_ends(place, serve):
    dashboard = Dashboard()
    server = serve(dashboard)
    os.chmod(place[1], 0o755)
    with pytest.raises(BridgeRefused, match="directory .* has mode 0755"):
        client.ask(*place, "dev-admin", timeout=10)
    assert server.accepted == 0
    with pytest.raises(BridgeRefused):
        BridgeServer(place[0], place[1], Dashboard()).start()


def test_the_owner_check_takes_the_expected_uid(place, serve):
    server = serve(Dashboard())
    other = os.getuid() + 1
    with pytest.raises(BridgeRefused, match=f"owned by uid {os.getuid()}, not {other}"):
        check_socket(server.path, other)
    with pytest.raises(BridgeRefused, match=f"owned by uid {os.getuid()}, not {other}"):
        check_dir(place[1], other)
    with pytest.raises(BridgeRefused, match=f"owned by uid {os.getuid()}, not {other}"):
        client.ask(*place, "dev-admin", timeout=10, uid=other)
    assert server.accepted == 0


@pytest.mark.skipif(not ROOT, reason="chown needs root")
def test_a_socket_owned_by_another_uid_is_refused(place, serve):
    dashboard = Dashboard()
    server = serve(dashboard)
    os.chown(server.path, USER, USER)
    with pytest.raises(BridgeRefused, match=f"owned by uid {USER}, not 0"):
        client.ask(*place, "dev-admin", timeout=10)
    assert server.accepted == 0 and dashboard.asked == []


@pytest.mark.skipif(not ROOT, reason="chown needs root")
def test_a_directory_owned_by_another_uid_is_refused(place, serve):
    server = serve(Dashboard())
    os.chown(place[1], USER, USER)
    with pytest.raises(BridgeRefused, match=f"directory .* owned by uid {USER}"):
        client.ask(*place, "dev-admin", timeout=10)
    assert server.accepted == 0


@pytest.mark.skipif(not ROOT, reason="runs a client as another uid")
def test_a_peer_of_another_uid_is_refused_by_the_dashboard():
    # Let the other user reach the socket (as a mistake or an attack would): the uid check still holds.
    top = Path(tempfile.mkdtemp(prefix="mfa-tui-bridge-", dir="/tmp"))
    try:
        os.chmod(top, 0o711)
        registry, state = top / "config.toml", top / "state"
        registry.write_text("")
        state.mkdir(mode=0o700)
        dashboard = Dashboard()
        server = BridgeServer(registry, state, dashboard)
        assert server.start() is None
        os.chmod(state, 0o711)
        os.chmod(server.path, 0o666)

        def connect_as_other() -> bytes:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(5)
                sock.connect(server.path)
                request = {"v": 1, "registry": os.path.realpath(registry), "profile": "p"}
                try:
                    sock.sendall(json.dumps(request).encode() + b"\n")
                    return sock.recv(100)
                except (BrokenPipeError, ConnectionResetError):
                    return b""  # closed without a word

        assert run_as(USER, connect_as_other) == repr(b"")
        assert server.refused_peers == 1 and dashboard.asked == []
        server.close()
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_a_client_that_gives_up_is_withdrawn_once(place, serve):
    withdrawn = []

    def handler(profile, reply):
        return lambda: withdrawn.append(profile)  # never answers: the client's wait ends first

    server = serve(handler)
    with pytest.raises(client.BridgeTimeout):
        client.ask(*place, "dev-admin", timeout=0.5)
    deadline = time.monotonic() + 5
    while not withdrawn and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert withdrawn == ["dev-admin"] and server.withdrawn == 1


def test_a_handler_without_withdraw_still_answers(place, serve):
    serve(Dashboard())  # returns None
    assert client.ask(*place, "dev-admin", timeout=10) is None
