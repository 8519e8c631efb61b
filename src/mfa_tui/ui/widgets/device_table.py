"""The enrolment screen's list of an IAM user's MFA devices: one row per device, the cursor picks one."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from mfa_tui.core.enroll.device import MfaDevice


class DeviceTable(DataTable):
    """The devices, name and when enabled (UTC); :meth:`selected` is the one under the cursor.

    The row under the cursor stays highlighted when the focus is elsewhere (the code fields),
    so it is clear which device ``r`` and ``d`` act on; a new list keeps the cursor on the same
    device and never moves the focus.
    """

    DEFAULT_CSS = """
    DeviceTable > .datatable--cursor { background: $accent 60%; color: $text; text-style: bold; }
    DeviceTable:blur > .datatable--cursor { background: $accent 35%; }
    """

    COMPACT_BELOW = 34
    """Narrower than this (a 60-column terminal), the Enabled column shows the date only, so nothing is cut."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.devices: list[MfaDevice] = []
        self.compact = False

    def on_resize(self) -> None:
        compact = self.size.width < self.COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self.show(self.devices)

    def on_mount(self) -> None:
        self.add_columns("Device", "Enabled (UTC)")

    def show(self, devices: list[MfaDevice]) -> None:
        before = self.selected()
        self.devices = devices
        self.clear()
        for device in devices:
            when = device.enabled_at.strftime("%Y-%m-%d" if self.compact else "%Y-%m-%d %H:%M") \
                if device.enabled_at else "?"
            self.add_row(device.name, when, key=device.serial)
        serials = [d.serial for d in devices]
        if before is not None and before.serial in serials:
            self.move_cursor(row=serials.index(before.serial), scroll=True)

    def selected(self) -> MfaDevice | None:
        row = self.cursor_row
        if not self.devices or row < 0 or row >= len(self.devices):
            return None
        return self.devices[row]
