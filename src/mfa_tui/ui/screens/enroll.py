"""The enrolment screen: create a virtual MFA device, scan its QR code, enable it with two codes.

A thin layer over :class:`mfa_tui.core.enroll.device.Enrolment`, which it is given (no global
state), so the dashboard can push it for any identity. Every AWS call runs in the thread
worker of :class:`~mfa_tui.ui.screens.enroll_worker.EnrollWorker`, one at a time. Escape (or q) leaves the screen, first deleting a device this
screen created but did not enable, so no half-made device is left behind.

The QR panel (:class:`~mfa_tui.ui.widgets.qr_panel.QrPanel`) hides the Base32 secret and URI
until asked for, and the seed is dropped from the screen once the device is enabled. With
``mask_secrets=True`` the QR and secret are replaced by same-size placeholders, for
screen sharing and for snapshot tests (the seed is random per device). The code fields and the
delete question are the shared ones (:mod:`mfa_tui.ui.dialogs`); two codes pasted at once fill
both fields.

The screen is dismissed with the enabled serial, or None.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from mfa_tui.core.enroll.device import MAX_DEVICES, Enrolment, MfaDevice
from mfa_tui.core.enroll.naming import default_device_name
from mfa_tui.core.errors import MfaTuiError
from mfa_tui.ui.dialogs.code_field import step_bar
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.enroll_codes import CodeInput, CodeRow, SideColumn
from mfa_tui.ui.screens.enroll_worker import EnrollWorker
from mfa_tui.ui.screens.enroll_words import activity_text, delete_question, quit_question
from mfa_tui.ui.widgets.device_table import DeviceTable
from mfa_tui.ui.widgets.key_footer import KeyFooter
from mfa_tui.ui.widgets.qr_panel import QrPanel

FOOTER_KEEP = ("close", "help", "create", "resync", "delete", "adopt", "toggle_secret", "next_theme")
"""The footer's keys, the one kept longest first (see :class:`~mfa_tui.ui.widgets.key_footer.KeyFooter`)."""


class EnrollScreen(EnrollWorker):
    """Enrol, resync or delete the MFA devices of the IAM user behind ``flow``."""

    BINDINGS = [
        Binding("c", "create", "Create", id="enroll.create"),
        Binding("s", "toggle_secret", "Secret", id="enroll.secret"),
        Binding("u", "adopt", "Use existing", id="enroll.adopt"),
        Binding("r", "resync", "Resync", id="enroll.resync"),
        Binding("d", "delete", "Delete", id="enroll.delete"),
        Binding("escape,q", "close", "Back", id="enroll.close",
                tooltip="Back to the dashboard, first deleting a device created here but not enabled"),
    ]

    DEFAULT_CSS = """
    EnrollScreen { layout: vertical; }
    EnrollScreen #title { height: auto; padding: 0 1; background: $boost; color: $text; text-style: bold; }
    EnrollScreen #body { height: 1fr; }
    EnrollScreen #side { width: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    EnrollScreen .heading { width: 100%; height: auto; color: $text-accent; text-style: bold; }
    EnrollScreen #devices { height: 6; }
    EnrollScreen #name { width: 100%; }
    EnrollScreen #codes { height: 3; }
    EnrollScreen CodeInput { width: 13; margin-right: 1; }
    EnrollScreen #step { width: 1fr; height: 3; content-align: left middle; color: $text-muted; }
    EnrollScreen #status { height: auto; min-height: 1; max-height: 4; padding: 0 1; color: $text; }
    EnrollScreen #status.-error { color: $text-error; }
    EnrollScreen #status.-ok { color: $text-success; }
    """

    def __init__(self, flow: Enrolment, *, mask_secrets: bool = False, name: str | None = None,
                 note: Callable[..., None] | None = None, local_time: bool = False) -> None:
        super().__init__(name=name)
        self.flow = flow
        """The core flow; the screen never calls AWS itself."""
        self.note = note
        """Called with the activity log's line (and "error" for a failure) when a device is resynced or deleted."""
        self.local_time = local_time
        """The devices' dates in local time ([settings] time = "local"), else UTC."""
        self.mask_secrets = mask_secrets
        """Show placeholders instead of the QR code and secret (screen sharing, snapshots)."""
        self.devices: list[MfaDevice] = []
        """The devices last read (the list on screen)."""
        self.mode = "idle"
        """What the code fields are for: "idle", "enable" or "resync"."""
        self.resync_serial: str | None = None
        self.enabled_serial: str | None = None
        self.unassigned: str | None = None
        """An unassigned device with the requested name, offered after EntityAlreadyExists."""
        self._close_requested = False
        self._quit_after_cancel = False
        """Quit the app once the unfinished device is deleted (the user quit and said yes)."""
        self.default_name = flow.user_name
        """The name field's default, until the user types their own (kept unique among the devices)."""
        self._cancel_failed = False
        self.status_text = ""
        """The status line's current text (also shown on screen)."""

    # ── layout ──
    def compose(self) -> ComposeResult:
        account = f" · account {self.flow.account_id}" if self.flow.account_id else ""
        identity = f" · identity {self.flow.identity}" if self.flow.identity else ""
        yield Static(f"Enrol an MFA device · IAM user {self.flow.user_name}{account}{identity}", id="title", markup=False)
        with Horizontal(id="body"):
            yield QrPanel(self.flow, mask_secrets=self.mask_secrets, id="qr-panel")
            with SideColumn(id="side"):
                yield Label("Devices", id="devices-heading", classes="heading")
                yield DeviceTable(id="devices", local=self.local_time)
                yield Label("New device name", classes="heading")
                yield Input(self.default_name, id="name")
                yield Label("Two consecutive codes: the current one, then the next", classes="heading")
                with CodeRow(id="codes"):
                    yield CodeInput(id="code1")
                    yield CodeInput(id="code2")
                    yield Static("", id="step", markup=False)
        yield Static("Loading devices…", id="status", markup=False)  # below the body: never scrolled away
        yield KeyFooter(FOOTER_KEEP)

    def on_mount(self) -> None:
        self.query_one(DeviceTable).focus()
        self._tick()
        self.set_interval(1.0, self._tick)
        self._start("devices", self._list_devices)

    def on_unmount(self) -> None:
        """Leaving without Escape (the app quits): still delete an unfinished device."""
        if self.flow.pending and self.flow.created:
            try:
                self.flow.cancel()
            except MfaTuiError:
                pass  # nowhere left to show it; a later enrolment offers it as an unassigned device

    # ── helpers ──
    def _status(self, text: str, kind: str = "") -> None:
        self.status_text = text
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "ok", "-ok")  # a taller status line shortens the side column (SideColumn)

    def _note(self, serial: str, what: str, reason: str = "") -> None:
        """Record ``what`` happened to ``serial`` in the activity log; a ``reason`` makes it a failure."""
        if self.note is not None:
            text = activity_text(self.flow, serial, what)
            self.note(f"{text}: {reason}", "error") if reason else self.note(text)

    def _tick(self) -> None:
        step = self.query_one("#step", Static)
        if self.mode == "idle":
            step.update("")
            return
        left = self.flow.seconds_left()
        step.update(f"{step_bar(left, 8)} {left:2d}s")

    def _list_devices(self) -> tuple[list[MfaDevice], str]:
        """The user's devices and a default name free in the account (run in the worker)."""
        devices = self.flow.devices()
        return devices, default_device_name(self.flow, devices)

    def _show_devices(self, devices: list[MfaDevice], free_name: str) -> None:
        self.devices = devices
        self.query_one(DeviceTable).show(devices)  # keeps the cursor on its device, and the focus where it is
        field = self.query_one("#name", Input)
        if field.value.strip() in ("", self.default_name):  # not the user's own name: keep it unique
            self.default_name = free_name
            field.value = self.default_name
        full = " — full: delete one to add another" if len(devices) >= MAX_DEVICES else ""
        self.query_one("#devices-heading", Label).update(f"Devices ({len(devices)} of {MAX_DEVICES}){full}")

    # ── actions ──
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "adopt":
            return self.unassigned is not None and self.flow.serial is None
        if action == "toggle_secret":
            return self.flow.has_secret
        if action == "create":
            return not self.flow.pending
        if action in ("resync", "delete"):
            # Finish (or cancel) the new device first: its codes and these share the fields.
            return not self.flow.pending
        return True

    def action_create(self) -> None:
        name = self.query_one("#name", Input).value.strip() or None
        if self._start("create", lambda: self.flow.create(name)):
            self._status(f"Creating device {name or self.flow.user_name}…")

    def action_adopt(self) -> None:
        if self.unassigned is None:
            return
        self.flow.adopt(self.unassigned)
        self.mode = "enable"
        self._status(
            f"Using {self.unassigned}: your app must already hold its code. "
            "Enter two consecutive codes, then Enter."
        )
        self.unassigned = None
        self.refresh_bindings()
        self._clear_codes()

    def action_toggle_secret(self) -> None:
        if self.flow.has_secret:
            self.query_one(QrPanel).toggle_secret()

    def action_resync(self) -> None:
        device = self.query_one(DeviceTable).selected()
        if device is None:
            self._status("Select a device in the list first.", "error")
            return
        self.mode, self.resync_serial = "resync", device.serial
        self._status(f"Resync {device.serial}: enter two consecutive codes from its app, then Enter.")
        self._clear_codes()
        self._tick()

    def action_delete(self) -> None:
        device = self.query_one(DeviceTable).selected()
        if device is None:
            self._status("Select a device in the list first.", "error")
            return
        serial = device.serial

        def remove() -> str:
            self.flow.remove(serial)
            return serial

        def answered(yes: bool | None) -> None:
            if yes and self._start("remove", remove, serial):
                self._status(f"Deleting {serial}…")

        question = delete_question(self.flow, serial)
        self.app.push_screen(ConfirmDialog(question, yes="y  Yes, delete", no="n  No, keep it"), answered)

    def on_resize(self) -> None:
        self.query_one(QrPanel).fit()  # the QR code, or how to scan it when it does not fit

    def confirm_quit(self) -> bool:
        """App quitting (its quit action calls this): with an unfinished device here, ask (yes deletes it) and return True."""
        if not (self.flow.pending and self.flow.created) or self._cancel_failed:
            return False
        serial = self.flow.serial

        def answered(yes: bool | None) -> None:
            if yes:
                self._quit_after_cancel = True
                self.action_close()

        self.app.push_screen(ConfirmDialog(quit_question(serial), yes="y  Delete and quit", no="n  Stay"), answered)
        return True

    def action_close(self) -> None:
        if self.busy is not None:
            self._close_requested = True
            self._status("Cancelling once the current call finishes…")
            return
        if self.flow.pending and self.flow.created and not self._cancel_failed:
            self._start("cancel", self.flow.cancel)
            self._status(f"Deleting the unfinished device {self.flow.serial}…")
            return
        self.dismiss(self.enabled_serial)

    # ── input ──
    @on(Input.Submitted, "#name")
    def _name_entered(self) -> None:
        if self.check_action("create", ()):
            self.action_create()

    def submit_codes(self) -> None:
        """Send the two codes for the current mode (checked locally by the core first)."""
        code1, code2 = self._codes()
        if self.mode == "enable":
            if self._start("enable", lambda: self.flow.enable(code1, code2)):
                self._status("Checking the codes and enabling…")
        elif self.mode == "resync" and self.resync_serial:
            serial = self.resync_serial

            def resync() -> str:
                self.flow.resync(serial, code1, code2)
                return serial

            if self._start("resync", resync, serial):
                self._status(f"Resyncing {serial}…")
        else:
            self._status("Create a device (c) or pick one to resync (r) first.", "error")

    # ── outcomes ──
    @on(EnrollWorker.Done)
    def _done(self, message: EnrollWorker.Done) -> None:
        self.busy = None
        action, value = message.action, message.value
        if action == "devices":
            self._show_devices(*value)
            if self.mode == "idle" and not self.enabled_serial:
                self._status("Press c to create a device, or select one to resync (r) or delete (d).")
        elif action == "create":
            self.mode = "enable"
            self.query_one(QrPanel).show_qr()
            self._status(
                f"Created {value}. Scan the QR code (s shows the secret), then enter two consecutive codes."
            )
            self._clear_codes()
        elif action == "enable":
            self.enabled_serial, self.mode = value, "idle"
            self.query_one(QrPanel).drop_secret(f"✔ Enabled\n\n{value}")
            recorded = f" Recorded in [identities.{self.flow.identity}]." if self.flow.registry_path else ""
            added = f" {self.flow.profile_note}" if self.flow.profile_note else ""
            self._status(f"Enabled {value}.{recorded}{added}", "ok")
            self._clear_codes(focus=False)
            self._refresh_devices()
        elif action == "resync":
            self.mode, self.resync_serial = "idle", None
            self._status(f"Resynced {value}.", "ok")
            self._note(value, "resynced")
            self._clear_codes(focus=False)
        elif action == "remove":
            self._status("Device deleted.", "ok")
            self._note(value, "deleted")
            self._refresh_devices()
        elif action == "find":
            self.unassigned = value
            if value:
                self._status(f"{self.status_text} Press u to use it.", "error")
        elif action == "cancel":
            if self.flow.left_behind:  # its delete needs MFA and there is no live MFA session
                self.app.notify(f"Enrolment cancelled: {self.flow.left_behind}", severity="warning", timeout=20, markup=False)
            if self._quit_after_cancel:
                self.app.exit()
            else:
                self.dismiss(None)
            return
        self._tick()
        self.refresh_bindings()
        if self._close_requested:
            self._close_requested = False
            self.action_close()

    @on(EnrollWorker.Failed)
    def _failed(self, message: EnrollWorker.Failed) -> None:
        self.busy = None
        self._status(message.text, "error")
        if message.action == "create" and message.code == "EntityAlreadyExists":
            name = self.query_one("#name", Input).value.strip() or self.flow.user_name
            self._start("find", lambda: self.flow.find_unassigned(name))
            self.query_one("#name", Input).focus()
            return
        if message.action in ("resync", "remove") and message.serial:
            self._note(message.serial, f"{message.action.replace('remove', 'delete')} failed", message.text)
        if message.action in ("enable", "resync"):
            self._clear_codes()
        if message.action == "cancel":
            # The device could not be deleted: stay so the message (with the command to delete
            # it by hand) can be read; the next Escape leaves.
            self._cancel_failed = True
            self._quit_after_cancel = False
            self.notify(message.text, severity="error", timeout=15)
        self.refresh_bindings()
        if self._close_requested:
            self._close_requested = False
            self.action_close()

    def _refresh_devices(self) -> None:
        if self.busy is None:
            self._start("devices", self._list_devices)
