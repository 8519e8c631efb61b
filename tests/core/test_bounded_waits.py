"""Bounded waits: a hung or dead endpoint ends a refresh or who-am-I quickly, with one line naming it.

Against the local AWS: its ``hang_seconds`` fault holds every request without answering (far past
the client's read timeout), and the request log counts what reached it. Timeouts are module
constants of :mod:`mfa_tui.core.aws.clients`; the tests shrink them to one second so a "timed out" costs a
second, and check the real defaults separately. What must hold whatever the timeouts: an endpoint
that does not answer is tried twice per call, then known down for the rest of the run, so later
calls fail at once with the same reason; throttling and 5xx keep botocore's standard retries.
"""

from __future__ import annotations

import time

import pytest
from socket_support import SilentEndpoint

from mfa_tui.cli import main
from mfa_tui.core.aws import clients as aws
from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import SystemClock
from mfa_tui.core.errors import EndpointError, ThrottledError
from mfa_tui.core.service.facade import Service

CHAINED = ["dev-admin", "dev-readonly", "staging-admin", "staging-readonly", "prod-admin", "prod-readonly"]
HANG = 120.0
"""How long the local AWS holds a hung request: far beyond any timeout (released at teardown)."""


@pytest.fixture
def fast_timeouts(monkeypatch):
    """One-second timeouts and a clean memory of down endpoints (before and after: it is per process)."""
    monkeypatch.setattr(aws, "CONNECT_TIMEOUT", 1)
    monkeypatch.setattr(aws, "READ_TIMEOUT", 1)
    aws.endpoint_health.forget()
    yield
    aws.endpoint_health.forget()


@pytest.fixture
def cli_clock(frozen_clock, monkeypatch):
    """The in-process CLI on the frozen clock the local AWS runs on."""
    monkeypatch.setattr(SystemClock, "now", lambda _self: frozen_clock.now())
    return frozen_clock


def _service(world, clock) -> Service:
    return Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=clock)


def _sts_client(endpoint: str, **kwargs):
    return aws.client("sts", aws.Keys("AKIAEXAMPLE000000000", "not-a-secret"), endpoint_url=endpoint, **kwargs)


def test_the_default_waits_are_bounded():
    client = _sts_client("http://127.0.0.1:9")
    assert client.meta.config.connect_timeout == aws.CONNECT_TIMEOUT <= 5
    assert client.meta.config.read_timeout == aws.READ_TIMEOUT <= 10
    assert aws.UNREACHABLE_ATTEMPTS == 2 and aws.MAX_ATTEMPTS == 5
    # One call to a hung endpoint: two attempts, each ending at the read (or connect) timeout.
    assert aws.UNREACHABLE_ATTEMPTS * max(aws.CONNECT_TIMEOUT, aws.READ_TIMEOUT) < 30


def test_refresh_against_a_hung_endpoint_ends_in_one_wait_with_one_line_naming_it(
    demo_world, cli_clock, fast_timeouts, capsys
):
    local_aws = demo_world.aws
    local_aws.faults.set(hang_seconds=HANG)
    started = time.monotonic()
    assert main(["refresh", "--all", "--code", demo_world.code()]) == 1
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    # Two attempts of one second each (plus botocore's sub-second back-off); a generous margin.
    assert elapsed < 15, elapsed
    assert local_aws.count("GetSessionToken") == 2  # the code's call, tried twice, never five times
    assert local_aws.count("AssumeRole") == 0
    endpoint = demo_world.endpoint
    line = next(line for line in err.splitlines() if line.startswith("alice:"))
    assert f"{endpoint} timed out" in line and "unexpected" not in line, err
    assert "Traceback" not in out + err


def test_who_am_i_of_many_profiles_waits_once_for_a_hung_endpoint(demo_world, frozen_clock, fast_timeouts):
    registry_edit.set_value(demo_world.config_path, ("settings",), "refresh_concurrency", 1)  # one call at a time
    service = _service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice", *CHAINED]), lambda _request: demo_world.code())
    assert not report.failed, report.failed[0].message
    local_aws = demo_world.aws
    local_aws.clear_calls()
    local_aws.faults.set(hang_seconds=HANG)

    started = time.monotonic()
    results = service.whoami(service.select(["alice", *CHAINED]))
    elapsed = time.monotonic() - started

    assert local_aws.count("GetCallerIdentity") == 2  # the first profile, twice; then the endpoint is known down
    assert elapsed < 15, elapsed
    messages = {name: str(result) for name, result in results.items()}
    assert set(messages) == {"alice", *CHAINED}
    for name, message in messages.items():
        assert isinstance(results[name], EndpointError), message
        assert message == f"profile {name}: {demo_world.endpoint} timed out; check the network or try again"


def test_an_endpoint_that_drops_every_connection_is_tried_twice_then_known_down(fast_timeouts):
    with SilentEndpoint(drop=True) as endpoint:
        client = _sts_client(endpoint.url)
        failures = []
        for name in ("one", "two", "three"):
            with pytest.raises(EndpointError) as caught:
                sts.caller_identity(client, what=f"profile {name}", clock=SystemClock(), endpoint=endpoint.url)
            failures.append(str(caught.value))
    assert endpoint.accepted == 2
    assert failures[0] == f"profile one: cannot reach {endpoint.url}: connection failed; check the network or endpoint_url"
    assert failures[1:] == [failures[0].replace("profile one", f"profile {n}") for n in ("two", "three")]


def test_an_endpoint_is_tried_again_once_its_down_time_is_over(demo_world, frozen_clock, fast_timeouts, monkeypatch):
    local_aws = demo_world.aws
    local_aws.faults.set(hang_seconds=HANG)
    client = aws.client("sts", aws.Keys(*demo_world.keys()), endpoint_url=demo_world.endpoint)
    with pytest.raises(EndpointError):
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    with pytest.raises(EndpointError):
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert local_aws.count("GetCallerIdentity") == 2  # the second call never left the process
    local_aws.faults.clear()
    monkeypatch.setattr(aws, "DOWN_FOR", 0.0)
    aws.endpoint_health.forget()
    with pytest.raises(EndpointError):  # marked down again, this time for no time at all
        local_aws.faults.set(hang_seconds=HANG)
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    local_aws.faults.clear()
    who = sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert who.arn.endswith(":user/alice")


def test_server_errors_keep_every_standard_retry(demo_world, frozen_clock, fast_timeouts):
    local_aws = demo_world.aws
    local_aws.faults.set(error_rate=1.0, actions={"GetCallerIdentity"})
    client = aws.client("sts", aws.Keys(*demo_world.keys()), endpoint_url=demo_world.endpoint)
    with pytest.raises(Exception) as caught:
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert "InternalError" in str(caught.value) and "after retries" in str(caught.value)
    assert local_aws.count("GetCallerIdentity") == aws.MAX_ATTEMPTS
    local_aws.faults.clear()
    # A 500 is an answer: the endpoint is not "down".
    assert sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)


def test_throttling_is_still_retried(demo_world, frozen_clock, fast_timeouts):
    local_aws = demo_world.aws
    local_aws.faults.set(throttle_rate=1.0, actions={"GetCallerIdentity"})
    # Three attempts, not five: botocore backs off a second or more per throttled attempt.
    client = aws.client("sts", aws.Keys(*demo_world.keys()), endpoint_url=demo_world.endpoint, max_attempts=3)
    with pytest.raises(ThrottledError):
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert local_aws.count("GetCallerIdentity") == 3
