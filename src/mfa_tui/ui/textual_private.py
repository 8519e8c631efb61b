"""Every use of a Textual private name, in one place (Textual is pinned in pyproject.toml).

Each has no public equivalent in the installed Textual (8.2):

- ``textual.widgets._footer.FooterKey``, ``FooterLabel``, ``KeyGroup``: the footer's key widgets,
  which :class:`~mfa_tui.ui.widgets.key_footer.KeyFooter` measures and hides; ``textual.widgets``
  exports only ``Footer``.
- :func:`start_with_theme`: ``App.set_reactive(App.theme, …)`` (public) skips the theme watcher,
  whose other work must then be done by hand, and part of it is private
  (``App._refresh_truecolor_filter``). Assigning ``App.theme`` instead queues a full re-parse of
  every stylesheet before the first frame.
- :func:`screen_lines`: the plain text of what a screen shows (``Screen._compositor``), for tests
  that check content beside a snapshot; Textual's public export is an SVG picture only.
- :func:`lift_toasts`: the screen's toast rack (``textual.widgets._toast.ToastRack``, mounted by
  Screen itself as ``#textual-toastrack``), given a bottom margin so toasts sit just above the
  detail pane instead of over its "Last error"; Textual offers no public way to place toasts.
- :func:`set_return_value`: what ``App.run`` returns (``App._return_value``), for tests that stand
  in for ``run`` without running the app; the public ``App.exit`` needs a running app.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

__all__ = ["FooterKey", "FooterLabel", "KeyGroup", "screen_lines", "set_return_value", "start_with_theme"]


def start_with_theme(app: App, name: str) -> None:
    """Make ``name`` ``app``'s theme without its watcher: before the stylesheet is first parsed."""
    app.set_reactive(App.theme, name)
    theme = app.current_theme
    classes = {cls: False for cls in app.classes if cls.startswith("-theme-")}
    classes.update({f"-theme-{theme.name}": True, "-dark-mode": theme.dark, "-light-mode": not theme.dark})
    app.update_classes(classes, update=False)
    app._refresh_truecolor_filter(app.ansi_theme)
    app.stylesheet.set_variables(app.get_css_variables())


def screen_lines(screen: Screen) -> list[str]:
    """What ``screen`` shows now, one plain-text string per terminal line."""
    return [strip.text for strip in screen._compositor.render_strips()]


def lift_toasts(screen: Screen, lines: int) -> None:
    """Show ``screen``'s toasts ``lines`` above the bottom edge (default: 1, over the footer)."""
    try:
        rack = screen.get_child_by_id("textual-toastrack")
    except Exception:  # noqa: BLE001 - no rack (yet): nothing to place
        return
    rack.styles.margin = (0, 0, lines, 0)


def set_return_value(app: App, value: Any) -> None:
    """Set what ``app.return_value`` gives, as a finished ``run`` would."""
    app._return_value = value
