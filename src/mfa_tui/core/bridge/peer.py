"""Who is at the other end of a connected Unix socket: the peer's uid, by the platform's own means.

The mechanism is chosen once per process by :func:`choose` (a small pure function, so the choice
is tested on any system):

- **Linux**: ``getsockopt(SOL_SOCKET, SO_PEERCRED)`` → ``struct ucred {pid, uid, gid}``. Only on
  Linux: OpenBSD also names an option ``SO_PEERCRED`` but its struct is ``{uid, gid, pid}``.
- **macOS, FreeBSD, OpenBSD, NetBSD, DragonFly, illumos** (any libc with ``getpeereid(3)``):
  ``getpeereid(fd, &euid, &egid)`` called through :mod:`ctypes`, as Rust's
  ``UnixStream::peer_cred`` does on these systems. ``uid_t``/``gid_t`` are 32-bit unsigned on all
  of them.
- **Else, where Python exposes ``LOCAL_PEERCRED``** (macOS and FreeBSD; a libc without
  ``getpeereid`` is unlikely there, so this is the fallback): ``getsockopt(SOL_LOCAL=0,
  LOCAL_PEERCRED)`` → ``struct xucred {u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t
  cr_groups[16]; …}`` (version 0; FreeBSD appends the pid), parsed by :func:`parse_xucred`.
- **Anywhere else** (Windows, a libc with none of these): no mechanism; :func:`mechanism` is None
  and the bridge stays off (the dashboard does not listen, ``credential-process`` does not ask).

Tested here (Linux, glibc): the choice for every platform, the ``SO_PEERCRED`` path for real, the
``xucred`` parser on byte layouts of macOS and FreeBSD, and the ``getpeereid`` call through
ctypes against a stand-in C function (glibc has no ``getpeereid``). Not run here: the real
``getpeereid`` and ``LOCAL_PEERCRED`` of macOS and the BSDs.
"""

from __future__ import annotations

import socket
import struct
import sys
from collections.abc import Callable
from functools import cache

SO_PEERCRED = "so_peercred"
GETPEEREID = "getpeereid"
XUCRED = "xucred"
SOL_LOCAL = 0
"""``<sys/un.h>`` on macOS and FreeBSD; Python does not export it."""
XUCRED_VERSION = 0
_XUCRED_HEAD = struct.Struct("=II")
"""``cr_version`` and ``cr_uid``: the first two 32-bit fields of ``struct xucred``."""
XUCRED_SIZE = 4 + 4 + 2 + 2 + 16 * 4 + 16
"""Room for the largest ``struct xucred`` (FreeBSD's, with its pid/pointer union and padding)."""

PeerUid = Callable[[socket.socket], int]


def choose(platform: str, has_so_peercred: bool, has_getpeereid: bool, local_peercred: int | None) -> str | None:
    """The mechanism for a system with these traits, or None when it has none."""
    if platform.startswith("linux") and has_so_peercred:
        return SO_PEERCRED
    if has_getpeereid:
        return GETPEEREID
    if local_peercred is not None and (platform == "darwin" or platform.startswith("freebsd")):
        return XUCRED
    return None


@cache
def _libc_getpeereid():
    """libc's ``getpeereid`` as a ctypes function, or None when libc has none (glibc, musl, Windows)."""
    if sys.platform == "win32":
        return None
    import ctypes.util  # here, not at the top: Linux never needs it, and the dashboard starts without it

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.getpeereid
    except (OSError, AttributeError):
        return None
    return typed_getpeereid(fn)


def typed_getpeereid(fn):
    """``fn`` with getpeereid's C signature: ``int (int, uid_t *, gid_t *)``."""
    import ctypes

    fn.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint32)]
    fn.restype = ctypes.c_int
    return fn


@cache
def mechanism() -> str | None:
    """This process's mechanism (see :func:`choose`)."""
    so_peercred = hasattr(socket, "SO_PEERCRED")
    # libc is searched for getpeereid only where SO_PEERCRED is not the answer (choose's first rule).
    linux = sys.platform.startswith("linux") and so_peercred
    return choose(sys.platform, so_peercred, not linux and _libc_getpeereid() is not None,
                  getattr(socket, "LOCAL_PEERCRED", None))


def peer_uid(sock: socket.socket) -> int:
    """The uid of the peer of ``sock``; OSError when it cannot be read (or no mechanism exists)."""
    how = mechanism()
    if how == SO_PEERCRED:
        return uid_by_so_peercred(sock)
    if how == GETPEEREID:
        return uid_by_getpeereid(sock, _libc_getpeereid())
    if how == XUCRED:
        return uid_by_xucred(sock)
    raise OSError("this platform cannot tell who is at the other end of a socket")


def uid_by_so_peercred(sock: socket.socket) -> int:
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", raw)
    return uid


def uid_by_getpeereid(sock: socket.socket, fn) -> int:
    """The effective uid from ``fn`` (libc's ``getpeereid``, typed by :func:`typed_getpeereid`)."""
    import ctypes

    uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
    if fn(sock.fileno(), ctypes.byref(uid), ctypes.byref(gid)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"getpeereid failed (errno {errno})")
    return uid.value


def uid_by_xucred(sock: socket.socket) -> int:
    raw = sock.getsockopt(SOL_LOCAL, socket.LOCAL_PEERCRED, XUCRED_SIZE)  # type: ignore[attr-defined]
    return parse_xucred(raw)


def parse_xucred(raw: bytes) -> int:
    """``cr_uid`` of a ``struct xucred`` in native byte order; OSError for an unknown version or a short one."""
    if len(raw) < _XUCRED_HEAD.size:
        raise OSError(f"LOCAL_PEERCRED returned {len(raw)} bytes")
    version, uid = _XUCRED_HEAD.unpack_from(raw)
    if version != XUCRED_VERSION:
        raise OSError(f"LOCAL_PEERCRED returned struct xucred version {version}")
    return uid
