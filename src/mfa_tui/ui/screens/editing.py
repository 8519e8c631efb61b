"""The main screen's keys for the activity log and the registry edits, as a base class of
:class:`~mfa_tui.ui.screens.main.MainScreen` (its bindings merge with the screen's own).

- ``l`` the activity log (:mod:`mfa_tui.ui.screens.activity`);
- ``n`` new profile, ``E`` edit the selected profile, ``d``/``delete`` remove it, ``A`` new account;
  "Remove account: NAME" in the palette (:mod:`mfa_tui.ui.edits`).

Each binding has an id, so ``[settings.keys]`` rebinds it and the palette and help list it. They
stay out of the footer (it is full at 120 columns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

from mfa_tui.ui.commands import PaletteCommand

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service
    from mfa_tui.ui.edits import RegistryEdits


class EditingKeys(Screen[None]):
    """Keys for the activity log and for adding, editing and removing profiles and accounts."""

    BINDINGS = [
        Binding("l", "activity", "Activity", id="activity", show=False,
                tooltip="The activity log: every refresh, re-mint, who-am-I, enrolment, edit and error, with its time"),
        Binding("n", "new_profile", "New profile", id="new_profile", show=False,
                tooltip="Add a profile to the registry (a form)"),
        Binding("E", "edit_profile", "Edit profile", id="edit_profile", show=False,
                tooltip="Change the selected profile's identity, role, strategy, duration or tags"),
        Binding("d,delete", "remove_profile", "Remove profile", id="remove_profile", show=False,
                tooltip="Remove the selected profile from the registry (asks first)"),
        Binding("A", "new_account", "New account", id="new_account", show=False,
                tooltip="Add an account (name, 12-digit id, alias) to the registry"),
    ]

    service: Service
    _edits: RegistryEdits | None = None

    @property
    def edits(self) -> RegistryEdits:
        if self._edits is None:
            from mfa_tui.ui.edits import RegistryEdits

            self._edits = RegistryEdits(self)  # type: ignore[arg-type]  # a MainScreen, the Dashboard
        return self._edits

    def action_activity(self) -> None:
        from mfa_tui.ui.screens.activity import ActivityScreen

        log = getattr(self.app, "activity", None)
        if log is not None:
            self.app.push_screen(ActivityScreen(log))

    def action_new_profile(self) -> None:
        self.edits.new_profile()

    def action_edit_profile(self) -> None:
        self.edits.edit_profile()

    def action_remove_profile(self) -> None:
        self.edits.remove_profile()

    def action_new_account(self) -> None:
        self.edits.new_account()

    def editing_commands(self) -> list[PaletteCommand]:
        """Palette-only commands: removing each account."""
        return [
            PaletteCommand(f"Remove account: {name}", "remove the account from the registry (refused while in use)",
                           lambda n=name: self.edits.remove_account(n))
            for name in sorted(self.service.registry.accounts)
        ]
