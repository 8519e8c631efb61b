"""Some sections' access key ids, found without scanning every line of the credentials file.

:func:`reader.scan_key_ids <mfa_tui.core.credentials.reader.scan_key_ids>` reads every line of the
file (15 ms of CPU for 5,000 sections); the dashboard's first frame needs the key ids of a
screenful of profiles and of the identities' long-term sections only. :func:`some_key_ids` finds
every header line with one regular-expression split (in C), or for a few names their headers
with one search for them all, and reads only the wanted sections' lines, by the scan's own rules.
Protects bench figure 4 (dashboard first frame at 5,000 profiles ≤ 1.3× the bare app, CPU;
bench/dash_bench.py).

It gives exactly ``{name: scan_key_ids(...)[name]}`` for every wanted name the scan finds
(``tests/core/test_credentials_key_scan.py`` checks it): a file that is not plain ASCII with
``\\n`` line ends (a BOM, non-ASCII text, CR or other characters ``str.splitlines`` breaks at)
is handed to the full scan, whose line rules then apply as they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from mfa_tui.core.credentials import reader

_OTHER_BREAKS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
"""ASCII characters besides ``\\n`` that ``str.splitlines`` (the full scan's) ends a line at."""
_HEADER = re.compile(rb"\n\[([^\n]+)\][^\n]*")
"""A header line as the scan reads one: ``[``, then the section up to the line's last ``]`` (at least one
character: greedy, then back to that ``]``), then anything (a comment). Its group is the section."""


def some_key_ids(path: Path, names: Collection[str]) -> dict[str, str | None]:
    """Section -> its ``aws_access_key_id`` (None when it has none), for the ``names`` the file has.

    ``{}`` when the file is missing. Raises :class:`~mfa_tui.core.errors.CredentialsFileError`
    as :meth:`CredentialsFile.key_ids <mfa_tui.core.credentials.file.CredentialsFile.key_ids>` does.
    """
    data = reader.read_file(path)
    if data is None:
        return {}
    wanted = set(names)
    found = _scan_some(data, wanted)
    if found is None:
        found = reader.scan_key_ids(path, data)
    return {name: found[name] for name in wanted if name in found}


FEW = 6
"""Up to this many names, their headers are found by one search for them all (~1 ms at 5,000
sections) instead of splitting the file at every header (~3 ms): ``status P``, whose cost should
not grow with the number of profiles (bench/run.py --fleet). Past a few names the alternation's
cost grows (3 ms for 40 names), so the first screenful splits."""


def _scan_some(data: bytes, wanted: set[str]) -> dict[str, str | None] | None:
    """:func:`reader.scan_key_ids` restricted to ``wanted`` sections; None when the file needs the full scan."""
    if not data.isascii() or any(ch in data for ch in _OTHER_BREAKS):
        return None
    wanted_bytes = {name.encode("ascii"): name for name in wanted if name.isascii()}
    found: dict[str, str | None] = {}
    if len(wanted_bytes) <= FEW:
        for at in _header_starts(data, wanted_bytes):
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end
            close = data.rfind(b"]", at, end)  # the line's last "]" closes its section
            section = wanted_bytes.get(data[at + 1:close])
            if section is not None:
                following = _HEADER.search(data, end)
                _take(found, section, data[end:following.start() if following else len(data)])
        return found
    # [text before any section, section, its lines, section, its lines, ...]: the split runs in C.
    parts = _HEADER.split(b"\n" + data)
    for raw, body in zip(parts[1::2], parts[2::2]):
        section = wanted_bytes.get(raw)
        if section is not None:
            _take(found, section, body)
    return found


def _header_starts(data: bytes, wanted: dict[bytes, str]) -> list[int]:
    """Where a line starts with ``[NAME]`` for a wanted NAME: one pass for them all, in C.

    A search per name went through the file once per name (0.6 ms each at 5,000 sections); the
    alternation costs about one (0.8-1.1 ms for 1 to 6 names). Names no header can have are left
    out: the empty one (``[]`` is no header) and those with a line break, so no match spans a line
    break and none can hide a line's start. Which name the line is a header of is the caller's to
    decide, by the line's last ``]``.
    """
    names = [raw for raw in wanted if raw and b"\n" not in raw]
    if not names:
        return []
    pattern = re.compile(rb"\[(?:" + b"|".join(map(re.escape, names)) + rb")\]")
    return [at for at in (match.start() for match in pattern.finditer(data)) if at == 0 or data[at - 1] == 0x0A]


def _take(found: dict[str, str | None], section: str, body: bytes) -> None:
    """Note ``section`` in ``found``, with the last access key id of ``body`` (its lines after one header)."""
    found.setdefault(section, None)
    for line in body.decode("ascii").split("\n"):
        if line[:1] in ("a", "A") and line[:17].lower() == "aws_access_key_id":
            cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
            if cut >= 0 and line[:cut].strip().lower() == "aws_access_key_id":
                found[section] = line[cut + 1:].strip()
