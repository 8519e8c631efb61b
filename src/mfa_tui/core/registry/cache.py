"""The last registry that passed validation, kept so an unchanged registry loads without TOML or checks.

Parsing a 1000-profile registry with tomllib and checking every rule costs 60–90 ms of CPU,
the largest single share of the dashboard's start-up (issue 8); rebuilding it from this copy
costs a few. :func:`registry.load <mfa_tui.core.registry.load.load>` asks :func:`lookup` first and
hands every registry it validated to :func:`store`. Protects bench figure 4 (dashboard first
frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py); bench/fastpaths.py ``registry_cache`` fails
the bench unless a load from the copy is ≤ 0.8× parsing and validating the registry.

A copy is used only when *every* input of the validation it stands for is exactly the same:

- the registry's path and the hash (BLAKE2b, 256 bits) of its full text (never its mtime, so no edit
  can be missed);
- the hash of the AWS config file's text (the shadowing check reads it). Only hashes are kept:
  botocore allows long-term keys in that file, and no secret may land in a cache;
- the code that validates: mfa-tui's version and the size and mtime of each module holding a
  rule (:func:`rule_modules`), so editing a rule in a checkout invalidates every copy.

Only valid registries are stored: a registry with problems always gets the full check, so
``config check`` and the problems screen still list every problem. The copy is JSON (plain data,
never code): a digest line, one line with the inputs and the registry less its profiles' rows,
then a line per profile row, decoded on first use (:func:`split`, :class:`Models`). It lives in
the user cache dir (``~/.cache/mfa-tui`` on Linux), a 0600 file in a 0700 directory, replaced
atomically. A cache that cannot be read, parsed or written only means a full load: this module
never raises.
"""

from __future__ import annotations

import gc
import json
import os
import zlib
from dataclasses import fields
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mfa_tui import __version__
from mfa_tui.core.models import Account, Identity, Profile, Registry, Settings, Strategy
from mfa_tui.core.registry.lazy import Models

FORMAT = 4
"""Bumped when the file's layout changes."""

try:  # CPython's own BLAKE2: importing hashlib loads OpenSSL first (2.5 ms of the first frame, bench figure 4)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another interpreter
    from hashlib import blake2b

CORE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_RULE_MODULES = ("models.py", "clock.py")
"""Modules outside the registry package whose code decides what a registry loads as."""


def rule_modules() -> list[str]:
    """Every module (relative to ``core/``) whose code decides what a registry loads as.

    The whole registry package, listed rather than named, so a module split off a rule
    module is fingerprinted without anyone remembering to add it here.
    """
    package = os.path.join(CORE_DIR, "registry")
    try:
        own = sorted(f"registry/{n}" for n in os.listdir(package) if n.endswith(".py"))
    except OSError:  # an install this user cannot list: the package directory stands for its modules
        own = ["registry/"]
    return [*SHARED_RULE_MODULES, *own]

AWS_CONFIG_LIMIT = 4 * 1024 * 1024
"""As :func:`mfa_tui.core.registry.refs.read_aws_config_profiles` reads it."""

_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (Settings, Account, Identity, Profile)}


def cache_dir() -> Path:
    """Where copies are kept: ``$XDG_CACHE_HOME/mfa-tui`` or the platform's user cache dir."""
    import platformdirs  # local: as in mfa_tui.core.paths

    return Path(platformdirs.user_cache_dir("mfa-tui", appauthor=False))


def _file_for(path: Path) -> Path:
    # One copy per registry path; the name only spreads paths out (the full path is compared inside).
    where = os.path.abspath(path)
    return cache_dir() / f"registry-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.json"


def _code_fingerprint() -> list:
    out: list = [FORMAT, __version__]
    for name in rule_modules():
        try:
            st = os.stat(os.path.join(CORE_DIR, name))
        except OSError:
            out.append([name, None, None])
        else:
            out.append([name, st.st_mtime_ns, st.st_size])
    return out


def _digest(text: str | None) -> str | None:
    """The 256-bit BLAKE2b hash of ``text`` (hex), or None: what the cache keeps instead of the text.

    A cryptographic hash like SHA-256, without hashlib's OpenSSL import: with it, SHA-256 cost 3.1 ms
    of CPU at 5,000 profiles (a 750 KB registry) and 2.6 ms at 10; this, 1.7 and 0.4 ms.
    """
    if text is None:
        return None
    return _digest_bytes(text.encode("utf-8", "surrogatepass"))


def _digest_bytes(data: bytes | memoryview) -> str:
    return blake2b(data, digest_size=32).hexdigest()


def _aws_config_text(path: Path | None) -> str | None:
    """The AWS config file as the shadowing check decodes it; None when missing or unreadable.

    Missing, unreadable and too large all make that check see no profiles, so they may share a key.
    """
    from mfa_tui.core.errors import FileError
    from mfa_tui.core.fileio import NotAFileError, read_bytes

    if path is None:
        return None
    try:
        data = read_bytes(path, limit=AWS_CONFIG_LIMIT)
    except NotAFileError as exc:
        return str(exc)  # no copy matches it, so the full check runs and names the file
    except FileError:
        return None
    return None if data is None else data.decode("utf-8", errors="replace")


def inputs(path: Path, text: str, aws_config_path: Path | None) -> dict[str, Any]:
    """Everything the validation of ``text`` as the registry at ``path`` depends on (JSON-ready).

    The two texts are kept as hashes: the key is stored in the cache file.
    """
    return {
        "code": _code_fingerprint(),
        "path": str(path),
        "registry_hash": _digest(text),
        "aws_config_path": None if aws_config_path is None else str(aws_config_path),
        "aws_config_hash": _digest(_aws_config_text(aws_config_path)),
    }


def lookup(path: Path, key: dict[str, Any]) -> Registry | None:
    """The registry stored for exactly these inputs (see :func:`inputs`), or None."""
    from mfa_tui.core.errors import FileError
    from mfa_tui.core.fileio import open_regular

    # The copy's lists and the models built from them (tens of thousands of objects at 5,000
    # profiles, all kept) would fill the collector's young generations over and over: paused
    # meanwhile, as the dashboard pauses it until its first frame (bench figure 4).
    paused = gc.isenabled()
    gc.disable()
    try:
        with os.fdopen(open_regular(_file_for(path)), "rb") as fh:
            doc, rows = split(fh.read())
        if not isinstance(doc, dict) or doc.get("inputs") != key:
            return None
        return _decode(path, doc["registry"], rows)
    except (OSError, FileError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    finally:
        if paused:
            gc.enable()


def store(path: Path, key: dict[str, Any], registry: Registry) -> None:
    """Keep ``registry`` as the result for these inputs; silently does nothing if it cannot."""
    from mfa_tui.core.errors import FileError
    from mfa_tui.core.fileio import atomic_write, ensure_private_dir

    try:
        target = _file_for(path)
        head, rows = _encode(registry)
        data = joined({"inputs": key, "registry": head}, rows)
        ensure_private_dir(target.parent)  # 0700
        atomic_write(target, data)  # 0600, fsynced; readers see the old copy or the new one; sudo leaves it the user's
    except (OSError, FileError, ValueError, TypeError):
        pass


# ── the registry as plain rows ─────────────────────────────────────────────────────────────────


def _row(obj: Any) -> list:
    return [getattr(obj, name) for name in _FIELDS[type(obj)]]  # tuples become JSON lists


_SHAREABLE = (str, int, float, bool, type(None), tuple)
"""Values a table may keep once for all its rows: immutable ones (a row's own copy would equal it)."""


def _table(objs: list) -> tuple[list[list], dict[str, Any]]:
    """The rows of ``objs`` holding only the fields whose value differs between them, and the rest once.

    The first field (the table key) is always in the rows. At 5,000 profiles most fields are the same
    in every row (identity, strategy, output, region...): kept once, they halve the copy and its JSON
    decoding on every start (bench figure 4 at fleet scale).
    """
    rows = [_row(obj) for obj in objs]
    if not rows:
        return [], {}
    first, names = rows[0], _FIELDS[type(objs[0])]
    shared = [
        i for i in range(1, len(names))
        if isinstance(first[i], _SHAREABLE) and all(type(r[i]) is type(first[i]) and r[i] == first[i] for r in rows)
    ]
    keep = [i for i in range(len(names)) if i not in shared]
    return [[row[i] for i in keep] for row in rows], {names[i]: first[i] for i in shared}


def split(data: bytes) -> tuple[Any, bytes]:
    """A copy's parts: the inputs and the registry less its profiles' rows (JSON), and those rows.

    The copy is three parts, each starting on a new line: the digest of the other two, the JSON,
    and the rows (one JSON list per line). Raises ValueError for anything else, or when the digest
    does not match: a copy damaged anywhere (a row, a shared field) is never used. That check
    stands for checking every row on every read, which at 5,000 profiles cost more than decoding
    them (the rows are decoded on first use, :class:`Models`).
    """
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1)
    if first < 0 or second < 0 or data[:first] != _digest_bytes(memoryview(data)[first + 1:]).encode("ascii"):
        raise ValueError("not a registry copy as written")
    return json.loads(data[first + 1:second]), data[second + 1:]


def joined(doc: dict[str, Any], rows: bytes) -> bytes:
    """The copy of :func:`split`'s two parts."""
    rest = json.dumps(doc, separators=(",", ":")).encode("utf-8") + b"\n" + rows
    return _digest_bytes(rest).encode("ascii") + b"\n" + rest


def _encode(registry: Registry) -> tuple[dict[str, Any], bytes]:
    """The registry as :func:`joined`'s parts.

    The profiles' rows are kept one per line, apart from the rest: ``status P`` and the dashboard's
    first frame decode only the rows they use (:class:`Models`), and the whole of them at 5,000
    profiles was the largest part of reading the copy (2 of its 3.3 ms, plus 1.2 ms of checks).
    """
    out: dict[str, Any] = {"settings": _row(registry.settings)}
    for table in ("accounts", "identities"):
        out[table], out[f"{table}_same"] = _table(list(getattr(registry, table).values()))
    rows, out["profiles_same"] = _table(list(registry.profiles.values()))
    body = b"".join(json.dumps(row, separators=(",", ":")).encode("ascii") + b"\n" for row in rows)
    out["profiles"] = [row[0] for row in rows]
    return out, body


def _decode(path: Path, doc: dict[str, Any], rows: bytes) -> Registry:
    lines = rows.split(b"\n")
    names = doc["profiles"]
    if lines.pop() != b"" or type(names) is not list or len(names) != len(lines):
        raise ValueError("the profile rows do not match their names")
    return Registry(
        path,
        _build(Settings, doc["settings"]),
        Models(_by_name(doc["accounts"]), _maker(Account, doc["accounts_same"])),
        _build_all(Identity, doc["identities"], doc["identities_same"]),
        Models(dict(zip(names, lines)), _maker(Profile, doc["profiles_same"]), _decode_lines),
    )


def _by_name(rows: list) -> dict[str, list]:
    if type(rows) is not list or not all(type(row) is list and row for row in rows):
        raise ValueError("not a table of rows")
    return {row[0]: row for row in rows}


def _decode_lines(lines: list[bytes]) -> list:
    return json.loads(b"[" + b",".join(lines) + b"]")  # one decode, in C


_STRATEGIES = {s.value: s for s in Strategy}


_TUPLES = {cls: tuple(i for i, f in enumerate(fields(cls)) if str(f.type).startswith("tuple[")) for cls in _FIELDS}
"""Per model, the positions of its tuple fields: the only ones a valid model's row holds a JSON list in."""


def _value(cls: type, index: int, value: Any) -> Any:
    """A JSON value as field ``index`` of ``cls`` holds it: lists become tuples, a strategy its enum."""
    if index in _TUPLES[cls] and type(value) is list:
        return tuple(value)
    if cls is Profile and _FIELDS[cls][index] == "strategy":
        return _STRATEGIES[value]
    return value


def _maker(cls: type, same: dict[str, Any]) -> Callable[[list], Any]:
    """A function building ``cls`` from a row (its own fields) and ``same`` (the fields all rows share).

    The per-model work is done once here: one row per profile on every start (bench figure 4 at
    fleet scale). Builds what ``cls(**fields)`` builds: only a model's tuple fields can hold a list,
    and its strategy a string, in rows this module wrote. A row of another shape is a ValueError.
    """
    names = _FIELDS[cls]
    if type(same) is not dict or not set(same) <= set(names[1:]):
        raise ValueError("shared fields do not match the model")
    own = [i for i, name in enumerate(names) if name not in same]
    shared = {name: _value(cls, names.index(name), value) for name, value in same.items()}
    own_names = [names[i] for i in own]
    convert = [j for j, i in enumerate(own) if i in _TUPLES[cls]]
    strategy = own.index(names.index("strategy")) if cls is Profile and "strategy" not in same else None
    width = len(own)
    post_init = hasattr(cls, "__post_init__")  # should a model ever check itself, let it
    new = object.__new__

    def make(row: list) -> Any:
        if type(row) is not list or len(row) != width or (strategy is not None and row[strategy] not in _STRATEGIES):
            raise ValueError("row does not match the model")
        values = list(row)
        for j in convert:
            if type(values[j]) is list:
                values[j] = tuple(values[j])
        if strategy is not None:
            values[strategy] = _STRATEGIES[values[strategy]]
        if post_init:
            return cls(**shared, **dict(zip(own_names, values)))
        # A frozen dataclass's __init__ only fills __dict__ (as copy and pickle do), at a quarter of the cost.
        obj = new(cls)
        fields_ = obj.__dict__
        fields_.update(shared)
        fields_.update(zip(own_names, values))
        return obj

    return make


def _build_all(cls: type, rows: list[list], same: dict[str, Any]) -> dict[str, Any]:
    """``{name: model}`` for every row, in one pass (see :func:`_maker`)."""
    make = _maker(cls, same)
    if type(rows) is not list:
        raise ValueError("not a table of rows")
    out = {}
    for row in rows:
        model = make(row)
        out[row[0]] = model
    return out


def _build(cls: type, row: list) -> Any:
    """``cls(*row)`` for a row this module wrote from a valid model (``settings``), without ``__init__``."""
    return _maker(cls, {})(row)
