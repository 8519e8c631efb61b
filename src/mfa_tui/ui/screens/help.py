"""The help screen (``?``): every key, what it does, and the binding id to rebind it with.

The list is built from the live bindings (see :func:`mfa_tui.ui.commands.binding_entries`),
so it always matches the footer and the registry's ``[settings.keys]`` rebinding.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mfa_tui.ui.commands import BindingEntry

INTRO = (
    "Keys can be changed in the registry: add  binding-id = \"key1,key2\"  under [settings.keys], "
    "for example  refresh_all = \"R,ctrl+r\".  Every action is also in the command palette (ctrl+p)."
)


class HelpScreen(ModalScreen[None]):
    """A modal list of the bindings; Escape, ``q`` or ``?`` closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, entries: list[BindingEntry]) -> None:
        super().__init__()
        self.entries = entries
        """The bindings to list, in order."""

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Binding id", style="dim", no_wrap=True)
        for entry in self.entries:
            table.add_row(Text(entry.display), Text(entry.detail), Text(entry.id))
        with Vertical(id="help-box", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll(id="help-list"):
                yield Static(table, id="help-table")
            yield Static(INTRO, id="help-intro", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
