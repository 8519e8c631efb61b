"""Which rows the status table shows, in what order, under which group headers.

Pure bookkeeping over :class:`~mfa_tui.ui.rowformat.PreparedRow` (no Textual): the widget
asks for a rebuild when rows, the filter, the sort or the grouping change, then reads the
resulting ``lines`` (profile names and :class:`Group` headers) and the lookup tables it needs
to move the cursor and repaint single rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from mfa_tui.ui.rowformat import NONE_TEXT, STATE_RANK, PreparedRow

SORT_KEYS = ("profile", "account", "tag", "state", "expiry")
"""What :meth:`StatusView.rebuild` can order rows by (``None``: the order rows were given in)."""
GROUP_KEYS = ("account", "tag", "state")
"""What rows can be grouped by. A row with several tags is grouped under its first."""

_LAST = float("inf")


class Group(NamedTuple):
    """A group header line: ``label`` and how many shown rows follow it (``collapsed``: are hidden under it)."""

    label: str
    count: int
    collapsed: bool = False


def _sort_key(key: str, e: PreparedRow, now: float, warn: float) -> tuple:
    name = e.profile.lower()
    if key == "account":
        return (e.account == NONE_TEXT, e.account.lower(), name)
    if key == "tag":
        return (e.first_tag == "", e.first_tag.lower(), name)
    if key == "state":
        return (STATE_RANK[e.state(now, warn)], _LAST if e.expires is None else e.expires, name)
    if key == "expiry":
        return (e.expires is None, e.expires or 0.0, name)
    return (name,)


def _group_of(key: str, e: PreparedRow, now: float, warn: float) -> tuple[tuple, str]:
    """(order, label) of the group ``e`` belongs to; unknown account / untagged sort last."""
    if key == "account":
        return ((e.account == NONE_TEXT, e.account.lower()), e.account if e.account != NONE_TEXT else "(no account)")
    if key == "tag":
        return ((e.first_tag == "", e.first_tag.lower()), e.first_tag or "(untagged)")
    state = e.state(now, warn)
    return ((STATE_RANK[state],), state.value)


class StatusView:
    """The filter/sort/group settings and the line list they produce."""

    def __init__(self) -> None:
        self.filter_text = ""
        """Lower-cased substring every shown row contains ("" shows all)."""
        self.sort_key: str | None = None
        self.group_key: str | None = None
        self.collapsed: set[str] = set()
        """Labels of the groups whose rows are hidden under their header."""
        self.lines: list[str | Group] = []
        """What the table draws below its header: profile names and group headers."""
        self.order: list[str] = []
        """Shown profiles in display order."""
        self.stops: list[str | Group] = []
        """Where the cursor can be, in display order: the shown profiles and collapsed group headers
        (the cursor indexes this)."""
        self.index_of: dict[str, int] = {}
        """Profile -> index in ``stops``."""
        self.first_of: dict[str, int] = {}
        """Group label -> index in ``stops`` of its header (collapsed) or first row."""
        self.stop_lines: list[int] = []
        """Index in ``stops`` -> index in ``lines``."""
        self.line_of: dict[str, int] = {}
        """Profile -> index in ``lines``."""

    @property
    def depends_on_state(self) -> bool:
        """True when a row turning expiring/expired can change what is shown or where."""
        return "state" in (self.sort_key, self.group_key) or bool(self.filter_text)

    def placement(self, e: PreparedRow, now: float, warn: float) -> tuple:
        """Everything about ``e`` that decides whether and where it is shown."""
        return (
            not self.filter_text or e.matches(self.filter_text, now, warn),
            _sort_key(self.sort_key, e, now, warn) if self.sort_key else None,
            _group_of(self.group_key, e, now, warn)[0] if self.group_key else None,
        )

    def rebuild(self, entries: Mapping[str, PreparedRow], now: float, warn: float) -> None:
        needle = self.filter_text
        rows = [e for e in entries.values() if e.matches(needle, now, warn)] if needle else list(entries.values())
        if self.sort_key:
            key = self.sort_key
            rows.sort(key=lambda e: _sort_key(key, e, now, warn))
        lines: list[str | Group] = []
        if self.group_key:
            group_key = self.group_key
            groups: dict[tuple, tuple[str, list[str]]] = {}
            for e in rows:
                order, label = _group_of(group_key, e, now, warn)
                groups.setdefault(order, (label, []))[1].append(e.profile)
            for order in sorted(groups):
                label, members = groups[order]
                collapsed = label in self.collapsed
                lines.append(Group(label, len(members), collapsed))
                if not collapsed:
                    lines.extend(members)
        else:
            lines.extend(e.profile for e in rows)
        self.lines = lines
        self.stop_lines = [i for i, item in enumerate(lines) if type(item) is str or item.collapsed]
        self.stops = [lines[i] for i in self.stop_lines]
        self.order = [item for item in lines if type(item) is str]
        self.index_of = {item: i for i, item in enumerate(self.stops) if type(item) is str}
        self.first_of = {}
        if self.group_key:
            stop, label = 0, ""
            for item in lines:
                if type(item) is Group:
                    label = item.label
                    if not item.collapsed:
                        continue
                if label not in self.first_of:
                    self.first_of[label] = stop
                stop += 1
        self.line_of = {item: i for i, item in enumerate(lines) if type(item) is str}

    def group_at(self, line: int) -> str | None:
        """The label of the group line ``line`` is in (its header or one of its rows), None when ungrouped."""
        for i in range(line, -1, -1):
            item = self.lines[i]
            if type(item) is Group:
                return item.label
        return None


