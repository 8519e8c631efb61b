"""``mfa-tui enroll IDENTITY``: create and enable a virtual MFA device from a plain terminal.

Prints the QR code and the Base32 secret (the user asked for them: this is the one
place they are shown), then reads two consecutive codes at the prompt, checked locally
before anything is sent. Prompts go to stderr and answers are read line by line from
stdin, so the command also works with a pipe instead of a terminal. Ctrl-C, end of
input or SIGTERM before the device is enabled delete the device it created (with the identity's
live MFA session when its policy wants MFA for that; without one the device stays, unassigned,
and one line says how to delete it).

Once the device is enabled, an identity with no profile gets its MFA-session profile, named
after it (``--no-profile`` skips that), so the next code has something to refresh.

Also ``--resync [SERIAL]`` (two codes) and ``--delete SERIAL`` (deactivate, then delete, after
typing ``yes`` at a terminal; ``--yes`` skips the question, and without a terminal it is needed).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from mfa_tui.core.errors import AwsError, CodeError, ConfigError, MfaTuiError

_CODE_ATTEMPTS = 5
"""Tries at entering two codes before giving up (and deleting the new device)."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("identity", help="registry identity whose long-term keys make the IAM calls")
    parser.add_argument("--user", metavar="NAME", help="IAM user to enrol (default: the identity's own user)")
    parser.add_argument("--device-name", metavar="N", help="name of the new virtual device (default: the user name)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--resync", nargs="?", const="", metavar="SERIAL",
        help="resync a device with two codes (default: the identity's mfa_serial or the only device)",
    )
    action.add_argument("--delete", metavar="SERIAL", help="deactivate and delete a device (asks to confirm)")
    parser.add_argument("--yes", action="store_true", help="with --delete: do not ask (needed without a terminal)")
    parser.add_argument(
        "--no-profile", action="store_true",
        help="do not add an MFA-session profile for an identity that has none",
    )


def _ask(prompt: str) -> str:
    """One answer line; EOFError at end of input. Works with a pipe as well as a terminal."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip()


def _interactive() -> bool:
    """True when stdin and stderr (where the question goes) are a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty() and sys.stderr.isatty()
    except (ValueError, OSError):
        return False


def _say(text: str = "") -> None:
    print(text, flush=True)


def qr_text(lines: list[str], *, color: bool) -> list[str]:
    """The QR lines as printed: ANSI black-on-white, or drawn for a light-on-dark terminal."""
    from mfa_tui.core.enroll.qr import ansi_lines

    return ansi_lines(lines) if color else lines


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _print_devices(flow, devices) -> None:
    from mfa_tui.core.enroll.device import MAX_DEVICES

    account = f" (account {flow.account_id})" if flow.account_id else ""
    _say(f"IAM user {flow.user_name}{account} has {len(devices)} of {MAX_DEVICES} MFA devices.")
    for device in devices:
        when = device.enabled_at.strftime("%Y-%m-%d %H:%M UTC") if device.enabled_at else "?"
        _say(f"  {device.serial}  enabled {when}")


def _read_codes(flow, what: str) -> tuple[str, str]:
    first = _ask(f"{what}: current code ({flow.seconds_left()}s left in this step): ")
    second = _ask(f"{what}: wait for the NEXT code ({flow.seconds_left()}s), then enter it: ")
    return first, second


def _create(flow, name: str | None) -> None:
    """Create the device, asking for another name (or adopting) while the name is taken."""
    while True:
        try:
            flow.create(name)
            return
        except AwsError as exc:
            if exc.code != "EntityAlreadyExists":
                raise
            taken = name or flow.user_name
            unassigned = flow.find_unassigned(taken)
            _say(str(exc))
            choices = "[n] another name, " + ("[u] use the unassigned device, " if unassigned else "") + "[q] quit"
            answer = _ask(f"{choices}: ").lower()
            if answer.startswith("u") and unassigned:
                flow.adopt(unassigned)
                _say(f"Using {unassigned}: your app must already have its code (it is not shown again).")
                return
            if not answer.startswith("n"):
                raise EOFError
            name = _ask("New device name: ") or None


def _enrol(flow, args) -> int:
    _create(flow, args.device_name)
    if flow.has_secret:
        color = _use_color()
        _say()
        for line in qr_text(flow.qr_lines(invert=not color), color=color):
            _say(line)
        _say()
        if not color:
            _say("(QR drawn for a light-on-dark terminal; if it does not scan, type the secret in.)")
        _say(f"Device: {flow.serial}")
        _say(f"Secret: {flow.secret()}")
        _say(f"URI:    {flow.uri()}")
        _say("Scan the code (or add the secret) in your authenticator app, then enter two consecutive codes.")
    serial = _with_code_pair(flow, "MFA", flow.enable)
    _say(f"Enabled {serial} for IAM user {flow.user_name}.")
    if flow.registry_path is not None:
        _say(f"Recorded mfa_serial in [identities.{flow.identity}] of {flow.registry_path}.")
    if flow.profile_note:
        _say(flow.profile_note)
    return 0


def _with_code_pair(flow, what: str, send):
    """``send(code1, code2)`` with two codes read from the user; a refused pair is asked again.

    Up to :data:`_CODE_ATTEMPTS` pairs; each refusal is said on stderr, the last one raised.
    """
    for attempt in range(1, _CODE_ATTEMPTS + 1):
        code1, code2 = _read_codes(flow, what)
        try:
            return send(code1, code2)
        except CodeError as exc:
            print(f"mfa-tui: {exc}", file=sys.stderr, flush=True)
            if attempt == _CODE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _pick_serial(flow, devices, wanted: str, registry_serial: str | None) -> str:
    serials = [d.serial for d in devices]
    if wanted:
        if wanted not in serials:
            raise ConfigError(f"IAM user {flow.user_name} has no MFA device {wanted} (devices: {', '.join(serials) or 'none'})")
        return wanted
    if registry_serial in serials:
        return registry_serial
    if len(serials) == 1:
        return serials[0]
    raise ConfigError(
        f"IAM user {flow.user_name} has {len(serials)} MFA devices; name one: --resync SERIAL"
        + (f" ({', '.join(serials)})" if serials else "")
    )


def _resync(flow, devices, wanted: str, registry_serial: str | None) -> int:
    serial = _pick_serial(flow, devices, wanted, registry_serial)
    _with_code_pair(flow, f"resync {serial}", lambda code1, code2: flow.resync(serial, code1, code2))
    _say(f"Resynced {serial}.")
    return 0


def _delete(flow, devices, serial: str, registry_serial: str | None, identity: str, *, yes: bool) -> int:
    assigned = any(d.serial == serial for d in devices)
    what = "Deactivate and delete" if assigned else "Delete"
    if not yes:
        answer = _ask(f"{what} {serial}? Codes from it will stop working. Type yes to confirm: ")
        if answer.lower() != "yes":
            _say("Not deleted.")
            return 1
    flow.remove(serial)
    _say(f"Deleted {serial}.")
    if serial == registry_serial:
        _say(f"Note: [identities.{identity}] still names it as mfa_serial; enrol a new device with `mfa-tui enroll {identity}`.")
    return 0


def run(args: argparse.Namespace) -> int:
    from mfa_tui.core import paths
    from mfa_tui.core.registry import load as registry
    from mfa_tui.core.clock import SystemClock
    from mfa_tui.core.enroll.device import open_enrolment
    from mfa_tui.core.service.facade import Service

    if args.yes and not args.delete:
        raise ConfigError("--yes goes with --delete SERIAL (nothing else asks to confirm)")
    if args.delete and not args.yes and not _interactive():
        # A pipe or a script cannot be asked: refuse before any AWS call rather than read a stray line.
        raise ConfigError(f"--delete {args.delete}: no terminal to confirm on; add --yes to delete without asking")
    reg = registry.load(paths.config_path(args.config))
    service = Service(reg, clock=SystemClock())  # deletes that need MFA use the identity's live session
    flow = open_enrolment(reg, args.identity, clock=service.clock, user_name=args.user,
                          mfa_session=lambda: service.mfa_session(args.identity))
    flow.add_profile = not args.no_profile
    registry_serial = reg.identities[args.identity].mfa_serial
    devices = flow.devices()
    _print_devices(flow, devices)
    if args.delete:
        try:
            return _delete(flow, devices, args.delete, registry_serial, args.identity, yes=args.yes)
        except EOFError:
            _say("Not deleted.")
            return 1
    if args.resync is not None:
        try:
            return _resync(flow, devices, args.resync, registry_serial)
        except EOFError:
            _say("Resync cancelled.")
            return 1

    # SIGTERM unwinds like Ctrl-C so the unfinished device is deleted on the way out.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with flow:
            return _enrol(flow, args)
    except (KeyboardInterrupt, EOFError) as exc:
        if flow.cleanup_error is not None:
            print(f"mfa-tui: {flow.cleanup_error}", file=sys.stderr)
            return 1
        print(f"mfa-tui: enrolment cancelled{_deleted_note(flow)}", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    except MfaTuiError as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        note = _deleted_note(flow)
        if note:
            print(f"mfa-tui: enrolment stopped{note}", file=sys.stderr)
        return exc.exit_code
    finally:
        signal.signal(signal.SIGTERM, previous)


def _deleted_note(flow) -> str:
    if flow.left_behind:
        return f"; {flow.left_behind}"
    deleted = flow.serial if flow.created and not flow.enabled else None
    return f"; deleted the unfinished device {deleted}" if deleted else ""


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
