"""Load: 500 profiles in 50 accounts with one code under injected faults, and a long soak.

The 500-profile refresh runs against the in-process local AWS with 5% throttling and 1%
HTTP 500s on every action (GetSessionToken included): botocore's retries absorb most of
them, and whatever is left must end as that profile's own one-line reason, with every
success written and nothing the user or other tools own touched.

The soak (``@pytest.mark.soak``; ``MFA_TUI_SOAK_SCALE`` sizes it, 1 = 200 rounds) drives one
long-lived :class:`Service`, as the dashboard holds one, through refreshes with re-mints in
between, against the local AWS in its own process (``mfa-tui demo serve``) so the open file
handles and memory measured are mfa-tui's alone.
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc

import psutil
import pytest
from rel_helpers import Codes, add_foreign_sections, check_credentials_file, figure, scaled, soak_scale

from mfa_tui.core.registry import load as registry
from mfa_tui.core.models import ProfileKind, State, Strategy
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import StateStore
from mfa_tui.localaws.demo import build_world, demo_code


def test_500_profiles_in_50_accounts_with_one_code_under_throttling_and_500s(
    local_aws, isolated_home, frozen_clock, capsys
):
    world = build_world(local_aws, isolated_home, accounts=51, roles_per_account=10)
    before = add_foreign_sections(world.credentials_path)
    registry_before = world.config_path.read_bytes()
    service = Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=frozen_clock)
    chained = [p for p in service.registry.profiles.values() if p.strategy is Strategy.CHAINED]
    roles = [p for p in chained if p.role_arn]
    assert len(roles) == 500 and len({p.role_account_id for p in roles}) == 50

    local_aws.faults.set(throttle_rate=0.05, error_rate=0.01, seed=2026)
    local_aws.clear_calls()
    codes = Codes(world)
    started = time.perf_counter()
    report = service.refresh(chained, codes)
    elapsed = time.perf_counter() - started
    local_aws.faults.clear()

    # One code for all of them.
    assert len(codes.requests) == 1
    assert set(report.results) == {p.name for p in chained}
    for result in report.failed:
        # Its own reason: names the profile, one line, and says what AWS did.
        assert result.message.startswith(f"profile {result.profile}: "), result.message
        assert "\n" not in result.message and ("throttled" in result.message or "HTTP 500" in result.message)
    succeeded = {r.profile: r for r in report.succeeded}
    assert len(succeeded) >= 495, [r.message for r in report.failed][:5]

    # Nothing lost: every success is in the file, exactly; foreign sections intact.
    written = check_credentials_file(world.credentials_path, before, local_aws.ledger)
    for name, result in succeeded.items():
        assert written[name]["aws_access_key_id"] == result.credentials.access_key_id
        assert written[name]["aws_session_token"] == result.credentials.session_token
    for result in report.failed:
        assert result.profile not in written
    state = StateStore().load()
    rows = {s.profile: s for s in service.statuses(state=state)}
    for name in succeeded:
        assert state.profiles[name].credentials == succeeded[name].credentials and rows[name].state is State.VALID
    for result in report.failed:
        assert rows[result.profile].state is State.ERROR and rows[result.profile].last_error == result.message
    assert world.config_path.read_bytes() == registry_before

    calls = local_aws.calls
    sessions = sum(1 for _, a in calls if a == "GetSessionToken")
    assumes = sum(1 for _, a in calls if a == "AssumeRole")
    figure(
        "load 500 profiles / 50 accounts / one code, 5% throttling + 1% 500s",
        capsys,
        seconds=round(elapsed, 2),
        requests=len(calls),
        get_session_token=sessions,
        assume_role=assumes,
        retried=len(calls) - 1 - len(roles),
        valid=len(succeeded),
        failed=len(report.failed),
    )


# ── soak ────────────────────────────────────────────────────────────────────────────────────


class DemoCodes:
    """Codes from the demo's stored seed at the real time (the server runs on the real clock)."""

    def __init__(self, home):
        self.home = home
        self.asked = 0

    def __call__(self, request):
        self.asked += 1
        if request.wait_seconds:
            time.sleep(request.wait_seconds + 0.1)
        return demo_code(self.home)[0]


def _usage(proc: psutil.Process) -> dict[str, float]:
    """Open file handles, RSS (MiB), live Python objects and, when tracing, traced memory (MiB)."""
    gc.collect()
    mib = 1024 * 1024
    usage = {"fds": proc.num_fds(), "rss_mib": round(proc.memory_info().rss / mib, 1), "objects": len(gc.get_objects())}
    if tracemalloc.is_tracing():
        usage["traced_mib"] = round(tracemalloc.get_traced_memory()[0] / mib, 2)
    return usage


@pytest.mark.soak
def test_soak_refreshes_with_remints_keep_file_handles_and_memory_flat(demo_server, capsys):
    server = demo_server(accounts=4, roles_per_account=5)
    rounds = scaled(200, minimum=20)
    # tracemalloc slows every allocation about five times: only the full soak pays for it;
    # the reduced run watches RSS and the count of live objects instead.
    trace = soak_scale() >= 1
    service = Service.open()
    chained = [p for p in service.registry.profiles.values() if p.kind is ProfileKind.CHAINED_ROLE]
    session = [p for p in service.registry.profiles.values() if p.kind is ProfileKind.MFA_SESSION]
    codes = DemoCodes(server.home)
    assert not service.refresh(session + chained, codes).failed
    proc = psutil.Process(os.getpid())

    def one_round() -> None:
        refreshed = service.refresh(chained, codes)  # the MFA session lives: no code, AssumeRole each
        assert not refreshed.failed, refreshed.failed[0].message
        reminted = service.remint(chained)
        assert not reminted.failed, reminted.failed[0].message

    if trace:
        tracemalloc.start()
    try:
        for _ in range(10):  # warm-up: connection pools, caches, lazy imports
            one_round()
        before = _usage(proc)
        started = time.perf_counter()
        for _ in range(rounds):
            one_round()
        elapsed = time.perf_counter() - started
        after = _usage(proc)
    finally:
        tracemalloc.stop()
    assert codes.asked == 1
    figure(
        f"soak {rounds} refreshes + {rounds} re-mints of {len(chained)} chained roles (one Service)",
        capsys,
        seconds=round(elapsed, 1),
        **{f"{k}_before": v for k, v in before.items()},
        **{f"{k}_after": v for k, v in after.items()},
    )
    # Generous bounds: a leak of one handle, one client or one report per round would exceed them.
    assert after["fds"] - before["fds"] <= 4
    assert after["rss_mib"] - before["rss_mib"] < 40
    assert after["objects"] - before["objects"] < 20 * rounds
    if trace:
        assert after["traced_mib"] - before["traced_mib"] < 4
