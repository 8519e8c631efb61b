"""Where the dashboard's socket lives, and the checks made before either end trusts it.

The socket is ``<state dir>/dashboard-<crc32 of the registry's resolved path>.sock``: one per
registry, so a dashboard answers only for the registry it shows (the request names the registry
too, which catches a CRC collision). The directory must be a real directory owned by this user
with no group or other permission bits (0700), the socket a socket owned by this user with none
either (0600); anything else is refused, never connected to. The peer's uid is read by
:mod:`.peer` (``SO_PEERCRED`` on Linux, ``getpeereid`` on macOS and the BSDs); where no mechanism
exists, :func:`supported` is False and the bridge stays off.
"""

from __future__ import annotations

import errno
import os
import socket
import stat

from mfa_tui.core.bridge import peer
from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.statefiles import registry_tag

MAX_SUN_PATH = 100
"""Longer socket paths are reached through ``/proc/self/fd`` (Linux's sun_path holds 108 bytes;
elsewhere, without ``O_PATH``, a longer path is an OSError and the bridge stays off)."""


class BridgeRefused(MfaTuiError):
    """The socket or its directory is not safe to use (owner, permissions, kind): one line why."""


def supported() -> bool:
    """Whether this platform can check a peer's uid (:func:`.peer.mechanism`)."""
    return peer.mechanism() is not None


def socket_path(registry_path: str | os.PathLike[str], state_dir: str | os.PathLike[str]) -> str:
    """The socket of the dashboard of ``registry_path``, in ``state_dir``."""
    return os.path.join(os.fspath(state_dir), f"dashboard-{registry_tag(registry_path)}.sock")


def registry_key(registry_path: str | os.PathLike[str]) -> str:
    """How a request names its registry: the resolved path."""
    return os.path.realpath(registry_path)


def check_dir(path: str, uid: int | None = None) -> None:
    """Refuse (:class:`BridgeRefused`) a socket directory that is not ours alone."""
    _check(path, "directory", stat.S_ISDIR, uid)


def check_socket(path: str, uid: int | None = None) -> None:
    """Refuse (:class:`BridgeRefused`) a socket file that is not ours alone; FileNotFoundError when absent."""
    _check(path, "socket", stat.S_ISSOCK, uid)


def _check(path: str, what: str, kind, uid: int | None) -> None:
    uid = os.getuid() if uid is None else uid
    st = os.lstat(path)
    if not kind(st.st_mode):
        raise BridgeRefused(f"dashboard socket {what} {path} is not a {what}; not used")
    if st.st_uid != uid:
        raise BridgeRefused(f"dashboard socket {what} {path} is owned by uid {st.st_uid}, not {uid}; not used")
    if st.st_mode & 0o077:
        mode = stat.S_IMODE(st.st_mode)
        raise BridgeRefused(f"dashboard socket {what} {path} has mode {mode:04o} (others may use it); not used")


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of the connected Unix socket ``sock``."""
    return peer.peer_uid(sock)


class Address:
    """The name to bind or connect to for ``path``: itself, or through an open directory when too long."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        if len(os.fsencode(path)) <= MAX_SUN_PATH:
            self.name = path
        elif not hasattr(os, "O_PATH"):
            raise OSError(errno.ENAMETOOLONG, f"the socket path {path} is too long for this system")
        else:
            self._fd = os.open(os.path.dirname(path) or ".", os.O_PATH | os.O_DIRECTORY)
            self.name = f"/proc/self/fd/{self._fd}/{os.path.basename(path)}"

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *exc: object) -> None:
        self.close()
