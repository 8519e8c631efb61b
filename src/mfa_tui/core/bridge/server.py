"""The dashboard's side of the bridge: listen on the registry's socket and hand each request over.

:class:`BridgeServer` binds the socket (after checking its directory is this user's alone and
leaving a live dashboard's socket alone), accepts on a daemon thread, refuses any peer whose uid
is not this user's (:mod:`.peer`), and for each well-formed request calls
``handler(profile, reply)`` on that connection's thread. The handler must arrange for
``reply(None)`` (refreshed) or ``reply(reason)`` to be called, from any thread; the answer is
written back then. The handler may return a ``withdraw()`` callable: while the answer is awaited
the connection is watched, and when the client goes away first (its wait ended, or it was killed)
``withdraw()`` is called once, on the connection's thread, and nothing is answered.
:meth:`BridgeServer.close` stops listening and removes the socket.
"""

from __future__ import annotations

import json
import os
import select
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from mfa_tui.core.bridge.client import MAX_LINE, WAIT
from mfa_tui.core.bridge.place import (
    Address,
    BridgeRefused,
    check_dir,
    check_socket,
    peer_uid,
    registry_key,
    socket_path,
    supported,
)

Handler = Callable[[str, Callable[[str | None], None]], Callable[[], None] | None]
"""``handler(profile, reply)``: refresh ``profile``, then ``reply(None)`` or ``reply(reason)``; may return ``withdraw``."""
READ_TIMEOUT = 5.0
"""Seconds a client has to send its request line."""
POLL = 0.25


class BridgeServer:
    """One registry's socket, served on daemon threads until :meth:`close`."""

    def __init__(self, registry_path: str | os.PathLike[str], state_dir: str | os.PathLike[str], handler: Handler) -> None:
        self.registry = registry_key(registry_path)
        self.path = socket_path(registry_path, state_dir)
        self.handler = handler
        self.uid = os.getuid()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._inode: int | None = None
        self.accepted = 0
        """Connections accepted (for tests: a refused socket is never connected to)."""
        self.refused_peers = 0
        """Connections closed because their peer was another user (for tests)."""
        self.withdrawn = 0
        """Requests whose client went away before the answer (for tests)."""

    # ── starting and stopping ─────────────────────────────────────────────────────────────────

    def start(self) -> str | None:
        """Listen; None when listening, else why not (:class:`BridgeRefused` for an unsafe place)."""
        if not supported():
            return "this platform cannot check who connects (neither SO_PEERCRED nor getpeereid)"
        directory = os.path.dirname(self.path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        check_dir(directory, self.uid)
        try:
            check_socket(self.path, self.uid)
        except FileNotFoundError:
            pass
        else:
            if _answers(self.path):
                return "another dashboard of this registry already answers credential_process"
            os.unlink(self.path)  # stale: its dashboard ended without removing it
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with Address(self.path) as name:
                listener.bind(name)
            # The directory is 0700, so nobody else could reach the socket before this chmod.
            os.chmod(self.path, 0o600)
            self._inode = os.lstat(self.path).st_ino
            listener.listen(8)
            listener.settimeout(POLL)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        threading.Thread(target=self._accept_loop, name="mfa-tui-bridge", daemon=True).start()
        return None

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._stop.is_set()

    def close(self) -> None:
        """Stop listening and remove the socket (only if it is still the one bound here)."""
        self._stop.set()
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.close()
        try:
            if os.lstat(self.path).st_ino == self._inode:
                os.unlink(self.path)
        except OSError:
            pass

    # ── serving ───────────────────────────────────────────────────────────────────────────────

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            listener = self._listener
            if listener is None:
                return
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), name="mfa-tui-bridge-request", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                if peer_uid(conn) != self.uid:
                    self.refused_peers += 1
                    return  # another user: closed without a word
                profile = self._request(conn)
                if isinstance(profile, _Error):
                    self._answer(conn, str(profile))
                    return
                answer = self._handle(conn, profile)
                if not isinstance(answer, _Gone):
                    self._answer(conn, answer)
            except OSError:
                return  # the client went away

    def _request(self, conn: socket.socket) -> str | _Error:
        conn.settimeout(READ_TIMEOUT)
        data = b""
        while b"\n" not in data and len(data) <= MAX_LINE:
            chunk = conn.recv(MAX_LINE)
            if not chunk:
                break
            data += chunk
        try:
            request = json.loads(data.split(b"\n", 1)[0])
        except ValueError:
            return _Error("the request could not be read")
        if not isinstance(request, dict) or request.get("v") != 1 or not isinstance(request.get("profile"), str):
            return _Error("the request could not be read")
        if request.get("registry") != self.registry:
            return _Error("this dashboard shows another registry")
        return request["profile"]

    def _handle(self, conn: socket.socket, profile: str) -> str | None | _Gone:
        answer: Future = Future()

        def reply(reason: str | None) -> None:
            if not answer.done():
                answer.set_result(reason)

        withdraw = self.handler(profile, reply)
        waited = 0.0
        while waited < WAIT + 5:
            try:
                return answer.result(timeout=POLL)
            except FutureTimeout:
                waited += POLL
                if self._stop.is_set():
                    return "the dashboard was closed"
                if _gone(conn):
                    self.withdrawn += 1
                    if withdraw is not None:
                        withdraw()
                    return _Gone()
        return "the dashboard did not answer in time"

    @staticmethod
    def _answer(conn: socket.socket, reason: str | None) -> None:
        body = {"ok": True} if reason is None else {"ok": False, "error": reason}
        conn.sendall(json.dumps(body).encode() + b"\n")


class _Error(str):
    """A request refused before it reached the handler: the reason."""


class _Gone:
    """The client went away before the answer: nothing to write."""


def _gone(conn: socket.socket) -> bool:
    """Whether the client closed its end (it sends nothing after its request line, so readable is EOF)."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and conn.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _answers(path: str) -> bool:
    """Whether something listens on the socket at ``path`` (a live dashboard of the same registry)."""
    with Address(path) as name, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(name)
        except OSError:
            return False
        return True


__all__ = ["BridgeRefused", "BridgeServer", "Handler"]
