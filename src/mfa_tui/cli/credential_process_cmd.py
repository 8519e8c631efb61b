"""``mfa-tui credential-process PROFILE``: botocore's ``credential_process`` protocol.

Configure in ~/.aws/config (under a name that is *not* also written to the credentials
file, since botocore reads that file first — docs/aws-behaviour.md, "The shared credentials file")::

    [profile prod-admin-auto]
    credential_process = mfa-tui credential-process prod-admin

It prints ``{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}``
and exits 0. The cached path (credentials with more than 15 minutes left in the state)
reads one line of the state file through :mod:`mfa_tui.core.session.peek`, importing only ``os``
and ``time`` (not ``json``, the state store, the models, ``dataclasses``, ``pathlib`` or
platformdirs, which together cost several times Python's own start-up). Near expiry it re-mints a chained
role from the live MFA session. It never prompts: when a code is needed (:func:`new_code`,
:mod:`mfa_tui.core.service.unattended`) it first runs the identity's code source, when it is not
``prompt`` (ykman or a command; no typing), then asks a running dashboard of the same registry
(:mod:`mfa_tui.core.bridge`), which shows its token dialog and answers when its refresh ends
(up to 120 s). When neither helps it exits 1 with nothing on stdout and one line on stderr: the
usual "needs a new MFA code" line, with what was tried and why it failed in parentheses.

A source's notices ("touch your YubiKey", the first line of a countdown) go to stderr only when it
is a terminal: botocore and the AWS CLI capture a credential_process's stderr and show it only in
their error after a failure, where anything but the one line would be noise (docs/aws-behaviour.md,
"How long the SDKs wait: the container endpoint and credential_process").
"""

from __future__ import annotations

import sys

MIN_LEFT = 15 * 60


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE")


_PLAIN_OUTPUT = '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "%s"}'


def _write(access_key_id: str, secret_access_key: str, session_token: str, expiration: str) -> int:
    values = (access_key_id, secret_access_key, session_token, expiration)
    if all(v.isascii() and v.isprintable() and '"' not in v and "\\" not in v for v in values):
        # Exactly json.dumps's output for strings that need no escaping, without importing json
        # on the hot path (tests/core/test_state_peek.py checks the two agree).
        text = _PLAIN_OUTPUT % values
    else:
        import json

        text = json.dumps(dict(zip(("Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"),
                                   (1, *values), strict=True)))
    sys.stdout.write(text + "\n")
    return 0


def _emit(creds) -> int:
    from mfa_tui.core.clock import rfc3339

    return _write(creds.access_key_id, creds.secret_access_key, creds.session_token, rfc3339(creds.expiration))


def fast(argv: list[str]) -> int | None:
    """The dispatcher's shortcut: serve from the cache without argparse; None to take the full path."""
    # Protects bench figure 1 (credential-process cached path ≤ 2× `python -c pass`; bench/cli_bench.py).
    # bench/fastpaths.py `credential_process` fails the bench when this is not ≤ 0.8× the full path (`--config`).
    if len(argv) != 1 or argv[0].startswith("-"):
        return None
    from mfa_tui.core.session.peek import peek_credentials

    try:
        fields = peek_credentials(argv[0], MIN_LEFT)
    except Exception:  # any trouble with the cache: the full path reports it properly
        return None
    if fields is None:
        return None
    # The stored expiration is already RFC 3339 with a Z (peek_credentials checked the layout).
    return _write(fields["access_key_id"], fields["secret_access_key"], fields["session_token"], fields["expiration"])


def run(args) -> int:
    from mfa_tui.cli.common import open_service
    from mfa_tui.core.errors import NeedsCodeError

    # The full path: the registry is read and every cached entry checked against it (and the
    # state stamped, so the next call takes the fast path again).
    service = open_service(args)
    try:
        return _emit(service.credentials(args.profile, min_left=MIN_LEFT))
    except NeedsCodeError as needs:
        new_code(service, args.profile, needs)  # raises when nothing could get one
    # Refreshed meanwhile (by the code source or the dashboard): the state is read again.
    return _emit(service.credentials(args.profile, min_left=MIN_LEFT))


def new_code(service, profile: str, needs: Exception) -> None:
    """Only a new code would help ``profile``: have one used, or raise (``needs``'s one line, and why).

    Its code source first, then a running dashboard (:func:`~mfa_tui.core.service.unattended.renew_unattended`).
    Returns when the profile was refreshed.
    """
    from mfa_tui.core.service.unattended import renew_unattended

    renew_unattended(service, profile, needs, notify=_notice if sys.stderr.isatty() else None)


def _notice(notice) -> None:
    """A source's notice on stderr: its first line only (a countdown is not repeated every second)."""
    if notice.first:
        print(f"mfa-tui: {notice.request.identity}: {notice.text}", file=sys.stderr, flush=True)
