"""The enrolment screen's list of an IAM user's MFA devices: one row per device, the cursor picks one."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from mfa_tui.core.enroll.device import MfaDevice


class DeviceTable(DataTable):
    """The devices, name and when enabled (UTC); :meth:`selected` is the one under the cursor."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.devices: list[MfaDevice] = []

    def on_mount(self) -> None:
        self.add_columns("Device", "Enabled (UTC)")

    def show(self, devices: list[MfaDevice]) -> None:
        self.devices = devices
        self.clear()
        for device in devices:
            when = device.enabled_at.strftime("%Y-%m-%d %H:%M") if device.enabled_at else "?"
            self.add_row(device.name, when, key=device.serial)

    def selected(self) -> MfaDevice | None:
        row = self.cursor_row
        if not self.devices or row < 0 or row >= len(self.devices):
            return None
        return self.devices[row]
