"""Re-mint in the dashboard (issue 11, finding 5): a failing role backs off and is notified once;
"Re-mint now" does not start beside a refresh; a re-mint and a refresh never overlap."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from app_support import (
    SIZE,
    Recorder,
    main_screen,
    make_app,
    move_to,
    refresh_one,
    settle,
    token_dialog,
    wait_for,
)

from localaws_fixtures import delete_role
from mfa_tui.core.session.refresh import ProfileResult
from mfa_tui.ui.messages import RemintFinished
from mfa_tui.core.session.status import due_for_remint
from mfa_tui.ui.remint import BACKOFF_MAX, RemintBackoff

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def failed(name: str, message: str) -> dict[str, ProfileResult]:
    return {name: ProfileResult(name, ok=False, message=message)}


def test_backoff_doubles_from_one_minute_up_to_thirty_and_a_success_forgets():
    backoff = RemintBackoff()
    waits = []
    now = NOW
    for _ in range(8):
        backoff.record(failed("dev-admin", "AccessDenied"), now)
        retry = backoff.failing["dev-admin"].retry_at
        waits.append((retry - now).total_seconds() / 60)
        assert backoff.waiting(now) == {"dev-admin"}
        assert backoff.waiting(retry) == set()
        now = retry
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    assert BACKOFF_MAX == 30 * 60
    assert "failed 8 times in a row; next try after 30m" in backoff.note("dev-admin")
    backoff.record({"dev-admin": ProfileResult("dev-admin", ok=True)}, now)
    assert backoff.waiting(now) == set() and backoff.note("dev-admin") is None


def test_backoff_tells_a_failure_once_until_its_error_changes():
    backoff = RemintBackoff()
    assert backoff.record(failed("a", "AccessDenied"), NOW) == ["AccessDenied"]
    assert backoff.record(failed("a", "AccessDenied"), NOW + timedelta(minutes=1)) == []
    assert backoff.record(failed("a", "Throttling"), NOW + timedelta(minutes=3)) == ["Throttling"]
    assert backoff.failing["a"].failures == 3  # a new error is news, not a new start
    backoff.record({"a": ProfileResult("a", ok=True)}, NOW + timedelta(minutes=10))
    assert backoff.record(failed("a", "Throttling"), NOW + timedelta(minutes=50)) == ["Throttling"]
    # A skipped profile (no code, cancelled) is neither a failure nor a success.
    skipped = {"b": ProfileResult("b", ok=False, message="cancelled", skipped=True)}
    assert backoff.record(skipped, NOW) == [] and "b" not in backoff.failing
    backoff.forget(["a"])
    assert backoff.failing == {}


def test_due_for_remint_takes_live_sessions_chained_roles_expiring_soon(service):
    from dataclasses import replace

    rows = {row.profile: row for row in service.statuses()}
    live = NOW + timedelta(hours=5)
    soon, later = NOW + timedelta(minutes=10), NOW + timedelta(minutes=50)
    picked = due_for_remint(
        [
            replace(rows["dev-admin"], expires_at=soon, mfa_expires_at=live),
            replace(rows["dev-readonly"], expires_at=later, mfa_expires_at=live),
            replace(rows["prod-admin"], expires_at=soon, mfa_expires_at=None),  # no MFA session
            replace(rows["prod-readonly"], expires_at=None, mfa_expires_at=live),  # never minted
            replace(rows["prod-readonly-direct"], expires_at=soon, mfa_expires_at=live),  # not chained
            replace(rows["alice"], expires_at=soon, mfa_expires_at=live),  # the session itself
        ],
        NOW,
        15 * 60,
    )
    assert picked == ["dev-admin"]


async def test_a_failing_remint_backs_off_and_is_notified_once(service, demo_world, local_aws, frozen_clock):
    record = Recorder()
    app = make_app(service, remint_every=0.05)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        assert local_aws.count("AssumeRole") == 1
        delete_role("222222222222", "Admin")
        frozen_clock.advance(50 * 60)  # 10 minutes left: due for re-mint
        finished = lambda: [m for m in record.messages if isinstance(m, RemintFinished)]  # noqa: E731
        runs = len(finished())
        await wait_for(pilot, lambda: len(finished()) >= runs + 8, "eight more timer runs", timeout=15)
        # Tried once, told once, although the timer ran again and again.
        assert local_aws.count("AssumeRole") == 2
        failures = [n for n in record.notes_titled("Re-mint") if "failed" in n]
        assert len(failures) == 1 and "dev-admin" in failures[0]
        await move_to(pilot, "dev-admin")
        screen.tick()
        assert "failed 1 time in a row; next try after 1m" in screen.detail.plain_text
        # A minute later it is tried again, and the same error is not told again.
        frozen_clock.advance(61)
        await wait_for(pilot, lambda: local_aws.count("AssumeRole") == 3, "the second attempt", timeout=10)
        runs = len(finished())
        await wait_for(pilot, lambda: len(finished()) >= runs + 5, "five more timer runs", timeout=15)
        assert local_aws.count("AssumeRole") == 3
        assert len([n for n in record.notes_titled("Re-mint") if "failed" in n]) == 1
        screen.tick()
        assert "failed 2 times in a row; next try after 2m" in screen.detail.plain_text
        # "Re-mint now" tries at once, backed off or not, and says how it went.
        screen.remint_now()
        await wait_for(pilot, lambda: local_aws.count("AssumeRole") == 4, "the manual attempt", timeout=10)
        await wait_for(pilot, lambda: len([n for n in record.notes_titled("Re-mint") if "failed" in n]) == 2,
                       "the manual attempt's summary")


async def test_remint_now_does_not_start_while_a_refresh_runs(service, demo_world, monkeypatch):
    record = Recorder()
    calls = []
    real = service.remint
    monkeypatch.setattr(service, "remint", lambda *a, **k: calls.append(a) or real(*a, **k))
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await token_dialog(pilot)  # the refresh waits for a code
        screen.remint_now()
        await pilot.pause()
        assert not screen.is_busy("remint") and calls == []
        assert any("refresh is running" in n for n in record.notes)
        await pilot.press("escape")
        await settle(pilot)


async def test_a_remint_and_a_refresh_never_overlap(service, demo_world, local_aws, frozen_clock, monkeypatch):
    """A refresh started while a re-mint is in flight waits for it (and the other way round, the re-mint does not run)."""
    spans: dict[str, list[tuple[float, float]]] = {"remint": [], "refresh": []}
    inside = threading.Event()

    def timed(name, real):
        def call(*args, **kwargs):
            start = time.monotonic()
            inside.set()
            try:
                return real(*args, **kwargs)
            finally:
                spans[name].append((start, time.monotonic()))
        return call

    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        monkeypatch.setattr(service, "remint", timed("remint", service.remint))
        monkeypatch.setattr(service, "refresh", timed("refresh", service.refresh))
        frozen_clock.advance(50 * 60)
        local_aws.faults.set(delay_seconds=0.8, actions={"AssumeRole"})
        screen.remint_now()
        await wait_for(pilot, inside.is_set, "the re-mint to call AWS")
        await move_to(pilot, "prod-admin")
        await pilot.press("r")  # the MFA session lives: no dialog, the refresh just waits its turn
        await settle(pilot)
        assert len(spans["remint"]) == 1 and len(spans["refresh"]) == 1
        (_, remint_end), (refresh_start, _) = spans["remint"][0], spans["refresh"][0]
        assert remint_end <= refresh_start, (spans, "the refresh started while the re-mint ran")
        # And a timer-driven re-mint due while a refresh runs does not run then.
        await move_to(pilot, "dev-readonly")
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.runs.running("refresh"), "the refresh")
        screen.remints._due()
        await settle(pilot)
        assert len(spans["remint"]) == 1


async def test_remint_now_during_a_background_remint_runs_after_it(service, demo_world, local_aws, frozen_clock):
    """ "Re-mint now" pressed while the timer's re-mint is in flight is not dropped: it runs next.

    The timer's run leaves backed-off roles out; the user asked for all of them, so telling them
    "already running" and doing nothing would lose the request (CI caught this as a race).
    """
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        frozen_clock.advance(50 * 60)
        local_aws.faults.set(delay_seconds=0.8, actions={"AssumeRole"})
        screen.remints._due()  # the timer's run
        await wait_for(pilot, lambda: screen.is_busy("remint"), "the background re-mint")
        screen.remint_now()
        await wait_for(pilot, lambda: any("Nothing to re-mint" in n for n in record.notes), "the manual run", timeout=10)
        assert not any("already running" in n for n in record.notes)
        assert local_aws.count("AssumeRole") == 2  # the background run re-minted; the manual found it fresh
        await settle(pilot)
