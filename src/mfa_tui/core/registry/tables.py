"""Whole-table registry edits: remove a table, set several keys of one table at once.

The companions of :mod:`.edit` (``add_entries`` appends tables, ``set_value`` sets one key),
with the same steps: under the registry's lock, refuse a broken file, compute the dict the
file should hold afterwards, make the smallest text edit that gets there (falling back to a
full rewrite only when the re-parsed text is not exactly that dict), validate the result and
only then replace the file atomically, keeping the previous content at ``PATH.bak``.

- :func:`remove_table` deletes ``[group.name]`` (its header, its keys and the comments between
  them, and the blank lines after it) and nothing else: the comments above the header and
  every other byte stay.
- :func:`set_values` sets and removes several keys of one table in one write, so a change that
  is only valid as a whole (a role ARN and its strategy) never leaves a half-edited file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import Problem, RegistryError
from mfa_tui.core.registry.edit import (
    _MISSING,
    _edit_text,
    _normalize,
    _parse_quiet,
    _read_valid,
    _same,
    _split_bom,
    _validate_result,
    _write,
    dumps,
    locked,
)
from mfa_tui.core.registry.text import ScanError, format_path, scan


def remove_table(path: Path, table: tuple[str, str], *, aws_config_path: Path | None = None) -> None:
    """Delete ``[group.name]`` and its keys, keeping every other byte.

    Raises :class:`RegistryError`, writing nothing, when the file is broken, the table does
    not exist, or the registry without it would not validate (an identity still named by a
    profile, say).
    """
    path = Path(path)
    table = tuple(table)
    with locked(path) as real:
        text, raw = _read_valid(path, aws_config_path)
        group, name = table
        if text is None or not isinstance(raw.get(group), dict) or name not in raw[group]:
            raise RegistryError([Problem(str(path), format_path(table), "is not in the registry; nothing was written")])
        expected = copy.deepcopy(raw)
        del expected[group][name]
        if not expected[group]:
            del expected[group]
        new_text = _cut_table(text, table)
        if new_text is None or _parse_quiet(new_text) != expected:
            new_text = dumps(expected)
        _validate_result(path, expected, aws_config_path)
        _write(real, new_text, existed=True)


def set_values(
    path: Path, table: tuple[str, ...], values: dict[str, Any], *, aws_config_path: Path | None = None
) -> None:
    """Set each ``key: value`` of ``values`` in the existing ``[table]`` (``None`` removes the key), in one write.

    Keys whose value is already the one given are left as they are; when none changes, nothing
    is written. Raises :class:`RegistryError`, writing nothing, when the file is broken, the
    table does not exist, or the result would not validate.
    """
    path = Path(path)
    table = tuple(table)
    problems: list[Problem] = []
    wanted = {
        key: None if value is None else _normalize(path, table + (key,), value, problems) for key, value in values.items()
    }
    if problems:
        raise RegistryError(problems)
    with locked(path) as real:
        text, raw = _read_valid(path, aws_config_path)
        expected = copy.deepcopy(raw)
        node: Any = expected
        for part in table:
            node = node.get(part, _MISSING) if isinstance(node, dict) else _MISSING
        if text is None or not isinstance(node, dict):
            raise RegistryError([Problem(str(path), format_path(table), "is not a table of the registry; nothing was written")])
        new_text: str | None = text
        changed = False
        for key, value in wanted.items():
            current = node.get(key, _MISSING)
            if (value is None and current is _MISSING) or (
                value is not None and current is not _MISSING and _same(current, value)
            ):
                continue
            changed = True
            if value is None:
                del node[key]
            else:
                node[key] = value
            if new_text is not None:
                new_text = _edit_text(new_text, table, key, value)
        if not changed:
            return
        if new_text is None or _parse_quiet(new_text) != expected:
            new_text = dumps(expected)
        _validate_result(path, expected, aws_config_path)
        _write(real, new_text, existed=True)


def _cut_table(text: str, table: tuple[str, ...]) -> str | None:
    """``text`` without ``[table]`` (and its sub-tables), or None when the layout needs the full rewrite."""
    bom, body = _split_bom(text)
    try:
        layout = scan(body)
    except ScanError:
        return None
    header = layout.header(table)
    if header is None:
        return None  # declared some other way (dotted keys, an inline table): rewrite
    inside = [h for h in layout.headers if h.path[: len(table)] == table]
    if layout.headers.index(inside[-1]) - layout.headers.index(header) != len(inside) - 1:
        return None  # a sub-table declared after another table: rewrite
    end = header.end
    for entry in layout.keys:
        if entry.table[: len(table)] == table:
            end = max(end, entry.end)
    for sub in inside:
        end = max(end, sub.end)
    if layout.headers[-1] is inside[-1]:
        end = len(body)  # the last table: the comments after its keys are its own
    # The blank lines after the table go with it; at the end of the file, the ones before it too.
    rest = body[end:]
    stripped = rest.lstrip(" \t\r\n")
    start = header.start
    if stripped:
        end += _blank_prefix(rest)
    else:
        end = len(body)
        before = body[:start].rstrip(" \t\r\n")
        start = len(before) + _newline_len(body, len(before)) if before else 0
    return bom + body[:start] + body[end:]


def _blank_prefix(rest: str) -> int:
    """How many characters of whole blank lines ``rest`` starts with."""
    taken = 0
    for line in rest.splitlines(keepends=True):
        if line.strip() or not line.endswith("\n"):
            break
        taken += len(line)
    return taken


def _newline_len(body: str, at: int) -> int:
    """The length of the newline at ``body[at:]`` (0 when none)."""
    if body.startswith("\r\n", at):
        return 2
    return 1 if body.startswith("\n", at) else 0
