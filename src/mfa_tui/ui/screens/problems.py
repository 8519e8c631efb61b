"""The broken-registry screen: what is wrong with the registry, instead of a crash.

Shown when the registry cannot be loaded. It lists every problem with the same text as
``mfa-tui config check`` (``str(Problem)``: file, line and column, table.key, message), says how
to check again, and quits with exit code 2 (the code ``config check`` uses) on ``q``.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from mfa_tui.core.errors import RegistryError

EXIT_CODE = 2
"""Exit code after the problems screen: the same as ``mfa-tui config check`` on a broken registry."""


class ProblemsScreen(Screen[None]):
    """Lists a :class:`RegistryError`'s problems; ``q`` or Escape quits with :data:`EXIT_CODE`."""

    BINDINGS = [Binding("q,escape", "quit_broken", "Quit", id="problems.quit")]

    def __init__(self, error: RegistryError, path: str | None = None) -> None:
        super().__init__()
        self.error = error
        self.path = path or (error.problems[0].path if error.problems else "the registry")
        """The registry file (for the "check again" hint)."""

    @property
    def lines(self) -> list[str]:
        """Each problem, exactly as ``mfa-tui config check`` prints it."""
        return [str(p) for p in self.error.problems] or [str(self.error)]

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        count = len(self.lines)
        yield Static(
            Text.assemble(
                ("The registry cannot be loaded", "bold"),
                f": {count} problem{'s' * (count != 1)} in {self.path}. Nothing was changed.\n",
                "Fix them, then check again with  ",
                (f"mfa-tui config check {self.path}", "bold"),
                "  and restart mfa-tui.",
            ),
            id="problems-intro",
        )
        with VerticalScroll(id="problems-list"):
            for line in self.lines:
                yield Static(Text("✗ ", style="bold") + Text(line), classes="problem")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "broken registry"

    def action_quit_broken(self) -> None:
        self.app.exit(return_code=EXIT_CODE)
