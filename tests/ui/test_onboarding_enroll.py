"""Enrolling from the dashboard ends with something to refresh (issue 14): bob, who has no profile,
gets his MFA-session profile once his new device is enabled, and its next code refreshes it."""

from __future__ import annotations

import pyotp
from app_support import SIZE, main_screen, make_app, refresh_one
from pilot_support import settle

from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import totp_step
from mfa_tui.ui.screens.enroll import EnrollScreen

BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


async def _wait_for_screen(pilot, kind):
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(pilot.app.screen, kind) and pilot.app.screen.busy is None:
            return pilot.app.screen
    raise AssertionError(f"no idle {kind.__name__}; showing {pilot.app.screen!r}")


async def test_enrol_bob_in_the_dashboard_then_refresh_his_new_profile(service, demo_world, local_aws, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = main_screen(app)
        assert not main.table.move_cursor("bob")
        main.panes.open_enrolment("bob")
        screen = await _wait_for_screen(pilot, EnrollScreen)
        await pilot.press("c")
        screen = await _wait_for_screen(pilot, EnrollScreen)
        seed = screen.flow.secret()
        totp = pyotp.TOTP(seed)
        step = totp_step(frozen_clock.now())
        await pilot.press(*totp.generate_otp(step))
        await pilot.press(*totp.generate_otp(step + 1), "enter")
        screen = await _wait_for_screen(pilot, EnrollScreen)
        assert screen.enabled_serial == BOB_SERIAL
        assert "Added profile bob (the MFA session of identity bob)" in screen.status_text
        assert registry.load(demo_world.config_path).profiles["bob"].identity == "bob"

        await pilot.press("escape")
        await settle(pilot)
        assert main.table.move_cursor("bob"), "the new profile has a row"
        frozen_clock.advance(60)  # past the two steps the enable spent
        await refresh_one(pilot, "bob", totp.at(frozen_clock.now()))
        assert "[bob]" in demo_world.credentials_path.read_text()
    assert local_aws.count("GetSessionToken") == 1
