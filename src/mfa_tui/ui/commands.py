"""Every dashboard action in the command palette (ctrl+p), and the binding list the help screen shows.

Both are derived from the ``Binding`` objects themselves (each has an ``id``), so a new key
bound on the main screen or the app appears in the palette, the help screen and the registry's
``[settings.keys]`` without further wiring. Screens may add palette-only commands (group by,
re-mint now...) through a ``palette_commands()`` method returning ``PaletteCommand`` objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

NOT_IN_PALETTE = frozenset({"command_palette", "help_quit", "focus_next", "focus_previous"})
"""Binding ids the palette leaves out: opening the palette from itself makes no sense, and moving
between fields is a key, not a command."""
NOT_IN_PALETTE_PREFIXES = ("status-table.cursor", "status-table.page")
"""Cursor movement is a key, not a command."""


@dataclass(frozen=True)
class BindingEntry:
    """One bound action as the user sees it: its id, its keys (after the keymap) and what it does."""

    id: str
    keys: tuple[str, ...]
    """The keys as Textual names them (``question_mark``), after ``[settings.keys]`` rebinding."""
    display: str
    """The keys as shown to people (``?``, ``^r``)."""
    description: str
    """The short label the footer shows."""
    detail: str
    """A sentence saying what it does (the binding's tooltip, else its description)."""
    action: str
    node: DOMNode
    """Where the action runs (the app, the screen or a widget)."""


@dataclass(frozen=True)
class PaletteCommand:
    """A palette-only command a screen offers (no key)."""

    title: str
    help: str
    run: Callable[[], object]


def class_bindings(node: DOMNode) -> list[Binding]:
    """The ``Binding`` objects a node's class declares, base classes first (as Textual merges them)."""
    found: list[Binding] = []
    for cls in reversed(type(node).__mro__):
        for item in cls.__dict__.get("BINDINGS", ()):
            if isinstance(item, Binding):
                found.append(item)
    return found


def binding_entries(app, nodes: Iterable[DOMNode], keymap: dict[str, str]) -> list[BindingEntry]:
    """Every binding with an id on ``nodes`` (first wins for an id), with ``keymap`` applied.

    ``nodes`` go from the focused end outwards, as Textual looks keys up: a key an earlier node
    binds never reaches a later one, so the later binding is listed without it, or not at all
    (``q`` in a pane closes the pane: the app's "quit" is not listed there).
    ``keymap`` maps binding id to comma-separated keys, as ``App.set_keymap`` takes it.
    """
    entries: dict[str, BindingEntry] = {}
    taken: set[str] = set()
    """Keys bound by the nodes before this one."""
    for node in nodes:
        bound: set[str] = set()
        for binding in class_bindings(node):
            if not binding.id or binding.id in entries:
                continue
            keys_text = keymap.get(binding.id) or binding.key
            keys = tuple(k for k in (k.strip() for k in keys_text.split(",")) if k and k not in taken)
            if not keys:
                continue
            bound.update(keys)
            override = binding.id in keymap
            shown = ", ".join(
                app.get_key_display(binding.with_key(k, None if override else binding.key_display)) for k in keys
            )
            entries[binding.id] = BindingEntry(
                id=binding.id,
                keys=keys,
                display=shown,
                description=binding.description or binding.tooltip or binding.action,
                detail=binding.tooltip or binding.description or binding.action,
                action=binding.action,
                node=node,
            )
        taken |= bound
    return list(entries.values())


def in_palette(entry: BindingEntry) -> bool:
    return entry.id not in NOT_IN_PALETTE and not entry.id.startswith(NOT_IN_PALETTE_PREFIXES)


class DashboardCommands(Provider):
    """The palette's mfa-tui section: each bound action (with its key) and the screen's extra commands."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        app = self.app
        screen = self.screen
        nodes_of = getattr(app, "binding_nodes", None)
        nodes = nodes_of(screen) if nodes_of else [screen, app]
        keymap = getattr(app, "keymap_overrides", {})
        for entry in binding_entries(app, nodes, keymap):
            if in_palette(entry):
                yield entry.description, f"{entry.detail} · key {entry.display}", partial(app.run_action, entry.action, entry.node)
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            for command in extra():
                yield command.title, command.help, command.run
            from mfa_tui.ui.screens.org_import import palette_commands as org_commands  # the dashboard's

            if getattr(screen, "service", None) is not None:
                yield from org_commands(screen)

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
