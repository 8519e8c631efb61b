"""Drawing for the status table: column layout, styles, and one row as a Textual ``Strip``.

Kept apart from the widget so the widget reads as state and behaviour, and so the hot path
(a busy tick redraws every visible row) is one short function: a row becomes a handful of
segments with their styles precomputed, already at the table's width, so Textual has nothing
left to crop or pad.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.strip import Strip

from mfa_tui.core.models import State
from mfa_tui.ui.rowformat import (
    BAR_CELLS,
    ERROR_MARK,
    MISMATCH_FLAG,
    NONE_TEXT,
    OWN_CODE_TEXT,
    Live,
    PreparedRow,
    shows_error_mark,
)
from mfa_tui.ui.theming import STATUS_VARIABLES, THEME_VARIABLE_DEFAULTS
from mfa_tui.ui.widgets.status_view import Group

if TYPE_CHECKING:
    from textual.widget import Widget

# Fixed columns are as wide as their longest possible text.
MARK_W = 2
KIND_W = 12  # "chained role"
STATE_W = 10  # "refreshing", "expiring ⚠"
LEFT_W = 7  # "11h 42m", "9m 05s", "1d 23h"
MFA_W = 8  # "MFA left"
AGO_W = 9  # "Refreshed"; "9999d ago" still fits
FIXED_W = MARK_W + KIND_W + 1 + STATE_W + 1 + LEFT_W + 1 + BAR_CELLS + 1 + MFA_W + 1 + AGO_W + 1 + 2
"""Every cell but profile, account and who-am-I, with separators (two of them after profile and account)."""
NARROW_ACCOUNT_W = 8
"""How far the account column shrinks once the bar is left out, before it is left out too."""
TITLE_WIDTHS = (len("Profile"), len("Account"), len("Who am I"))
MAX_WIDTHS = (40, 40, 100)
"""Free-text columns never grow past these, however long a value."""
MIN_WIDTHS = (16, 16, 20)
"""...and shrink to fit a narrow terminal no further than these (then the table scrolls sideways)."""
MARK_TEXT = "● "
FLAG_W = cell_len(MISMATCH_FLAG)
"""Cells of :data:`MISMATCH_FLAG`: what is left of the who-am-I column in a narrow table."""
QUIET_TEXTS = frozenset({NONE_TEXT, OWN_CODE_TEXT})
"""Cell texts that are a note rather than a value: drawn dim."""


def cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    if text.isascii():
        if len(text) <= width:
            return text.ljust(width)
        return text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def measure(entries: Iterable[PreparedRow], start: tuple[int, int, int] = TITLE_WIDTHS) -> tuple[int, int, int]:
    """Natural widths of the profile, account and who-am-I columns: their longest values, capped."""
    pw, aw, ww = start
    flag = cells(MISMATCH_FLAG)
    for e in entries:
        pw = max(pw, cells(e.profile))
        aw = max(aw, cells(e.account))
        ww = max(ww, cells(e.whoami) + (flag if e.mismatch else 0))
    return min(pw, MAX_WIDTHS[0]), min(aw, MAX_WIDTHS[1]), min(ww, MAX_WIDTHS[2])


class Layout(NamedTuple):
    """Widths of the free-text columns for one table width, and which optional columns are shown;
    ``total`` is the row length in cells.

    (Named tuples here and for :class:`Styles` rather than dataclasses: they are created once
    per change either way, and a dataclass costs a millisecond of start-up to define.)
    """

    profile: int
    account: int
    whoami: int
    """0: the who-am-I column is left out but for its mismatch flag (:data:`FLAG_W` cells)."""
    kind: bool = True
    refreshed: bool = True
    bar: bool = True
    mfa: bool = True
    """``account`` 0: the account column is left out (as are the kind, refreshed, bar and MFA-left ones when False)."""

    @property
    def total(self) -> int:
        total = FIXED_W + self.profile + self.account + (self.whoami or FLAG_W)
        if not self.account:
            total -= 1
        if not self.kind:
            total -= KIND_W + 1
        if not self.refreshed:
            total -= AGO_W + 1
        if not self.bar:
            total -= BAR_CELLS + 1
        if not self.mfa:
            total -= MFA_W + 1
        return total

    @property
    def frozen(self) -> int:
        """Cells of the mark and profile column, which stay put while the rest scrolls sideways."""
        return MARK_W + self.profile + 1


def _shrink(layout: Layout, width: int, mins: tuple[int, int, int] = MIN_WIDTHS) -> Layout:
    """Shrink who-am-I, then account, then profile (down to ``mins``) until a row fits ``width``."""
    widths = [layout.profile, layout.account, layout.whoami]
    excess = layout.total - width
    for column in (2, 1, 0):
        if excess <= 0:
            break
        give = min(excess, max(0, widths[column] - mins[column])) if widths[column] else 0
        widths[column] -= give
        excess -= give
    return layout._replace(profile=widths[0], account=widths[1], whoami=widths[2])


def fit_layout(natural: tuple[int, int, int], width: int) -> Layout:
    """The columns for a table ``width`` cells wide: every column when they fit at their minimums
    (:func:`_shrink`); else who am I (its mismatch flag stays), then refreshed, kind and the bar are
    left out, the account shrinks to :data:`NARROW_ACCOUNT_W` and is left out, then MFA left, in that
    order, until the rest fit with no sideways scrolling: state and time left stay at 60 columns.
    The detail pane shows all of them for the selected row. Only past that (under some 40 cells)
    does the table scroll sideways, the profile column staying put (:attr:`Layout.frozen`).
    """
    profile, account, whoami = natural
    narrow = (MIN_WIDTHS[0], NARROW_ACCOUNT_W, MIN_WIDTHS[2])
    bare = Layout(profile, account, 0, kind=False, refreshed=False, bar=False)
    steps = (
        (Layout(profile, account, whoami), MIN_WIDTHS),
        (Layout(profile, account, 0), MIN_WIDTHS),
        (Layout(profile, account, 0, refreshed=False), MIN_WIDTHS),
        (Layout(profile, account, 0, kind=False, refreshed=False), MIN_WIDTHS),
        (bare, narrow),
        (bare._replace(account=0), MIN_WIDTHS),
        (bare._replace(account=0, mfa=False), MIN_WIDTHS),
    )
    for step, mins in steps:
        layout = _shrink(step, width, mins)
        if layout.total <= width:
            return layout
    return layout


class Palette:
    """Rich styles for one look of a row (normal or under the cursor)."""

    __slots__ = ("text", "dim", "mark", "flag", "state", "bar")

    def __init__(
        self,
        text: Style,
        dim: Style,
        mark: Style,
        flag: Style,
        colours: dict[State, Style],
        track: Style,
        colour_state: bool = True,
    ):
        self.text = text
        self.dim = text + dim
        self.mark = text + mark
        self.flag = text + flag
        # The cursor row writes its state word in the cursor's own colours: a state colour can be
        # the cursor's background (yellow on yellow in high contrast). Its bar keeps the colour,
        # drawn on the bar's own track.
        self.state = {state: text + colour if colour_state else text for state, colour in colours.items()}
        self.bar = {state: track + colour for state, colour in colours.items()}


class Styles(NamedTuple):
    """Everything the table draws with, resolved from CSS and theme variables once per change."""

    normal: Palette
    cursor: Palette
    base: Style
    header: Style
    group: Style
    cursor_pad: Style


def state_colours(variables: dict[str, str]) -> dict[State, Style]:
    """Each state's colour from theme variables (``status-valid`` ...), mfa-tui's defaults behind them."""
    colours = {}
    for state, var in STATUS_VARIABLES.items():
        try:
            colour = Color.parse(variables.get(var) or THEME_VARIABLE_DEFAULTS[var])
        except ColorParseError:
            colour = Color.parse(THEME_VARIABLE_DEFAULTS[var])
        colours[state] = Style(color=colour.rich_color)
    return colours


def resolve_styles(widget: Widget) -> Styles:
    """The table's styles from its component classes and the app's current theme variables."""
    get = widget.get_component_rich_style
    base = widget.rich_style
    cursor = get("status-table--cursor")
    dim = get("status-table--dim", partial=True)
    mark = get("status-table--mark", partial=True)
    flag = get("status-table--flag", partial=True)
    track = get("status-table--bar-track")
    colours = state_colours(widget.app.theme_variables if widget.is_attached else {})
    return Styles(
        normal=Palette(base, dim, mark, flag, colours, track),
        cursor=Palette(cursor, dim, mark, flag, colours, track, colour_state=False),
        base=base,
        header=get("status-table--header"),
        group=get("status-table--group"),
        cursor_pad=cursor,
    )


def _pad(segments: list[Segment], used: int, width: int, style: Style) -> Strip:
    if width > used:
        segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width)
    return Strip(segments, used)


def row_strip(entry: PreparedRow, live: Live, marked: bool, p: Palette, layout: Layout, width: int) -> Strip:
    """One row, at least ``width`` cells (exactly, when the layout fits)."""
    text, dim = p.text, p.dim
    left, mfa_left = live.left, live.mfa_left
    kind = f"{entry.kind:<{KIND_W}} " if layout.kind else ""
    account = f"{fit(entry.account, layout.account)} " if layout.account else ""
    segments = [
        Segment(MARK_TEXT if marked else "  ", p.mark),
        Segment(f"{fit(entry.profile, layout.profile)} {account}{kind}", text),
        *_state_segments(entry, live.state, p),
        Segment(f" {left:>{LEFT_W}} ", text if left != NONE_TEXT else dim),
    ]
    if layout.bar:
        segments.append(Segment(live.bar, p.bar[live.state]))
    if layout.mfa:
        segments.append(Segment(f"{' ' * layout.bar}{mfa_left:>{MFA_W}} ", dim if mfa_left in QUIET_TEXTS else text))
    elif layout.bar:
        segments.append(Segment(" ", text))
    if layout.refreshed:
        segments.append(Segment(f"{live.refreshed:>{AGO_W}} ", dim))
    if entry.mismatch:
        segments.append(Segment(MISMATCH_FLAG, p.flag))
        if layout.whoami:
            segments.append(Segment(fit(entry.whoami, layout.whoami - cells(MISMATCH_FLAG)), p.flag))
    elif layout.whoami:
        segments.append(Segment(fit(entry.whoami, layout.whoami), text if entry.whoami != NONE_TEXT else dim))
    else:
        segments.append(Segment(" " * FLAG_W, text))
    return _pad(segments, layout.total, width, text)


def _state_segments(entry: PreparedRow, state: State, p: Palette) -> tuple[Segment, ...]:
    """The state word in its colour, then :data:`ERROR_MARK` when the last refresh failed beside it."""
    if shows_error_mark(state, entry.status.last_error):
        word = state.value
        return (
            Segment(word, p.state[state]),
            Segment(f" {ERROR_MARK}".ljust(STATE_W - len(word)), p.flag),
        )
    return (Segment(state.value.ljust(STATE_W), p.state[state]),)


def crop_frozen(strip: Strip, frozen: int, scroll_x: int, width: int, pad: Style) -> Strip:
    """``strip`` scrolled ``scroll_x`` cells sideways to ``width``, its first ``frozen`` cells staying put."""
    if not scroll_x or not 0 < frozen < width:
        return strip.crop_extend(scroll_x, scroll_x + width, pad)
    start = frozen + scroll_x
    return Strip.join((strip.crop_extend(0, frozen, pad), strip.crop_extend(start, start + width - frozen, pad)))


def header_strip(layout: Layout, width: int, style: Style) -> Strip:
    kind = f"{'Kind':<{KIND_W}} " if layout.kind else ""
    account = f"{fit('Account', layout.account)} " if layout.account else ""
    left = f"{'Time left':<{LEFT_W + 1 + BAR_CELLS}} " if layout.bar else f"{'Left':>{LEFT_W}} "
    titles = (
        " " * MARK_W
        + f"{fit('Profile', layout.profile)} {account}{kind}{'State':<{STATE_W}} "
        + left
        + (f"{'MFA left':>{MFA_W}} " if layout.mfa else "")
        + (f"{'Refreshed':>{AGO_W}} " if layout.refreshed else "")
        + (fit("Who am I", layout.whoami) if layout.whoami else "")
    )
    return _pad([Segment(titles, style)], layout.total, width, style)


def group_strip(group: Group, layout: Layout, width: int, style: Style) -> Strip:
    label = f"▸ {group.label} ({group.count} hidden)" if group.collapsed else f"▾ {group.label} ({group.count})"
    text = fit(label, max(layout.total, width))
    return Strip([Segment(text, style)], cells(text))


class Painter:
    """The table's drawing caches: the column layout for the current width, the resolved styles,
    the header, and each row's last strip with what it was drawn from.

    Caches are dropped, never patched: a new width, new column widths or a CSS/theme change
    forget everything; a row update forgets that row. ``drawn(profile)`` tells the widget's
    ``tick()`` what a row showed, so it can skip rows whose text has not changed.
    """

    def __init__(self) -> None:
        self.natural: tuple[int, int, int] = TITLE_WIDTHS
        """Widths the profile, account and who-am-I columns would like (longest values, capped)."""
        self.layout: Layout | None = None
        self.width = -1
        """The width ``layout`` was fitted to (-1: not yet)."""
        self.styles: Styles | None = None
        """Set by the widget from :func:`resolve_styles`; None after a restyle."""
        self._strips: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self._header: Strip | None = None

    def set_natural(self, natural: tuple[int, int, int]) -> bool:
        """New column widths from the rows; returns whether they changed (the layout is then redone)."""
        if natural == self.natural and self.layout is not None:
            return False
        self.natural = natural
        if self.width >= 0:
            self.layout = fit_layout(natural, self.width)
        self.forget()
        return True

    def fit(self, width: int) -> bool:
        """Lay the columns out for ``width``; returns whether anything was redone."""
        if self.layout is not None and width == self.width:
            return False
        self.layout = fit_layout(self.natural, width)
        self.width = width
        self.forget()  # rows are drawn to the full width, so even the same columns need redrawing
        return True

    def forget(self, profile: str | None = None) -> None:
        """Drop one row's strip, or (no argument) every strip and the header."""
        if profile is not None:
            self._strips.pop(profile, None)
            return
        self._strips.clear()
        self._header = None

    def restyle(self) -> None:
        self.styles = None
        self.forget()

    def drawn(self, profile: str) -> Live | None:
        """The live texts ``profile`` was last drawn with (None: not drawn since the last change)."""
        cached = self._strips.get(profile)
        return cached[0][0] if cached is not None else None  # type: ignore[return-value]

    def header(self) -> Strip:
        if self._header is None:
            assert self.layout is not None and self.styles is not None
            self._header = header_strip(self.layout, self.width, self.styles.header)
        return self._header

    def group(self, group: Group, style: Style) -> Strip:
        assert self.layout is not None
        return group_strip(group, self.layout, self.width, style)

    def row(self, entry: PreparedRow, live: Live, is_cursor: bool, marked: bool) -> Strip:
        key = (live, is_cursor, marked, entry)
        cached = self._strips.get(entry.profile)
        if cached is not None and cached[0] == key:
            return cached[1]
        assert self.layout is not None and self.styles is not None
        palette = self.styles.cursor if is_cursor else self.styles.normal
        strip = row_strip(entry, live, marked, palette, self.layout, self.width)
        self._strips[entry.profile] = (key, strip)
        return strip
