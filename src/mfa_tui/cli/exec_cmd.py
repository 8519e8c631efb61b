"""``mfa-tui exec PROFILE [--no-server] -- COMMAND...``: run COMMAND as PROFILE, for as long as it runs.

By default COMMAND gets a local credential endpoint (:mod:`mfa_tui.endpoint`) that serves the
profile's credentials and re-mints a chained role from the live MFA session before it runs out, so
a job can outlive the 1-hour cap of chained roles (up to the MFA session's end) with no new code.
``--no-server`` exports static credentials instead (they end when they end). The exit status is
COMMAND's; SIGINT, SIGTERM and SIGHUP are passed on to it (at a terminal, Ctrl-C reaches it once, from
the terminal). An exec inside an exec is refused.
"""

from __future__ import annotations

import argparse
import os
import sys

from mfa_tui.core.errors import ConfigError


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE")
    parser.add_argument("--no-server", action="store_true",
                        help="export static credentials instead of running a local credential endpoint")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND...",
                        help="the command to run (default: $SHELL)")


def run(args) -> int:
    from mfa_tui.endpoint import runner

    inside = runner.nested_exec()
    if inside:
        raise ConfigError(
            f"already inside `mfa-tui exec {inside}` ({runner.EXEC_MARKER} is set): nested execs are refused; "
            "leave that one first (exit), then run this exec"
        )
    command = list(args.command)
    # argparse's REMAINDER takes everything after PROFILE, options of exec's own included.
    while command and command[0] != "--" and command[0].startswith("-"):
        option = command.pop(0)
        if option != "--no-server":
            raise ConfigError(
                f"exec: unknown option {option} after PROFILE (only --no-server goes there; global options go "
                "before it, COMMAND after `--`): mfa-tui exec [--config PATH] PROFILE [--no-server] -- COMMAND..."
            )
        args.no_server = True
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        command = [os.environ.get("SHELL") or "/bin/sh"]

    from mfa_tui.cli.common import open_service

    service = open_service(args)
    profile = service.select([args.profile])[0]
    identity = service.registry.identities[profile.identity]
    region = profile.region or identity.region
    if args.no_server:
        from mfa_tui.core.service.env import env_values

        values = env_values(service, profile.name)
        static = {k: v for k, v in values.items() if k.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION", "AWS_CREDENTIAL"))}
        env = runner.child_env(os.environ, profile.name, region=region, endpoint_url=identity.endpoint_url, credentials=static)
        return runner.run_child(command, env)

    from mfa_tui.core import paths
    from mfa_tui.endpoint.server import CredentialEndpoint, new_token
    from mfa_tui.endpoint.supply import Supplier

    supplier = Supplier(service)
    supplier.credentials(profile.name)  # fail now, in one line, if only a new code would help
    shadow = runner.default_profile_shadows(paths.aws_credentials_path(), paths.aws_config_path())
    if shadow:
        print(f"mfa-tui: warning: {shadow}, which SDKs use before the endpoint: the command may act as that "
              f"profile, not {profile.name}; remove it, or use --no-server", file=sys.stderr)
    token = new_token()
    endpoint = CredentialEndpoint(supplier, token=token, profiles={profile.name}).start()
    try:
        env = runner.child_env(
            os.environ, profile.name, region=region, endpoint_url=identity.endpoint_url,
            credentials={"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url(profile.name),
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN": token},
        )
        sys.stdout.flush()
        return runner.run_child(command, env)
    finally:
        endpoint.stop()
