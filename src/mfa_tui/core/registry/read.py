"""Reading the registry: its bytes to text, text to tomllib's dict, the dict to a validated Registry.

Shared by :mod:`.load` (which adds the validated cache in front) and :mod:`.edit` (which reads
the file it is about to change): every read refuses the same files with the same problems, and a
TOML syntax error is reworded (:func:`syntax_problem`) where tomllib's wording leaves users
guessing. tomllib, the scanner (:mod:`.text`) and the rules (:mod:`.validate`) are imported where
used: a registry served from the cache needs none of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import FileError, Problem
from mfa_tui.core.fileio import read_bytes
from mfa_tui.core.models import Registry

MAX_BYTES = 4 * 1024 * 1024
"""A registry larger than this is refused: even 10,000 profiles take well under 2 MiB."""

BOM = "\ufeff"

_AT_POSITION = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_AT_END = re.compile(r"^(?P<msg>.*) \(at end of document\)$", re.S)
_TWICE = re.compile(r"^Cannot declare (?P<path>\(.*\)) twice$")
_NAMESPACE = re.compile(r"^Cannot redefine namespace (?P<path>\(.*\))$")


def read_text(path: Path, *, missing_ok: bool = False) -> tuple[str | None, list[Problem]]:
    """The registry's text (a UTF-8 BOM kept), or None and the one problem that stops reading it.

    With ``missing_ok``, a missing file gives ``(None, [])``.
    """
    where = str(path)
    try:
        data = read_bytes(path, limit=MAX_BYTES)
    except FileError as exc:
        message = str(exc)
        # fileio's messages start with the path; Problem adds it again.
        if message.startswith(where + ": "):
            message = message[len(where) + 2 :]
        return None, [Problem(where, "", message)]
    if data is None:
        if missing_ok:
            return None, []
        return None, [
            Problem(
                where,
                "",
                f"no registry here; create one with `cp config.example.toml {path}` (then edit it), "
                "or build one from your ~/.aws files with `mfa-tui import --write`",
            )
        ]
    if b"\x00" in data:
        return None, [Problem(where, "", "is a binary file, not a TOML registry")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(where, "", f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8", line, column)
        ]
    return text, []


def strip_bom(text: str) -> str:
    """``text`` without its UTF-8 byte-order mark, which tomllib refuses."""
    return text[1:] if text.startswith(BOM) else text


def parse_text(text: str, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """tomllib's dict for ``text``, or None and the syntax problem (with line and column)."""
    import tomllib  # local: a registry served from the cache is never parsed

    body = strip_bom(text)
    try:
        return tomllib.loads(body), []
    except tomllib.TOMLDecodeError as exc:
        return None, [syntax_problem(str(exc), body, path)]


def validate_text(
    text: str, path: Path, *, aws_config_path: Path | None = None
) -> tuple[Registry | None, list[Problem]]:
    """Parse and validate registry text as if it were the file at ``path``."""
    raw, problems = parse_text(text, path)
    if raw is None:
        return None, problems
    return validate_raw(raw, text, path, aws_config_path=aws_config_path)


def validate_raw(
    raw: dict[str, Any], text: str | None, path: Path, *, aws_config_path: Path | None = None
) -> tuple[Registry | None, list[Problem]]:
    """Validate a parsed registry; ``text`` (when given) supplies line numbers for problems."""
    from mfa_tui.core.registry.validate import validate

    if aws_config_path is None:
        aws_config_path = default_aws_config()
    return validate(raw, path=path, aws_config_path=aws_config_path, locate=_locator(text))


def default_aws_config() -> Path:
    """``$AWS_CONFIG_FILE`` or ~/.aws/config: the file checked for shadowing profiles by default."""
    from mfa_tui.core.paths import aws_config_path

    return aws_config_path()


def _locator(text: str | None):
    """A ``locate(where)`` that scans the text only when a problem needs a line number."""
    if text is None:
        return None
    body = strip_bom(text)
    cache: list = []

    def locate(where: tuple[str, ...]) -> tuple[int, int] | None:
        from mfa_tui.core.registry.text import ScanError, scan

        if not cache:
            try:
                cache.append(scan(body))
            except ScanError:
                cache.append(None)
        layout = cache[0]
        return layout.locate(where) if layout is not None else None

    return locate


def syntax_problem(message: str, text: str, path: Path) -> Problem:
    """A tomllib error as a Problem, reworded where tomllib's wording leaves users guessing."""
    from mfa_tui.core.registry.text import format_path, line_col

    line = column = None
    m = _AT_POSITION.match(message)
    if m:
        message, line, column = m["msg"], int(m["line"]), int(m["col"])
    else:
        m = _AT_END.match(message)
        if m:
            message = m["msg"]
            line, column = line_col(text, len(text.rstrip()))
            message += " (the file ends too early: is it truncated?)"
    where = ""
    twice = _TWICE.match(message)
    if twice:
        table = _tuple(twice["path"])
        where = format_path(table)
        # tomllib points past the header; the header's bracket is where to look.
        column = _header_column(text, line) or column
        first = _first_header_line(text, table)
        message = f"[{where}] is declared twice; TOML forbids duplicate tables"
        if len(table) == 2 and table[0] in ("profiles", "identities", "accounts"):
            message += f": two {table[0]} cannot share a name, rename or merge one of them"
        if first is not None and first != line:
            message += f" (first declared on line {first})"
    elif message.startswith("Cannot overwrite a value"):
        key = _key_on_line(text, line)
        message = (
            f"{key} is set twice in the same table; TOML forbids duplicate keys: remove one"
            if key
            else "a key is set twice, or a table header reuses a key that already holds a value: remove one"
        )
    elif _NAMESPACE.match(message):
        table = _tuple(_NAMESPACE.match(message)["path"])
        where = format_path(table)
        message = f"[{where}] is defined twice (by a header and by dotted keys); keep one"
    elif message.startswith("Invalid value"):
        message = 'TOML syntax error: invalid value (strings need quotes, e.g. theme = "mfa-dark")'
    else:
        message = f"TOML syntax error: {message[:1].lower()}{message[1:]}"
    return Problem(str(path), where, message, line, column)


def _tuple(text: str) -> tuple[str, ...]:
    import ast  # local: only a duplicate-table error needs it

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return (text,)
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)


def _first_header_line(text: str, table: tuple[str, ...]) -> int | None:
    """The line of the first ``[table]`` header (scanning stops harmlessly at the duplicate)."""
    import tomllib

    pattern = re.compile(r"^[ \t]*\[[ \t]*(.+?)[ \t]*\][ \t]*(#.*)?$")
    for number, line in enumerate(text.splitlines(), 1):
        m = pattern.match(line)
        if m and not line.lstrip().startswith("[["):
            try:
                parsed = tomllib.loads(f"[{m[1]}]")
            except tomllib.TOMLDecodeError:
                continue
            node, path = parsed, []
            while isinstance(node, dict) and len(node) == 1:
                key = next(iter(node))
                path.append(key)
                node = node[key]
            if tuple(path) == table:
                return number
    return None


def _header_column(text: str, line: int | None) -> int | None:
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines) or "[" not in lines[line - 1]:
        return None
    return lines[line - 1].index("[") + 1


def _key_on_line(text: str, line: int | None) -> str | None:
    if line is None:
        return None
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    m = re.match(r"^[ \t]*([A-Za-z0-9_.\"' -]+?)[ \t]*=", lines[line - 1])
    return m[1] if m else None
