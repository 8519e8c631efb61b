"""``mfa-tui`` with no command: open the dashboard; ``mfa-tui --demo``: open it on the local AWS demo.

Normal mode loads the registry (``--config``, ``$MFA_TUI_CONFIG`` or the default path); a
registry that cannot be loaded opens the problems screen, and the process exits 2 after it. With
no registry file at all (a first run) the welcome screen opens instead: import from ~/.aws, an
empty registry, or the demo, which it asks for by exiting with ``"demo"`` (run here, after it).

Demo mode needs nothing from the user: it makes a throw-away HOME (``tempfile.mkdtemp``), points
HOME, the XDG dirs and the AWS file variables into it (and drops any ambient AWS credentials and
proxies for 127.0.0.1) so every path resolves inside it, starts the local AWS in-process on
127.0.0.1 with the real clock, builds the demo world there, and opens the dashboard on that
registry with the demo device's current code on screen. On exit the server stops, the
environment is restored and the directory is deleted.

Textual is imported only here, after argument parsing, and boto3 only on the first AWS call.

The dashboard needs a terminal: with stdin, stdout or stderr (where Textual draws) not a terminal
(``mfa-tui </dev/null >out &``) Textual would spin a core, write escape codes into a file and
never see a key, so it refuses with one line and exit 2 (:func:`terminal_problem`). A driver
named by ``$TEXTUAL_DRIVER`` (the benchmarks' frame probe, Textual's own tools) brings its own
screen and is let through.

SIGTERM and SIGHUP always end it (:func:`run_app`): the app exits as with ``q``, every ``finally``
runs (the demo's local AWS, environment and throw-away HOME are cleaned up), and the process then
ends at once, without waiting for AWS calls still in flight in worker threads (they would hold
the interpreter's exit until their timeouts). Files are never left torn: every write is atomic.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path

DEMO_IDENTITY = "alice"
"""The demo identity whose device code is shown on screen."""
NO_TERMINAL = "the dashboard needs a terminal; for a script use `mfa-tui status`"
STOP_GRACE = 5.0
"""Seconds the app has to exit after SIGTERM/SIGHUP before the process ends without it."""


class Stopped(BaseException):
    """The dashboard was ended by a signal; ``code`` is the exit code (128 + the signal)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def terminal_problem() -> str | None:
    """Why the dashboard cannot run here (stdin, stdout or stderr is not a terminal), or None."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return None
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is None or not stream.isatty():
                return NO_TERMINAL
        except (ValueError, OSError):  # closed
            return NO_TERMINAL
    return None


def _exit_now(code: int) -> None:
    """End the process with ``code`` without waiting for worker threads (stdio flushed first)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


def run_app(app) -> int:
    """Run ``app`` until it exits; SIGTERM and SIGHUP (a closed terminal) end it like ``q`` does.

    After such a signal it raises :class:`Stopped` once the app is down, so the callers' ``finally``
    blocks run and :func:`run` ends the process. Should the app not be down within
    :data:`STOP_GRACE` seconds (or a second signal come), the process ends there and then.
    """
    import signal
    import threading

    received: list[int] = []

    def stop(signum, _frame) -> None:
        code = 128 + signum
        if received:  # a second signal: no more waiting
            _exit_now(code)
        loop = getattr(app, "_loop", None)
        if loop is None or not loop.is_running():  # not running yet, or already shutting down
            raise Stopped(code)
        received.append(signum)
        loop.call_soon_threadsafe(app.exit)  # the one signal-safe way into the event loop
        watchdog = threading.Timer(STOP_GRACE, _exit_now, (code,))
        watchdog.daemon = True
        watchdog.start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        app.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise Stopped(128 + received[0])
    return app.return_code or 0


def register(parser) -> None:
    """The dashboard takes only the global options (``--config``, ``--demo``)."""


def run(args) -> int:
    from mfa_tui.core.errors import ConfigError

    problem = terminal_problem()
    if problem:
        raise ConfigError(problem)
    try:
        if getattr(args, "demo", False):
            return run_demo(config=args.config)
        return run_dashboard(args.config)
    except Stopped as stopped:
        _exit_now(stopped.code)
        raise  # not reached


def run_dashboard(config: str | None) -> int:
    """Open the dashboard on the user's registry; returns the exit code.

    The cyclic collector is paused from here (Textual's and the dashboard's imports, the
    registry, the first screen: tens of thousands of objects that live as long as the app) and
    the pause handed to the app, which ends it right after its first frame (as
    :meth:`MfaTuiApp.on_load <mfa_tui.ui.app.MfaTuiApp.on_load>` explains); against a pause
    from ``on_load`` only, it saved 14 ms of that frame's CPU at 10 profiles and 20 ms at 5,000
    (medians of 15 paired runs; bench figure 4, bench/dash_bench.py). It ends here at the latest,
    whatever happened.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        code, demo = _open_dashboard(config, gc_paused=paused)
    finally:
        if paused:
            gc.enable()
    return run_demo() if demo else code


def _open_dashboard(config: str | None, *, gc_paused: bool) -> tuple[int, bool]:
    """Run the dashboard's app (welcome, problems or main screen): its exit code, and whether it asked for the demo."""
    from mfa_tui.core import paths
    from mfa_tui.core.errors import RegistryError
    from mfa_tui.core.service.facade import Service

    path = paths.config_path(config)
    if not os.path.lexists(path):  # a first run: welcome, not "broken registry"
        from mfa_tui.ui.app import MfaTuiApp

        app = MfaTuiApp(welcome=True, registry_path=path, gc_paused=gc_paused)
        code = run_app(app)
        return code, app.return_value == "demo"
    try:
        service = Service.open(config)
    except RegistryError as exc:
        from mfa_tui.ui.app import MfaTuiApp

        run_app(MfaTuiApp(registry_error=exc, registry_path=paths.config_path(config), gc_paused=gc_paused))
        return exc.exit_code, False
    from mfa_tui.ui.app import MfaTuiApp

    return run_app(MfaTuiApp(service, gc_paused=gc_paused)), False


def demo_environment(home: Path) -> dict[str, str]:
    """The environment changes that put every mfa-tui and AWS path inside ``home``."""
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": ",".join(filter(None, ["127.0.0.1", "localhost", os.environ.get("NO_PROXY", "")])),
    }


def run_demo(*, config: str | None = None) -> int:
    """``mfa-tui --demo``: the dashboard on a local AWS demo world in a throw-away HOME."""
    import importlib.util

    from mfa_tui.core.errors import ConfigError

    if config:
        raise ConfigError("--demo makes its own throw-away registry; leave out --config")
    if importlib.util.find_spec("moto") is None:
        raise ConfigError("the demo needs the local AWS: install it with `pip install -e '.[demo]'`")
    saved = dict(os.environ)
    home = Path(tempfile.mkdtemp(prefix="mfa-tui-demo-")).resolve()
    try:
        from mfa_tui.localaws.isolation import AMBIENT_VARS

        for var in AMBIENT_VARS:
            os.environ.pop(var, None)
        os.environ.update(demo_environment(home))
        return _serve_demo(home)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home, ignore_errors=True)


def _serve_demo(home: Path) -> int:
    from mfa_tui.core.service.facade import Service
    from mfa_tui.localaws.demo import build_world
    from mfa_tui.localaws.server import LocalAWS

    aws = LocalAWS()  # the real SystemClock: codes must match what the demo widget shows
    aws.start()
    try:
        # One typed code refreshes alice's profiles; carol's codes come from a command (no typing).
        world = build_world(aws, home, direct_profile=False, auto_identity=True)
        # Pin the exact files the world wrote, whatever platformdirs would say on this OS.
        os.environ["MFA_TUI_CONFIG"] = str(world.config_path)
        os.environ["MFA_TUI_STATE_DIR"] = str(world.state_dir)
        service = Service.open(world.config_path)

        from mfa_tui.ui.app import MfaTuiApp

        return run_app(MfaTuiApp(service, demo=demo_info(aws, world), demo_home=home))
    finally:
        aws.stop()


def demo_info(aws, world):
    """What the demo banner shows: the code of whichever device the registry names for the identity.

    Enrolment re-points the identity to a new device and a deleted device has no code any more,
    so the banner asks for the code of the serial the registry names now (None: no such device).
    """
    from mfa_tui.ui.widgets.demo_code import DemoInfo

    serial = world.alice_serial

    def code_of(device: str) -> str | None:
        return aws.current_code(device) if aws.device_seed(device) else None

    return DemoInfo(
        identity=DEMO_IDENTITY,
        serial=serial,
        current_code=lambda: aws.current_code(serial),
        endpoint=world.endpoint,
        code_of=code_of,
    )
