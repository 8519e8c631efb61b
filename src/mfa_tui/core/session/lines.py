"""A few profiles' lines of a state file, found without reading the whole file.

:func:`.state_json.encode` writes one line per profile, in ascending byte order, and says so with
a ``"sorted":true,`` line just above them. A reader after a few profiles (``credential-process``
on every AWS CLI call, ``status P``, the dashboard's first screenful) then bisects the file with
``pread``: at 5,000 profiles (a 5 MB file) a dozen small reads instead of reading it all, the
part of those commands' cost that grew with the number of profiles (bench/run.py --fleet,
"credential-process" and "status P" constant in the number of profiles). Lines in any other
order (a file an older mfa-tui wrote) are searched in full, so every file gets the same answer;
only the cost differs.

Everything is read from one open descriptor: the state is only ever replaced by a rename, so
every read sees the same file. Only :mod:`os` is imported (the ``credential-process`` fast path's
budget, :mod:`.peek`).
"""

from __future__ import annotations

import os

PROFILES = b'\n"profiles":{\n'
"""The line that opens the profiles' table; each line after it is one profile's entry."""
SORTED = b'\n"sorted":true,'
"""The line :func:`.state_json.encode` writes just above :data:`PROFILES`: the entries are in byte order."""
END = b"}}\n"
"""How the file ends, after the last entry's line."""

WINDOW = 8192
"""Below this many bytes, the rest of a search reads the span at once instead of bisecting further."""
PROBE = 4096
"""What one bisection step reads: an entry line is about 1 KB (credentials, who-am-I, times)."""
HEAD_LIMIT = 16 * 1024 * 1024
"""The most read looking for :data:`PROFILES` (identities and devices all come above it)."""


def _read_until(fd: int, start: int, sought: bytes, limit: int) -> tuple[bytes, int]:
    """The bytes from ``start`` up to the first ``sought`` (its offset in them, or -1 when not within ``limit``)."""
    data = b""
    size = 4096
    while len(data) < limit:
        chunk = os.pread(fd, size, start + len(data))
        if not chunk:
            break
        looked = max(0, len(data) - len(sought) + 1)
        data += chunk
        at = data.find(sought, looked)
        if at >= 0:
            return data, at
        size = min(size * 2, 1 << 20)
    return data, -1


class Entries:
    """The profile lines of a state file open on ``fd``, in :func:`.state_json.encode`'s layout."""

    def __init__(self, fd: int, head: bytes, lo: int, hi: int):
        self.fd = fd
        self.head = head
        """The file up to and including :data:`PROFILES`: version, registry, devices, identities."""
        self.lo = lo
        """Where the first entry's line starts."""
        self.hi = hi
        """Where the last entry's line ends (past its line break): the file's :data:`END` starts here."""
        self.in_order = head.endswith(SORTED + PROFILES)

    @classmethod
    def open(cls, fd: int) -> Entries | None:
        """The entries of the file on ``fd``; None when it is not in that layout (the caller reads it in full)."""
        data, at = _read_until(fd, 0, PROFILES, HEAD_LIMIT)
        if at < 0:
            return None
        lo = at + len(PROFILES)
        hi = os.fstat(fd).st_size - len(END)
        if hi < lo or os.pread(fd, len(END), hi) != END or (hi > lo and os.pread(fd, 1, hi - 1) != b"\n"):
            return None
        return cls(fd, data[:lo], lo, hi)

    def line(self, name: bytes) -> bytes | None:
        """The entry of the profile whose JSON-encoded name is ``name`` (``json.dumps`` as bytes): its line after ``name:``.

        None when no entry line starts so. A JSON string never holds a raw line break, so the
        name and ``:`` at a line's start are that entry and nothing else.
        """
        key = name + b":"
        lo, hi = self.lo, self.hi
        if self.in_order:
            # Lines in byte order are in order of their first len(key) bytes too: bisect on those.
            while hi - lo > WINDOW:
                mid = (lo + hi) // 2
                # One read usually holds the end of the line at mid and the start of the next.
                data = os.pread(self.fd, PROBE, mid)
                cut = data.find(b"\n")
                start = mid + cut + 1 if cut >= 0 else self._line_after(mid, hi)
                if start >= hi:  # no line starts in (mid, hi): it is one that starts at or before mid
                    hi = mid + 1
                    continue
                probe = data[cut + 1:cut + 1 + len(key)]
                if cut < 0 or len(probe) < len(key):
                    probe = os.pread(self.fd, len(key), start)
                if probe == key:
                    return self._rest(start + len(key))
                if probe < key:
                    lo = start
                else:
                    hi = start
        # [lo - 1, hi): the line break before the first line that may be the one, to the last's start
        # (and the key's length on, for a line starting at hi - 1).
        span = os.pread(self.fd, hi - lo + len(key) + 1, lo - 1)
        at = span.find(b"\n" + key)
        if at < 0 or lo + at >= hi:
            return None
        return self._rest(lo + at + len(key))

    def _line_after(self, pos: int, hi: int) -> int:
        """The start of the first line that starts after ``pos``; ``hi`` when none does before ``hi``."""
        data, at = _read_until(self.fd, pos, b"\n", hi - pos)
        return hi if at < 0 else min(pos + at + 1, hi)

    def _rest(self, start: int) -> bytes:
        """From ``start`` to the end of its line, without the line break or the comma before it."""
        data, at = _read_until(self.fd, start, b"\n", self.hi + len(END) - start)
        return (data[:at] if at >= 0 else data).rstrip(b",")
