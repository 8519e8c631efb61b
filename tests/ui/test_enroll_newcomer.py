"""The enrolment pane's rough edges for a newcomer (issue 14): names, labels, deleting, small terminals, quitting."""

from __future__ import annotations

from urllib.parse import unquote

from app_support import main_screen, make_app
from pilot_support import wait_for
from textual.widgets import Button, Input, Static

from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.enroll import EnrollScreen
from mfa_tui.ui.widgets.device_table import DeviceTable
from tests.ui.test_enroll_screen import Host, _flow, screen_text, settle, text_of

BOB_SERIAL = "arn:aws:iam::111111111111:mfa/bob"


def _virtual_serials(world) -> list[str]:
    page = world.client("iam", "alice").list_virtual_mfa_devices()
    return [d["SerialNumber"] for d in page["VirtualMFADevices"]]


async def test_the_default_name_is_unique_and_the_label_names_the_device(demo_world, local_aws):
    flow = _flow(demo_world, "alice")  # alice already has a device called alice
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.enroll
        assert screen.query_one("#name", Input).value == "alice-2"
        await pilot.press("c")
        await settle(pilot)
        assert flow.serial == "arn:aws:iam::111111111111:mfa/alice-2", screen.status_text
        assert unquote(flow.uri()).startswith("otpauth://totp/AWS:alice@111111111111 (alice-2)?")
        # A name the user typed is theirs: a new list of devices leaves it alone.
        await pilot.press("escape")
        await settle(pilot)


async def test_deleting_the_registry_device_warns_and_shows_the_keys(demo_world, local_aws):
    flow = _flow(demo_world, "alice")
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.enroll.query_one(DeviceTable)
        assert table.selected().serial == demo_world.alice_serial == flow.registry_serial
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        question = str(dialog.query_one("#confirm-question", Static).render())
        assert "the device the registry uses ([identities.alice] mfa_serial)" in question
        assert "y: delete it · n or Esc: keep it" in question
        labels = [str(b.label) for b in dialog.query(Button)]
        assert labels == ["y  Yes, delete", "n  No, keep it"]
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is app.enroll and demo_world.alice_serial in _virtual_serials(demo_world)


async def test_a_new_device_list_keeps_the_cursor_and_the_focus(demo_world, local_aws):
    flow = _flow(demo_world, "alice")
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.enroll
        # A second device, enabled outside the pane; then the list is read again.
        demo_world.client("iam", "alice").create_virtual_mfa_device(VirtualMFADeviceName="aaa-backup")
        devices = screen.devices
        table = screen.query_one(DeviceTable)
        table.focus()
        await pilot.pause()
        selected = table.selected().serial
        screen._refresh_devices()
        await settle(pilot)
        assert screen.devices == devices  # (unassigned devices are not listed)
        assert table.selected().serial == selected and app.focused is table
        screen.query_one("#name", Input).focus()
        screen._refresh_devices()
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "name"  # the focus stays where the user put it


async def test_at_60x20_the_qr_code_says_to_enlarge_and_offers_the_secret(demo_world, local_aws):
    flow = _flow(demo_world)
    app = Host(EnrollScreen(flow))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        seed = flow.secret()
        qr = text_of(app.enroll, "#qr")
        assert "Enlarge the terminal to scan" in qr and "press s for the secret" in qr
        table = app.enroll.query_one(DeviceTable)
        assert table.compact and table.virtual_size.width <= table.size.width  # no cut-off column
        shown = screen_text(app)
        assert "Enlarge the terminal" in shown
        assert seed not in shown.replace("\n", "").replace(" ", "")  # only on request
        assert not any(line.strip() in shown for line in flow.qr_lines()[2:-2])  # no cut QR code
        await pilot.press("s")
        await pilot.pause()
        assert seed in text_of(app.enroll, "#secret") and "otpauth://" in text_of(app.enroll, "#secret")
        await pilot.press("s")
        # Enlarged: the code is drawn whole.
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert "Enlarge" not in text_of(app.enroll, "#qr")
        shown = screen_text(app)
        assert all(line.strip() in shown for line in flow.qr_lines()[1:-1])
        await pilot.press("escape")
        await settle(pilot)


async def test_quitting_with_an_unfinished_device_asks_and_deletes_it(service, demo_world, local_aws):
    # The force-MFA policy lets only an MFA session delete a device: the dashboard's enrolment uses
    # the identity's live one (alice's, refreshed first).
    report = service.refresh(service.select(["alice"]), lambda _req: demo_world.code())
    assert report.results["alice"].ok
    new_serial = "arn:aws:iam::111111111111:mfa/alice-2"
    app = make_app(service)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main_screen(app)
        [command] = [c for c in screen.palette_commands() if c.title == "Enrol MFA device: alice"]
        command.run()
        await wait_for(pilot, lambda: isinstance(app.screen, EnrollScreen), "the enrolment pane")
        pane = app.screen
        await wait_for(pilot, lambda: pane.busy is None and "Press c" in pane.status_text, "alice's devices")
        await pilot.press("c")
        await wait_for(pilot, lambda: pane.busy is None and pane.flow.serial, "the new device")
        assert pane.flow.serial == new_serial and new_serial in _virtual_serials(demo_world)

        app.action_quit()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "created but not enabled" in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.screen is pane and app.is_running and new_serial in _virtual_serials(demo_world)

        app.action_quit()
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: not pane.flow.pending or pane._cancel_failed, "the device to be deleted", 10)
        assert not pane._cancel_failed, pane.status_text
        await wait_for(pilot, lambda: app.return_code is not None, "the app to quit", 10)
    assert new_serial not in _virtual_serials(demo_world)
    assert _virtual_serials(demo_world) == [demo_world.alice_serial]
