"""A child process for the fault tests: the real ``mfa-tui refresh``, over and over.

    rel_refresher.py forks  [--theme] PROFILE...   load everything, print "ready"; then for each
                                                   line on stdin fork a child that refreshes until
                                                   killed, print "child PID", and the child prints
                                                   "round N PID" after each round ("exit CODE PID"
                                                   if a refresh fails)
    rel_refresher.py rounds N [--theme] PROFILE... refresh N times, exit with the first failure's code
    rel_refresher.py enospc DIR... -- ARGS...      run ``mfa-tui ARGS`` with every write into a
                                                   file under one of the DIRs failing with ENOSPC

Each refresh is ``mfa_tui.cli.main(["refresh", *PROFILES])``, exactly what the ``mfa-tui``
script runs (a new Service each time, the lock, the atomic write of the credentials file,
then the state). No code is given and stdin is not a terminal, so it only works while the
identity's MFA session lives, which the parent sets up first. With ``--theme`` each round
also saves ``settings.theme`` in the registry (as the dashboard's ``t`` does), so a kill can
land in a registry write too.

The fork server makes a kill cheap: each child starts with every module loaded (a fresh
``python -m mfa_tui`` spends half a second importing), so a test can kill hundreds of
refreshing processes in seconds. A child is an ordinary mfa-tui process from then on.

The ENOSPC mode patches ``os.write`` (the only call :func:`mfa_tui.core.fileio.atomic_write`
writes data with) to fail for file descriptors whose path lies under a given directory: a
full disk exactly where it matters, without filling one.
"""

from __future__ import annotations

import errno
import os
import signal
import sys

THEMES = ("mfa-dark", "mfa-light")


def _refresh_forever(argv: list[str], report) -> int:
    from mfa_tui.cli import main
    from mfa_tui.core import paths
    from mfa_tui.core.registry import edit as registry_edit

    theme = "--theme" in argv
    profiles = [a for a in argv if a != "--theme"]
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the command's own output is not needed
    n = 0
    while True:
        code = main(["refresh", *profiles])
        if code:
            return code
        if theme:
            registry_edit.set_value(paths.config_path(), ("settings",), "theme", THEMES[n % 2])
        n += 1
        print(f"round {n} {os.getpid()}", file=report, flush=True)


def _fork_server(argv: list[str]) -> int:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed children
    _preload()
    print("ready", flush=True)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = _refresh_forever(argv, sys.stdout)
            print(f"exit {code} {os.getpid()}", flush=True)
            os._exit(code)
        print(f"child {pid}", flush=True)
    return 0


def _preload() -> None:
    """Import what a refresh needs, so a kill soon after "ready" lands in a refresh, not in imports."""
    import botocore.session  # noqa: F401
    import configupdater  # noqa: F401
    import filelock  # noqa: F401

    from mfa_tui.core.aws import clients as aws  # noqa: F401
    from mfa_tui.core.credentials import editor as credentials_edit
    from mfa_tui.core.service import facade as service

    aws.client("sts", aws.Keys("AKIAPRELOAD", "preload"))  # loads the STS model once


def _rounds(argv: list[str]) -> int:
    from mfa_tui.cli import main

    count, profiles = int(argv[0]), [a for a in argv[1:] if a != "--theme"]
    for _ in range(count):
        code = main(["refresh", *profiles])
        if code:
            return code
    return 0


def _enospc(argv: list[str]) -> int:
    split = argv.index("--")
    full = [os.path.realpath(d) + os.sep for d in argv[:split]]
    real_write = os.write

    def write(fd: int, data) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if any(target.startswith(d) for d in full):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    os.write = write
    from mfa_tui.cli import main

    return main(argv[split + 1 :])


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    runner = {"forks": _fork_server, "rounds": _rounds, "enospc": _enospc}[mode]
    sys.exit(runner(rest))
