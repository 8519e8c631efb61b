"""Stand-in dashboards for the bridge tests: the core's real :class:`BridgeServer` with a test handler.

``bridge_servers(registry, state_dir)`` yields ``start(handler)``, which starts one server and closes
it at the end; ``refreshing(demo_world, clock, asked)`` is a handler that does what the dashboard
does with a request, a real :meth:`Service.refresh` of the profile, typing the demo device's code.
"""

from __future__ import annotations

import contextlib
import threading
import time

from mfa_tui.core.bridge.server import BridgeServer
from mfa_tui.core.service.facade import Service


@contextlib.contextmanager
def bridge_servers(registry_path, state_dir):
    servers: list[BridgeServer] = []

    def start(handler) -> BridgeServer:
        server = BridgeServer(registry_path, state_dir, handler)
        assert server.start() is None
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()


def refreshing(demo_world, clock, asked: list[str] | None = None, *, delay: float = 0.0, codes=None):
    """A handler that records the profile asked for and refreshes it with the demo code, off the socket's thread.

    ``delay`` seconds pass first (a user reading the dialog); ``codes()`` makes each run's code
    provider (default: the demo device's current code).
    """

    def refresh(profile, reply):
        if asked is not None:
            asked.append(profile)

        def run():
            time.sleep(delay)
            service = Service.open(demo_world.config_path, clock=clock)
            provider = codes() if codes is not None else (lambda _request: demo_world.code())
            report = service.refresh(service.select([profile]), provider)
            reply(None if report.results[profile].ok else report.results[profile].message)

        threading.Thread(target=run).start()

    return refresh
