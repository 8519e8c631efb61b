"""The forms that add and change registry entries: a profile (``n`` new, ``E`` edit) and an account (``A``).

Each is a modal dialog that checks what it can with the registry's own rules
(:func:`~mfa_tui.core.models.profile_name_problem`, the ARN and account-id patterns, durations as
the registry reads them) and then hands the values to ``save``, which writes them through the
registry's exact editor and returns the problem in one line when the edited registry would not
validate (nothing is written then). The form stays open showing that line, so nothing typed is lost;
it closes (with True) once the write succeeded. Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from mfa_tui.core.clock import parse_duration
from mfa_tui.core.models import ACCOUNT_ID_RE, ROLE_ARN_RE, Profile, Strategy, profile_name_problem

Save = Callable[[str, dict[str, Any]], str | None]
"""``save(name, values)``: None when written, else the problem in one line."""

FORM_CSS = """
{cls} { align: center middle; background: $background 60%; }
{cls} .dialog-field { margin-bottom: 1; }
{cls} .form-label { width: 13; color: $text-muted; }
{cls} .dialog-field Input, {cls} .dialog-field Select { width: 1fr; }
{cls} .form-error { color: $error; height: auto; }
"""
"""Compact one-line fields with a blank line between them: the whole form fits in 24 rows."""


class _Form(ModalScreen[bool]):
    """Labelled fields, an error line, Save and Cancel."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="Check and write the entry to the registry"),
    ]

    title_text = ""

    def __init__(self, save: Save) -> None:
        super().__init__()
        self.save_entry = save

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield from self.fields()
            yield Static("", classes="form-error", id="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="form-save", variant="primary", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    @staticmethod
    def row(label: str, widget: Input | Select) -> Horizontal:
        widget.compact = True
        return Horizontal(Label(label, classes="form-label"), widget, classes="dialog-field")

    def value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def show_problem(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    def collect(self) -> tuple[str, dict[str, Any]] | str:
        """(name, values) to save, or the problem in one line."""
        raise NotImplementedError

    def action_save(self) -> None:
        got = self.collect()
        if isinstance(got, str):
            self.show_problem(got)
            return
        problem = self.save_entry(*got)
        if problem:
            self.show_problem(problem)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()


class ProfileForm(_Form):
    """A new profile, or (``profile`` given) the values of an existing one; its name stays."""

    DEFAULT_CSS = FORM_CSS.replace("{cls}", "ProfileForm")

    def __init__(self, identities: list[str], save: Save, profile: Profile | None = None) -> None:
        super().__init__(save)
        self.identities = identities
        self.profile = profile
        self.title_text = f"Edit profile {profile.name}" if profile else "New profile"

    def fields(self) -> ComposeResult:
        p = self.profile
        name = Input(p.name if p else "", placeholder="e.g. dev-admin (a credentials-file section)", id="form-name")
        name.disabled = p is not None
        yield self.row("Name", name)
        identity = p.identity if p and p.identity in self.identities else (self.identities[0] if self.identities else None)
        yield self.row("Identity", Select([(i, i) for i in self.identities], value=identity or Select.BLANK,
                                          allow_blank=identity is None, id="form-identity"))
        yield self.row("Role ARN", Input(p.role_arn or "" if p else "", id="form-role",
                                         placeholder="arn:aws:iam::123456789012:role/NAME (empty: the MFA session)"))
        strategy = p.strategy.value if p else Strategy.CHAINED.value
        yield self.row("Strategy", Select([(s.value, s.value) for s in Strategy], value=strategy,
                                          allow_blank=False, id="form-strategy"))
        duration = str(p.duration) if p and p.duration else ""
        yield self.row("Duration", Input(duration, placeholder="e.g. 1h or 3600 (empty: the default)", id="form-duration"))
        yield self.row("Tags", Input(", ".join(p.tags) if p else "", placeholder="comma-separated", id="form-tags"))

    def on_mount(self) -> None:
        self.query_one("#form-role" if self.profile else "#form-name", Input).focus()

    def collect(self) -> tuple[str, dict[str, Any]] | str:
        name = self.profile.name if self.profile else self.value("form-name")
        problem = profile_name_problem(name)
        if problem:
            return f"Name: {problem}"
        identity = self.query_one("#form-identity", Select).value
        if not isinstance(identity, str):
            return "Identity: choose the identity whose MFA session this profile uses"
        role = self.value("form-role") or None
        if role and not ROLE_ARN_RE.match(role):
            return "Role ARN: expected arn:aws:iam::<12-digit account>:role/NAME"
        strategy = str(self.query_one("#form-strategy", Select).value)
        duration_text = self.value("form-duration")
        try:
            seconds = parse_duration(duration_text) if duration_text else None
        except ValueError as exc:
            return f"Duration: {exc}"
        duration: int | str | None = (int(duration_text) if duration_text.isdigit() else duration_text) or None
        tags = [t.strip() for t in self.value("form-tags").split(",") if t.strip()]
        values: dict[str, Any] = {
            "identity": identity,
            "role_arn": role,
            # Chained is the default: written only for a role profile that wants "direct".
            "strategy": strategy if role and strategy != Strategy.CHAINED.value else None,
            "duration": duration,
            "tags": tags or None,
        }
        p = self.profile
        if p is None:
            return name, {k: v for k, v in values.items() if v is not None}
        before = {
            "identity": p.identity,
            "role_arn": p.role_arn,
            "strategy": p.strategy.value if p.role_arn and p.strategy is not Strategy.CHAINED else None,
            "duration": p.duration,
            "tags": list(p.tags) or None,
        }
        after = dict(values, duration=seconds)
        return name, {k: values[k] for k in values if after[k] != before[k]}


class AccountForm(_Form):
    """A new ``[accounts.NAME]``: its name, 12-digit id and an optional alias."""

    DEFAULT_CSS = FORM_CSS.replace("{cls}", "AccountForm")
    title_text = "New account"

    def fields(self) -> ComposeResult:
        yield self.row("Name", Input(placeholder="e.g. prod", id="form-name"))
        yield self.row("Account id", Input(placeholder="12 digits", id="form-id", restrict=r"[0-9]{0,12}"))
        yield self.row("Alias", Input(placeholder="shown in the dashboard (optional)", id="form-alias"))

    def on_mount(self) -> None:
        self.query_one("#form-name", Input).focus()

    def collect(self) -> tuple[str, dict[str, Any]] | str:
        name = self.value("form-name")
        if not name:
            return "Name: give the account a name (its [accounts.NAME] table)"
        account_id = self.value("form-id")
        if not ACCOUNT_ID_RE.match(account_id):
            return "Account id: expected 12 digits"
        values: dict[str, Any] = {"id": account_id}
        if self.value("form-alias"):
            values["alias"] = self.value("form-alias")
        return name, values
