"""``mfa-tui console PROFILE [--print] [--duration D] [--destination URL]``: open the AWS console as a role.

Signs in through the federation endpoint with the role session's credentials
(:mod:`mfa_tui.core.service.console_link`) and opens the URL in the browser, or prints it with
``--print``. The URL holds a sign-in token good for 15 minutes: it is printed only when asked.
An MFA-session profile is refused (AWS lets GetSessionToken credentials sign in nowhere).
"""

from __future__ import annotations


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE")
    parser.add_argument("--print", action="store_true", dest="print_url", help="print the sign-in URL instead of opening it")
    parser.add_argument("--duration", metavar="D",
                        help="console session length, 15m to 12h (a chained role: at most 1h); default: AWS's")
    parser.add_argument("--destination", metavar="URL", help="the console page to land on (https://…)")


def run(args) -> int:
    from mfa_tui.cli.common import open_service
    from mfa_tui.core.errors import ConfigError
    from mfa_tui.core.service.console_link import console_url

    duration = None
    if args.duration is not None:
        from mfa_tui.core.clock import parse_duration

        try:
            duration = parse_duration(args.duration)
        except (ValueError, TypeError):
            raise ConfigError(f"--duration {args.duration!r} is not a duration: use e.g. 900, 45m, 1h") from None
    service = open_service(args)
    url = console_url(service, args.profile, duration=duration, destination=args.destination)
    if args.print_url:
        print(url)
        return 0
    import webbrowser

    if not webbrowser.open(url):
        raise ConfigError("no browser could be opened here; run again with --print and open the URL yourself")
    print(f"opened the AWS console for {args.profile} in the browser")
    return 0
