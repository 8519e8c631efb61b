"""A direct role asked for longer than its MaxSessionDuration allows.

AWS refuses with a ValidationError that does not name the maximum. The engine reads it with
iam:GetRole where it can, asks once more at that maximum with a new code (the first may have
been spent on the refusal), and says so in one line; with no second code it fails and says why,
never "no code entered".
"""

from __future__ import annotations

from mfa_tui.core.session.refresh import SKIP_REASON
from refresh_support import Codes, add_direct_role, make_service

HOURS = 3600


def lasts(result, clock) -> float:
    return (result.credentials.expiration - clock.now()).total_seconds()


def test_a_role_the_identity_can_read_is_asked_again_at_its_maximum(demo_world, frozen_clock):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)
    # alice's force-MFA policy lets only her MFA session read IAM: a live one from an earlier refresh.
    assert service.refresh(service.select(["alice"]), Codes(demo_world)).results["alice"].ok
    codes = Codes(demo_world)
    demo_world.aws.clear_calls()

    result = service.refresh(service.select(["home-long"]), codes).results["home-long"]

    line = "profile home-long: the role allows at most 4h, not 6h; asked again at 4h"
    assert result.ok, result.message
    assert lasts(result, frozen_clock) == 4 * HOURS
    assert result.warnings == [line]
    # The second request says why, and takes a code from a later step: the first may be spent.
    assert [r.reason for r in codes.requests] == [None, line]
    assert codes.requests[1].wait_seconds > 0
    assert demo_world.aws.count("AssumeRole") == 2 and demo_world.aws.count("GetRole") == 1


def test_another_accounts_role_is_asked_again_at_one_hour_and_names_its_maximum(demo_world, frozen_clock):
    add_direct_role(demo_world, "444444444444", "prod-long", max_session=4 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)
    codes = Codes(demo_world)

    result = service.refresh(service.select(["prod-long"]), codes).results["prod-long"]

    assert result.ok, result.message
    assert lasts(result, frozen_clock) == 1 * HOURS
    # Asked plainly at 1h, the one length every role allows: alice cannot read account 444's roles.
    assert codes.requests[1].reason == (
        "profile prod-long: the role allows less than 6h; asked again at 1h, which every role allows "
        "(its maximum cannot be read from identity alice's account 111111111111)"
    )
    # The role's own session could read it afterwards: the user learns how to get 4h.
    assert result.warnings == [
        "profile prod-long: the role allows at most 4h, not 6h (read after asking again at 1h): "
        'set duration = "4h" for this profile to get 4h'
    ]


def test_a_role_that_allows_one_hour_says_so(demo_world, frozen_clock):
    add_direct_role(demo_world, "444444444444", "prod-short", max_session=1 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)
    result = service.refresh(service.select(["prod-short"]), Codes(demo_world)).results["prod-short"]
    assert result.ok, result.message
    assert result.warnings == ["profile prod-short: the role allows at most 1h, not 6h; asked again at 1h"]


def test_without_a_second_code_the_retry_fails_and_says_why(demo_world, frozen_clock):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)

    report = service.refresh(service.select(["home-long"]), Codes(demo_world, answers=[demo_world.code(), None]))

    result = report.results["home-long"]
    assert not result.ok and not result.skipped  # a code was given, and spent: not a skip
    assert result.message != SKIP_REASON
    # Long-term keys only: alice's force-MFA policy denies iam:GetRole, so the maximum is unknown.
    assert result.message == (
        "profile home-long: the role allows less than 6h; asking again at 1h needs a second code, "
        "and none was sent: set its duration to the role's maximum session duration, or refresh it where it can prompt"
    )
    assert service.statuses(["home-long"])[0].last_error == result.message


def test_the_maximum_is_read_with_the_mfa_session_when_the_run_has_one(demo_world, frozen_clock, monkeypatch):
    from mfa_tui.core.aws import sts

    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    readers = []
    real = sts.role_max_session

    def spy(client, **kwargs):
        readers.append(client._request_signer._credentials.access_key)
        return real(client, **kwargs)

    monkeypatch.setattr(sts, "role_max_session", spy)
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", "home-long"]), Codes(demo_world))
    assert report.results["home-long"].ok and lasts(report.results["home-long"], frozen_clock) == 4 * HOURS
    # Policies that deny IAM without MFA (the usual "force MFA" policy) let the MFA session through.
    assert readers == [report.mfa_sessions["alice"].access_key_id]


def test_a_maximum_the_long_term_keys_may_not_read_is_said(demo_world, frozen_clock):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    service = make_service(demo_world, frozen_clock)
    result = service.refresh(service.select(["home-long"]), Codes(demo_world)).results["home-long"]
    assert result.ok
    # The role's own 1h session read the maximum afterwards, so the line says how to get 4h.
    assert result.warnings == [
        "profile home-long: the role allows at most 4h, not 6h (read after asking again at 1h): "
        'set duration = "4h" for this profile to get 4h'
    ]


def test_a_maximum_that_cannot_be_read_is_said_with_the_reason(demo_world, frozen_clock):
    add_direct_role(demo_world, "111111111111", "home-long", max_session=4 * HOURS, duration="6h")
    demo_world.aws.faults.set(error_rate=1.0, actions={"GetRole"})
    service = make_service(demo_world, frozen_clock)
    result = service.refresh(service.select(["home-long"]), Codes(demo_world)).results["home-long"]
    assert result.ok and lasts(result, frozen_clock) == 1 * HOURS
    assert result.warnings == [
        "profile home-long: the role allows less than 6h; asked again at 1h, which every role allows "
        "(iam:GetRole failed: InternalError)"
    ]

