"""The ``credential-process`` hot path: one profile's cached credentials, straight from state.json.

``mfa-tui credential-process PROFILE`` runs on every AWS CLI call, so its cached path must cost
little more than starting Python: it protects bench figure 1 (credential-process cached path
≤ 2× ``python -c pass``; bench/cli_bench.py), and bench/fastpaths.py ``credential_process`` fails
the bench when it is not ≤ 0.8× the full path. Loading the
state the normal way (:class:`mfa_tui.core.session.state.StateStore`) pulls in ``dataclasses``,
``pathlib``, ``typing``, ``enum``, the domain models and platformdirs: 40–60 ms on a 2-core
machine, against ~17 ms for the bare interpreter. This module needs only ``os`` (and the
``stat`` that ``os`` loads) and ``time``: ``state_json.encode`` writes one line per profile, in
order, so it finds the profile's line with a few small reads (:mod:`.lines`), whatever the
number of profiles, and reads the four credential strings off it;
``json`` (~2 ms more) is imported only for values with JSON escapes, MFA-session profiles and
files in an older layout.

It only ever *reads*: anything unexpected (no state dir it can name without platformdirs, a
missing, unreadable or corrupt file, a time in another layout, too little time left) gives
``None``, and the caller takes the full path, which reports, repairs or re-mints properly. It
never decides anything the full path would decide differently; ``tests/core/test_state_peek.py``
checks it against :class:`~mfa_tui.core.session.state.StateStore` and :mod:`mfa_tui.core.paths`.
"""

from __future__ import annotations

import os
import stat
import sys
import time

from mfa_tui.core.session.lines import Entries

STATE_FILE = "state.json"
"""The state file of a store tied to no registry (tests, tools); a registry's is :func:`state_file_name`."""
STATE_VERSION = 2
APP_NAME = "mfa-tui"


def state_file_name(registry_path: str) -> str:
    """The state file of the registry at ``registry_path``: ``state-<its registry tag>.json``.

    One rule for both readers, and the one that names the registry's other files
    (:func:`mfa_tui.core.statefiles.registry_tag`); a collision between two of one user's
    registries is caught by the path stored in the file (:func:`registry_line`).
    """
    from mfa_tui.core.statefiles import registry_tag

    return f"state-{registry_tag(registry_path)}.json"


def registry_stamp(registry_path: str) -> str | None:
    """The registry file's identity and version (device, inode, size, mtime); None when it is gone.

    The state records the stamp of the registry it last checked every entry against; a reader
    that sees the same stamp knows each entry still matches the registry without reading it.
    """
    try:
        st = os.stat(registry_path)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def registry_line(registry_path: str, stamp: str) -> bytes:
    """Line 2 of a state file checked against this registry at this stamp (``state_json.encode`` writes it)."""
    return b'"registry":[' + _json_string(os.path.realpath(registry_path)) + b',' + _json_string(stamp) + b"],"


def _linux_dir(override: str | None, xdg: str, under_home: str) -> str | None:
    """``$override``, else platformdirs' Linux rule: an absolute ``$xdg``, else ``$HOME/under_home``; plus ``mfa-tui``.

    None where the rule is platformdirs' own business (other systems, a missing or relative
    ``HOME``): the caller then asks platformdirs. One rule for the state and config dirs.
    """
    env = os.environ.get(override) if override else None
    if env:
        return os.path.expanduser(env)
    if sys.platform != "linux":
        return None
    base = os.environ.get(xdg, "")
    if base.startswith("/"):
        return os.path.join(base, APP_NAME)
    home = os.environ.get("HOME", "")
    if not home.startswith("/"):
        return None
    return os.path.join(home, under_home, APP_NAME)


def registry_path_fast() -> str | None:
    """The registry path as :func:`mfa_tui.core.paths.config_path` resolves it with no ``--config``; no platformdirs."""
    env = os.environ.get("MFA_TUI_CONFIG")
    if env:
        return os.path.expanduser(env)
    directory = _linux_dir(None, "XDG_CONFIG_HOME", ".config")
    return os.path.join(directory, "config.toml") if directory is not None else None


def state_dir_fast() -> str | None:
    """The state dir as :func:`mfa_tui.core.paths.state_dir` resolves it, without platformdirs."""
    return _linux_dir("MFA_TUI_STATE_DIR", "XDG_STATE_HOME", os.path.join(".local", "state"))


def epoch_of_rfc3339(text: str) -> int | None:
    """Seconds since the epoch for ``YYYY-MM-DDTHH:MM:SSZ`` (the only layout state.json uses); else None.

    Civil-from-days arithmetic (H. Hinnant's ``days_from_civil``) instead of importing
    ``datetime``, which alone costs a few milliseconds of start-up.
    """
    if len(text) != 20 or text[4] != "-" or text[7] != "-" or text[10] != "T" or text[13] != ":" \
            or text[16] != ":" or text[19] != "Z":
        return None
    digits = text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
    if not digits.isdigit() or not digits.isascii():
        return None
    year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second


_VERSION_LINE = b'{"version":%d,\n' % STATE_VERSION
_IDENTITIES = b'\n"identities":'
_FIELDS = ("access_key_id", "secret_access_key", "session_token", "expiration")
_PLAIN_HEAD = b'{"credentials":{"access_key_id":"'
_PLAIN_SEPARATORS = (b'","secret_access_key":"', b'","session_token":"', b'","expiration":"', b'"}')


def _json_string(text: str) -> bytes:
    """``json.dumps(text)`` as bytes; without importing json when nothing needs escaping."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return b'"' + text.encode("ascii") + b'"'
    import json

    return json.dumps(text).encode("ascii")


def _plain_credentials(line: bytes) -> dict[str, str] | None:
    """The credentials at the start of a profile's line, read without json; None if not that simple.

    ``state_json.encode`` writes ``{"credentials":{"access_key_id":"…","secret_access_key":"…",
    "session_token":"…","expiration":"…"},…`` in that order. A value holding a backslash (JSON's
    only escape, for quotes, controls and non-ASCII) or any other shape gives None and the json
    path decides: what is read here is exactly what ``json.loads`` would read.
    """
    if not line.startswith(_PLAIN_HEAD):
        return None
    fields = {}
    pos = len(_PLAIN_HEAD)
    for name, separator in zip(_FIELDS, _PLAIN_SEPARATORS, strict=True):
        end = line.find(b'"', pos)
        if end < 0 or not line.startswith(separator, end):
            return None
        value = line[pos:end]
        if b"\\" in value:
            return None
        fields[name] = value.decode("ascii")
        pos = end + len(separator)
    return fields


def _lookup(entries: Entries, profile: str) -> dict[str, str] | None:
    """The profile's stored credentials (its own, or its identity's MFA session for an MFA-session profile)."""
    line = entries.line(_json_string(profile))
    if line is None:
        return None
    plain = _plain_credentials(line)
    if plain is not None:
        return plain
    import json  # the rare case: escapes in a value, or an MFA-session profile

    entry = json.loads(line)
    creds = entry.get("credentials")
    if creds is None and entry.get("kind") == "mfa-session":
        head = entries.head
        begin = head.find(_IDENTITIES)
        if begin < 0:
            return None
        begin += len(_IDENTITIES)
        identities = json.loads(head[begin:head.find(b"\n", begin)].rstrip(b","))
        creds = identities[entry["identity"]].get("mfa_credentials")
    return creds


def peek_credentials(
    profile: str, min_left: float, *, now: float | None = None, registry_path: str | None = None
) -> dict[str, str] | None:
    """The profile's cached credentials if they have more than ``min_left`` seconds left, else None.

    The answer is the stored dict (``access_key_id``, ``secret_access_key``, ``session_token``,
    ``expiration`` as RFC 3339). For an MFA-session profile without credentials of its own, its
    identity's MFA session is used, as :meth:`mfa_tui.core.service.facade.Service.credentials` does.

    Served only from the state file of the registry in use (``registry_path``, else the one
    :func:`registry_path_fast` names), and only while that registry is byte for byte the file
    the state last checked its entries against (same stamp): a profile removed or re-pointed
    since then is never served from here. The full path then checks the registry, drops what
    no longer matches and stamps the state again. In the usual case this imports nothing but
    ``os``, ``time`` and ``zlib``.
    """
    directory = state_dir_fast()
    registry = registry_path if registry_path is not None else registry_path_fast()
    if directory is None or registry is None:
        return None
    stamp = registry_stamp(registry)
    if stamp is None:
        return None
    # fileio.open_regular's rule, inline because importing fileio would cost this path more than
    # its whole budget: opened non-blocking, so a named pipe there cannot hang the AWS CLI, and
    # read only when it is a regular file (the full path then says what it is).
    path = os.path.join(directory, state_file_name(registry))
    line = registry_line(registry, stamp)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        entries = Entries.open(fd)  # the head, then the profile's line alone (.lines)
        if entries is None:
            return None
        head = entries.head
        if not head.startswith(_VERSION_LINE) or not head.startswith(line, len(_VERSION_LINE)) \
                or head[len(_VERSION_LINE) + len(line):len(_VERSION_LINE) + len(line) + 1] != b"\n":
            return None
        creds = _lookup(entries, profile)
        if not isinstance(creds, dict):
            return None
        fields = {k: creds.get(k) for k in _FIELDS}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    finally:
        os.close(fd)
    if not all(isinstance(v, str) and v for v in fields.values()):
        return None
    expires = epoch_of_rfc3339(fields["expiration"])
    if expires is None:
        return None
    if expires - (time.time() if now is None else now) <= min_left:
        return None
    return fields
