"""Changing the registry without losing a byte the user wrote.

Two edits, both used by other parts of mfa-tui: :func:`add_entries` (``mfa-tui import
--write`` appends tables) and :func:`set_value` (enrolment stores an MFA serial, the
dashboard saves the chosen theme). Both follow the same steps, under a file lock so
two mfa-tui processes never lose each other's change:

1. read the file and refuse to touch it when it is broken (a syntax error or any
   validation problem): a broken registry is never overwritten;
2. compute the dict the file should hold afterwards;
3. make the smallest text edit that gets there (replace one value, insert one line,
   append tables), keeping comments, spacing, line endings and every other byte;
4. re-parse the edited text with tomllib: if it is not exactly the expected dict
   (a layout the exact edit does not handle, such as dotted keys), fall back to a full
   tomli-w rewrite of the expected dict (comments are then lost; the backup keeps them);
5. validate the result, and only then replace the file atomically (0600), keeping the
   previous content at ``PATH.bak``.

An edit that changes nothing writes nothing, so a load and save of an unchanged
registry gives the same bytes.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import FileError, Problem, RegistryError
from mfa_tui.core.fileio import atomic_write, describe_os_error, held_lock, make_dirs
from mfa_tui.core.registry.read import parse_text, read_text, strip_bom, validate_raw
from mfa_tui.core.registry.text import (
    ScanError,
    format_key,
    format_path,
    format_value,
    newline_of,
    scan,
)

LOCK_TIMEOUT = 10.0
"""Seconds to wait for another process's registry edit before giving up."""

GROUPS = ("accounts", "identities", "profiles")

_MISSING = object()


def dumps(raw: dict[str, Any]) -> str:
    """The canonical tomli-w text of a registry dict.

    Stable: ``dumps(tomllib.loads(dumps(x))) == dumps(x)``. Used for new files and for
    the full-rewrite fallback; exact edits keep the user's own layout instead.
    """
    import tomli_w

    return tomli_w.dumps(raw)


def backup_path(path: Path) -> Path:
    """Where the previous content goes before each write: ``PATH.bak``."""
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    """The lock file beside the registry: ``DIR/.NAME.lock``."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: Path) -> Iterator[Path]:
    """Hold the registry's lock; yields the file to write (a symlink's target, so the link survives)."""
    real = Path(os.path.realpath(path))
    try:
        make_dirs(real.parent, 0o700)
    except OSError as exc:
        raise FileError(describe_os_error(real.parent, exc, "create directory")) from None
    with held_lock(lock_path(real), guarding=real, timeout=LOCK_TIMEOUT, then="the registry was not changed"):
        yield real


def add_entries(
    path: Path,
    *,
    accounts: dict[str, dict] | None = None,
    identities: dict[str, dict] | None = None,
    profiles: dict[str, dict] | None = None,
    aws_config_path: Path | None = None,
) -> None:
    """Append new ``[accounts.NAME]``, ``[identities.NAME]`` and ``[profiles.NAME]`` tables.

    Each argument maps a name to a raw table with the keys of ``config.example.toml``,
    e.g. ``{"identity": "alice", "role_arn": "arn:aws:iam::222222222222:role/Admin"}``.
    Creates the file (with :func:`dumps`) when missing; otherwise the existing bytes stay
    exactly as they are and the tables are appended. Raises :class:`RegistryError`,
    writing nothing, when the file is broken, a name already exists, or the result
    would not validate.
    """
    path = Path(path)
    new = {"accounts": accounts or {}, "identities": identities or {}, "profiles": profiles or {}}
    entries: list[tuple[str, str, dict]] = []
    problems: list[Problem] = []
    for group in GROUPS:
        for name, table in new[group].items():
            if not isinstance(table, dict):
                problems.append(Problem(str(path), format_path((group, name)), f"must be a table (a dict), got {type(table).__name__}; nothing was written"))
                continue
            normalized = {}
            for key, value in table.items():
                normalized[key] = _normalize(path, (group, name, key), value, problems)
            entries.append((group, name, normalized))
    if problems:
        raise RegistryError(problems)
    if not entries:
        return
    with locked(path) as real:
        text, raw = _read_valid(path, aws_config_path)
        taken = [
            Problem(str(path), format_path((group, name)), "already exists in the registry; nothing was written")
            for group, name, _ in entries
            if name in raw.get(group, {})
        ]
        if taken:
            raise RegistryError(taken)
        expected = copy.deepcopy(raw)
        for group, name, table in entries:
            expected.setdefault(group, {})[name] = table
        if text is None:
            new_text = dumps(expected)
        else:
            new_text = _append_tables(text, entries)
            if _parse_quiet(new_text) != expected:
                new_text = dumps(expected)
        _validate_result(path, expected, aws_config_path)
        _write(real, new_text, existed=text is not None)


def set_value(
    path: Path, table: tuple[str, ...], key: str, value: Any, *, aws_config_path: Path | None = None
) -> None:
    """Set ``key`` in ``[table]`` to ``value`` (``None`` removes the key).

    e.g. ``set_value(p, ("settings",), "theme", "mfa-light")``. The exact edit replaces
    the value on the key's line (its trailing comment kept), or inserts the key after the
    table's last key, or appends the table. Setting the current value writes nothing.
    Raises :class:`RegistryError`, writing nothing, when the file is broken or the
    result would not validate.
    """
    path = Path(path)
    table = tuple(table)
    if not table or not all(isinstance(p, str) for p in table) or not isinstance(key, str):
        raise RegistryError([Problem(str(path), "", f"cannot set {table!r} {key!r}: give a table path of names and a key name")])
    where = table + (key,)
    if value is not None:
        problems: list[Problem] = []
        value = _normalize(path, where, value, problems)
        if problems:
            raise RegistryError(problems)
    with locked(path) as real:
        text, raw = _read_valid(path, aws_config_path)
        expected = copy.deepcopy(raw)
        node = expected
        for part in table:
            child = node.get(part, _MISSING)
            if child is _MISSING:
                if value is None:
                    return  # removing a key from a table that does not exist: nothing to do
                child = node[part] = {}
            if not isinstance(child, dict):
                raise RegistryError([Problem(str(path), format_path(table), "is not a table; cannot set a key in it")])
            node = child
        current = node.get(key, _MISSING)
        if value is None:
            if current is _MISSING:
                return
            del node[key]
        else:
            if current is not _MISSING and _same(current, value):
                return
            node[key] = value
        new_text = dumps(expected) if text is None else _edit_text(text, table, key, value)
        if new_text is None or _parse_quiet(new_text) != expected:
            new_text = dumps(expected)
        _validate_result(path, expected, aws_config_path)
        _write(real, new_text, existed=text is not None)


# -- steps ----------------------------------------------------------------------------


def _read_valid(path: Path, aws_config_path: Path | None) -> tuple[str | None, dict[str, Any]]:
    """The current text (None when missing) and its dict; RegistryError when it is broken."""
    text, problems = read_text(path, missing_ok=True)
    if problems:
        raise RegistryError(problems)
    if text is None:
        return None, {}
    raw, problems = parse_text(text, path)
    if raw is None:
        raise RegistryError(problems)
    _, problems = validate_raw(raw, text, path, aws_config_path=aws_config_path)
    if problems:
        raise RegistryError(problems)
    return text, raw


def _validate_result(path: Path, expected: dict[str, Any], aws_config_path: Path | None) -> None:
    _, problems = validate_raw(expected, None, path, aws_config_path=aws_config_path)
    if problems:
        raise RegistryError(
            [Problem(p.path, p.where, p.message + " (refused: nothing was written)") for p in problems]
        )


def _write(real: Path, text: str, *, existed: bool) -> None:
    atomic_write(real, text.encode("utf-8"), backup=backup_path(real) if existed else None)


def _normalize(path: Path, where: tuple[str, ...], value: Any, problems: list[Problem]) -> Any:
    """``value`` as tomllib would read it back (tuples become lists, ...), or a problem."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    try:
        return tomllib.loads("v = " + format_value(value))["v"]
    except (TypeError, ValueError):
        problems.append(
            Problem(str(path), format_path(where), f"a {type(value).__name__} cannot be stored in TOML; nothing was written")
        )
        return None


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1`` is not ``true``, nor ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _parse_quiet(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(strip_bom(text))
    except tomllib.TOMLDecodeError:
        return None


def _split_bom(text: str) -> tuple[str, str]:
    body = strip_bom(text)
    return text[: len(text) - len(body)], body


def _table_text(table: tuple[str, ...], items: dict[str, Any], nl: str) -> str:
    lines = [f"[{format_path(table)}]"] + [f"{format_key(k)} = {format_value(v)}" for k, v in items.items()]
    return nl.join(lines) + nl


def _append(body: str, chunk: str, nl: str) -> str:
    """``body`` with ``chunk`` appended after a blank line (none in an empty file)."""
    if not body.strip():
        return body + chunk
    sep = "" if body.endswith("\n") else nl
    return body + sep + nl + chunk


def _append_tables(text: str, entries: list[tuple[str, str, dict]]) -> str:
    bom, body = _split_bom(text)
    nl = newline_of(body)
    for group, name, table in entries:
        body = _append(body, _table_text((group, name), table, nl), nl)
    return bom + body


def _edit_text(text: str, table: tuple[str, ...], key: str, value: Any) -> str | None:
    """The exact edit, or None when the layout needs the full rewrite."""
    bom, body = _split_bom(text)
    try:
        layout = scan(body)
    except ScanError:
        return None
    nl = newline_of(body)
    entry = layout.key(table, key)
    if entry is not None:
        if value is None:
            return bom + body[: entry.start] + body[entry.end :]
        return bom + body[: entry.value_start] + format_value(value) + body[entry.value_end :]
    if value is None:
        return None  # the key is written some other way (dotted or inline): rewrite
    line = f"{format_key(key)} = {format_value(value)}"
    header = layout.header(table)
    if header is None:
        # No [table] header: append one. If the table exists implicitly (dotted keys),
        # the re-parse fails and the caller falls back to the full rewrite.
        return bom + _append(body, _table_text(table, {key: value}, nl), nl)
    last = layout.last_key_in(table)
    anchor = last.end if last is not None else header.end
    indent = ""
    if last is not None:
        first_line = body[last.start : last.value_start]
        indent = first_line[: len(first_line) - len(first_line.lstrip(" \t"))]
    before = body[:anchor]
    if before and not before.endswith("\n"):
        before += nl
    return bom + before + indent + line + nl + body[anchor:]
