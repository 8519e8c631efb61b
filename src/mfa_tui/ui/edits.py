"""Adding, changing and removing profiles and accounts from the dashboard.

``n`` opens the new-profile form, ``E`` the selected profile's values, ``d``/``delete`` removes the
selected profile (after the shared :class:`~mfa_tui.ui.dialogs.confirm.ConfirmDialog`), ``A`` adds
an account; "Remove account: NAME" is in the palette and is refused in one line while a profile or
identity still uses the account. Every write goes through the service
(:attr:`~mfa_tui.core.service.facade.Service.changes`, the registry's exact editors, refused as a
whole when the edited registry would not validate); afterwards the rows are read again from the
reloaded registry, and the activity log gets one line. No edit starts while a refresh, who-am-I
or re-mint uses the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mfa_tui.core.errors import MfaTuiError, RegistryError
from mfa_tui.ui.activity import record

if TYPE_CHECKING:
    from mfa_tui.ui.host import Dashboard


def one_line(exc: MfaTuiError) -> str:
    """A refusal in one line: the first problem's table and key, and what is wrong."""
    if isinstance(exc, RegistryError) and exc.problems:
        first = exc.problems[0]
        more = len(exc.problems) - 1
        return (f"{first.where}: " if first.where else "") + first.message + (f" (and {more} more)" if more else "")
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class RegistryEdits:
    """The main screen's registry edits (forms, confirmations, the write and the reload)."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen

    def _free(self) -> bool:
        screen = self.screen
        if screen.runs.runs or screen.is_busy("remint") or screen.is_busy("refresh"):
            screen.notify("A refresh, who-am-I or re-mint is running: edit the registry when it ends.",
                          severity="warning", markup=False)
            return False
        return True

    def _write(self, change: Callable[[], object], done: str) -> str | None:
        """Run ``change``; then reload the rows and say ``done``. Returns the refusal in one line, if any."""
        screen = self.screen
        try:
            change()
        except MfaTuiError as exc:
            return one_line(exc)
        try:
            rows = screen.service.statuses()
        except MfaTuiError as exc:
            screen.notify(one_line(exc), title="Registry", severity="error", timeout=15, markup=False)
        else:
            screen.rows.replace(rows)
        screen.notify(done, title="Registry", markup=False)
        record(screen, "registry", done)
        return None

    def _refused(self, text: str) -> None:
        self.screen.notify(text, title="Registry", severity="error", timeout=10, markup=False)
        record(self.screen, "registry", text, "error")

    def _selected(self) -> str | None:
        profile = self.screen.table.cursor_profile
        if profile is None or profile not in self.screen.service.registry.profiles:
            self.screen.notify("No profile selected.", severity="warning", markup=False)
            return None
        return profile

    # ── profiles ──────────────────────────────────────────────────────────────────────────────

    def new_profile(self) -> None:
        if not self._free():
            return
        from mfa_tui.ui.screens.registry_forms import ProfileForm

        service = self.screen.service
        if not service.registry.identities:
            self.screen.notify("The registry has no identity for a profile to use.", severity="warning", markup=False)
            return

        def save(name: str, table: dict[str, Any]) -> str | None:
            return self._write(lambda: service.changes.add_profile(name, table), f"Profile {name} added.")

        self.screen.app.push_screen(ProfileForm(sorted(service.registry.identities), save))

    def edit_profile(self) -> None:
        name = self._selected()
        if name is None or not self._free():
            return
        from mfa_tui.ui.screens.registry_forms import ProfileForm

        service = self.screen.service

        def save(_: str, values: dict[str, Any]) -> str | None:
            if not values:
                self.screen.notify(f"Profile {name}: nothing changed.", title="Registry", markup=False)
                return None
            return self._write(lambda: service.changes.update_profile(name, values), f"Profile {name} changed.")

        profile = service.registry.profiles[name]
        self.screen.app.push_screen(ProfileForm(sorted(service.registry.identities), save, profile))

    def remove_profile(self) -> None:
        name = self._selected()
        if name is None or not self._free():
            return
        from mfa_tui.ui.dialogs.confirm import ConfirmDialog

        question = (f"Remove profile {name} from the registry? Its section in the credentials file stays "
                    "until you delete it; nothing else in the registry changes.")

        def answered(yes: bool | None) -> None:
            if yes:
                problem = self._write(lambda: self.screen.service.changes.remove_profile(name), f"Profile {name} removed.")
                if problem:
                    self._refused(f"Profile {name} not removed: {problem}")

        self.screen.app.push_screen(ConfirmDialog(question, yes="Remove"), answered)

    # ── accounts ──────────────────────────────────────────────────────────────────────────────

    def new_account(self) -> None:
        if not self._free():
            return
        from mfa_tui.ui.screens.registry_forms import AccountForm

        changes = self.screen.service.changes

        def save(name: str, table: dict[str, Any]) -> str | None:
            return self._write(lambda: changes.add_account(name, table["id"], table.get("alias", "")), f"Account {name} added.")

        self.screen.app.push_screen(AccountForm(save))

    def remove_account(self, name: str) -> None:
        if not self._free():
            return
        changes = self.screen.service.changes
        users = changes.account_users(name)
        if users:
            shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
            self._refused(f"Account {name} not removed: {shown} still use{'s' * (len(users) == 1)} it.")
            return
        from mfa_tui.ui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                problem = self._write(lambda: changes.remove_account(name), f"Account {name} removed.")
                if problem:
                    self._refused(f"Account {name} not removed: {problem}")

        self.screen.app.push_screen(ConfirmDialog(f"Remove account {name} from the registry?", yes="Remove"), answered)
