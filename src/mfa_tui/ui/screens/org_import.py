"""The palette's "Import from AWS Organizations": the plan shown before anything is written.

A modal dialog with the same fields as ``mfa-tui import organization``: the profile to list the
accounts with, the role names (comma-separated), the identity the roles are assumed from, and the
output mode of the new profiles. ``Plan`` (ctrl+p is the palette, so: enter or the button) reads the
organisation on a worker thread and shows the plan as the CLI prints it; ``Write`` (ctrl+s) appears
only once a plan is shown, and appends exactly that plan through the registry's exact editor. The
dashboard sees the registry file change and reloads it. Escape cancels; nothing is written until
Write. Failures are one line in the dialog.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

_CSS = """
OrgImportScreen { align: center middle; background: $background 60%; }
OrgImportScreen > Vertical { width: 90%; max-width: 110; height: 90%; }
OrgImportScreen .dialog-field { height: 1; }
OrgImportScreen .form-label { width: 14; color: $text-muted; }
OrgImportScreen .dialog-field Input { width: 1fr; }
OrgImportScreen #org-plan-box { height: 1fr; border: round $primary 50%; }
OrgImportScreen #org-plan { width: auto; text-wrap: nowrap; }
OrgImportScreen #org-error { color: $error; height: auto; }
"""


def palette_commands(screen) -> list[tuple[str, str, object]]:
    """The palette entry (title, help, run), for a screen that has a service (the dashboard)."""
    def open_it() -> None:
        screen.app.push_screen(OrgImportScreen(screen.service))

    return [("Import from AWS Organizations",
             "plan account and role profiles from organizations:ListAccounts; shown before writing", open_it)]


class OrgImportScreen(ModalScreen[bool]):
    DEFAULT_CSS = _CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="org-import.cancel"),
        Binding("ctrl+s", "write", "Write", id="org-import.write", tooltip="Write the plan shown to the registry"),
    ]

    def __init__(self, service) -> None:
        super().__init__()
        self.service = service
        self.plan = None

    def compose(self) -> ComposeResult:
        identities = list(self.service.registry.identities)
        with Vertical(classes="dialog"):
            yield Static("Import from AWS Organizations", classes="dialog-title", markup=False)
            yield self._row("From profile", Input(placeholder="a profile allowed organizations:ListAccounts", id="org-from"))
            yield self._row("Roles", Input(placeholder="role names, comma-separated, e.g. Admin, ReadOnly", id="org-roles"))
            yield self._row("Identity", Input(identities[0] if len(identities) == 1 else "", id="org-identity",
                                              placeholder="the identity the roles are assumed from"))
            yield self._row("Output", Input("", id="org-output", placeholder="credentials-file (or credential-process)"))
            with ScrollableContainer(id="org-plan-box"):
                yield Static("Fill in the fields and press Plan: nothing is written before Write.", id="org-plan",
                             markup=False)
            yield Static("", id="org-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Plan", id="org-plan-button", variant="primary", compact=True)
                yield Button("Write", id="org-write", compact=True, disabled=True)
                yield Button("Cancel", id="org-cancel", compact=True)

    @staticmethod
    def _row(label: str, widget: Input) -> Horizontal:
        widget.compact = True
        return Horizontal(Label(label, classes="form-label"), widget, classes="dialog-field")

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    @on(Input.Submitted)
    @on(Button.Pressed, "#org-plan-button")
    def make_plan(self) -> None:
        profile = self._value("org-from")
        roles = [r.strip() for r in self._value("org-roles").split(",") if r.strip()]
        if not profile or not roles:
            self.query_one("#org-error", Static).update("Name the profile to read the organisation with, and at least one role.")
            return
        self.query_one("#org-error", Static).update("")
        self.query_one("#org-plan", Static).update(f"Reading the organisation as {profile}…")
        self.query_one("#org-write", Button).disabled = True
        self.plan = None
        self._plan_worker(profile, roles, self._value("org-identity") or None, self._value("org-output") or None)

    @work(thread=True, exclusive=True, group="org-import")
    def _plan_worker(self, profile: str, roles: list[str], identity: str | None, output: str | None) -> None:
        from mfa_tui.core.errors import MfaTuiError
        from mfa_tui.core.importers import organizations
        from mfa_tui.core.importers.org_plan import plan_organization
        from mfa_tui.core.importers.org_text import plan_lines

        try:
            accounts = organizations.fetch(self.service, profile)
            plan = plan_organization(self.service.registry, accounts, roles, identity=identity, output=output)
        except MfaTuiError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one line in the dialog, never a crash
            self.app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        text = "\n".join(plan_lines(plan, written=False, save_hint="Press Write (ctrl+s) to save."))
        self.app.call_from_thread(self._planned, plan, text)

    def _failed(self, text: str) -> None:
        self.query_one("#org-plan", Static).update("No plan.")
        self.query_one("#org-error", Static).update(text)

    def _planned(self, plan, text: str) -> None:
        self.plan = plan
        self.query_one("#org-plan", Static).update(text)
        self.query_one("#org-write", Button).disabled = not plan.additions

    @on(Button.Pressed, "#org-write")
    def action_write(self) -> None:
        if self.plan is None or not self.plan.additions:
            return
        from mfa_tui.core.errors import MfaTuiError
        from mfa_tui.core.importers.org_plan import write_org_plan

        try:
            write_org_plan(self.plan, self.service.aws_config_path)
        except MfaTuiError as exc:
            self.query_one("#org-error", Static).update(str(exc))
            return
        count = len(self.plan.additions)
        self.app.notify(f"Added {count} entr{'y' if count == 1 else 'ies'} from the organisation.", title="Registry",
                        markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#org-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
