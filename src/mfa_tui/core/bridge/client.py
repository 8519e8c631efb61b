"""``credential-process``'s side of the bridge: ask a running dashboard to refresh one profile.

:func:`ask` returns None when the dashboard refreshed the profile (read the state again), or the
dashboard's one-line reason it did not; it raises :class:`NoDashboard` when no dashboard of this
registry listens (no socket, a stale one, or a platform without peer checks), :class:`BridgeRefused`
when the socket or its directory is not this user's alone, and :class:`BridgeTimeout` after
``timeout`` seconds without an answer.
"""

from __future__ import annotations

import json
import os
import socket
import time

from mfa_tui.core.bridge.place import Address, BridgeRefused, check_dir, check_socket, peer_uid, registry_key, socket_path, supported
from mfa_tui.core.errors import MfaTuiError

WAIT = 120.0
"""Seconds ``credential-process`` waits for the dashboard's answer (the user types a code meanwhile)."""
CONNECT_TIMEOUT = 2.0
MAX_LINE = 4096

__all__ = ["WAIT", "BridgeRefused", "BridgeTimeout", "NoDashboard", "ask"]


class NoDashboard(Exception):
    """No dashboard of this registry is listening: go on as if there were no bridge."""


class BridgeTimeout(MfaTuiError):
    """The dashboard did not answer in time."""


def ask(registry_path: str, state_dir: str, profile: str, *, timeout: float | None = None, uid: int | None = None) -> str | None:
    """Have the dashboard of ``registry_path`` refresh ``profile``; None when it did, else its reason.

    ``timeout`` defaults to :data:`WAIT`; ``uid`` (this process's) is whom the socket must belong to.
    """
    timeout = WAIT if timeout is None else timeout
    if not supported():
        raise NoDashboard("this platform has no peer check")
    uid = os.getuid() if uid is None else uid
    path = socket_path(registry_path, state_dir)
    try:
        check_dir(os.path.dirname(path), uid)
        check_socket(path, uid)
    except FileNotFoundError:
        raise NoDashboard("no socket") from None
    deadline = time.monotonic() + timeout
    try:
        address = Address(path)
    except OSError as exc:
        raise NoDashboard(str(exc)) from None  # a path this system cannot bind: no dashboard listens there
    with address as name, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(min(CONNECT_TIMEOUT, timeout))
        try:
            sock.connect(name)
        except (ConnectionRefusedError, FileNotFoundError):
            raise NoDashboard("stale socket") from None  # a dashboard that ended without removing it
        except OSError as exc:
            raise NoDashboard(str(exc)) from None
        server_uid = peer_uid(sock)
        if server_uid != uid:
            raise BridgeRefused(f"dashboard socket {path} is served by uid {server_uid}, not {uid}; not used")
        request = {"v": 1, "registry": registry_key(registry_path), "profile": profile}
        sock.sendall(json.dumps(request).encode() + b"\n")
        line = _read_line(sock, deadline)
    if not line:
        return "the dashboard closed without answering"
    try:
        answer = json.loads(line)
    except ValueError:
        return "the dashboard's answer could not be read"
    if not isinstance(answer, dict):
        return "the dashboard's answer could not be read"
    if answer.get("ok") is True:
        return None
    return str(answer.get("error") or "the dashboard did not refresh it")[:300]


def _read_line(sock: socket.socket, deadline: float) -> bytes:
    data = b""
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BridgeTimeout("the dashboard did not answer in time")
        sock.settimeout(left)
        try:
            chunk = sock.recv(MAX_LINE)
        except TimeoutError:
            raise BridgeTimeout("the dashboard did not answer in time") from None
        except OSError:
            return b""
        if not chunk:
            return data  # the dashboard closed (it quit): whatever it said, if anything
        data += chunk
        if len(data) > MAX_LINE:
            return b""
    return data.split(b"\n", 1)[0]
