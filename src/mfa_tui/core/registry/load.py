"""The TOML registry: load it, check it, and (through :mod:`registry_edit`) change it safely.

One file (``config.example.toml`` documents every key) lists the accounts, the IAM
users reached through long-term keys (identities) and the profiles mfa-tui writes
into the shared credentials file. Reading is stdlib ``tomllib``; the rules live in
:mod:`mfa_tui.core.registry.validate`. Every problem is reported at once, as a
:class:`~mfa_tui.core.errors.Problem` naming the file, the table and key, and the
line and column when we can find them, so ``mfa-tui config check`` and the dashboard's
error screen can list them all.

The writers (:func:`add_entries`, :func:`set_value`, :func:`dumps`) live in
:mod:`mfa_tui.core.registry.edit` and are imported only when called: loading the
registry (done by ``credential-process`` on every AWS CLI call) never pays for
tomli-w or filelock.

:func:`load` keeps the last registry that validated (:mod:`mfa_tui.core.registry.cache`) and
reuses it while the registry's text, the AWS config file and the rules are unchanged, so an
unchanged registry opens without tomllib or the checks (and without importing them). A
registry with problems is always checked in full; :func:`check` never uses the copy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import FileError, Problem, RegistryError
from mfa_tui.core.fileio import read_bytes
from mfa_tui.core.models import Registry

# registry_text and registry_validate (the scanner and the rules) are imported where used: a
# registry served from the cache needs neither.

MAX_BYTES = 4 * 1024 * 1024
"""A registry larger than this is refused: even 10,000 profiles take well under 2 MiB."""

BOM = "\ufeff"

_AT_POSITION = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_AT_END = re.compile(r"^(?P<msg>.*) \(at end of document\)$", re.S)
_TWICE = re.compile(r"^Cannot declare (?P<path>\(.*\)) twice$")
_NAMESPACE = re.compile(r"^Cannot redefine namespace (?P<path>\(.*\))$")


def load(path: Path, *, aws_config_path: Path | None = None) -> Registry:
    """Read and validate the registry at ``path``.

    Raises :class:`RegistryError` listing every problem; a missing file gives one
    problem saying how to create it. ``aws_config_path`` is the AWS config file checked
    for profiles that would shadow ours (default: ``$AWS_CONFIG_FILE`` or ~/.aws/config).
    """
    from mfa_tui.core.registry import cache as registry_cache

    from dataclasses import replace

    from mfa_tui.core.session.peek import registry_stamp

    path = Path(path)
    if aws_config_path is None:
        aws_config_path = _default_aws_config()
    # Before reading: an edit made while we read shows as another stamp, never as this one.
    stamp = registry_stamp(str(path))
    text, problems = read_text(path)
    if text is None:
        raise RegistryError(problems)
    key = registry_cache.inputs(path, text, aws_config_path)
    registry = registry_cache.lookup(path, key)
    if registry is not None and registry.settings.credentials_file:
        # That rule reads the disk (symlinks) and the state dir, which the copy's key does not cover.
        from mfa_tui.core.registry.validate import credentials_file_clash

        if credentials_file_clash(registry.settings.credentials_file, path, aws_config_path):
            registry = None
    if registry is None:
        registry, problems = validate_text(text, path, aws_config_path=aws_config_path)
        if problems:
            raise RegistryError(problems)
        assert registry is not None
        registry_cache.store(path, key, registry)
    return replace(registry, stamp=stamp)


def check(path: Path, *, aws_config_path: Path | None = None) -> list[Problem]:
    """Every problem of the registry at ``path``; empty when it is valid."""
    return _load(Path(path), aws_config_path)[1]


def _load(path: Path, aws_config_path: Path | None) -> tuple[Registry | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return validate_text(text, path, aws_config_path=aws_config_path)


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


def parse_text(text: str, path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """tomllib's dict for ``text``, or None and the syntax problem (with line and column)."""
    import tomllib  # local: a registry served from the cache is never parsed

    body = text[1:] if text.startswith(BOM) else text
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
        aws_config_path = _default_aws_config()
    return validate(raw, path=path, aws_config_path=aws_config_path, locate=_locator(text))


def _default_aws_config() -> Path:
    from mfa_tui.core.paths import aws_config_path

    return aws_config_path()


def _locator(text: str | None):
    """A ``locate(where)`` that scans the text only when a problem needs a line number."""
    if text is None:
        return None
    body = text[1:] if text.startswith(BOM) else text
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


# -- writers (see registry_edit), imported on first use --------------------------------


def add_entries(
    path: Path,
    *,
    accounts: dict[str, dict] | None = None,
    identities: dict[str, dict] | None = None,
    profiles: dict[str, dict] | None = None,
    aws_config_path: Path | None = None,
) -> None:
    """Append new ``[accounts.*]``, ``[identities.*]`` and ``[profiles.*]`` tables; see :mod:`registry_edit`."""
    from mfa_tui.core.registry import edit as registry_edit

    registry_edit.add_entries(
        path, accounts=accounts or {}, identities=identities or {}, profiles=profiles or {},
        aws_config_path=aws_config_path,
    )


def set_value(path: Path, table: tuple[str, ...], key: str, value: Any, *, aws_config_path: Path | None = None) -> None:
    """Set (or, with ``None``, remove) one key by an exact text edit; see :mod:`registry_edit`."""
    from mfa_tui.core.registry import edit as registry_edit

    registry_edit.set_value(path, table, key, value, aws_config_path=aws_config_path)


def dumps(raw: dict[str, Any]) -> str:
    """The canonical tomli-w text of a registry dict (used for new files and full rewrites)."""
    from mfa_tui.core.registry import edit as registry_edit

    return registry_edit.dumps(raw)
