"""Pilot tests of the dashboard's refresh flows against the local AWS.

One code refreshes every chained profile; a wrong code and a spent code are re-asked with the
reason shown; a failing role ends in an error row while the others turn valid; re-mint renews
chained roles without a dialog; who-am-I fills the ARN. Every test waits for the workers
before asserting.
"""

from __future__ import annotations

from datetime import timedelta

from app_support import (
    SIZE,
    Recorder,
    enter_code,
    main_screen,
    make_app,
    move_to,
    settle,
    token_dialog,
    wait_for,
    wrong_code,
)

from localaws_fixtures import delete_role
from mfa_tui.core.models import State
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.messages import RefreshFinished, RemintFinished

CHAINED_AND_SESSION = ["alice", "dev-admin", "dev-readonly", "staging-admin", "staging-readonly", "prod-admin", "prod-readonly"]


async def test_refresh_one_row_with_one_code(service, demo_world, local_aws):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        assert screen.table.state_of("dev-admin") is State.MISSING
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        dialog = await token_dialog(pilot)
        assert dialog.request.identity == "alice"
        assert "dev-admin" in dialog.query_one("#token-unlocks").render().plain
        assert demo_world.alice_serial in dialog.query_one("#token-device").render().plain
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        assert not isinstance(app.screen, TokenDialog)
        assert screen.table.state_of("dev-admin") is State.VALID
        row = screen.table.get_row("dev-admin")
        assert row.assumed_role_arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
        assert local_aws.count("GetSessionToken") == 1
        assert local_aws.count("AssumeRole") == 1
        assert any("1 profile refreshed" in n for n in record.notes_titled("Refresh"))
        assert "arn:aws:sts::222222222222:assumed-role/Admin/" in screen.detail.plain_text
        # The new MFA session shows on the identity's other rows too ("MFA left"), still missing themselves.
        other = screen.table.get_row("prod-admin")
        assert other.mfa_expires_at is not None and screen.table.state_of("prod-admin") is State.MISSING


async def test_R_refreshes_everything_stale_one_session_code_then_one_for_the_direct_role(
    service, demo_world, local_aws, frozen_clock
):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await pilot.press("R")
        first = await token_dialog(pilot)
        assert first.request.purpose == "mfa-session"
        assert set(first.request.profiles) == set(CHAINED_AND_SESSION)
        assert "7 profiles" in first.query_one("#token-unlocks").render().plain
        await enter_code(pilot, demo_world.code())
        # The direct role needs a code of its own, from a later step: the dialog says to wait.
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog) and app.screen is not first, "a second dialog")
        second = app.screen
        assert second.request.profiles == ("prod-readonly-direct",)
        assert second.wait_left > 0
        assert "Wait" in second.query_one("#token-wait").render().plain
        assert second.query_one("#token-submit").disabled
        code = demo_world.next_code()  # advances the frozen clock to the next step
        second.update_countdown()
        await pilot.press(*code)
        await pilot.pause()
        assert not second.query_one("#token-submit").disabled
        await pilot.press("enter")
        await settle(pilot)
        for name in demo_world.profiles:
            assert screen.table.state_of(name) is State.VALID, name
        assert local_aws.count("GetSessionToken") == 1
        assert local_aws.count("AssumeRole") == len(demo_world.profiles) - 1
        assert any("8 profiles refreshed" in n for n in record.notes_titled("Refresh"))
        # Everything is valid now: R has nothing to do and says so without a dialog.
        await pilot.press("R")
        await settle(pilot)
        assert not isinstance(app.screen, TokenDialog)
        assert any("Nothing to refresh" in n for n in record.notes)


async def test_wrong_code_is_re_asked_with_the_reason(service, demo_world, local_aws, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await enter_code(pilot, wrong_code(local_aws, demo_world.alice_serial))
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog) and app.screen.request.attempt == 2, "re-ask")
        again = app.screen
        error = again.query_one("#token-error").render().plain
        assert "AWS refused the MFA code: wrong, or already used" in error
        assert "attempt 2" in error
        # AWS refused it, so it blocks nothing but itself: the right code of the same step may follow.
        assert again.wait_left == 0
        await pilot.press(*demo_world.code(), "enter")
        await settle(pilot)
        assert screen.table.state_of("dev-admin") is State.VALID
        assert local_aws.count("GetSessionToken") == 2


async def test_spent_code_is_refused_and_skipping_leaves_an_error_row(service, demo_world, local_aws):
    """A code already used elsewhere is refused by AWS; the dialog then will not send it again."""
    record = Recorder()
    code = demo_world.code()
    # Someone (another tool) spends the current code first.
    demo_world.client("sts").get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=code)
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await enter_code(pilot, code)
        await wait_for(pilot, lambda: isinstance(app.screen, TokenDialog) and app.screen.request.attempt == 2, "re-ask")
        again = app.screen
        assert "already used" in again.query_one("#token-error").render().plain
        # Typing the same code again: it is never sent twice; the dialog says so as it is typed.
        await pilot.press(*code, "enter")
        await pilot.pause()
        assert app.screen is again and again.query_one("#token-submit").disabled
        assert f"{code} was already sent" in again.query_one("#token-wait").render().plain
        await pilot.press("escape")
        await settle(pilot)
        assert screen.table.state_of("dev-admin") is State.ERROR
        error = screen.table.get_row("dev-admin").last_error
        # Skipped after AWS refused a code: the refusal is what the row keeps.
        assert "AWS refused the MFA code: wrong, or already used" in error
        assert local_aws.count("GetSessionToken") == 2  # ours once, never twice with the spent code
        assert any("failed" in n for n in record.notes_titled("Refresh"))


async def test_one_failing_role_does_not_stop_the_others(service, demo_world, local_aws):
    delete_role("222222222222", "ReadOnly")
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        for name in ("dev-admin", "dev-readonly", "prod-admin"):
            await move_to(pilot, name)
            await pilot.press("space")
        assert screen.table.marked == {"dev-admin", "dev-readonly", "prod-admin"}
        await pilot.pause()
        assert "3 marked" in str(screen.query_one("#status-line").render())
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        assert screen.table.state_of("dev-admin") is State.VALID
        assert screen.table.state_of("prod-admin") is State.VALID
        assert screen.table.state_of("dev-readonly") is State.ERROR
        error = screen.table.get_row("dev-readonly").last_error
        assert "dev-readonly" in error and "Traceback" not in error
        await move_to(pilot, "dev-readonly")
        screen.tick()
        assert error in screen.detail.plain_text
        assert any("2 profiles refreshed, 1 failed" in n for n in record.notes_titled("Refresh"))
        assert screen.table.marked == set()


async def test_remint_renews_chained_roles_without_a_dialog(service, demo_world, local_aws, frozen_clock):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        before = screen.table.get_row("dev-admin").expires_at
        frozen_clock.advance(50 * 60)  # 10 minutes left on a 1-hour chained role
        screen.tick()
        assert screen.table.state_of("dev-admin") is State.EXPIRING
        screen.remint_now()
        await settle(pilot)
        assert not isinstance(app.screen, TokenDialog)
        after = screen.table.get_row("dev-admin")
        assert screen.table.state_of("dev-admin") is State.VALID
        assert after.expires_at - before >= timedelta(minutes=49)
        assert local_aws.count("GetSessionToken") == 1
        assert local_aws.count("AssumeRole") == 2
        # Only profiles minted before are renewed; the others stay as the user left them.
        assert screen.table.state_of("prod-readonly") is State.MISSING
        assert any("Re-minted 1 role" in n for n in record.notes_titled("Re-mint"))


async def test_remint_timer_rearms_after_each_run(service, demo_world):
    """The timer fires, the worker runs, and only its end re-arms the timer: runs follow each other."""
    record = Recorder()
    app = make_app(service, remint_every=0.05)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        finished = lambda: [m for m in record.messages if isinstance(m, RemintFinished)]  # noqa: E731
        await wait_for(pilot, lambda: len(finished()) >= 3, "three timer-driven re-mints", timeout=15)
        assert all(m.rearm and m.error is None for m in finished())
        assert not isinstance(app.screen, TokenDialog)


async def test_mfa_session_ending_sets_the_subtitle_and_notifies_once(service, demo_world, frozen_clock):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "alice")
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        assert app.sub_title == ""
        frozen_clock.advance(12 * 3600 - 10 * 60)  # the 12-hour MFA session has 10 minutes left
        screen.tick()
        screen.tick()
        await pilot.pause()
        assert app.sub_title.startswith("MFA session of alice ends in")
        assert len(record.notes_titled("MFA session ending")) == 1
        frozen_clock.advance(11 * 60)
        screen.tick()
        assert "has ended" in app.sub_title
        assert len(record.notes_titled("MFA session ending")) == 1


async def test_whoami_selected_and_all(service, demo_world, local_aws):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        who = screen.table.get_row("dev-admin").whoami
        assert who is not None and who.account == "222222222222" and not who.mismatch
        assert who.arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
        assert who.arn in screen.detail.plain_text
        assert local_aws.count("GetCallerIdentity") == 1
        await pilot.press("W")
        await settle(pilot)
        assert any(n.startswith("2 checked") and "not checked" in n for n in record.notes_titled("Who am I"))
        await move_to(pilot, "prod-admin")
        screen.tick()
        assert "refresh it first" in screen.detail.plain_text


async def test_q_quits_with_exit_code_0(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to exit", timeout=5)
    assert app.return_code == 0


async def test_quit_during_a_refresh_asks_first_and_never_hangs_on_the_waiting_worker(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await move_to(pilot, "dev-admin")
        await pilot.press("r")
        await token_dialog(pilot)
        await app.run_action("quit")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TokenDialog) and app.is_running
        await app.run_action("quit")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, "the app to exit", timeout=10)


async def test_rows_turn_valid_as_soon_as_their_credentials_are_written(service, demo_world, local_aws):
    """Each row is valid (with its expiry) before the run's end-of-run message is handled."""
    seen_before_end: dict[str, State] = {}
    app = make_app(service)

    def hook(message) -> None:  # called as each message is dispatched, before its handler
        if isinstance(message, RefreshFinished) and not seen_before_end:  # first dispatch: the screen's
            table = main_screen(app).table
            seen_before_end.update({name: table.state_of(name) for name in CHAINED_AND_SESSION})

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        screen = main_screen(app)
        await pilot.press("R")
        await enter_code(pilot, demo_world.code())
        await token_dialog(pilot)  # the direct role's own code: skipped here
        await pilot.press("escape")
        await settle(pilot)
        assert seen_before_end == {name: State.VALID for name in CHAINED_AND_SESSION}
        assert screen.table.get_row("dev-admin").expires_at is not None
