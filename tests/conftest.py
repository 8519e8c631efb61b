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

from mfa_tui.localaws.isolation import AMBIENT_VARS

pytest_plugins = ["localaws_fixtures"]


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
    for var in AMBIENT_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return home


@pytest.fixture(autouse=True)
def _endpoints_healthy():
    """No test inherits another's "endpoint is down" memory (the shared local AWS keeps its URL)."""
    yield
    import sys

    aws = sys.modules.get("mfa_tui.core.aws.clients")
    if aws is not None:
        aws.endpoint_health.forget()


@pytest.fixture(name="soak_scale")
def soak_scale_fixture() -> float:
    """Size factor for ``@pytest.mark.soak`` tests (:func:`soak.soak_scale`; 1 is the full soak)."""
    return soak.soak_scale()
