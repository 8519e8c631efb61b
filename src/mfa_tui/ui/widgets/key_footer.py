"""The footer that keeps the keys that matter in sight at any width (:class:`KeyFooter`).

Textual's :class:`~textual.widgets.Footer` lays every shown binding out in one row and cuts off
whatever does not fit: at 80 columns the app's own keys (``q``, ``?``) fell off the end and part
of a cut label showed past the palette key (issue 14). :class:`KeyFooter` hides the least
important keys until the rest fit. Importance is a list of actions, most important first, given
by the screen; keys whose action is not listed go before any listed one. The palette key docked
at the right end always stays. Every hidden key is still in the help screen (``?``) and the
command palette, which list every binding whether the footer shows it or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Footer

from mfa_tui.ui.textual_private import FooterKey, FooterLabel, KeyGroup

_ROOM = Size(1000, 1)
"""The room a key is measured in: more than any key needs, so none is cut while measured."""


def _footprint(widget: Widget) -> int:
    """Cells ``widget`` takes in the footer's row: content, padding, border and its right margin.

    The footer's keys have no left margin, so a row needs the sum of these (Textual's horizontal
    layout puts the larger of two neighbouring margins between them).
    """
    styles = widget.styles
    return widget.get_content_width(_ROOM, _ROOM) + styles.gutter.width + styles.margin.right


class KeyFooter(Footer):
    """A compact :class:`Footer` that hides its least important keys until the rest fit its width."""

    DEFAULT_CSS = """
    /* A binding group ("w W Whoami") spaced like the single keys around it. */
    KeyFooter.-compact FooterKey.-grouped { margin: 0 1 0 0; }
    KeyFooter.-compact FooterLabel { margin: 0 1 0 0; }
    """

    def __init__(self, keep: Sequence[str], *, id: str | None = None) -> None:
        """``keep``: actions in the order they stay when room runs out (the first stays longest)."""
        super().__init__(compact=True, id=id)
        self.keep = tuple(keep)
        """Actions, most important first; unlisted actions are hidden before any listed one."""
        self.hidden: tuple[str, ...] = ()
        """The actions of the keys hidden for want of room."""
        self._items: list[tuple[str, list[Widget], int]] = []
        """Each footer item (a key, or a key group with its label): its action, widgets and width."""
        self._palette_width = 0

    async def recompose(self) -> None:
        await super().recompose()  # in a batch: the keys hidden below never show for a frame
        self._measure()
        self._fit(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _measure(self) -> None:
        """Group the composed widgets into items and measure each once (they are laid out only later)."""
        items: list[tuple[str, list[Widget], int]] = []
        self._palette_width = 0
        for widget in self.children:
            if widget.has_class("-command-palette"):
                self._palette_width = _footprint(widget)
            elif isinstance(widget, FooterLabel) and items and isinstance(items[-1][1][0], KeyGroup):
                action, widgets, width = items[-1]  # a group's label follows its keys
                items[-1] = (action, [*widgets, widget], width + _footprint(widget))
            elif isinstance(widget, KeyGroup):
                keys = list(widget.query_children(FooterKey))
                items.append((keys[0].action if keys else "", [widget], _footprint(widget)))  # its keys included
            elif isinstance(widget, FooterKey):
                items.append((widget.action, [widget], _footprint(widget)))
        self._items = items

    def _rank(self, action: str) -> int:
        """Lower stays longer: the position in :attr:`keep`; unlisted actions after every listed one."""
        return self.keep.index(action) if action in self.keep else len(self.keep)

    def _fit(self, width: int) -> None:
        """Show the most important items that fit ``width`` together, in their usual order."""
        if not self._items or width <= 0:
            return
        room = width - self._palette_width
        shown: set[str] = set()
        for action, _widgets, size in sorted(self._items, key=lambda item: self._rank(item[0])):
            if size > room:
                break  # strictly by importance: a smaller, less important key does not jump the queue
            room -= size
            shown.add(action)
        hidden = []
        for action, widgets, _size in self._items:
            for widget in widgets:
                widget.display = action in shown
            if action not in shown:
                hidden.append(action)
        self.hidden = tuple(hidden)
