"""mfa-tui against a local AWS whose clock is off by 20 minutes, as AWS's own check of the signing
time makes it (docs/aws-behaviour.md, "Authentication comes first"): ``Service.refresh`` and
``mfa-tui refresh`` name the clock, in core/aws/clients.py's words, with AWS's text.

Only the local AWS's clock moves; mfa-tui (and botocore's signer) stay on ``frozen_clock``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from refresh_support import Codes, make_service

from mfa_tui.core.clock import FrozenClock

AHEAD = "your clock is ahead of AWS's: AWS says the request was signed in its future; fix the system time"
BEHIND = "your clock is behind AWS's: AWS says the request signature expired; fix the system time"


def _move_aws_clock(demo_world, frozen_clock, minutes: int) -> None:
    demo_world.aws.clock = FrozenClock(frozen_clock.now() + timedelta(minutes=minutes))


@pytest.mark.parametrize(("minutes", "words", "aws_text", "measured"), [
    (-20, AHEAD, "(SignatureDoesNotMatch: Signature not yet current: ", "your clock is 1200s ahead of AWS's"),
    (20, BEHIND, "(SignatureDoesNotMatch: Signature expired: ", "your clock is 1200s behind AWS's"),
])
def test_service_refresh_names_the_clock(demo_world, frozen_clock, minutes, words, aws_text, measured):
    service = make_service(demo_world, frozen_clock)
    _move_aws_clock(demo_world, frozen_clock, minutes)
    report = service.refresh(service.select(["alice"]), Codes(demo_world))
    assert [r.profile for r in report.failed] == ["alice"]
    message = report.failed[0].message
    assert message.startswith(f"identity alice ({demo_world.alice_serial}): {words}"), message
    assert aws_text in message and " 15 min.)" in message, message
    assert message.endswith(f"; {measured}; fix the system time (e.g. enable NTP)"), message  # from the Date header
    assert demo_world.aws.ledger.issued_count() == 0  # refused before anything was issued


def test_mfa_tui_refresh_names_the_clock(demo_world, frozen_clock):
    # A new process signs with the real time; frozen_clock is within one TOTP step of it.
    _move_aws_clock(demo_world, frozen_clock, 20)
    result = subprocess.run(
        [sys.executable, "-m", "mfa_tui", "refresh", "alice"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "MFA_TUI_CODE": demo_world.code()},
    )
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert f"alice: failed: identity alice ({demo_world.alice_serial}): {BEHIND}" in said, said
    assert "Signature expired: " in said and "0 profiles refreshed, 1 failed" in said


def test_a_clock_within_the_allowed_skew_refreshes(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    _move_aws_clock(demo_world, frozen_clock, 10)
    report = service.refresh(service.select(["alice"]), Codes(demo_world))
    assert not report.failed and demo_world.aws.ledger.issued_count() == 1
