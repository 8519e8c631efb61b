"""The enrolment screen's list of an IAM user's MFA devices: one row per device, the cursor picks one."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from mfa_tui.core.enroll.device import MfaDevice
from mfa_tui.ui.rowformat import clock_text


class DeviceTable(DataTable):
    """The devices, name and when enabled; :meth:`selected` is the one under the cursor.

    Dates are in UTC, or in local time with ``local=True`` (``[settings] time = "local"``); the
    column heading names the zone, so each date is written without it.

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

    def __init__(self, *, local: bool = False, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.local = local
        self.devices: list[MfaDevice] = []
        self.compact = False

    def on_resize(self) -> None:
        compact = self.size.width < self.COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self.show(self.devices)

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        heading = "Enabled (local)" if self.local else "Enabled (UTC)"
        self.add_column("Device")
        # The date column's width is set, not measured: measured, it could keep its heading's width
        # when the rows came after it (the date cut to "2026-12-05 21:4").
        self.add_column(heading, width=max(len(heading), len("2026-12-05" if self.compact else "2026-12-05 21:45")))

    def show(self, devices: list[MfaDevice]) -> None:
        before = self.selected()
        self.devices = devices
        self.clear(columns=True)  # the date column's width follows ``compact``
        self._add_columns()
        for device in devices:
            when = "?"
            if device.enabled_at:  # the heading names the zone: drop it from each date
                fmt = "%Y-%m-%d" if self.compact else "%Y-%m-%d %H:%M"
                when = clock_text(device.enabled_at, fmt, local=self.local).rsplit(" ", 1)[0]
            self.add_row(device.name, when, key=device.serial)
        serials = [d.serial for d in devices]
        if before is not None and before.serial in serials:
            self.move_cursor(row=serials.index(before.serial), scroll=True)

    def selected(self) -> MfaDevice | None:
        row = self.cursor_row
        if not self.devices or row < 0 or row >= len(self.devices):
            return None
        return self.devices[row]
