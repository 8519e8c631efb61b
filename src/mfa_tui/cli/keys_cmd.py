"""``mfa-tui keys move NAME [--back]`` and ``mfa-tui keys rotate NAME [--delete KEYID] [--dry-run] [--code CODE|-]``.

``move`` puts an identity's long-term key into the OS keyring (``--back``: into its credentials-file
section again); ``rotate`` replaces it with a new key made on the MFA session, asking for a code as
``mfa-tui refresh`` does when there is no live session (``--code``, ``--code -``, ``$MFA_TUI_CODE``, or
a prompt at a terminal). Only key ids are ever printed, never a secret.
"""

from __future__ import annotations

import sys

from mfa_tui.cli.common import add_actions, open_service
from mfa_tui.core.errors import ConfigError


def register(parser) -> None:
    sub = add_actions(parser)
    move = sub.add_parser("move", help="move an identity's long-term key into the OS keyring (--back: into its credentials-file section)")
    move.add_argument("identity", metavar="IDENTITY")
    move.add_argument("--back", action="store_true", help="move the key from the keyring back into the credentials file")
    rotate = sub.add_parser("rotate", help="replace an identity's long-term key with a new one, on its MFA session")
    rotate.add_argument("identity", metavar="IDENTITY")
    rotate.add_argument("--delete", metavar="KEYID", help="with two keys already: delete this inactive one first")
    rotate.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    rotate.add_argument("--code", metavar="CODE", help="the MFA code when there is no live MFA session (`-`: from standard input; also $MFA_TUI_CODE)")


def run(args) -> int:
    if args.action == "move":
        return _move(args)
    return _rotate(args)


def _move(args) -> int:
    from mfa_tui.core.keys import move

    service = open_service(args)
    do = move.move_back if args.back else move.move
    done = do(service.registry, args.identity, service.credentials_path, clock=service.clock,
              aws_config_path=service.aws_config_path)
    print(f"{done.identity}: key {done.access_key_id} ({done.arn}) is now in {done.where}")
    if done.backup is not None:
        print(f"the credentials file's previous content is kept in {done.backup} (0600)", file=sys.stderr)
    return 0


def _rotate(args) -> int:
    from mfa_tui.cli.refresh_cmd import TerminalCodes, given_code
    from mfa_tui.core.clock import format_duration
    from mfa_tui.core.keys import rotate
    from mfa_tui.core.keys.move import identity_of

    code, source = given_code(args)
    service = open_service(args)
    identity = identity_of(service.registry, args.identity)
    current = service.long_term_keys(identity).access_key_id
    session = service.mfa_session(identity.name)
    if session is None and args.dry_run:
        where = rotate.where_keys_are(identity, service.credentials_path)
        print(f"plan for {identity.name} (key {current}, {where}); no MFA session, so IAM's key list was not read:")
        for step in ("create a new access key (on the MFA session; a code is asked)", "check it with GetCallerIdentity",
                     f"store it in {where}, replacing {current}", f"delete the old key {current}"):
            print(f"  - {step}")
        return 0
    provider = TerminalCodes(code, sys.stdin.isatty())
    try:
        if session is None:
            session = _new_session(service, identity, provider)
        the_plan = rotate.plan(identity, session, current, service.credentials_path, service.clock,
                               delete=_chosen_delete(args, identity, session, current, service, rotate))
        if args.dry_run:
            print(f"plan for {identity.name} (IAM user {the_plan.user}):")
            for step in the_plan.steps():
                print(f"  - {step}")
            return 0
        done = rotate.rotate(identity, session, the_plan, service.credentials_path, service.clock,
                             say=lambda line: print(f"mfa-tui: {line}", file=sys.stderr))
    finally:
        if provider.unused:
            print(f"mfa-tui: the code {source} was not used (the MFA session was live)", file=sys.stderr)
    rotate.follow_new_key(service.sessions, identity.name, done.old, done.new)
    age = format_duration(max(0.0, (service.clock.now() - done.created).total_seconds())) if done.created else "?"
    print(f"{identity.name}: new key {done.new} (age {age}) in {done.where}; old key {done.old} deleted")
    return 0


def _new_session(service, identity, provider):
    """A refresh of the identity's MFA-session profile (or a chained role of it): one code, as `refresh` asks."""
    from mfa_tui.core.models import ProfileKind

    mine = [p for p in service.registry.profiles.values() if p.identity == identity.name]
    chosen = [p for p in mine if p.kind is ProfileKind.MFA_SESSION] or [p for p in mine if p.kind is ProfileKind.CHAINED_ROLE]
    if not chosen:
        raise ConfigError(
            f"identity {identity.name} has no profile to make an MFA session with; add one "
            f"(`[profiles.{identity.name}]` with identity = \"{identity.name}\") and run again"
        )
    report = service.refresh(chosen[:1], provider)
    session = service.mfa_session(identity.name)
    if session is None:
        result = next(iter(report.results.values()), None)
        why = result.message if result is not None else "no MFA session was made"
        from mfa_tui.core.errors import NeedsCodeError

        raise NeedsCodeError(f"identity {identity.name}: no MFA session to rotate the key with: {why}")
    return session


def _chosen_delete(args, identity, session, current, service, rotate) -> str | None:
    """``--delete``, or at a terminal the answer to "delete the inactive other key?" when there are two."""
    if args.delete is not None or args.dry_run or not sys.stdin.isatty():
        return args.delete
    user = rotate.user_of(identity, session, service.clock)
    others = [k for k in rotate.list_keys(identity, session, user) if k.access_key_id != current]
    if not others or others[0].status != "Inactive":
        return None
    other = others[0].access_key_id
    try:
        answer = input(f"IAM user {user} has two keys; delete the inactive key {other} first? [y/N] ")
    except EOFError:
        return None
    return other if answer.strip().lower() in ("y", "yes") else None
