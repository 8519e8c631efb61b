"""The first-run screen: no registry yet, so offer the three ways to get one.

Shown instead of the problems screen when the registry file does not exist (a registry that
exists but does not load keeps :mod:`mfa_tui.ui.screens.problems`). The choices:

- ``i`` import from ~/.aws: the import plan (what would be added, what is skipped and why) on
  :class:`ImportPlanScreen` first; ``y`` writes it, then the dashboard opens on it;
- ``d`` the demo: the app exits with ``"demo"`` and :func:`mfa_tui.cli.dashboard_cmd.run_dashboard`
  runs ``mfa-tui --demo`` (it needs its own throw-away HOME and local AWS, set up before an app runs);
- ``n`` an empty registry: the commented starter (what ``mfa-tui init`` writes), then the dashboard.

Reading ~/.aws and writing the registry are local file operations of a few milliseconds, done
on the event loop; every failure is one notification and the screen stays.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from mfa_tui.core.importers.aws_files import ImportPlan
from mfa_tui.core.errors import MfaTuiError

CHOICES = (
    ("import", "i", "Import from ~/.aws", "shows what it would add from your AWS profiles; you confirm"),
    ("demo", "d", "Try the demo", "a local AWS with a demo MFA device; your files are not touched"),
    ("new", "n", "Start with an empty registry", "a commented starter file, with an example identity to copy"),
)
"""(action, key, label, what it does), in the order shown."""


class WelcomeScreen(Screen[None]):
    """No registry yet: import from ~/.aws, try the demo, or start an empty registry."""

    BINDINGS = [
        Binding("i", "choose('import')", "Import", id="welcome.import",
                tooltip="Build the registry from ~/.aws: the plan is shown before anything is written"),
        Binding("d", "choose('demo')", "Demo", id="welcome.demo",
                tooltip="Open the dashboard on the local AWS demo world (what `mfa-tui --demo` does)"),
        Binding("n", "choose('new')", "Empty registry", id="welcome.new",
                tooltip="Write a commented, empty registry (what `mfa-tui init` does) and open it"),
    ]
    DEFAULT_CSS = """
    WelcomeScreen #welcome { padding: 1 2; height: auto; }
    WelcomeScreen #welcome-intro { margin-bottom: 1; }
    WelcomeScreen OptionList { height: auto; max-height: 14; border: round $primary; }
    """

    def __init__(self, registry_path: Path) -> None:
        super().__init__()
        self.registry_path = Path(registry_path)
        """Where the new registry goes (``--config``, ``$MFA_TUI_CONFIG`` or the default)."""

    def compose(self) -> ComposeResult:
        yield Header(icon="⚿")
        with Vertical(id="welcome"):
            yield Static(
                Text.assemble(
                    ("Welcome to mfa-tui", "bold"),
                    f"\n\nThere is no registry at {self.registry_path} yet. The registry lists your "
                    "AWS accounts, the IAM users whose MFA device you use (identities) and the profiles "
                    "mfa-tui refreshes with one code.\n\nHow would you like to start?",
                ),
                id="welcome-intro",
            )
            yield OptionList(
                *(Option(Text.assemble((f"{key}  {label}", "bold"), f"\n   {what}"), id=action)
                  for action, key, label, what in CHOICES),
                id="welcome-choices",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "first run"
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or "")

    def action_choose(self, choice: str) -> None:
        if choice == "import":
            self._plan_import()
        elif choice == "demo":
            if importlib.util.find_spec("moto") is None:
                self.notify("The demo needs the local AWS: install it with `pip install 'mfa-tui[demo]'`.",
                            title="Demo", severity="error", timeout=15, markup=False)
                return
            self.app.exit(result="demo")
        elif choice == "new":
            from mfa_tui.core.registry.starter import create_registry

            try:
                create_registry(self.registry_path)
            except MfaTuiError as exc:
                self._failed("Empty registry", exc)
                return
            self.app.open_registry(self.registry_path, note=f"Created the registry {self.registry_path} — add your IAM user there (its comments show how), then restart mfa-tui; or run `mfa-tui import`.")

    def _plan_import(self) -> None:
        from mfa_tui.core.importers.aws_files import plan_import

        try:
            plan = plan_import(self.registry_path)
        except MfaTuiError as exc:
            self._failed("Import", exc)
            return
        if not plan.config_path.exists() and not plan.credentials_path.exists():
            self.notify(
                f"There is nothing to import: neither {plan.config_path} nor {plan.credentials_path} exists. "
                "Try the demo, or start an empty registry.",
                title="Import", severity="warning", timeout=15, markup=False,
            )
            return
        if not plan.additions:
            skipped = f" ({len(plan.skips)} profile{'s' * (len(plan.skips) != 1)} skipped)" if plan.skips else ""
            self.notify(
                f"Nothing to import from {plan.config_path} and {plan.credentials_path}{skipped}: "
                "they hold no IAM user keys with an MFA device. Try the demo, or start an empty registry.",
                title="Import", severity="warning", timeout=15, markup=False,
            )
            return
        self.app.push_screen(ImportPlanScreen(plan), self._confirmed)

    def _confirmed(self, plan: ImportPlan | None) -> None:
        if plan is None:
            return
        from mfa_tui.core.importers.aws_files import write_plan

        try:
            write_plan(plan)
        except MfaTuiError as exc:
            self._failed("Import", exc)
            return
        count = len(plan.additions)
        self.app.open_registry(self.registry_path, note=f"Imported {count} entr{'y' if count == 1 else 'ies'} into {self.registry_path}.")

    def _failed(self, title: str, exc: MfaTuiError) -> None:
        self.notify(str(exc), title=title, severity="error", timeout=15, markup=False)


def plan_lines(plan: ImportPlan) -> list[Text]:
    """The plan as ``mfa-tui import`` describes it: each addition and each skip with its reason."""
    lines = [Text.assemble(("Would add to ", "bold"), (str(plan.registry_path), "bold"), ":")]
    width = max((len(a.name) for a in plan.additions), default=0)
    for add in plan.additions:
        line = Text.assemble("  + ", (f"{add.kind:<8} ", "dim"), (f"{add.name:<{width}}", "bold"))
        if add.source:
            line.append(f"  from {add.source}", style="dim")
        lines.append(line)
        if add.note:
            lines.append(Text(f"    {'':<8} {'':<{width}}  note: {add.note}"))
    if plan.skips:
        lines += [Text(""), Text("Skipped:", style="bold")]
        width = max(len(s.name) for s in plan.skips)
        lines += [Text.assemble("  - ", (f"{s.kind:<8} ", "dim"), f"{s.name:<{width}}  {s.reason}") for s in plan.skips]
    return lines


class ImportPlanScreen(Screen[ImportPlan | None]):
    """The import plan, nothing written yet; ``y`` dismisses with the plan (write it), Escape with None."""

    BINDINGS = [
        Binding("y", "write", "Write it", id="import.write"),
        Binding("escape,n", "back", "Back", id="import.back"),
    ]
    DEFAULT_CSS = """
    ImportPlanScreen #import-intro { padding: 1 2 0 2; height: auto; }
    ImportPlanScreen #import-plan { padding: 1 2; }
    """

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield Header(icon="⚿")
        yield Static(
            f"Read {self.plan.config_path} and {self.plan.credentials_path} (never written). "
            "Nothing is written until you press y.",
            id="import-intro", markup=False,
        )
        with VerticalScroll(id="import-plan"):
            for line in plan_lines(self.plan):
                yield Static(line, classes="plan-line")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "import from ~/.aws"
        self.query_one("#import-plan").focus()

    def action_write(self) -> None:
        self.dismiss(self.plan)

    def action_back(self) -> None:
        self.dismiss(None)
