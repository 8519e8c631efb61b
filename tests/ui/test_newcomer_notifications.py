"""The dashboard's notifications as a newcomer reads them (issue 14, item 6).

- one line per distinct error, with the profiles it hit, not the same error three times and
  "… and 4 more";
- "Nothing refreshed: no code entered", never "0 profiles refreshed, 8 skipped", when nothing ran;
- the key to press in the dashboard, not a CLI command (``mfa-tui refresh NAME``).
"""

from __future__ import annotations

from app_support import (
    SIZE,
    Recorder,
    enter_code,
    main_screen,
    make_app,
    move_to,
    refresh_one,
    settle,
    token_dialog,
    wrong_code,
)

from mfa_tui.core.models import ProfileKind, ProfileStatus, State
from mfa_tui.ui.summaries import dashboard_words, distinct_failures
from mfa_tui.ui.widgets.detail import DetailPane


async def test_escape_in_the_token_dialog_says_nothing_was_refreshed_and_why(service, demo_world):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("R")
        await token_dialog(pilot)
        await pilot.press("escape")  # no code for alice's MFA session ...
        dialog = await token_dialog(pilot)
        assert dialog.request.purpose == "direct-role"
        await pilot.press("escape")  # ... nor for the direct role
        await settle(pilot)
        [summary] = record.notes_titled("Refresh")
        assert summary == "Nothing refreshed: no code entered. 8 profiles keep their previous credentials."


async def test_a_refused_code_is_said_once_for_every_profile_it_failed(service, demo_world, local_aws):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("R")
        await enter_code(pilot, wrong_code(local_aws, demo_world.alice_serial))
        dialog = await token_dialog(pilot)
        assert dialog.request.attempt == 2
        await pilot.press("escape")  # give up after AWS refused the code: a failure for every profile it was for
        dialog = await token_dialog(pilot)
        assert dialog.request.purpose == "direct-role"
        await pilot.press("escape")
        await settle(pilot)
        [summary] = record.notes_titled("Refresh")
        lines = summary.splitlines()
        assert lines[0] == "Nothing refreshed: 7 failed, 1 skipped (they keep their previous credentials)."
        refusals = [line for line in lines if "AWS refused the MFA code" in line]
        assert len(refusals) == 1, summary
        assert "(7 profiles: alice, dev-admin, " in refusals[0] and "and 2 more)" in refusals[0]
        assert "more (see each row's detail)" not in summary


def test_messages_that_differ_only_in_the_profile_name_are_one_line():
    failures = [(name, f"profile {name}: no credentials yet; refresh it first") for name in "abcdefg"]
    assert distinct_failures(failures) == ["no credentials yet; refresh it first (7 profiles: a, b, c, d, e and 2 more)"]
    assert distinct_failures(failures[:1]) == ["profile a: no credentials yet; refresh it first"]
    many = [(f"p{i}", f"profile p{i}: error {i}") for i in range(5)]
    assert distinct_failures(many)[-1] == "… and 2 more errors (see each row's detail)"


def test_cli_commands_in_core_messages_become_the_dashboards_keys():
    assert dashboard_words(
        "profile dev-admin: the MFA session of identity alice has ended; refresh with a code (`mfa-tui refresh dev-admin`)"
    ) == "profile dev-admin: the MFA session of identity alice has ended; refresh with a code (press r on dev-admin)"
    assert dashboard_words("identity bob has no mfa_serial; enrol a device with `mfa-tui enroll bob`") == (
        "identity bob has no mfa_serial; enrol a device with e on a row of identity bob"
    )
    assert dashboard_words("IAM refuses most reads without MFA: run `mfa-tui refresh p` and try again") == (
        "IAM refuses most reads without MFA: press r on p and try again"
    )
    adopt = "let mfa-tui manage it with `mfa-tui refresh dev --adopt`"  # no key adopts: kept
    assert dashboard_words(adopt) == adopt


async def test_a_re_mint_aws_refuses_names_the_key_not_the_command(service, demo_world, frozen_clock):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        frozen_clock.advance(50 * 60)  # dev-admin is due for a re-mint
        demo_world.aws.ledger.reset()  # and AWS no longer accepts alice's MFA session (revoked)
        screen.remint_now()
        await settle(pilot)
        notes = record.notes_titled("Re-mint")
        assert any("refresh with a code (press r on dev-admin)" in n for n in notes), notes
        assert not any("mfa-tui " in n for n in record.notes), record.notes
        await move_to(pilot, "dev-admin")
        screen.tick()
        assert "press r on dev-admin" in screen.detail.plain_text
        assert "mfa-tui refresh" not in screen.detail.plain_text


async def test_the_detail_pane_names_the_key_too(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        pane = pilot.app.query_one(DetailPane)
        row = ProfileStatus(
            "dev-admin", "alice", ProfileKind.CHAINED_ROLE, State.ERROR, "222222222222", "dev", None, None, None,
            last_error="profile dev-admin: the MFA session has ended; refresh with a code (`mfa-tui refresh dev-admin`)",
        )
        pane.show(row, service.clock.now())
        assert "refresh with a code (press r on dev-admin)" in pane.plain_text
        assert "mfa-tui refresh" not in pane.plain_text
