"""Exact edits of the shared credentials file, and the proof that nothing else changed.

:mod:`mfa_tui.core.credentials.file` decides *what* to write (ownership, values); this
module makes the edit, and :mod:`mfa_tui.core.credentials.verify` then checks the result two ways: every region outside the owned
sections (the text before the first section, and each other section from its header to the
next one) must be byte for byte what it was, in the same order; and the new file, read again
by configparser as botocore reads it, must give every other section the same keys and every
written profile its new values. Any doubt refuses the write; the caller leaves the file as it
was.

The edit is made section by section (:func:`_splice_edit`): the file is cut at its column-0
headers, each written section is edited on its own and the other pieces are copied, so a write
costs the same whatever else the file holds (a 14 MiB file took 10 s or more through
configupdater as a whole; bench/large_credentials.py). A written section in mfa-tui's exact form
is edited by splicing lines (:func:`_plain_edit`); any other through configupdater, which keeps
every line it does not touch. Both produce the same bytes
(``tests/core/test_credentials_edit_plain.py`` compares them). Only a file where a written
section shares its piece with another (a header indented under no key) is edited through
configupdater as a whole.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from typing import TYPE_CHECKING

from mfa_tui.core.credentials.reader import split_sections
from mfa_tui.core.errors import CredentialsFileError, FileError
from mfa_tui.core.fileio import atomic_write
from mfa_tui.core.credentials.verify import check_regions, refuse, regions, text_regions

if TYPE_CHECKING:  # configupdater is imported only when a written section is not plain (see _plain_edit)
    from configupdater import ConfigUpdater
    from configupdater.option import Option
    from configupdater.section import Section

_BOM = b"\xef\xbb\xbf"
_COMMENT_PREFIXES = ("#", ";")


def _uses_crlf(text: str) -> bool:
    """True when every line break is CRLF: new lines then get CRLF too."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf == text.count("\n")


def _load(path: Path, text: str, sections: dict[str, dict[str, str]]) -> ConfigUpdater:
    """configupdater's model of ``text`` (already LF-normalised if it was all CRLF).

    Refused unless it reproduces ``text`` exactly and sees the same sections with the
    same keys, in the same order, as configparser did (``sections``).
    """
    from configupdater import ConfigUpdater

    doc = ConfigUpdater(comment_prefixes=_comment_prefixes(text))
    try:
        doc.read_string(text, source=str(path))
    except (configparser.Error, ValueError):
        raise refuse(path, "mfa-tui's editor cannot parse this file the way the AWS CLI does") from None
    if str(doc) != text:
        raise refuse(path, "mfa-tui's editor cannot reproduce this file exactly")
    seen = [(s.name, {o.raw_key.strip().lower() for o in s.option_blocks()}) for s in doc.section_blocks()]
    expected = [(name, set(keys)) for name, keys in sections.items()]
    if seen != expected:
        where = next((f"section [{a[0]}]" for a, b in zip(seen, expected, strict=False) if a != b), "its sections")
        raise refuse(path, f"{where} reads differently to mfa-tui's editor than to the AWS CLI")
    return doc


def _comment_prefixes(text: str) -> tuple[str, ...]:
    """``#`` and ``;``, plus each indented form of them that occurs in ``text``.

    configparser (botocore) takes any line whose *stripped* text starts with ``#`` or
    ``;`` for a comment; configupdater only checks the start of the line, so an indented
    comment would be read as a key or fail to parse. Naming the indented prefixes that
    occur makes the two parsers agree without changing a byte.
    """
    prefixes = dict.fromkeys(_COMMENT_PREFIXES)
    for line in text.split("\n"):
        body = line.lstrip()
        if body[:1] in _COMMENT_PREFIXES and len(body) != len(line):
            prefixes[line[: len(line) - len(body) + 1]] = None
    return tuple(prefixes)


def edit(
    path: Path,
    text: str,
    bom: bool,
    sections: dict[str, dict[str, str]],
    wanted: dict[str, dict[str, str]],
    remove: list[str],
) -> bytes:
    """The new file: ``wanted`` written (in place, or appended) and ``remove`` dropped."""
    crlf = _uses_crlf(text)
    text = text.replace("\r\n", "\n") if crlf else text
    out = _splice_edit(path, text, sections, wanted, remove)
    if out is None:
        out = _configupdater_edit(path, text, sections, wanted, remove)
    if crlf:
        out = out.replace("\n", "\r\n")
    return (_BOM if bom else b"") + out.encode("utf-8")


def _configupdater_edit(
    path: Path, text: str, sections: dict[str, dict[str, str]], wanted: dict[str, dict[str, str]], remove: list[str]
) -> str:
    """The edit through configupdater's model of the file: any file botocore reads, slowly."""
    from configupdater.section import Section

    doc = _load(path, text, sections)
    before = regions(doc)
    for name in remove:
        doc.remove_section(name)
    # One pass over the sections: ``doc[name]`` scans them all, which made writing N profiles
    # O(N²) (0.8 s of a 1000-profile refresh). First match wins, as with ``doc[name]``.
    by_name: dict[str, Section] = {}
    for block in doc.iter_sections():
        by_name.setdefault(block.name, block)
    appended = []
    for name, values in wanted.items():
        if name in sections:
            _update(by_name[name], values)
        else:
            appended.append((name, values))
    if appended:
        _append(doc, appended)
    after = regions(doc)
    check_regions(path, before, after, set(wanted) | set(remove), {name for name, _ in appended})
    out = str(doc)
    if out != "".join(chunk for _, chunk in after):
        raise refuse(path, "mfa-tui's editor produced text it cannot account for")
    return out


def _splice_edit(
    path: Path, text: str, sections: dict[str, dict[str, str]], wanted: dict[str, dict[str, str]], remove: list[str]
) -> str | None:
    """The edit made section by section: only the written sections are parsed and edited, the rest copied.

    configparser reads a section the same wherever it stands, since each column-0 header starts
    afresh (:func:`~mfa_tui.core.credentials.reader.split_sections`); so each written section is
    edited as a file of its own (:func:`_plain_edit`, else configupdater), removed ones are
    dropped, and new ones appended. A section configparser finds under an indented header
    belongs to the piece above it; None when such a piece is to be edited: then the whole file
    goes through configupdater.
    """
    preamble, pieces = split_sections(text)
    heads = [name for name, _ in pieces]
    crowded = _crowded_pieces(heads, list(sections))
    if crowded is None or crowded & (set(wanted) | set(remove)):
        return None
    dropped = set(remove)
    chunks = [preamble]
    for name, piece in pieces:
        if name in dropped:
            continue
        if name in wanted:
            own, values = {name: sections[name]}, {name: wanted[name]}
            edited = _plain_edit(path, piece, own, values, [])
            piece = edited if edited is not None else _configupdater_edit(path, piece, own, values, [])
        chunks.append(piece)
    appended = [(name, values) for name, values in wanted.items() if name not in sections]
    if appended:
        chunks.append(_appended(chunks, appended))
    out = "".join(chunks)
    check_regions(path, [(None, preamble), *pieces], text_regions(out), set(wanted) | dropped,
                   {name for name, _ in appended})
    return out


def _crowded_pieces(heads: list[str], sections: list[str]) -> set[str | None] | None:
    """The pieces (by their header; None: the text before the first) that hold more than one section.

    ``heads``: the column-0 headers, in order; ``sections``: every section configparser read,
    in order. None when they do not line up (never, for a file configparser read).
    """
    crowded: set[str | None] = set()
    current: str | None = None
    at = 0
    for name in sections:
        if at < len(heads) and name == heads[at]:
            current, at = name, at + 1
        else:
            crowded.add(current)
            crowded.add(name)
    return crowded if at == len(heads) else None


def _separator(tail: str) -> str:
    """The line breaks that put one blank line between a file ending in ``tail`` and a new section."""
    if not tail:
        return ""
    if not tail.endswith("\n"):
        return "\n\n"
    last_line = tail[tail.rfind("\n", 0, len(tail) - 1) + 1 : -1]
    return "" if last_line.strip() == "" else "\n"


def _appended(chunks: list[str], appended: list[tuple[str, dict[str, str]]]) -> str:
    """New sections as mfa-tui writes them, to follow ``chunks`` (the file so far) after one blank line.

    Each chunk starts at a line start, so the last non-empty one holds the file's last line.
    """
    tail = next((chunk for chunk in reversed(chunks) if chunk), "")
    out = []
    for index, (name, values) in enumerate(appended):
        out.append(("\n" if index else _separator(tail)) + f"[{name}]\n")
        out.extend(f"{key} = {value}\n" for key, value in values.items())
    return "".join(out)


# ── the plain-file fast path ────────────────────────────────────────────────
_PLAIN_HEADER_RE = re.compile(r"\[([^\[\]]+)\]")
_PLAIN_OPTION_RE = re.compile(r"[^\s\[#;=:][^=:]*[=:].*")
_OWNED_OPTION_RE = re.compile(r"([a-z0-9_]+) = (\S(?:.*\S)?)")
_ODD_WHITESPACE = "\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Characters some line splitters or strippers treat as breaks or space and others do not."""


def _plain_edit(
    path: Path, text: str, sections: dict[str, dict[str, str]], wanted: dict[str, dict[str, str]], remove: list[str]
) -> str | None:
    """The edit as a splice of lines, for a plain file; None when the file is not plain enough.

    Plain: every line is empty, a ``#``/``;`` comment at column 0, a ``[name]`` header or
    a ``key<delim>value`` line at column 0 (no indentation anywhere, so no continuation
    lines, and configparser and configupdater read it alike); the headers are exactly the
    sections configparser saw, in order; each written section that exists holds only
    ``key = value`` lines as mfa-tui writes them, already has every key to write, and
    nothing else but empty lines. Nothing is removed. Then each changed key's line is
    replaced with ``key = value`` and new sections are appended as :func:`_append` does:
    exactly what configupdater makes of the same edit.
    """
    if remove or any(c in text for c in _ODD_WHITESPACE):
        return None
    lines = text.split("\n")  # the last item is what follows the last line break ("" if any)
    headers: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            match = _PLAIN_HEADER_RE.fullmatch(line)
            if match is None:
                return None
            headers.append((index, match.group(1)))
        elif not _PLAIN_OPTION_RE.fullmatch(line):
            return None
    if [name for _, name in headers] != list(sections):
        return None
    ends = [start for start, _ in headers[1:]] + [len(lines)] * bool(headers)
    spans = {name: (start, end) for (start, name), end in zip(headers, ends, strict=True)}
    new_lines = list(lines)
    for name, values in wanted.items():
        if name not in sections:
            continue
        start, end = spans[name]
        at: dict[str, int] = {}
        for index in range(start + 1, end):
            line = lines[index]
            if not line:
                continue
            match = _OWNED_OPTION_RE.fullmatch(line)
            if match is None or match.group(1) in at:
                return None
            at[match.group(1)] = index
        if set(at) != set(sections[name]) or not set(values) <= set(at):
            return None
        for key, value in values.items():
            if sections[name][key] != value:
                new_lines[at[key]] = f"{key} = {value}"
    out = "\n".join(new_lines)
    appended = [(name, values) for name, values in wanted.items() if name not in sections]
    if appended:
        out += _appended([out], appended)
    check_regions(path, text_regions(text), text_regions(out), set(wanted), {name for name, _ in appended})
    return out


def _update(section: Section, values: dict[str, str]) -> None:
    """Set each key where it stands; add missing keys after the section's last key."""
    options = {o.raw_key.strip().lower(): o for o in section.option_blocks()}
    blocks = section.option_blocks()
    last: Option | None = blocks[-1] if blocks else None
    for key, value in values.items():
        option = options.get(key)
        if option is not None:
            _set(section, option, value)
            continue
        if last is None:
            section.insert_at(0).option(key, value)
        else:
            last.add_after.option(key, value)
        last = section[key]


def _set(section: Section, option: Option, value: str) -> None:
    """Replace one option's value, keeping comment lines configupdater had folded into it."""
    from configupdater.block import Comment

    if option.value == value and len(option.lines) == 1:
        return
    # configparser (and so botocore) skips an indented comment after a key, but
    # configupdater folds it into the key's value and would drop it on update.
    kept = [line for line in option.lines[1:] if line.strip().startswith(_COMMENT_PREFIXES)]
    option.value = value
    index = option.container_idx + 1
    for line in kept:
        comment = Comment(container=section)
        comment.add_line(line)
        section.structure.insert(index, comment)
        index += 1


def _append(doc: ConfigUpdater, appended: list[tuple[str, dict[str, str]]]) -> None:
    """New sections at the end, each after exactly one blank line."""
    from configupdater.block import Space

    separator = list(_separator(str(doc)))
    for index, (name, values) in enumerate(appended):
        if index:
            separator = ["\n"]
        if separator:
            space = Space(container=doc)
            for line in separator:
                space.add_line(line)
            doc.structure.append(space)
        doc.add_section(name)
        section = doc[name]
        for key, value in values.items():
            section[key] = value


def write_or_nothing(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``target`` with ``data`` atomically: the last step of every exact edit of an AWS file.

    A failure is one :class:`CredentialsFileError` line that says nothing was written (the atomic
    write leaves the old file whole); ``mode`` is a new file's mode (the default: 0600).
    """
    try:
        if mode is None:
            atomic_write(target, data)
        else:
            atomic_write(target, data, mode=mode)
    except CredentialsFileError:
        raise
    except FileError as exc:
        raise CredentialsFileError(f"{exc}; nothing was written") from None
