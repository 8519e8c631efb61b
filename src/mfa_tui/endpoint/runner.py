"""``mfa-tui exec``'s child process: its environment, its signals, its exit status.

The child's environment is the caller's less every variable that would make an SDK pick other
credentials or another profile (:data:`SCRUBBED`), plus either the endpoint's URL and token
(``AWS_CONTAINER_CREDENTIALS_FULL_URI``, ``AWS_CONTAINER_AUTHORIZATION_TOKEN``) or, with
``--no-server``, static credentials; the region under both names; ``AWS_ENDPOINT_URL`` when the
identity has one; and :data:`EXEC_MARKER`, so an exec inside it is refused (nested sessions confuse:
which profile is this shell?).

SIGINT, SIGTERM and SIGHUP sent to mfa-tui are passed to the child; the child's exit status is
returned (128 + N when signal N ended it, as shells report it). At a terminal where mfa-tui runs
in the foreground, Ctrl-C and Ctrl-\\ already reach the child (the terminal signals the whole
foreground process group, which the child shares): mfa-tui then ignores SIGINT and SIGQUIT while
the child runs, as POSIX ``system()`` does, instead of passing on a second SIGINT (which tools
such as terraform take as "stop at once").
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

EXEC_MARKER = "MFA_TUI_EXEC"
"""Set to the profile's name in an exec's child; an exec that finds it refuses to start."""

SCRUBBED = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
)
"""Variables SDKs read credentials or a profile from: removed from the child's environment."""

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FROM_THE_TERMINAL = (signal.SIGINT, signal.SIGQUIT)
"""What a terminal's keys send to its foreground process group (Ctrl-C, Ctrl-\\)."""


def in_terminal_foreground() -> bool:
    """Whether this process's group is the foreground group of its controlling terminal (stdin, stdout or stderr)."""
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                return os.tcgetpgrp(fd) == os.getpgrp()
        except OSError:
            continue
    return False


def child_env(
    base: Mapping[str, str],
    profile: str,
    *,
    region: str,
    endpoint_url: str | None,
    credentials: Mapping[str, str],
) -> dict[str, str]:
    """``base`` scrubbed, with ``credentials`` (the endpoint's two variables, or static keys) added."""
    env = {k: v for k, v in base.items() if k not in SCRUBBED}
    env.update(credentials)
    env["AWS_REGION"] = region
    env["AWS_DEFAULT_REGION"] = region
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    env[EXEC_MARKER] = profile
    return env


def run_child(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``argv`` with ``env``, passing on signals (see the module); its exit status (128+N for signal N).

    A command that cannot be started raises :class:`~mfa_tui.core.errors.ConfigError` (one line, exit 2).
    """
    from mfa_tui.core.errors import ConfigError, not_started

    try:
        child = subprocess.Popen(list(argv), env=dict(env))
    except OSError as exc:
        raise ConfigError(not_started(argv[0], exc)) from None

    def forward(signum: int, _frame: object) -> None:
        try:
            child.send_signal(signum)
        except OSError:
            pass  # already gone

    # The child was started in this process group: at the terminal's foreground, its keys reach it.
    handlers = dict.fromkeys(FORWARDED, forward)
    if in_terminal_foreground():
        handlers.update(dict.fromkeys(FROM_THE_TERMINAL, signal.SIG_IGN))
    previous = {}
    for sig, handler in handlers.items():
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread (an in-process caller): no forwarding
            pass
    try:
        while True:
            try:
                code = child.wait()
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for safety
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


_SHADOWING_KEYS = {
    "credentials": ("aws_access_key_id",),
    "config": ("aws_access_key_id", "role_arn", "credential_process", "web_identity_token_file", "sso_session",
               "sso_start_url"),
}
"""Keys of a ``[default]`` profile that SDKs use before the container endpoint (their chain's order)."""


def default_profile_shadows(credentials_path: Path, config_path: Path) -> str | None:
    """Why SDKs in the child would not ask the endpoint: the ``[default]`` profile gives them
    credentials first (with ``AWS_PROFILE`` unset they read ``default``); None when it does not.

    docs/aws-behaviour.md, "The container-credentials format". Unreadable files say nothing here:
    the SDK will report them itself.
    """
    from mfa_tui.core.credentials import reader
    from mfa_tui.core.errors import MfaTuiError

    for kind, path in (("credentials", credentials_path), ("config", config_path)):
        try:
            section = reader.read_sections(path).get("default") or {}
        except (MfaTuiError, OSError):
            continue
        for key in _SHADOWING_KEYS[kind]:
            if section.get(key, "").strip():
                return f"the [default] profile of {path} sets {key}"
    return None


def nested_exec() -> str | None:
    """The profile of the exec this process runs in, or None."""
    return os.environ.get(EXEC_MARKER) or None
