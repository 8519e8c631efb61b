"""Where things are in the registry's TOML text, and how to write one value inline.

tomllib gives values but no positions, and tomli-w rewrites a whole file (losing the
user's comments). The registry's exact edits (``set_value``, ``add_entries``) and the
line numbers in validation messages both need to know which line holds which key,
and where a value starts and ends. :func:`scan` answers that with a small scanner
that understands just enough TOML to skip over values (strings of all four kinds,
multi-line arrays with comments, inline tables). It is only ever run on text that
tomllib has already accepted, so it does not re-check the grammar; an edit made with
its help is still verified by re-parsing (see :mod:`mfa_tui.core.registry.edit`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WS = " \t"


class ScanError(ValueError):
    """The text is not shaped as the scanner expects (callers fall back, never crash)."""


@dataclass(frozen=True)
class Header:
    """A ``[table]`` or ``[[array]]`` header line."""

    path: tuple[str, ...]
    array: bool
    start: int
    """Offset of the line's first character."""
    end: int
    """Offset just past the line's newline (or the end of the text)."""
    line: int
    """1-based line number."""
    column: int
    """1-based column of the opening bracket."""


@dataclass(frozen=True)
class KeyLine:
    """A ``key = value`` statement (the value may span several lines)."""

    table: tuple[str, ...]
    """The path of the header it sits under (``()`` before the first header)."""
    key: tuple[str, ...]
    """The key's parts (more than one for a dotted key)."""
    start: int
    """Offset of the first character of the statement's first line (indentation included)."""
    value_start: int
    value_end: int
    """The value is ``text[value_start:value_end]``; a trailing comment comes after."""
    end: int
    """Offset just past the statement's last newline (or the end of the text)."""
    line: int
    column: int
    """1-based line and column of the key."""

    @property
    def full(self) -> tuple[str, ...]:
        return self.table + self.key


@dataclass
class Layout:
    """Every header and key statement of a TOML text, in order."""

    headers: list[Header] = field(default_factory=list)
    keys: list[KeyLine] = field(default_factory=list)

    def header(self, path: tuple[str, ...]) -> Header | None:
        """The ``[path]`` header, if the table is declared by one."""
        for header in self.headers:
            if header.path == path and not header.array:
                return header
        return None

    def key(self, table: tuple[str, ...], key: str) -> KeyLine | None:
        """The statement ``key = …`` written directly under ``[table]`` (not dotted, not inline)."""
        for entry in self.keys:
            if entry.table == table and entry.key == (key,):
                return entry
        return None

    def last_key_in(self, table: tuple[str, ...]) -> KeyLine | None:
        """The last statement under the ``[table]`` header."""
        found = None
        for entry in self.keys:
            if entry.table == table:
                found = entry
        return found

    def locate(self, where: tuple[str, ...]) -> tuple[int, int] | None:
        """Line and column of the key or table ``where`` (or the nearest enclosing one we find)."""
        while where:
            for entry in self.keys:
                if entry.full == where:
                    return entry.line, entry.column
            header = self.header(where)
            if header is not None:
                return header.line, header.column
            for header in self.headers:
                if header.path[: len(where)] == where:
                    return header.line, header.column
            for entry in self.keys:
                if entry.full[: len(where)] == where:
                    return entry.line, entry.column
            where = where[:-1]
        return None


def format_key(part: str) -> str:
    """One key part as TOML writes it: bare when it can be, else a quoted string."""
    if _BARE_KEY.fullmatch(part):
        return part
    return format_value(part)


def format_path(parts: tuple[str, ...] | list[str]) -> str:
    """A dotted key path, e.g. ``profiles."a.b".duration``."""
    return ".".join(format_key(p) for p in parts)


def format_value(value: Any) -> str:
    """``value`` as one line of TOML (arrays and tables inline, unlike tomli-w's multi-line arrays).

    Raises ``TypeError`` for values TOML cannot hold.
    """
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{format_key(str(k))} = {format_value(v)}" for k, v in value.items()) + " }"
    import tomli_w  # local: loading the registry never needs the writer

    line = tomli_w.dumps({"v": value})
    return line[len("v = ") : -1]


def newline_of(text: str) -> str:
    """The file's line ending: CRLF if it uses any, else LF."""
    return "\r\n" if "\r\n" in text else "\n"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def scan(text: str) -> Layout:
    """Find every header and key statement in ``text`` (already accepted by tomllib)."""
    return _Scanner(text).run()


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self._line_offset = 0
        self._line = 1

    def _line_col(self, i: int) -> tuple[int, int]:
        """Like :func:`line_col`, counting on from the previous call (offsets only grow)."""
        self._line += self.text.count("\n", self._line_offset, i)
        self._line_offset = i
        return self._line, i - (self.text.rfind("\n", 0, i) + 1) + 1

    # -- small movers -------------------------------------------------------------
    def _ws(self, i: int) -> int:
        while i < self.n and self.text[i] in _WS:
            i += 1
        return i

    def _to_line_end(self, i: int) -> int:
        """Skip whitespace and a comment; return the offset past the newline."""
        i = self._ws(i)
        if i < self.n and self.text[i] == "#":
            while i < self.n and self.text[i] not in "\r\n":
                i += 1
        if self.text.startswith("\r\n", i):
            return i + 2
        if i < self.n and self.text[i] == "\n":
            return i + 1
        if i >= self.n:
            return i
        raise ScanError(f"unexpected text at offset {i}")

    def _blank(self, i: int) -> int:
        """Skip whitespace, newlines and comments (inside arrays)."""
        while i < self.n:
            c = self.text[i]
            if c in _WS or c in "\r\n":
                i += 1
            elif c == "#":
                while i < self.n and self.text[i] not in "\r\n":
                    i += 1
            else:
                break
        return i

    # -- keys -----------------------------------------------------------------------
    def _simple_key(self, i: int) -> tuple[str, int]:
        text = self.text
        if i < self.n and text[i] in "\"'":
            end = self._string(i)
            return tomllib.loads("k = " + text[i:end])["k"], end
        m = _BARE_KEY.match(text, i)
        if not m:
            raise ScanError(f"expected a key at offset {i}")
        return m.group(), m.end()

    def _key(self, i: int) -> tuple[tuple[str, ...], int]:
        parts = []
        while True:
            i = self._ws(i)
            part, i = self._simple_key(i)
            parts.append(part)
            i = self._ws(i)
            if i < self.n and self.text[i] == ".":
                i += 1
                continue
            return tuple(parts), i

    # -- values ---------------------------------------------------------------------
    def _string(self, i: int) -> int:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, i):
                j = i + 3
                while True:
                    if j >= self.n:
                        raise ScanError("unterminated string")
                    if quote == '"""' and text[j] == "\\":
                        j += 2
                        continue
                    if text.startswith(quote, j):
                        j += 3
                        # Up to two quote characters may sit just before the closing three.
                        extra = 0
                        while extra < 2 and j < self.n and text[j] == quote[0]:
                            j += 1
                            extra += 1
                        return j
                    j += 1
        quote = text[i]
        j = i + 1
        while j < self.n:
            c = text[j]
            if c == "\\" and quote == '"':
                j += 2
                continue
            if c == quote:
                return j + 1
            if c in "\r\n":
                break
            j += 1
        raise ScanError("unterminated string")

    def _value(self, i: int) -> int:
        text = self.text
        if i >= self.n:
            raise ScanError("missing value")
        c = text[i]
        if c in "\"'":
            return self._string(i)
        if c == "[":
            i = self._blank(i + 1)
            while i < self.n and text[i] != "]":
                i = self._blank(self._value(i))
                if i < self.n and text[i] == ",":
                    i = self._blank(i + 1)
            if i >= self.n:
                raise ScanError("unclosed array")
            return i + 1
        if c == "{":
            i = self._blank(i + 1)
            while i < self.n and text[i] != "}":
                _, i = self._key(i)
                if i >= self.n or text[i] != "=":
                    raise ScanError("expected = in inline table")
                i = self._blank(self._value(self._ws(i + 1)))
                if i < self.n and text[i] == ",":
                    i = self._blank(i + 1)
            if i >= self.n:
                raise ScanError("unclosed inline table")
            return i + 1
        # Numbers, booleans, dates and times; a date-time may hold one space.
        j = i
        while j < self.n and text[j] not in ",]}#\r\n":
            j += 1
        end = i + len(text[i:j].rstrip(_WS))
        if end == i:
            raise ScanError("missing value")
        return end

    # -- statements -------------------------------------------------------------------
    def run(self) -> Layout:
        layout = Layout()
        text, i, table = self.text, 0, ()
        while True:
            line_start = i
            i = self._ws(i)
            if i >= self.n:
                break
            c = text[i]
            if c in "\r\n" or c == "#":
                i = self._to_line_end(i)
                continue
            line, column = self._line_col(i)
            if c == "[":
                array = text.startswith("[[", i)
                path, j = self._key(i + (2 if array else 1))
                close = "]]" if array else "]"
                if not text.startswith(close, j):
                    raise ScanError(f"unclosed header on line {line}")
                end = self._to_line_end(j + len(close))
                layout.headers.append(Header(path, array, line_start, end, line, column))
                table, i = path, end
                continue
            key, j = self._key(i)
            if j >= self.n or text[j] != "=":
                raise ScanError(f"expected = on line {line}")
            value_start = self._ws(j + 1)
            value_end = self._value(value_start)
            end = self._to_line_end(value_end)
            layout.keys.append(KeyLine(table, key, line_start, value_start, value_end, end, line, column))
            i = end
        return layout
