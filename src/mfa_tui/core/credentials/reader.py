"""Reading the shared credentials file (and any AWS INI file) exactly as botocore's configparser reads it.

Owns: the bounded read of the file (:data:`MAX_BYTES`), decoding (BOM, UTF-8, lone CR), the
fast reader of configparser's rules with configparser itself as the fallback that names the
broken line, the key-id line scan, the cut at column-0 headers that the editor also uses, and
:func:`ini_problem`, the one wording of an INI file configparser refuses.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mfa_tui.core.errors import CredentialsFileError, FileError
from mfa_tui.core.fileio import read_bytes

MAX_BYTES = 16 * 1024 * 1024
"""The largest credentials file mfa-tui reads or writes (see :func:`_too_large` for why)."""

_BOM = b"\xef\xbb\xbf"
_NO_DEFAULT_SECTION = "\x00mfa-tui: no default section"
"""configparser treats ``[DEFAULT]`` as defaults for every section; we see it as a plain section."""
_UNCHANGED = "mfa-tui left the file unchanged"


def read_file(path: Path) -> bytes | None:
    """The file's bytes, None when it is missing; :class:`CredentialsFileError` when it cannot be read."""
    try:
        return read_bytes(path, limit=MAX_BYTES)
    except CredentialsFileError:
        raise
    except FileError as exc:
        raise CredentialsFileError(_too_large(path) or str(exc)) from None



def _too_large(path: Path) -> str | None:
    """The one line for a file over :data:`MAX_BYTES`; None when it is not (or is gone).

    botocore reads a file of any size, but parses it again in every process that loads
    credentials: 4.1 s for 14 MiB on the bench machine, where mfa-tui's whole refresh-write
    takes 1.6 s and 250 MiB (bench/large_credentials.py; both grow linearly). A file that large
    is a pile of stale profiles, not a setup that works, so mfa-tui says so instead of reading it.
    """
    try:
        size = os.stat(path).st_size
    except OSError:
        return None
    if size <= MAX_BYTES:
        return None
    return (
        f"{path}: {size:,} bytes, over the {MAX_BYTES // 2**20} MiB mfa-tui reads; {_UNCHANGED} "
        "(move the profiles you no longer use to another file)"
    )


def read_sections(path: Path) -> dict[str, dict[str, str]]:
    """Section -> keys of the INI file at ``path``, read as botocore's configparser reads it (shared: do not change it).

    ``{}`` when the file is missing. Raises :class:`CredentialsFileError` naming the file and
    line when it cannot be read or parsed.
    """
    data = read_file(path)
    return {} if data is None else parsed_sections(path, decode(path, data)[0])


def scan_key_ids(path: Path, data: bytes) -> dict[str, str | None]:
    """Section -> its ``aws_access_key_id`` (None when it has none), by a line scan of ``data``.

    For every file :func:`parse` accepts it gives the same key ids
    (``tests/core/test_credentials_key_ids.py`` checks it); it does not validate. Protects bench
    figure 4 (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py: the status
    check reads every key id); bench/fastpaths.py ``key_id_scan`` fails the bench unless this
    scan is ≤ 0.8× the full parse.
    Raises :class:`CredentialsFileError` when ``data`` is not UTF-8.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CredentialsFileError(f"{path}: not UTF-8 text") from None
    # configparser's rules, as botocore applies them: a header is "[" up to the line's last
    # "]" (a comment may follow it), and an option ends at its first "=" or ":".
    found: dict[str, str | None] = {}
    section: str | None = None
    for line in text.splitlines():
        first = line[:1]
        if first == "[":
            end = line.rfind("]")
            if end > 1:
                section = line[1:end]
                found.setdefault(section, None)
        elif section is not None and first in ("a", "A") and line[:17].lower() == "aws_access_key_id":
            cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
            if cut >= 0 and line[:cut].strip().lower() == "aws_access_key_id":
                found[section] = line[cut + 1:].strip()
    return found


# ── parsing ─────────────────────────────────────────────────────────────────

def _parse_error(path: Path, line: int, what: str) -> CredentialsFileError:
    return CredentialsFileError(f"{path}:{line}: {what} — fix or remove that line; {_UNCHANGED}")


def decode(path: Path, data: bytes) -> tuple[str, bool]:
    """The file's text (BOM removed) and whether it had a BOM; refuses what botocore would misread."""
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _parse_error(path, data[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    # botocore reads with universal newlines, where a lone CR ends a line; configupdater
    # does not. Rather than guess which one the user meant, refuse.
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:
        raise _parse_error(path, text.count("\n", 0, lone_cr.start()) + 1, "a lone carriage return (CR) line break")
    return text, bom


_last_parse: tuple[str, dict[str, dict[str, str]]] | None = None
"""The text :func:`sections_copy` parsed last and its sections. A refresh reads the same file up
to four times (refusals, long-term keys, under the lock, the result read back); on a file of
1000 profiles each parse costs ~50 ms, and the text compares in microseconds."""


def sections_copy(path: Path, text: str) -> dict[str, dict[str, str]]:
    """Sections and keys exactly as botocore's configparser reads them (keys lower-cased).

    Each call returns its own copy, so callers may change it.
    """
    return {name: dict(keys) for name, keys in parsed_sections(path, text).items()}


def parsed_sections(path: Path, text: str) -> dict[str, dict[str, str]]:
    """:func:`sections_copy` without the copy, for callers that only read it (the copy: 30–50 ms at 70,000 sections)."""
    global _last_parse
    cached = _last_parse
    if cached is None or cached[0] != text:
        cached = (text, parse(path, text))
        _last_parse = cached
    return cached[1]


# configparser's reading rules, as botocore applies them (RawConfigParser's defaults): lines end
# at "\n" only; a line whose stripped text is empty or starts with "#" or ";" is skipped; at column
# 0, "[" up to the line's last "]" (at least one character between) is a section header, always,
# whatever came before; a key ends at its first "=" or ":"; an indented line continues the value
# above it. So a file cut at its column-0 headers gives sections that read the same on their own.
_SKIPPED_LINES_RE = re.compile(r"(?:[^\S\n]*(?:[#;][^\n]*)?(?:\n|\Z))*")
"""Lines configparser skips: empty, blank, or a comment (indented or not)."""
_SIMPLE_BODY_RE = re.compile(r"(?:(?:[^\S\n]*(?:[#;][^\n]*)?|[^\s#;\[=:][^\n=:]*[=:][^\n]*)(?:\n|\Z))*")
"""A section's lines after its header when each is skipped or a ``key = value`` line at column 0."""
_SIMPLE_OPTION_RE = re.compile(r"^([^\s#;\[=:][^\n=:]*)[=:]([^\n]*)", re.M)


_HEADER_RE = re.compile(r"\n\[(.+)\]")
"""A column-0 header after a line break: the name runs to the line's last "]" (group 1).

Starting with a literal lets ``re`` jump from line break to line break; ``^`` in MULTILINE mode
tries every character and took four times as long on a 14 MiB file."""


def _header_starts(text: str) -> list[tuple[str, int]]:
    """Each column-0 section header of ``text`` as (name, where its "[" is), in order."""
    return [(match[1], match.start()) for match in _HEADER_RE.finditer("\n" + text)]


_last_split: tuple[str, tuple[str, tuple[tuple[str, str], ...]]] | None = None
"""The text :func:`split_sections` cut last, and its pieces."""


def split_sections(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``text`` cut at its column-0 section headers: the text before the first, then each (name, text).

    The pieces join back to ``text``. configparser also takes a header indented under no key
    for one (and an indented one under a key for part of its value); those stay inside their
    piece, so a caller that needs every section compares these names with the parse.
    The last answer is kept: a write cuts the same text to parse it and to edit it, and its
    result to check it and to read it back.
    """
    global _last_split
    cached = _last_split
    if cached is not None and cached[0] == text:
        return cached[1]
    heads = _header_starts(text)
    ends = [at for _, at in heads[1:]] + [len(text)]
    preamble = text[: heads[0][1] if heads else len(text)]
    result = preamble, tuple([(name, text[at:end]) for (name, at), end in zip(heads, ends, strict=False)])
    _last_split = text, result
    return result


def parse(path: Path, text: str) -> dict[str, dict[str, str]]:
    """:func:`_parse_simple` where it can answer, else configparser itself (which names the broken line)."""
    text = text.replace("\r\n", "\n")
    sections = _parse_simple(text)
    return sections if sections is not None else parse_strict(path, text)


_section_memo: dict[str, dict[str, dict[str, str]]] = {}
"""Each piece of text :func:`split_sections` cut -> the sections read from it, from the last
:func:`_parse_simple`. A write reads the file back to check it; only what it changed is read again."""


def _parse_simple(text: str) -> dict[str, dict[str, str]] | None:
    """configparser's reading of ``text`` (LF line breaks) without its cost; None when unsure or when it would fail.

    configparser takes 4 s for a 14 MiB file (nearly half of it in the garbage collector), this
    reader well under 1 s. Protects bench figure 6 (refresh-write into a 14 MiB credentials file
    ≤ 2 s; bench/large_credentials.py); bench/fastpaths.py ``credentials_reader`` fails the bench
    unless this reader is ≤ 0.8× configparser (:func:`parse_strict`) on the same text. Sections
    whose lines are all comments, blanks or column-0 ``key = value`` lines are read with two
    regexes; the rest (continuation lines, indented keys or headers) by :func:`_read_lines`.
    Anything configparser would refuse (a duplicate, a bad line, text before the first header)
    returns None, so that :func:`parse_strict` reports it with its line.
    ``tests/core/test_large_credentials.py`` checks this against configparser.
    """
    global _section_memo
    known = _section_memo
    if "\x00" in text:  # a header could then name configparser's stand-in default section
        return None
    preamble, pieces = split_sections(text)
    found = {} if _SKIPPED_LINES_RE.fullmatch(preamble) else _read_lines(preamble)
    if found is None:
        return None
    sections = dict(found)
    count = len(found)
    memo: dict[str, dict[str, dict[str, str]]] = {}
    for name, piece in pieces:
        found = known.get(piece)
        if found is None:
            body = piece.find("\n") + 1 or len(piece)
            if _SIMPLE_BODY_RE.fullmatch(piece, body):
                pairs = _SIMPLE_OPTION_RE.findall(piece, body)
                keys = {key.rstrip().lower(): value.strip() for key, value in pairs}
                found = {name: keys} if len(keys) == len(pairs) else None
            else:
                found = _read_lines(piece)
            if found is None:
                return None
        memo[piece] = found
        sections.update(found)
        count += len(found)
    if len(sections) != count:  # the same section twice
        return None
    _section_memo = memo
    return sections


def _read_lines(text: str) -> dict[str, dict[str, str]] | None:
    """configparser's ``_read`` (RawConfigParser's defaults, strict) on ``text``; None where it would raise.

    For the pieces :func:`_parse_simple` cannot read with a regex: continuation lines, indented
    keys, headers configparser finds off column 0. Line for line what configparser does, without
    its per-line regexes and objects.
    """
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    option: str | None = None
    indent = 0
    for line in text.split("\n"):
        value = line.strip()
        if not value or value[0] in "#;":
            if not value and current is not None and option:
                current[option].append("")  # a blank line inside a value (trimmed at the end)
            continue
        here = len(line) - len(line.lstrip())
        if current is not None and option and here > indent:
            current[option].append(value)
            continue
        indent = here
        close = value.rfind("]")
        if value[0] == "[" and close >= 2:
            if value[1:close] in sections:
                return None  # a second section of that name
            current, option = {}, None
            sections[value[1:close]] = current
        elif current is None:
            return None  # a key before any header
        else:
            cuts = [at for at in (value.find("="), value.find(":")) if at >= 0]
            option = value[: min(cuts)].rstrip().lower() if cuts else ""
            if not option or option in current:
                return None  # not a `key = value` line, or a second such key
            current[option] = [value[min(cuts) + 1 :].strip()]
    return {
        name: {key: parts[0] if len(parts) == 1 else "\n".join(parts).rstrip() for key, parts in keys.items()}
        for name, keys in sections.items()
    }


def parse_strict(path: Path, text: str) -> dict[str, dict[str, str]]:
    """configparser itself on ``text``: the slow reader, whose errors name the broken line (:func:`ini_problem`)."""
    import configparser  # local: its import compiles regexes (~10 ms) that the dashboard's start-up need not pay

    parser = configparser.RawConfigParser(default_section=_NO_DEFAULT_SECTION)
    try:
        parser.read_string(text.replace("\r\n", "\n"), source=str(path))
    except configparser.Error as exc:
        fix = " — fix or remove that line" if _ini_fault(exc)[0] is not None else ""
        raise CredentialsFileError(f"{ini_problem(path, exc)}{fix}; {_UNCHANGED}") from None
    # items(raw=True) is get() without the per-key lookup chain: RawConfigParser interpolates nothing.
    return {name: dict(parser.items(name, raw=True)) for name in parser.sections()}


def ini_problem(path: Path | str, exc: BaseException) -> str:
    """The one line for an AWS INI file (credentials or config) that configparser refuses: file, line, what.

    ``exc`` is the error configparser raised (botocore's ``ConfigParseError`` carries it as
    ``kwargs["error"]``), or the ``UnicodeDecodeError`` of reading the file as UTF-8. Names no
    value from the file, so no secret reaches a message.
    """
    line, what = _ini_fault(exc)
    return f"{path}: {what}" if line is None else f"{path}:{line}: {what}"


def _ini_fault(exc: BaseException) -> tuple[int | None, str]:
    """(line, what is wrong) for :func:`ini_problem`; line None when configparser names none."""
    import configparser

    if isinstance(exc, UnicodeDecodeError):
        data = exc.object if isinstance(exc.object, bytes) else b""
        return data[: exc.start].count(b"\n") + 1, "not UTF-8 text"
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno, "a key or text before the first [section] header"
    if isinstance(exc, configparser.DuplicateSectionError):
        return exc.lineno or 0, f"a second [{exc.section}] section"
    if isinstance(exc, configparser.DuplicateOptionError):
        return exc.lineno or 0, f"a second `{exc.option}` key in [{exc.section}]"
    if isinstance(exc, configparser.ParsingError):
        more = len(exc.errors) - 1
        extra = f" (and {more} more such line{'s' * (more > 1)})" if more > 0 else ""
        return exc.errors[0][0] if exc.errors else 0, f"not a `key = value` line, a comment or a [section] header{extra}"
    return None, "cannot be parsed as an INI file"
