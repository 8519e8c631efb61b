"""The ``mfa-tui`` command: a dispatcher that imports only the module of the command run.

Each command lives in its own module under :mod:`mfa_tui.cli` exposing
``register(parser: argparse.ArgumentParser) -> None`` (adds its arguments) and
``run(args: argparse.Namespace) -> int``. Only the chosen module is imported, so
``mfa-tui credential-process`` (run on every AWS CLI call) never pays for boto3,
Textual, or the other commands' imports.

Global options, accepted before or after the command: ``--config PATH`` (else ``$MFA_TUI_CONFIG``,
else the user config dir), ``--demo`` (the dashboard only: with a command it is refused, exit 2) and
``--debug``. With no command the dashboard opens.

Every failure is one line on stderr (:func:`run_guarded`). An exception mfa-tui does not expect
is also recorded with its traceback in the log file (:mod:`mfa_tui.core.logfile`), which the
line names; ``--debug`` prints the traceback to stderr as well. After a command that opened the
service, each state warning not yet shown (a corrupt state file set aside) is printed to stderr,
even when the command failed. Text the output encoding cannot show (a profile named ``prod-café``
on an ASCII stream, a Cyrillic one on Windows' cp1252) is printed escaped, ``prod-caf\\xe9``,
never a failure.
A reader that stops early (``mfa-tui status --json | head -1``) ends the command quietly
with exit 0, as Python's own tools do.
"""

from __future__ import annotations

import sys

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, one-line help)
    "status": ("mfa_tui.cli.status_cmd", "show every profile's state and time left"),
    "refresh": ("mfa_tui.cli.refresh_cmd", "refresh profiles: one code per MFA device"),
    "whoami": ("mfa_tui.cli.whoami_cmd", "GetCallerIdentity for profiles"),
    "env": ("mfa_tui.cli.env_cmd", "print shell lines exporting a profile's credentials"),
    "credential-process": ("mfa_tui.cli.credential_process_cmd", "credential_process helper for the AWS CLI and SDKs"),
    "config": ("mfa_tui.cli.config_cmd", "check the registry (`config check [PATH]`)"),
    "init": ("mfa_tui.cli.init_cmd", "create the registry's folder and a starter registry (--example: the full example)"),
    "import": ("mfa_tui.cli.import_cmd", "build registry entries from ~/.aws, or `import organization` (dry run unless --write)"),
    "enroll": ("mfa_tui.cli.enroll_cmd", "create and enable a virtual MFA device"),
    "policy": ("mfa_tui.cli.policy_cmd", "what a profile's identity may do with and without MFA"),
    "keys": ("mfa_tui.cli.keys_cmd", "move long-term keys into the OS keyring (`keys move`), rotate them (`keys rotate`)"),
    "doctor": ("mfa_tui.cli.doctor_cmd", "check clock, file permissions, registry and sessions"),
    "demo": ("mfa_tui.cli.demo_cmd", "run the local AWS demo world (`demo serve`, `demo code`)"),
    "exec": ("mfa_tui.cli.exec_cmd", "run a command with a local credential endpoint for a profile"),
    "serve": ("mfa_tui.cli.serve_cmd", "serve every profile's credentials on 127.0.0.1 (containers, IDEs)"),
    "console": ("mfa_tui.cli.console_cmd", "open (or --print) an AWS console sign-in URL for a role profile"),
}


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = [
        "usage: mfa-tui [--config PATH] [--demo] [--debug] [--version] [COMMAND] [ARGS...]",
        "",
        "With no command, opens the dashboard. --demo opens it on the local AWS demo world.",
        "--config PATH names the registry; --debug also prints the traceback of an unexpected error",
        "(always kept in the log file); both may also follow the command. --version prints the version.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run `mfa-tui COMMAND --help` for a command's options."]
    return "\n".join(lines)


def _split_globals(argv: list[str]) -> tuple[dict[str, object], list[str]] | str:
    """Pull the global options off the front of argv; a string result is an error message."""
    opts: dict[str, object] = {"config": None, "demo": False, "debug": False}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--config":
            if i + 1 >= len(argv):
                return "--config needs a path"
            opts["config"] = argv[i + 1]
            i += 2
        elif arg.startswith("--config="):
            opts["config"] = arg.split("=", 1)[1]
            i += 1
        elif arg in ("--demo", "--debug"):
            opts[arg[2:]] = True
            i += 1
        else:
            break
    return opts, argv[i:]


def _escape_unencodable() -> None:
    """Make stdout and stderr escape what their encoding lacks instead of raising.

    With ``PYTHONIOENCODING=ascii``, a C locale, or Windows' cp1252 when redirected, printing a
    profile name with letters the encoding lacks raised UnicodeEncodeError, in ``refresh`` after
    the credentials were already committed. Done once here, so no command has to think about it.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", None) == "strict":
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mfa-tui`` script; returns the exit code."""
    _escape_unencodable()
    argv = list(sys.argv[1:] if argv is None else argv)
    split = _split_globals(argv)
    if isinstance(split, str):
        print(f"mfa-tui: {split}", file=sys.stderr)
        return 2
    opts, rest = split
    if opts["debug"] or "mfa_tui.core.logfile" in sys.modules:  # in-process callers run main() again
        from mfa_tui.core import logfile

        logfile.ECHO = bool(opts["debug"])
    if rest and rest[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if rest and rest[0] in ("-V", "--version"):
        from mfa_tui import __version__

        print(f"mfa-tui {__version__}")
        return 0
    if not rest or rest[0].startswith("-"):
        if rest:
            print(f"mfa-tui: unknown option {rest[0]}\n\n{_usage()}", file=sys.stderr)
            return 2
        module_name, command = "mfa_tui.cli.dashboard_cmd", "dashboard"
    else:
        command = rest[0]
        if command not in COMMANDS:
            print(f"mfa-tui: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
            return 2
        module_name = COMMANDS[command][0]
        rest = rest[1:]
        if command == "credential-process" and opts["config"] is None:
            # Runs on every AWS CLI call: serve the cache before argparse and the rest load. Protects
            # bench figure 1 (credential-process cached path ≤ 2× `python -c pass`; bench/cli_bench.py);
            # bench/fastpaths.py `credential_process` fails unless it is ≤ 0.8× the full path.
            from mfa_tui.cli import credential_process_cmd

            code = credential_process_cmd.fast(rest)
            if code is not None:
                return code

    import importlib

    module = importlib.import_module(module_name)
    if command == "dashboard":
        # Nothing left to parse (the dashboard takes only the global options): skip argparse,
        # whose import is part of the dashboard's time to its first frame. Protects bench figure 4
        # (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py); bench/fastpaths.py
        # `skipped_argparse` fails unless the skip saves at least 0.5 % of the first frame.
        from types import SimpleNamespace

        args = SimpleNamespace(config=opts["config"], demo=opts["demo"], debug=opts["debug"])
        return run_guarded(module.run, args, command=command)

    import argparse

    parser = argparse.ArgumentParser(
        prog=f"mfa-tui {command}" if command != "dashboard" else "mfa-tui",
        description=COMMANDS.get(command, ("", "open the dashboard"))[1],
    )
    module.register(parser)
    _add_global_options(parser)
    args = parser.parse_args(rest)
    # After the command wins over before it, as a later option does in any argparse command line.
    args.config = getattr(args, "config", None) or opts["config"]
    args.demo = bool(getattr(args, "demo", False) or opts["demo"])
    args.debug = bool(getattr(args, "debug", False) or opts["debug"])
    if args.debug:
        from mfa_tui.core import logfile

        logfile.ECHO = True
    if args.demo:
        print(
            "mfa-tui: --demo opens the dashboard on the demo world and takes no command; to run "
            f"`{command}` on it, start `mfa-tui demo serve --home DIR` and run `HOME=DIR mfa-tui {command}`",
            file=sys.stderr,
        )
        return 2
    return run_guarded(module.run, args, command=command)


def _add_global_options(parser) -> None:
    """Accept the global options after the command too (and list them in its ``--help``).

    Added to every sub-action's parser as well (``demo serve --debug``). Unset options stay
    absent (``SUPPRESS``), so one given before the command is not overwritten by a default.
    """
    import argparse

    parsers = [parser]
    for action in parser._actions:  # argparse has no public way to reach a command's sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(action.choices.values())
    for each in parsers:
        group = each.add_argument_group("global options (also accepted before the command)")
        for flag, kwargs in (
            ("--config", {"metavar": "PATH", "help": "the registry file to use"}),
            ("--debug", {"action": "store_true", "help": "also print the traceback of an unexpected error"}),
            ("--demo", {"action": "store_true", "help": argparse.SUPPRESS}),
        ):
            if flag not in each._option_string_actions:  # a command's own option of that name wins
                group.add_argument(flag, default=argparse.SUPPRESS, **kwargs)


def run_guarded(run, args, *, command: str = "") -> int:
    """Run a command; every failure becomes one line on stderr and an exit code.

    Expected errors give their own line and code. Anything else is recorded in the log file and
    named in the line (exit 1). State warnings the command met are printed last, whatever happened.
    """
    from mfa_tui.core.errors import MfaTuiError

    try:
        code = int(run(args) or 0)
        sys.stdout.flush()  # here, so a reader that has gone away is met below, not at exit
        return code
    except MfaTuiError as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mfa-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader has all it wanted (`mfa-tui status --json | head -1`): end quietly, as
        # Python's own tools do. Output still buffered would fail again at exit, so stdout is
        # pointed at /dev/null first.
        import os

        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # no real stdout (an in-process caller): nothing left to flush
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: one line naming the log, never a bare traceback
        from mfa_tui.core import logfile

        print(f"mfa-tui: {logfile.unexpected(exc, f'mfa-tui {command}'.rstrip())}", file=sys.stderr)
        return 1
    finally:
        common = sys.modules.get("mfa_tui.cli.common")  # loaded by every command that opens the service
        if common is not None:
            common.report_state_warnings()
