"""Pilot tests of the enrolment screen against the local AWS, and one snapshot paired with content checks.

A tiny host App pushes :class:`EnrollScreen` with an :class:`Enrolment` built from the demo
registry; every test waits for the screen's worker before asserting.
"""

from __future__ import annotations

import pyotp
import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from mfa_tui.core.registry import load as registry
from mfa_tui.core.clock import totp_step
from mfa_tui.core.enroll.device import open_enrolment
from mfa_tui.core.service.facade import Service
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.enroll import CodeInput, EnrollScreen
from mfa_tui.ui.textual_private import screen_lines

SIZE = (100, 30)
BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


class Host(App):
    """Pushes the screen on mount and records what it is dismissed with."""

    def __init__(self, screen: EnrollScreen) -> None:
        super().__init__()
        self.enroll = screen
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.enroll, self.results.append)


def _flow(world, identity: str = "bob"):
    return open_enrolment(registry.load(world.config_path), identity, clock=world.clock)


def _flow_with_session(world, identity: str = "alice"):
    """As the dashboard opens it, the identity refreshed first: deletes need its live MFA session."""
    service = Service.open(world.config_path, clock=world.clock)
    report = service.refresh(service.select([identity]), lambda _req: world.code(identity))
    assert all(r.ok for r in report.results.values()), report.results
    return open_enrolment(service.registry, identity, clock=world.clock,
                          mfa_session=lambda: service.mfa_session(identity))


ALICE_2 = "arn:aws:iam::111111111111:mfa/alice-2"


async def settle(pilot) -> None:
    """Wait until the screen's AWS call (and any call it chains) is done."""
    for _ in range(20):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.enroll
        if screen.busy is None and not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError(f"screen still busy with {pilot.app.enroll.busy}")


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def screen_text(app: App) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(screen_lines(app.screen))


async def type_codes(pilot, code1: str, code2: str) -> None:
    await pilot.press(*code1)
    await pilot.press(*code2, "enter")
    await settle(pilot)


def _pair(seed: str, clock) -> tuple[str, str]:
    first = pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))
    clock.advance(30)
    return first, pyotp.TOTP(seed).generate_otp(totp_step(clock.now()))


async def test_enrol_bob_end_to_end(demo_world, local_aws):
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.enroll
        assert str(screen.query_one("#devices-heading").render()) == "Devices (0 of 8)"
        assert "Press c to create" in screen.status_text

        await pilot.press("c")
        await settle(pilot)
        assert flow.serial == BOB_SERIAL
        seed = flow.secret()
        shown = screen_text(app)
        for line in flow.qr_lines()[1:-1]:
            assert line.strip() in shown  # the QR code is on screen
        assert seed not in shown  # the secret is hidden until asked for
        assert isinstance(app.focused, CodeInput)

        # A letter in a code field is not typed into it: it reaches the screen's binding.
        await pilot.press("s")
        assert seed in screen_text(app).replace("\n", "").replace(" ", "")
        assert screen.query_one("#code1", CodeInput).value == ""
        await pilot.press("s")
        assert seed not in screen_text(app).replace("\n", "").replace(" ", "")

        await type_codes(pilot, *_pair(seed, demo_world.clock))
        assert screen.enabled_serial == BOB_SERIAL
        assert screen.status_text.startswith(f"Enabled {BOB_SERIAL}. Recorded in [identities.bob]. Added profile bob ")
        assert "Enabled" in text_of(screen, "#qr")
        assert not flow.has_secret and seed not in screen_text(app)
        assert screen.query_one("#devices", DataTable).row_count == 1
        assert registry.load(demo_world.config_path).identities["bob"].mfa_serial == BOB_SERIAL

        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [BOB_SERIAL]
    assert local_aws.count("EnableMFADevice") == 1


async def test_wrong_codes_are_explained_and_nothing_is_sent(demo_world, local_aws):
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        code = pyotp.TOTP(flow.secret()).generate_otp(totp_step(demo_world.clock.now()))
        await type_codes(pilot, code, code)
        screen = app.enroll
        assert "the two codes are the same" in screen.status_text
        assert "the two codes are the same" in text_of(screen, "#status")
        assert screen.query_one("#status").has_class("-error")
        assert screen.query_one("#code1", CodeInput).value == ""
        assert local_aws.count("EnableMFADevice") == 0
        assert flow.pending


async def test_escape_deletes_the_unfinished_device(demo_world, local_aws):
    flow = _flow_with_session(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert flow.serial == ALICE_2 and local_aws.device_seed(ALICE_2) is not None
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [None]
    assert local_aws.device_seed(ALICE_2) is None
    assert local_aws.count("DeleteVirtualMFADevice") == 2  # refused to the long-term keys, then the session's


async def test_escape_without_an_mfa_session_leaves_the_device_and_says_how(demo_world, local_aws):
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.results == [None]  # closed, no crash
        [note] = [n.message for n in app._notifications]
        assert note.startswith(f"Enrolment cancelled: the unfinished device {BOB_SERIAL} stays unassigned")
        assert f"--serial-number {BOB_SERIAL} --profile bob" in note
    assert local_aws.device_seed(BOB_SERIAL) is not None and not flow.pending


async def test_quitting_the_app_also_deletes_the_unfinished_device(demo_world, local_aws):
    flow = _flow_with_session(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.enroll.check_action("resync", ()) is False  # finish or cancel the new device first
        app.exit()
    assert local_aws.device_seed(ALICE_2) is None
    assert not flow.pending


async def test_taken_name_offers_the_unassigned_device(demo_world, local_aws):
    leftover = demo_world.client("iam", "bob").create_virtual_mfa_device(VirtualMFADeviceName="bob")
    seed = leftover["VirtualMFADevice"]["Base32StringSeed"].decode()
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.enroll.query_one("#name", Input).value == "bob-2"  # the default skips the leftover
        app.enroll.query_one("#name", Input).value = "bob"  # the user asks for the taken name
        await pilot.press("c")
        await settle(pilot)
        screen = app.enroll
        assert "already exists" in screen.status_text and screen.status_text.endswith("Press u to use it.")
        assert screen.unassigned == BOB_SERIAL
        await pilot.press("escape")  # leave the name field (focused for a new name) ...
        await settle(pilot)
    # ... which closes the screen: nothing was created, so nothing is deleted.
    assert app.results == [None]
    assert local_aws.device_seed(BOB_SERIAL) == seed

    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.enroll.query_one("#name", Input).value = "bob"
        await pilot.press("c")
        await settle(pilot)
        app.enroll.query_one("#devices").focus()
        await pilot.press("u")
        assert "Using " + BOB_SERIAL in app.enroll.status_text
        await type_codes(pilot, *_pair(seed, demo_world.clock))
        assert app.enroll.enabled_serial == BOB_SERIAL


async def test_resync_the_selected_device(demo_world, local_aws):
    serial = demo_world.alice_serial
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.enroll
        assert screen.query_one("#devices", DataTable).row_count == 1
        await pilot.press("r")
        assert screen.mode == "resync"
        assert "█" in text_of(screen, "#step") and "30s" in text_of(screen, "#step")
        await type_codes(
            pilot, local_aws.current_code(serial, offset_steps=3), local_aws.current_code(serial, offset_steps=4)
        )
        assert screen.status_text == f"Resynced {serial}."
        assert screen.mode == "idle"
    assert local_aws.count("ResyncMFADevice") == 1


@pytest.mark.parametrize("answer", ["n", "y"])
async def test_delete_asks_for_confirmation(demo_world, local_aws, answer):
    serial = demo_world.alice_serial
    app = Host(EnrollScreen(_flow_with_session(demo_world)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert serial in app.screen.question
        await pilot.press(answer)
        await settle(pilot)
        rows = app.enroll.query_one("#devices", DataTable).row_count
    if answer == "y":
        assert rows == 0 and local_aws.device_seed(serial) is None
        assert local_aws.count("DeactivateMFADevice") == 1
    else:
        assert rows == 1 and local_aws.device_seed(serial) is not None
        assert local_aws.count("DeactivateMFADevice") == 0


async def test_delete_without_an_mfa_session_is_an_error_line(demo_world, local_aws):
    serial = demo_world.alice_serial
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        screen = app.enroll
        assert app.screen is screen and screen.query_one("#status").has_class("-error")
        assert "no live MFA session: run `mfa-tui refresh alice` first" in screen.status_text
        assert screen.query_one("#devices", DataTable).row_count == 1
    assert local_aws.device_seed(serial) is not None


def test_snapshot_with_a_new_device_secret_masked(snap_compare, demo_world, local_aws):
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow, mask_secrets=True))
    checked: list[bool] = []

    async def create_and_check(pilot) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        # Paired with the snapshot: the content is really there (not a blank or crashed screen).
        shown = screen_text(app)
        assert "Enrol an MFA device · IAM user bob · account 111111111111 · identity bob" in shown
        assert "QR masked" in shown
        assert f"Created {BOB_SERIAL}." in shown.replace("\n", " ")
        assert "30s" in shown
        assert flow.secret() not in shown.replace("\n", "").replace(" ", "")
        await pilot.press("s")
        assert "Secret: (masked)" in screen_text(app)
        await pilot.press("s")
        # A blinking cursor would make the picture depend on timing.
        for field in app.enroll.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        checked.append(True)

    assert snap_compare(app, terminal_size=SIZE, run_before=create_and_check)
    assert checked == [True]


async def test_a_code_field_shows_all_six_digits(demo_world, local_aws):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.press(*"123456")
        await pilot.press(*"654321")
        assert app.enroll.query_one("#code2", Input).value == "654321"
        shown = screen_text(app)
        assert "123456" in shown  # the first field, no longer focused
        assert "654321" in shown  # the second, focused, with its cursor after the last digit


async def test_two_codes_pasted_at_once_fill_both_fields(demo_world, local_aws):
    from textual.events import Paste

    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        screen = app.enroll
        screen.query_one("#code1", Input).post_message(Paste("123456 654321\n"))
        await pilot.pause()
        assert screen.query_one("#code1", Input).value == "123456"
        assert screen.query_one("#code2", Input).value == "654321"
        assert app.focused is screen.query_one("#code2", Input)


async def test_two_codes_typed_in_one_burst_fill_both_fields(demo_world, local_aws):
    """A paste without bracketed paste arrives as keys, faster than the focus moves to the second field."""
    from textual.events import Key

    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        screen = app.enroll
        first = screen.query_one("#code1", Input)
        for digit in "123456654321":
            first.post_message(Key(digit, digit))
        await pilot.pause()
        assert first.value == "123456"
        assert screen.query_one("#code2", Input).value == "654321"
