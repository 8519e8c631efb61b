"""The look of the dashboard's status table: its component classes and default CSS.

Row states are coloured from the theme variables ``$status-valid`` ... ``$status-error`` (see
:mod:`mfa_tui.ui.theming`); everything else is styled with the component classes below, which
:func:`~mfa_tui.ui.widgets.status_draw.resolve_styles` reads.
"""

from __future__ import annotations

COMPONENT_CLASSES: set[str] = {
    "status-table--header",
    "status-table--cursor",
    "status-table--group",
    "status-table--dim",
    "status-table--mark",
    "status-table--flag",
    "status-table--bar-track",
}
"""
| Class | Styles |
| :- | :- |
| `status-table--header` | the column titles |
| `status-table--cursor` | the cursor row |
| `status-table--group` | group header rows |
| `status-table--dim` | empty values and "last refresh" |
| `status-table--mark` | the mark of a marked row |
| `status-table--flag` | the who-am-I mismatch flag |
| `status-table--bar-track` | the unfilled part of the time-left bar (its background) |
"""

DEFAULT_CSS = """
StatusTable {
    background: $surface;
    color: $foreground;
    height: 1fr;
    & > .status-table--header { background: $panel; color: $foreground; text-style: bold; }
    & > .status-table--cursor { background: $block-cursor-blurred-background; }
    &:focus > .status-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    & > .status-table--group { color: $accent; text-style: bold; }
    & > .status-table--dim { color: $text-muted; }
    & > .status-table--mark { color: $accent; text-style: bold; }
    & > .status-table--flag { color: $warning; text-style: bold; }
    & > .status-table--bar-track { background: $panel; }
}
"""
