"""A local endpoint that never answers, for tests of hung and dropped connections (holds no tests).

It lives beside ``tests/conftest.py``, so pytest puts it on ``sys.path`` whichever folder runs.
"""

from __future__ import annotations

import socket
import threading


class SilentEndpoint:
    """``http://127.0.0.1:PORT`` accepting every connection and answering none.

    ``drop=False`` holds each connection open (a hung endpoint: the client's read timeout fires);
    ``drop=True`` reads the request and closes the connection (the client sees it closed).
    ``accepted`` counts the connections. Use it as a context manager.
    """

    def __init__(self, *, drop: bool) -> None:
        self.drop = drop
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            self.accepted += 1
            if self.drop:
                conn.recv(65536)
                conn.close()
            else:
                self._held.append(conn)

    def __enter__(self) -> SilentEndpoint:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        for conn in self._held:
            conn.close()
