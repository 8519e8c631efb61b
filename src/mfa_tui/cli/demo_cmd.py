"""``mfa-tui demo serve`` and ``mfa-tui demo code``: drive the local AWS demo from outside.

``serve --home DIR`` starts the local AWS on 127.0.0.1, builds the demo world in DIR
(registry, DIR/.aws/config and credentials, so ``HOME=DIR mfa-tui …`` and
``HOME=DIR aws …`` use it), prints the endpoint as the first line of stdout once ready,
and serves in the foreground until SIGINT or SIGTERM (exit 0). Everything else it says
goes to stderr, so scripts can read the endpoint with one ``readline``. While it serves it
holds a lock in DIR (:data:`LOCK_FILE`): a second ``serve`` on the same DIR is refused in one
line (exit 2) instead of rebuilding the world under the first, as is a ``--port`` in use.

``code --home DIR`` prints the demo device's current 6-digit code, computed from the
demo's stored seed (no server needed); the seconds left in the step go to stderr.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from mfa_tui.cli.common import add_actions

LOCK_FILE = ".mfa-tui-demo-serve.lock"
"""Held in the demo's DIR for as long as ``demo serve`` serves it."""


def register(parser) -> None:
    actions = add_actions(parser)
    serve = actions.add_parser(
        "serve",
        help="run the local AWS with the demo world in DIR until interrupted",
        description="Run the local AWS with the demo world in DIR; prints the endpoint when ready.",
    )
    serve.add_argument("--home", required=True, metavar="DIR", help="throw-away HOME for the demo's files")
    serve.add_argument("--port", type=int, default=0, metavar="N", help="port on 127.0.0.1 (default: any free port)")
    serve.add_argument("--accounts", type=int, default=4, metavar="N", help="accounts, the identity account included")
    serve.add_argument("--roles-per-account", type=int, default=2, metavar="M", help="roles in each other account")
    serve.add_argument(
        "--code-source", action="store_true",
        help='alice\'s codes come from `mfa-tui demo code` (code_source = "command"): refresh with no typing',
    )
    code = actions.add_parser(
        "code",
        help="print the demo MFA device's current code",
        description="Print the demo MFA device's current code (seconds left in its step on stderr).",
    )
    code.add_argument("--home", required=True, metavar="DIR", help="the DIR given to `demo serve`")
    code.add_argument("--identity", default="alice", metavar="NAME", help="demo identity (default: alice)")


def run(args) -> int:
    if args.action == "code":
        return _code(args)
    return _serve(args)


def _code(args) -> int:
    from mfa_tui.localaws.demo import demo_code

    code, left = demo_code(Path(args.home).expanduser(), args.identity)
    print(code, flush=True)
    print(f"{left}s left in this step", file=sys.stderr)
    return 0


def _serve(args) -> int:
    from mfa_tui.core.errors import ConfigError

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.accounts <= 10000:
        raise ConfigError(f"--accounts must be between 1 and 10000, got {args.accounts}")
    if not 0 <= args.roles_per_account <= 1000:
        raise ConfigError(f"--roles-per-account must be between 0 and 1000, got {args.roles_per_account}")
    stop = threading.Event()
    # Handlers first: a SIGTERM that arrives while moto is importing still ends cleanly.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    from mfa_tui.localaws.demo import check_demo_home

    home = Path(args.home).expanduser().resolve()
    check_demo_home(home)  # these checks before paying for moto's import
    _check_port_free(args.port)
    lock = _hold(home)
    try:
        _serve_world(args, home, stop)
    finally:
        lock.release()
    return 0


def _hold(home: Path):
    """The demo home's lock, held; refused in one line while another ``demo serve`` holds it."""
    from filelock import FileLock, Timeout

    from mfa_tui.core.errors import ConfigError
    from mfa_tui.core.fileio import make_dirs

    try:
        make_dirs(home)
    except OSError as exc:
        raise ConfigError(f"{home}: cannot create directory: {exc.strerror or exc}") from None
    lock = FileLock(str(home / LOCK_FILE), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ConfigError(
            f"{home}: another `mfa-tui demo serve` is serving this demo; stop it, or give another --home"
        ) from None
    return lock


def _check_port_free(port: int) -> None:
    """Refuse a port in use in one line (werkzeug would print two and exit by itself)."""
    import socket

    from mfa_tui.core.errors import ConfigError

    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None


def _serve_world(args, home: Path, stop: threading.Event) -> None:
    from mfa_tui.core.errors import ConfigError
    from mfa_tui.localaws.demo import build_world

    try:
        import moto.moto_server.werkzeug_app  # noqa: F401  (moto[server], an optional extra)

        from mfa_tui.localaws.server import LocalAWS
    except ImportError as exc:
        raise ConfigError(f"the local AWS needs moto[server] ({exc.name} is missing): pip install 'mfa-tui[demo]'") from None

    aws = LocalAWS(port=args.port)
    try:
        try:
            aws.start()
        except (OSError, SystemExit) as exc:  # werkzeug exits when the port was taken since the check
            reason = getattr(exc, "strerror", None) or "in use"
            raise ConfigError(f"cannot listen on 127.0.0.1:{args.port}: {reason}") from None
        world = build_world(aws, home, accounts=args.accounts, roles_per_account=args.roles_per_account,
                            alice_command=args.code_source)
        print(aws.endpoint, flush=True)
        print(
            f"demo world in {home}: {len(world.accounts)} accounts, {len(world.profiles)} profiles.\n"
            f"  try: HOME={home} mfa-tui        codes: mfa-tui demo code --home {home}\n"
            "  Ctrl-C or SIGTERM stops the local AWS.",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        aws.stop()
