"""Pilot tests of the main screen's panes: ``p`` (effective policy), ``e`` and the palette (enrolment).

The panes have their own tests (test_policy_screen.py, test_enroll_screen.py); these check the
wiring: the right profile or identity, the way back, and that a device enabled from the dashboard
reaches the registry the dashboard then uses.
"""

from __future__ import annotations

import pyotp
from app_support import (
    SIZE,
    main_screen,
    make_app,
    settle,
    wait_for,
)

from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import totp_step
from mfa_tui.ui.screens.enroll import EnrollScreen
from mfa_tui.ui.screens.main import MainScreen
from mfa_tui.ui.screens.policy import PolicyScreen

BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


async def test_p_opens_the_policy_pane_of_the_selected_profile_and_escape_comes_back(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await pilot.press("j")
        await pilot.pause()
        chosen = screen.table.cursor_profile
        assert chosen == demo_world.profiles[1]
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyScreen), "the policy pane")
        assert app.screen.profile_name == chosen
        await wait_for(pilot, lambda: app.screen.report is not None or app.screen.error, "the policy report")
        assert app.screen.error is None, app.screen.error
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        assert screen.table.cursor_profile == chosen


async def test_e_opens_enrolment_for_the_selected_rows_identity(service, demo_world):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EnrollScreen), "the enrolment pane")
        pane = app.screen
        assert pane.flow.identity == "alice" and pane.flow.user_name == "alice"
        await wait_for(pilot, lambda: pane.busy is None and pane.devices, "alice's devices")
        assert "Press c" in pane.status_text
        assert [d.serial for d in pane.devices] == [demo_world.alice_serial]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")


async def test_a_device_enabled_from_the_palette_reaches_the_dashboards_registry(service, demo_world, local_aws):
    assert service.registry.identities["bob"].mfa_serial is None
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        [command] = [c for c in screen.palette_commands() if c.title == "Enrol MFA device: bob"]
        command.run()
        await wait_for(pilot, lambda: isinstance(app.screen, EnrollScreen), "the enrolment pane")
        pane = app.screen
        await wait_for(pilot, lambda: pane.busy is None and "Press c" in pane.status_text, "bob's devices")
        await pilot.press("c")
        await wait_for(pilot, lambda: pane.busy is None and pane.flow.serial, f"the new device ({pane.status_text!r}, focus {app.focused!r})")
        seed = pane.flow.secret()
        clock = demo_world.clock
        first = pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))
        clock.advance(30)
        second = pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))
        await pilot.press(*first, *second, "enter")
        await wait_for(pilot, lambda: pane.enabled_serial == BOB_SERIAL, "the device to be enabled")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        await settle(pilot)
    assert registry.load(demo_world.config_path).identities["bob"].mfa_serial == BOB_SERIAL
    assert service.registry.identities["bob"].mfa_serial == BOB_SERIAL  # the dashboard read it again
    assert service.engine.registry.identities["bob"].mfa_serial == BOB_SERIAL
    assert local_aws.count("EnableMFADevice") == 1


async def test_enrolment_for_an_identity_whose_keys_are_missing_is_one_line(service, demo_world):
    text = demo_world.credentials_path.read_text()
    demo_world.credentials_path.write_text(text.replace("[alice-long-term]", "[someone-else]"))
    messages: list = []
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    from pilot_support import notifications

    errors = [n for n in notifications(messages) if n.severity == "error"]
    assert len(errors) == 1 and errors[0].title == "enrolment failed"
    assert "\n" not in errors[0].message and "Traceback" not in errors[0].message
