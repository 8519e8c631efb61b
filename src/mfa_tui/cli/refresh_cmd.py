"""``mfa-tui refresh [PROFILE...] [--all] [--tag TAG] [--code CODE|-] [--new-session]``.

Without names or ``--all``/``--tag`` it refreshes what is expiring, expired, missing,
changed or in error. One prompt per identity that needs a code (and one per direct role), naming
the device; ``--code`` answers the first prompt. ``--code -`` reads that code from
standard input and ``$MFA_TUI_CODE`` gives it too: a code on the command line is visible
to every user's ``ps`` for the whole run. A given code that is not 6 digits is bad input
(exit 2) before anything is sent; one given but not used is said on stderr. Without a
terminal, the first prompt nothing answers is said in one line naming why, and the rest
are skipped quietly (each skipped profile has its own line). Exits 1 if any profile failed.

An identity with a code source (``code_source = "ykman"`` or ``"command"``, :mod:`mfa_tui.core.codes`)
needs no prompt, so no terminal either: what the source does ("touch your YubiKey", a countdown
to the next code) is said on stderr, and only a failed source falls back to the prompt, saying why.
"""

from __future__ import annotations

import os
import sys
import time

from mfa_tui.cli.common import add_profile_args, open_service
from mfa_tui.core.errors import ConfigError
from mfa_tui.core.session.refresh import CodeRequest
from mfa_tui.core.totp import check_format

CODE_ENV = "MFA_TUI_CODE"
"""The environment variable that may hold the code for the first prompt (``--code`` wins)."""


def register(parser) -> None:
    add_profile_args(parser, help="profile names (default: the stale ones: expiring, expired, missing, changed or in error)")
    parser.add_argument("--all", action="store_true", help="refresh every profile")
    parser.add_argument("--tag", action="append", default=[], metavar="TAG", help="profiles with this tag (repeatable)")
    parser.add_argument(
        "--code", metavar="CODE",
        help=f"the MFA code for the first identity that needs one; `-` reads it from standard input "
        f"(also ${CODE_ENV}); a code given here is visible in `ps` while mfa-tui runs",
    )
    parser.add_argument(
        "--new-session", action="store_true",
        help="ask for a code and make a new MFA session even if the identity's session still lives",
    )
    parser.add_argument(
        "--adopt", action="store_true",
        help="take over these profiles' sections when they hold another tool's temporary credentials (aws-mfa)",
    )


def given_code(args) -> tuple[str | None, str]:
    """The code given for the first prompt, and where it came from (for the line saying it went unused).

    A code that cannot be one (not 6 digits once spaces are dropped) is bad input, refused
    before the registry is read or anything is sent.
    """
    if args.code == "-":
        line = sys.stdin.readline().strip()
        if not line:
            raise ConfigError("--code -: no code on standard input")
        return _checked(line, "--code -"), "read from standard input"
    if args.code is not None:
        return _checked(args.code, "--code"), "given with --code"
    code = os.environ.get(CODE_ENV, "").strip()
    return (_checked(code, CODE_ENV), f"given in {CODE_ENV}") if code else (None, "")


def _checked(code: str, where: str) -> str:
    from mfa_tui.core.errors import CodeError

    try:
        return check_format(code, device=where)
    except CodeError as exc:
        raise ConfigError(str(exc)) from None


class TerminalCodes:
    """A code provider that uses the given code once, then prompts on the terminal (never when not a tty)."""

    def __init__(self, first: str | None, interactive: bool):
        self.first = first
        self.interactive = interactive
        self.given = first is not None
        self.shown: set[str] = set()
        """Reasons already printed, so a warning saying the same is not printed again."""
        self.declined = False
        """A prompt went unanswered for want of a terminal (and said why): later ones are skipped quietly."""

    def __call__(self, request: CodeRequest) -> str | None:
        if request.reason and request.attempt == 1:
            self.shown.add(request.reason)
            print(f"mfa-tui: {request.reason}", file=sys.stderr)
        if request.error:
            print(f"mfa-tui: {request.error}", file=sys.stderr)
        if self.first is not None and request.attempt == 1:
            code, self.first = self.first, None
            return code
        if not self.interactive:
            if not self.declined:
                self.declined = True
                print(f"mfa-tui: {self._why_unanswered(request)}", file=sys.stderr)
            return None
        if request.wait_seconds > 0:
            print(f"Waiting {request.wait_seconds}s for the next code (each code works once)…", file=sys.stderr)
            time.sleep(request.wait_seconds)
        unlocks = ", ".join(request.profiles[:4]) + (f" and {len(request.profiles) - 4} more" if len(request.profiles) > 4 else "")
        try:
            return input(f"MFA code for {request.identity} ({request.serial}) → {unlocks}: ")
        except EOFError:
            return None
        except KeyboardInterrupt:
            print(file=sys.stderr)  # end the prompt's line: "interrupted" goes on one of its own
            raise

    def _why_unanswered(self, request: CodeRequest) -> str:
        """The one line said when a prompt cannot be shown: which code, and why none was given."""
        if request.purpose == "direct-role" and self.given and request.attempt == 1:
            names = " ".join(request.profiles)
            return (
                f"direct role {names} needs a code of its own, from a later 30-second step: --code answers "
                f"only the first prompt; refresh it in a terminal, or with `mfa-tui refresh {names} --code CODE` "
                "once the next code shows"
            )
        how = "the one given was used; run in a terminal to enter another" if self.given \
            else "pass --code or run in a terminal"
        return f"identity {request.identity} needs a code ({request.serial}); {how}"

    @property
    def unused(self) -> bool:
        """A code was given and nothing asked for it."""
        return self.first is not None


def run(args) -> int:
    code, source = given_code(args)
    service = open_service(args)
    explicit = bool(args.profiles or args.all or args.tag)
    profiles = service.select(args.profiles, tags=args.tag, stale_only=not explicit)
    provider = TerminalCodes(code, sys.stdin.isatty())
    try:
        if not profiles:
            print("Nothing to refresh: every profile is valid.")
            return 0
        return _refresh(service, profiles, provider, args)
    finally:
        if provider.unused:
            print(f"mfa-tui: the code {source} was not used (nothing in this run needed one)", file=sys.stderr)


def _notice(notice) -> None:
    """What a code source does, on stderr: its first line only (a countdown is not repeated every second).

    A failed source's reason reaches the prompt as the request's ``reason``, which prints it.
    """
    if notice.first and notice.kind != "fallback":
        print(f"mfa-tui: {notice.request.identity}: {notice.text}", file=sys.stderr, flush=True)


def _refresh(service, profiles, provider: TerminalCodes, args) -> int:
    plan = service.plan(profiles, new_session=args.new_session)
    report = service.refresh(
        profiles, provider, plan=plan, adopt=[p.name for p in profiles] if args.adopt else (), notify=_notice,
    )
    for result in report.results.values():
        for warning in result.warnings:
            if warning not in provider.shown:
                print(f"mfa-tui: warning: {warning}", file=sys.stderr)
    for name, result in report.results.items():
        if result.ok:
            # The committed credentials' expiry: what the state now says, without reading it again.
            expires_at = result.credentials.expiration if result.credentials else None
            until = expires_at.strftime("%H:%M:%S UTC") if expires_at else "?"
            print(f"{name}: valid until {until}")
        elif result.skipped:
            print(f"{name}: {result.message} (previous credentials kept)", file=sys.stderr)
        else:
            reason = result.message.removeprefix(f"profile {name}: ")
            print(f"{name}: failed: {reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 1 if report.failed else 0
