"""``mfa-tui serve [--port N]``: one local credential endpoint for every profile, for containers and IDEs.

Serves ``http://127.0.0.1:PORT/profiles/NAME`` for each profile of the registry (re-minting chained
roles from the live MFA session, as ``exec`` does) until interrupted. It prints, once, the two
variables a tool needs (the token is random for this run and printed only here, never logged), and
leaves a small file in the state dir, one per registry (:mod:`mfa_tui.core.service.serving`: pid and
port, no token) so the dashboard of that registry can show that it runs. One serve per registry: a
second is refused while the first lives; another registry's serve is independent.
"""

from __future__ import annotations

import signal
import sys
import threading


def register(parser) -> None:
    parser.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: any free port)")


def run(args) -> int:
    from mfa_tui.cli.common import open_service
    from mfa_tui.core.errors import ConfigError
    from mfa_tui.core.service import serving
    from mfa_tui.endpoint.server import CredentialEndpoint, new_token
    from mfa_tui.endpoint.supply import Supplier

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be 0 to 65535; got {args.port}")
    service = open_service(args)
    registry = service.registry.path
    running = serving.read_marker(registry)
    if running is not None:
        raise ConfigError(
            f"mfa-tui serve already runs for this registry (pid {running.pid}, 127.0.0.1:{running.port}); "
            "stop it first, or use that one"
        )
    token = new_token()
    try:
        endpoint = CredentialEndpoint(Supplier(service), token=token, port=args.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    endpoint.start()
    serving.write_marker(registry, endpoint.port)
    try:
        names = list(service.registry.profiles)
        print(f"serving {len(names)} profile{'s' * (len(names) != 1)} on 127.0.0.1:{endpoint.port}; Ctrl-C stops", file=sys.stderr)
        print(f"AWS_CONTAINER_CREDENTIALS_FULL_URI={endpoint.url('PROFILE')}")
        print(f"AWS_CONTAINER_AUTHORIZATION_TOKEN={token}")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        serving.clear_marker(registry)
        endpoint.stop()
    return 0
