"""Fixtures for tests that talk to the local AWS (registered by tests/conftest.py).

- ``frozen_clock``: a :class:`FrozenClock` set to the real time rounded down to the start of
  its 30-second TOTP step. Close to real time on purpose: botocore checks expirations
  against the real clock.
- ``local_aws``: the one :class:`LocalAWS` of the test session (127.0.0.1, a free port),
  ``reset()`` before the test (moto state, issued credentials, device state, faults, call
  log) and driven by ``frozen_clock``. Give the same ``frozen_clock`` to the code under
  test. To get a fresh TOTP step, advance the clock 30 s instead of waiting.
- ``demo_world``: :func:`build_world` run in ``local_aws`` and the test's isolated HOME
  (registry, ~/.aws files and demo.json where mfa-tui looks for them). Codes:
  ``demo_world.code()`` returns a code of alice's device that has not been spent,
  advancing the frozen clock to the next step if the current one was used;
  ``demo_world.next_code()`` always moves to the next step first. So two valid codes in a
  row are ``code()`` then ``next_code()`` (or ``code()`` after the first was used).
  ``local_aws.current_code(serial, offset_steps=n)`` gives codes for other steps.

Authorisation: ``local_aws`` authorises every request against IAM policies as AWS does (the
demo's alice has the force-MFA policy, so her long-term keys may do little but get a session and
enrol). Set-up that needs more (creating users, policies, roles, deleting devices) goes in-process
through :mod:`mfa_tui.localaws.backends`, or over HTTP with :func:`admin_client` /
:func:`admin_keys` (an IAM user allowed everything, as a real test harness's admin). A test about
something else that cannot run under authorisation asks for ``unauthorised_aws`` and says why
in a comment. ``MFA_TUI_TEST_AUTHORISE=0`` turns authorisation off for every test (to compare).
The demo roles have policies attached (S3 and IAM reads), so deleting one in-process needs
``detach_role_policy`` first, as on AWS (:func:`delete_role`).

The local AWS refuses requests signed more than 15 minutes from its clock, as AWS does. While
``local_aws`` is in use, botocore in this process signs on ``frozen_clock`` (the clock mfa-tui
runs on), so advancing it moves the signing time too and hours may pass. To put AWS's clock
off from the caller's, give the local AWS a clock of its own:
``local_aws.clock = FrozenClock(frozen_clock.now() + timedelta(minutes=20))``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mfa_tui.core.clock import TOTP_STEP, FrozenClock


@pytest.fixture(scope="session")
def _local_aws_server():
    from mfa_tui.localaws import LocalAWS

    aws = LocalAWS()
    aws.start()
    yield aws
    aws.stop()


@pytest.fixture
def frozen_clock() -> FrozenClock:
    now = int(datetime.now(UTC).timestamp())
    return FrozenClock(datetime.fromtimestamp(now - now % TOTP_STEP, UTC))


@pytest.fixture
def local_aws(_local_aws_server, frozen_clock, monkeypatch):
    import botocore.auth

    aws = _local_aws_server
    aws.reset()
    aws.clock = frozen_clock
    aws.authorise = os.environ.get("MFA_TUI_TEST_AUTHORISE", "1") != "0"
    # botocore signs with botocore.auth.get_current_datetime() (naive UTC; botocore 1.44).
    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda remove_tzinfo=True: _naive_or_aware(frozen_clock.now(), remove_tzinfo))
    yield aws
    aws.faults.clear()


@pytest.fixture
def authorising_aws(local_aws):
    """``local_aws`` authorising every request, as AWS does (even under ``MFA_TUI_TEST_AUTHORISE=0``)."""
    local_aws.authorise = True
    yield local_aws


@pytest.fixture
def unauthorised_aws(local_aws):
    """``local_aws`` with authorisation off: only for a test about something else, saying why."""
    local_aws.authorise = False
    yield local_aws


def _naive_or_aware(now: datetime, remove_tzinfo: bool) -> datetime:
    return now.replace(tzinfo=None) if remove_tzinfo else now


@pytest.fixture
def demo_world(local_aws, isolated_home: Path):
    from mfa_tui.localaws.demo import build_world

    return build_world(local_aws, isolated_home)


ADMIN_USER = "harness-admin"


def admin_keys(account_id: str = "111111111111") -> tuple[str, str]:
    """Keys of ``harness-admin``, an IAM user allowed everything and not bound by MFA, in ``account_id``.

    What a real test harness uses for set-up (creating users, policies, roles) under authorisation:
    alice's long-term keys may not, on AWS as here. Made in-process on first use after a reset.
    """
    import json

    from mfa_tui.localaws import backends

    iam = backends.iam(account_id)
    if backends.user(account_id, ADMIN_USER) is None:
        iam.create_user("us-east-1", ADMIN_USER, path="/")
        iam.put_user_policy(ADMIN_USER, "HarnessAdmin", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ))
        key = iam.create_access_key(ADMIN_USER)
        _ADMIN_KEYS[account_id] = (key.access_key_id, key.secret_access_key)
    return _ADMIN_KEYS[account_id]


_ADMIN_KEYS: dict[str, tuple[str, str]] = {}


def admin_client(aws, service: str, account_id: str = "111111111111", **kwargs):
    """A boto3 client on ``aws`` (a LocalAWS) signed with :func:`admin_keys`."""
    import boto3

    key, secret = admin_keys(account_id)
    return boto3.client(service, aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1",
                        endpoint_url=aws.endpoint, **kwargs)


def delete_role(account_id: str, name: str) -> None:
    """Delete a demo role as AWS requires: its managed policies detached first."""
    from mfa_tui.localaws import backends

    iam = backends.iam(account_id)
    for arn in list(iam.get_role(name).managed_policies):
        iam.detach_role_policy(arn, name)
    iam.delete_role(name)
