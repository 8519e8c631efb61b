"""Copying from the main screen's selected row: ``c`` its ARN, ``C`` its ``env`` block.

The env block is what ``mfa-tui env`` prints (:mod:`mfa_tui.core.service.env`): it may re-mint a chained
role near expiry first, so it is built in a thread worker (group "copy"). Notifications name the
profile, never a secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.ui.rowformat import row_arn

if TYPE_CHECKING:
    from mfa_tui.ui.host import Dashboard


class ClipboardControl:
    """The main screen's copy keys."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen

    def _selected(self) -> str | None:
        name = self.screen.table.cursor_profile
        if name is None:
            self.screen.notify("No profile selected.", severity="warning", markup=False)
        return name

    def arn(self) -> None:
        """Copy the row's ARN: its assumed role, else who-am-I's answer, else the registry's role."""
        name = self._selected()
        row = self.screen.table.get_row(name) if name else None
        if row is None:
            return
        arn = row_arn(row)
        if arn is None:
            self.screen.notify(f"{row.profile}: no ARN known yet; w asks AWS who it is.", severity="warning",
                               markup=False)
            return
        self.screen.app.copy_to_clipboard(arn)
        self.screen.notify(f"Copied the ARN of {row.profile}: {arn}", title="Clipboard", timeout=5, markup=False)

    def env(self) -> None:
        """Copy the row's env block, built on a thread."""
        name = self._selected()
        if name is None:
            return
        from mfa_tui.core.service.env import env_values, export_lines

        screen = self.screen

        def body() -> None:
            try:
                text = "\n".join(export_lines(env_values(screen.service, name), "sh")) + "\n"
            except MfaTuiError as exc:
                screen.app.call_from_thread(screen.notify, str(exc), severity="warning", markup=False)
                return
            screen.app.call_from_thread(self._copied, name, text)

        screen.run_in_thread("copy", body)

    def _copied(self, name: str, text: str) -> None:
        self.screen.app.copy_to_clipboard(text)
        count = text.count("\n")
        self.screen.notify(f"Copied the env block of {name} ({count} variables, for sh, bash and zsh).",
                           title="Clipboard", timeout=5, markup=False)
