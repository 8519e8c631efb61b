"""The environment variables that could pull a local-AWS run out of its sandbox.

One list for the three places that build such a sandbox: ``mfa-tui --demo``, the test suite's
isolated HOME (tests/conftest.py) and every bench process (bench/procs.py). Imports nothing.
"""

from __future__ import annotations

AMBIENT_VARS: tuple[str, ...] = (
    # Ambient credentials and profiles: botocore would prefer them, or sign with a real account's keys.
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    # Endpoints and TLS settings that would send calls elsewhere than 127.0.0.1.
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CA_BUNDLE",
    # mfa-tui's own pointers at the user's registry and state.
    "MFA_TUI_CONFIG",
    "MFA_TUI_STATE_DIR",
    # Proxies: 127.0.0.1 must be reached directly.
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
)
"""Dropped from the environment of anything that must talk only to the local AWS."""
