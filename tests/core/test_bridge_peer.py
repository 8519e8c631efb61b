"""The bridge's peer check on every platform (mfa_tui.core.bridge.peer).

Run on Linux with glibc: ``SO_PEERCRED`` is exercised for real; the choice of mechanism for other
systems is a pure function; ``struct xucred`` is parsed from the byte layouts of macOS and FreeBSD;
the ``getpeereid`` call is made through ctypes against a C-callable stand-in (glibc has none).
The real ``getpeereid`` and ``LOCAL_PEERCRED`` of macOS and the BSDs are not run here.
"""

from __future__ import annotations

import ctypes
import os
import socket
import struct
import sys

import pytest

from mfa_tui.core.bridge import peer


@pytest.mark.parametrize(
    ("platform", "so_peercred", "getpeereid", "local_peercred", "expected"),
    [
        ("linux", True, False, None, peer.SO_PEERCRED),
        ("linux", True, True, None, peer.SO_PEERCRED),  # musl/glibc variants: SO_PEERCRED first
        ("darwin", False, True, 1, peer.GETPEEREID),
        ("darwin", False, False, 1, peer.XUCRED),
        ("freebsd14", False, True, 1, peer.GETPEEREID),
        ("freebsd14", False, False, 1, peer.XUCRED),
        ("openbsd7", True, True, None, peer.GETPEEREID),  # its SO_PEERCRED struct is {uid, gid, pid}: not used
        ("openbsd7", True, False, None, None),
        ("netbsd10", False, True, None, peer.GETPEEREID),
        ("sunos5", False, True, None, peer.GETPEEREID),
        ("win32", False, False, None, None),
        ("cygwin", False, False, None, None),
        ("linux", False, False, None, None),
    ],
)
def test_the_mechanism_chosen_for_each_system(platform, so_peercred, getpeereid, local_peercred, expected):
    assert peer.choose(platform, so_peercred, getpeereid, local_peercred) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's SO_PEERCRED")
def test_linux_uses_so_peercred_and_reads_this_uid():
    assert peer.mechanism() == peer.SO_PEERCRED
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        assert peer.peer_uid(a) == os.getuid()


def _xucred(uid: int, *, version: int = 0, freebsd: bool = False) -> bytes:
    groups = [20, 12, 61] + [0] * 13
    body = struct.pack("=IIh2x16I", version, uid, 3, *groups)  # macOS: 76 bytes
    if freebsd:
        body += struct.pack("=4xq", 4242)  # padding to 8, then the pid/pointer union: 88 bytes
    return body


@pytest.mark.parametrize("freebsd", [False, True])
def test_xucred_gives_the_uid(freebsd):
    raw = _xucred(501, freebsd=freebsd)
    assert len(raw) == (88 if freebsd else 76) and len(raw) <= peer.XUCRED_SIZE
    assert peer.parse_xucred(raw) == 501


def test_an_unknown_xucred_version_or_a_short_one_is_refused():
    with pytest.raises(OSError, match="version 7"):
        peer.parse_xucred(_xucred(501, version=7))
    with pytest.raises(OSError, match="3 bytes"):
        peer.parse_xucred(b"\0\0\0")


class _FakeLocalPeercred:
    """A socket whose getsockopt answers LOCAL_PEERCRED as macOS would."""

    def __init__(self, raw: bytes) -> None:
        self.raw, self.asked = raw, []

    def getsockopt(self, level, option, size):
        self.asked.append((level, option, size))
        return self.raw[:size]


def test_the_xucred_path_asks_sol_local(monkeypatch):
    monkeypatch.setattr(socket, "LOCAL_PEERCRED", 1, raising=False)
    sock = _FakeLocalPeercred(_xucred(502))
    assert peer.uid_by_xucred(sock) == 502
    assert sock.asked == [(0, 1, peer.XUCRED_SIZE)]


GETPEEREID = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint32))


def test_getpeereid_is_called_through_ctypes_with_its_c_signature():
    seen = []

    @GETPEEREID
    def stand_in(fd, euid, egid):
        seen.append(fd)
        euid[0], egid[0] = 4294967294, 20  # uid_t is unsigned: nobody's -2 on macOS
        return 0

    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b:
        assert peer.uid_by_getpeereid(a, stand_in) == 4294967294
        assert seen == [a.fileno()]


def test_a_failing_getpeereid_is_an_oserror():
    @GETPEEREID
    def failing(fd, euid, egid):
        return -1

    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b, pytest.raises(OSError, match="getpeereid"):
        peer.uid_by_getpeereid(a, failing)


def test_without_a_mechanism_the_bridge_is_off(monkeypatch, tmp_path):
    from mfa_tui.core.bridge import client
    from mfa_tui.core.bridge.place import supported
    from mfa_tui.core.bridge.server import BridgeServer

    monkeypatch.setattr(peer, "mechanism", lambda: None)
    assert not supported()
    registry = tmp_path / "config.toml"
    registry.write_text("")
    server = BridgeServer(registry, tmp_path / "state", lambda *_: None)
    assert "cannot check who connects" in server.start()
    assert not (tmp_path / "state").exists()
    with pytest.raises(client.NoDashboard):
        client.ask(str(registry), str(tmp_path / "state"), "p", timeout=1)
    a, b = socket.socketpair(socket.AF_UNIX)
    with a, b, pytest.raises(OSError):
        peer.peer_uid(a)
