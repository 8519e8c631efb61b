"""The only code that writes the shared credentials file (``~/.aws/credentials``).

Other tools lost users' profiles by rewriting this file whole (aws-mfa#39, leapp#228);
this module edits only what mfa-tui owns and leaves every other byte as it was.

Ownership rule
--------------
mfa-tui may write a section ``[NAME]`` only when the caller asks for a registry profile
``NAME`` and one of these holds:

- the file has no ``[NAME]`` section yet: it is appended at the end, after one blank line;
- ``[NAME]`` carries the marker ``mfa_tui_managed = true`` (a key mfa-tui writes into
  every section it owns; botocore ignores unknown keys) and holds no long-term keys;
- ``[NAME]`` holds another tool's temporary credentials (``aws_session_token``, as
  aws-mfa writes it, no long-term keys) and the caller passes ``adopt``; the section is
  then updated in place and gets the marker.

A section with long-term keys (``aws_access_key_id`` without a session token) is never
written, marker or not. Any other existing section is not ours. By default one refused
profile refuses the whole call: nothing at all is written. With ``skip_refused`` (what a
refresh uses) the refused profiles are left out and returned with their reasons, and
every other profile is written; the decision is made under the lock, on the file as it
is then. :meth:`CredentialsFile.refusals` gives the same answers without the lock, so a
refresh can leave out a refused profile before spending an AWS call on it.

How a write keeps everything else
---------------------------------
The file is read exactly as botocore's :mod:`configparser` reads it (the truth for
ownership and for :meth:`CredentialsFile.read`; a reader of the same rules that costs a
fraction of configparser's time, which is used only to name the line of a file it would
refuse). It is cut at its column-0 headers, and only the sections written are edited: by
splicing lines when in mfa-tui's own form, else by configupdater, which keeps every line
and can edit options in place (:mod:`mfa_tui.core.credentials.editor`); the rest is copied.
The write is refused, file untouched, when configupdater cannot reproduce a section byte
for byte, when the two parsers see different sections or keys, when any region outside
the owned sections changes by a byte (apart from the line break and blank line that
separate an appended section from the file's last line), or when the result, read again
as botocore reads it, differs anywhere but in the owned sections. A UTF-8 BOM is kept; CRLF files stay CRLF; a file
with mixed line endings keeps them and gets LF on the lines mfa-tui writes.

Inside an owned section, keys are updated where they stand (a key's own continuation
lines are dropped, comment lines among them are kept) and missing keys are added after
the last key; removing a section removes everything up to the next section header.
Every write is atomic (:func:`mfa_tui.core.fileio.atomic_write`: temp file, fsync,
rename; 0600 on create, never widened; a read-only file is refused; temp files that
killed writers left behind are swept) and happens under a
:class:`filelock.FileLock` at ``<dir>/.<name>.mfa-tui.lock`` held from read to rename,
so concurrent mfa-tui processes never lose each other's profiles. A symlinked file is
written through to its target, so dotfile setups keep their link; a hard-linked or
bind-mounted one is written in place. The file and its lock file keep their owner, so
``sudo mfa-tui`` leaves them the user's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from mfa_tui.core.clock import utc
from mfa_tui.core.errors import CredentialsFileError, FileError
from mfa_tui.core.fileio import (
    atomic_write,
    make_dirs,
    mode_of,
    open_to_others,
    read_bytes,
    sweep_stale_temp_files,
    held_lock,
)
from mfa_tui.core.models import Credentials, profile_name_problem

MARKER_KEY = "mfa_tui_managed"
"""The key mfa-tui writes into every section it owns."""
MARKER_VALUE = "true"
EXPIRATION_FORMAT = "%Y-%m-%d %H:%M:%S"
"""UTC without a zone, exactly as aws-mfa writes ``expiration`` (docs/aws-behaviour.md, "aws-mfa's file layout")."""
MAX_BYTES = 16 * 1024 * 1024
"""The largest credentials file mfa-tui reads or writes (see :func:`_too_large` for why)."""
LOCK_TIMEOUT = 30.0
"""Seconds to wait for another process's write; a write takes milliseconds."""

_BOM = b"\xef\xbb\xbf"
_NO_DEFAULT_SECTION = "\x00mfa-tui: no default section"
"""configparser treats ``[DEFAULT]`` as defaults for every section; we see it as a plain section."""
_SESSION_KEYS = ("aws_session_token", "aws_security_token")


@dataclass(frozen=True)
class ProfileCredentials:
    """Credentials to write under one profile name."""

    profile: str
    credentials: Credentials
    region: str | None = None
    """Written as ``region`` when given; an existing ``region`` key is otherwise left alone."""


def has_long_term_keys(keys: dict[str, str]) -> bool:
    """An access key without a session token: a user's permanent keys, never ours to touch."""
    return "aws_access_key_id" in keys and not any(k in keys for k in _SESSION_KEYS)


def has_marker(keys: dict[str, str]) -> bool:
    return keys.get(MARKER_KEY, "").strip().lower() == MARKER_VALUE


class CredentialsFile:
    """The shared credentials file at ``path``: read it, and edit mfa-tui's sections in it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    # ── reading ─────────────────────────────────────────────────────────────
    def read(self) -> dict[str, dict[str, str]]:
        """Section -> keys (lower-cased, as botocore sees them); ``{}`` when the file is missing.

        A ``[DEFAULT]`` section is returned as a plain section. Raises
        :class:`CredentialsFileError` naming the line when the file cannot be parsed.
        """
        return {name: dict(keys) for name, keys in self._sections().items()}

    def _sections(self) -> dict[str, dict[str, str]]:
        """:meth:`read` without the copy, for readers that change nothing."""
        data = self._read_bytes(self.path)
        return {} if data is None else _sections(self.path, _decode(self.path, data)[0])

    def key_ids(self) -> dict[str, str | None]:
        """Section -> its ``aws_access_key_id`` (None when it has none); ``{}`` when the file is missing.

        What a status needs to tell whether a profile's section still holds the credentials
        mfa-tui wrote, read with a line scan instead of :meth:`read`'s full parse: 7 ms instead
        of 43 ms for 1000 sections, which keeps the dashboard's first frame within its bench
        target (figure 4). For every file :meth:`read` accepts it gives the same key ids
        (``tests/core/test_credentials_key_ids.py`` checks it); it does not validate, so a
        broken file is still reported by :meth:`read` and by the writer. Raises
        :class:`CredentialsFileError` when the file cannot be read.
        """
        data = self._read_bytes(self.path)
        if data is None:
            return {}
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CredentialsFileError(f"{self.path}: not UTF-8 text") from None
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

    def long_term_keys(self, profile: str) -> tuple[str, str] | None:
        """``(access_key_id, secret_access_key)`` when ``[profile]`` holds long-term keys."""
        keys = self._sections().get(profile)
        if keys is None or not has_long_term_keys(keys) or "aws_secret_access_key" not in keys:
            return None
        return keys["aws_access_key_id"], keys["aws_secret_access_key"]

    def refusals(self, names: Iterable[str], *, adopt: bool | Collection[str] = False) -> dict[str, str]:
        """Which of ``names`` a write would refuse now, each with its one-line reason.

        Read without the lock: an early answer (so no AWS call is spent on a profile that
        cannot be written), not the final one, which :meth:`write` makes under the lock.
        Raises :class:`CredentialsFileError` when the file cannot be read or parsed.
        """
        names = list(names)
        adopted = set(names) if adopt is True else set(adopt or ())
        sections = self._sections()
        return {
            name: _refusal_message(self.path, name, why)
            for name in names
            if name in sections and (why := _refusal(sections[name], name in adopted, name=name))
        }

    def owned_profiles(self) -> set[str]:
        """Sections mfa-tui owns: marked and holding no long-term keys."""
        return {name for name, keys in self._sections().items() if has_marker(keys) and not has_long_term_keys(keys)}

    def permission_warning(self) -> str | None:
        """A one-line warning when the file is readable or writable by group or others."""
        mode = mode_of(self.path)
        what = open_to_others(mode) if mode is not None else None
        if what is None:
            return None
        return f"{self.path} is {what} by others (mode {mode:04o}); fix with `chmod 600 {self.path}`"

    # ── writing ─────────────────────────────────────────────────────────────
    def write(
        self,
        updates: list[ProfileCredentials],
        *,
        remove: Iterable[str] = (),
        adopt: bool | Collection[str] = False,
        skip_refused: bool = False,
    ) -> dict[str, str]:
        """Write all ``updates`` and drop the ``remove`` sections in one locked, atomic write.

        ``adopt`` (True, or a collection of profile names) lets mfa-tui take over sections
        holding another tool's temporary credentials. A profile whose section is not
        mfa-tui's refuses the whole call (:class:`CredentialsFileError`, file unchanged)
        unless ``skip_refused``: then refused profiles are left out, everything else is
        written, and the refused ones are returned as profile -> one-line reason (read
        under the lock, so authoritative). Returns ``{}`` when nothing was refused. The
        file cannot be parsed or edited exactly: :class:`CredentialsFileError`, file
        unchanged, whatever ``skip_refused`` says.
        """
        updates = list(updates)
        remove = list(dict.fromkeys(remove))
        _check_request(self.path, updates, remove)
        if not updates and not remove:
            return {}
        adopted = {u.profile for u in updates} if adopt is True else set(adopt or ())
        target = Path(os.path.realpath(self.path))
        _ensure_parent(target)
        lock_file = target.parent / f".{target.name}.mfa-tui.lock"
        with held_lock(
            lock_file, guarding=target, timeout=LOCK_TIMEOUT, error=CredentialsFileError, then="nothing was written"
        ):
            # Also when the write turns out to change nothing (atomic_write sweeps on its own).
            sweep_stale_temp_files(target)
            return self._write_locked(target, updates, remove, adopted, skip_refused)

    def _write_locked(
        self, target: Path, updates: list[ProfileCredentials], remove: list[str], adopted: set[str], skip_refused: bool
    ) -> dict[str, str]:
        from mfa_tui.core.credentials import editor as credentials_edit  # local: configupdater is only needed to write

        before_bytes = self._read_bytes(target) or b""
        text, bom = _decode(self.path, before_bytes)
        sections = _semantic(self.path, text)
        refused = _check_ownership(self.path, sections, updates, remove, adopted, raise_=not skip_refused)
        if refused:
            updates = [u for u in updates if u.profile not in refused]
            remove = [r for r in remove if r not in refused]
        wanted = {u.profile: _values_for(u, sections.get(u.profile)) for u in updates}
        if not wanted and not any(r in sections for r in remove):
            return refused
        after_bytes = credentials_edit.edit(self.path, text, bom, sections, wanted, [r for r in remove if r in sections])
        if after_bytes == before_bytes:
            return refused
        after_sections = _semantic(self.path, _decode(self.path, after_bytes)[0])
        credentials_edit.verify(self.path, sections, after_sections, wanted, set(remove))
        try:
            atomic_write(target, after_bytes)
        except CredentialsFileError:
            raise
        except FileError as exc:
            raise CredentialsFileError(f"{exc}; nothing was written") from None
        return refused

    @staticmethod
    def _read_bytes(path: Path) -> bytes | None:
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
        f"{path}: {size:,} bytes, over the {MAX_BYTES // 2**20} MiB mfa-tui reads; mfa-tui left the file unchanged "
        "(move the profiles you no longer use to another file)"
    )


# ── request checks and ownership ────────────────────────────────────────────
def _check_request(path: Path, updates: list[ProfileCredentials], remove: list[str]) -> None:
    """Refuse names and values that would not survive an INI round trip (before locking anything)."""
    seen: set[str] = set()
    for name in [u.profile for u in updates] + remove:
        if not isinstance(name, str) or profile_name_problem(name):
            raise CredentialsFileError(
                f"{path}: {name!r} cannot be a profile name in the credentials file "
                "(no brackets, control characters, edge spaces or DEFAULT); nothing was written"
            )
    for update in updates:
        if update.profile in seen:
            raise CredentialsFileError(f"{path}: profile [{update.profile}] given twice in one write; nothing was written")
        seen.add(update.profile)
        if update.profile in remove:
            raise CredentialsFileError(
                f"{path}: profile [{update.profile}] is both written and removed in one write; nothing was written"
            )
        creds = update.credentials
        for key, value in (
            ("aws_access_key_id", creds.access_key_id),
            ("aws_secret_access_key", creds.secret_access_key),
            ("aws_session_token", creds.session_token),
            ("region", update.region),
        ):
            if key == "region" and value is None:
                continue
            # Never echo the value: it may be a secret.
            if not isinstance(value, str) or not value or value != value.strip() or any(c in value for c in "\r\n"):
                raise CredentialsFileError(
                    f"{path}: profile [{update.profile}]: {key} is not a single-line value without edge spaces; "
                    "nothing was written"
                )


def _refusal(keys: dict[str, str], adopt: bool, *, name: str, removing: bool = False) -> str | None:
    """Why the existing section ``[name]`` may not be written (or removed), or None when it is ours (or adopted)."""
    if has_long_term_keys(keys):
        return (
            "holds long-term keys (aws_access_key_id without aws_session_token), which mfa-tui never overwrites; "
            "give the registry profile another name"
        )
    if has_marker(keys):
        return None
    holds_session = any(k in keys for k in _SESSION_KEYS)
    if holds_session and adopt:
        return None
    if holds_session:
        return "holds another tool's temporary credentials (aws-mfa style)" + (
            "" if removing else f"; let mfa-tui manage it with `mfa-tui refresh {name} --adopt`"
        )
    return f"was not written by mfa-tui (no `{MARKER_KEY} = {MARKER_VALUE}`); rename or remove that section"


def _refusal_message(path: Path, name: str, why: str) -> str:
    """One refused profile's reason, on its own (the per-profile form of the refusal error)."""
    return f"{path}: profile [{name}] {why}"


def _check_ownership(
    path: Path,
    sections: dict[str, dict[str, str]],
    updates: list[ProfileCredentials],
    remove: list[str],
    adopted: set[str],
    *,
    raise_: bool,
) -> dict[str, str]:
    """Refused profiles -> one-line reason; with ``raise_``, the first refusal is raised for the whole call."""
    problems = []
    for update in updates:
        if update.profile in sections:
            why = _refusal(sections[update.profile], update.profile in adopted, name=update.profile)
            if why:
                problems.append((update.profile, why))
    for name in remove:
        if name in sections:
            why = _refusal(sections[name], False, name=name, removing=True)
            if why:
                problems.append((name, why))
    if problems and raise_:
        name, why = problems[0]
        more = len(problems) - 1
        extra = f" (and {more} more refused profile{'s' * (more > 1)})" if more else ""
        raise CredentialsFileError(f"{_refusal_message(path, name, why)}; nothing was written{extra}")
    return {name: _refusal_message(path, name, why) for name, why in problems}


def _values_for(update: ProfileCredentials, existing: dict[str, str] | None) -> dict[str, str]:
    """The keys mfa-tui writes for one profile, in the order a new section lists them."""
    creds = update.credentials
    values = {
        "aws_access_key_id": creds.access_key_id,
        "aws_secret_access_key": creds.secret_access_key,
        "aws_session_token": creds.session_token,
    }
    if existing and "aws_security_token" in existing:
        # aws-mfa writes both; botocore prefers aws_security_token, so a stale one would win.
        values["aws_security_token"] = creds.session_token
    values["expiration"] = utc(creds.expiration).strftime(EXPIRATION_FORMAT)
    if update.region is not None:
        values["region"] = update.region
    values[MARKER_KEY] = MARKER_VALUE
    return values


# ── parsing ─────────────────────────────────────────────────────────────────
def _parse_error(path: Path, line: int, what: str) -> CredentialsFileError:
    return CredentialsFileError(f"{path}:{line}: {what} — fix or remove that line; mfa-tui left the file unchanged")


def _decode(path: Path, data: bytes) -> tuple[str, bool]:
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
"""The text :func:`_semantic` parsed last and its sections. A refresh reads the same file up
to four times (refusals, long-term keys, under the lock, the result read back); on a file of
1000 profiles each parse costs ~50 ms, and the text compares in microseconds."""


def _semantic(path: Path, text: str) -> dict[str, dict[str, str]]:
    """Sections and keys exactly as botocore's configparser reads them (keys lower-cased).

    Each call returns its own copy, so callers may change it.
    """
    return {name: dict(keys) for name, keys in _sections(path, text).items()}


def _sections(path: Path, text: str) -> dict[str, dict[str, str]]:
    """:func:`_semantic` without the copy, for callers that only read it (the copy: 30–50 ms at 70,000 sections)."""
    global _last_parse
    cached = _last_parse
    if cached is None or cached[0] != text:
        cached = (text, _parse(path, text))
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


def _parse(path: Path, text: str) -> dict[str, dict[str, str]]:
    """:func:`_parse_simple` where it can answer, else configparser itself (which names the broken line)."""
    text = text.replace("\r\n", "\n")
    sections = _parse_simple(text)
    return sections if sections is not None else _parse_strict(path, text)


_section_memo: dict[str, dict[str, dict[str, str]]] = {}
"""Each piece of text :func:`split_sections` cut -> the sections read from it, from the last
:func:`_parse_simple`. A write reads the file back to check it; only what it changed is read again."""


def _parse_simple(text: str) -> dict[str, dict[str, str]] | None:
    """configparser's reading of ``text`` (LF line breaks) without its cost; None when unsure or when it would fail.

    configparser takes 4 s for a 14 MiB file (nearly half of it in the garbage collector), this
    reader well under 1 s (bench/large_credentials.py holds the figure it protects). Sections
    whose lines are all comments, blanks or column-0 ``key = value`` lines are read with two
    regexes; the rest (continuation lines, indented keys or headers) by :func:`_read_lines`.
    Anything configparser would refuse (a duplicate, a bad line, text before the first header)
    returns None, so that :func:`_parse_strict` reports it with its line.
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


def _parse_strict(path: Path, text: str) -> dict[str, dict[str, str]]:
    import configparser  # local: its import compiles regexes (~10 ms) that the dashboard's start-up need not pay

    parser = configparser.RawConfigParser(default_section=_NO_DEFAULT_SECTION)
    try:
        parser.read_string(text.replace("\r\n", "\n"), source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        raise _parse_error(path, exc.lineno, "a key or text before the first [section] header") from None
    except configparser.DuplicateSectionError as exc:
        raise _parse_error(path, exc.lineno or 0, f"a second [{exc.section}] section") from None
    except configparser.DuplicateOptionError as exc:
        raise _parse_error(path, exc.lineno or 0, f"a second `{exc.option}` key in [{exc.section}]") from None
    except configparser.ParsingError as exc:
        line = exc.errors[0][0] if exc.errors else 0
        more = len(exc.errors) - 1
        extra = f" (and {more} more such line{'s' * (more > 1)})" if more > 0 else ""
        raise _parse_error(path, line, f"not a `key = value` line, a comment or a [section] header{extra}") from None
    except configparser.Error:
        raise CredentialsFileError(f"{path}: cannot be parsed as an INI file; mfa-tui left the file unchanged") from None
    # items(raw=True) is get() without the per-key lookup chain: RawConfigParser interpolates nothing.
    return {name: dict(parser.items(name, raw=True)) for name in parser.sections()}


def _ensure_parent(target: Path) -> None:
    """Create a missing ~/.aws as 0700 (root creating it in another user's home gives it to them);
    an existing directory's mode is the user's business."""
    try:
        make_dirs(target.parent, 0o700)
    except OSError as exc:
        raise CredentialsFileError(f"{target.parent}: cannot create directory: {exc.strerror or exc}") from None
