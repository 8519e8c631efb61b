"""Every test runs in a throw-away HOME: never the real ~/.aws, config or state dirs.

The autouse fixture points HOME, the XDG dirs, the AWS_* file variables and
mfa-tui's own variables into a temp dir, removes any ambient AWS credentials and
proxies, and makes botocore refuse the instance-metadata service, so the suite
passes on a machine with no AWS access and no network.

Local AWS fixtures (tests/localaws_fixtures.py, registered below):
``frozen_clock`` (a FrozenClock at the start of the current TOTP step), ``local_aws`` (the
session's LocalAWS on 127.0.0.1, reset before each test and driven by ``frozen_clock``)
and ``demo_world`` (the demo world built in it and in the isolated HOME; ``code()`` gives
an unspent code of alice's device, ``next_code()`` the next step's). Details there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import soak

pytest_plugins = ["localaws_fixtures"]

_AWS_VARS = [
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
    "AWS_ENDPOINT_URL",
    "AWS_CA_BUNDLE",
]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """A fresh HOME with the AWS and XDG locations inside it; returns HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    for var in _AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    for var in ("MFA_TUI_CONFIG", "MFA_TUI_STATE_DIR", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return home


@pytest.fixture(name="soak_scale")
def soak_scale_fixture() -> float:
    """Size factor for ``@pytest.mark.soak`` tests (:func:`soak.soak_scale`; 1 is the full soak)."""
    return soak.soak_scale()
