"""The last registry that passed validation, kept so an unchanged registry loads without TOML or checks.

Parsing a 1000-profile registry with tomllib and checking every rule costs 60–90 ms of CPU,
the largest single share of the dashboard's start-up (issue 8); rebuilding it from this copy
costs a few. :func:`registry.load <mfa_tui.core.registry.load.load>` asks :func:`lookup` first and
hands every registry it validated to :func:`store`. Protects bench figure 4 (dashboard first
frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py); bench/fastpaths.py ``registry_cache`` fails
the bench unless a load from the copy is ≤ 0.8× parsing and validating the registry.

A copy is used only when *every* input of the validation it stands for is exactly the same:

- the registry's path and the SHA-256 of its full text (never its mtime, so no edit can be missed);
- the SHA-256 of the AWS config file's text (the shadowing check reads it). Only hashes are kept:
  botocore allows long-term keys in that file, and no secret may land in a cache;
- the code that validates: mfa-tui's version and the size and mtime of each module holding a
  rule (:func:`rule_modules`), so editing a rule in a checkout invalidates every copy.

Only valid registries are stored: a registry with problems always gets the full check, so
``config check`` and the problems screen still list every problem. The copy is JSON (plain data,
never code) in the user cache dir (``~/.cache/mfa-tui`` on Linux), a 0600 file in a 0700
directory, replaced atomically. A cache that cannot be read, parsed or written only means a full
load: this module never raises.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any

from mfa_tui import __version__
from mfa_tui.core.models import Account, Identity, Profile, Registry, Settings, Strategy

FORMAT = 2
"""Bumped when the file's layout changes."""

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
    """The SHA-256 of ``text`` (hex), or None: what the cache keeps instead of the text."""
    if text is None:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
        "registry_sha256": _digest(text),
        "aws_config_path": None if aws_config_path is None else str(aws_config_path),
        "aws_config_sha256": _digest(_aws_config_text(aws_config_path)),
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
            doc = json.loads(fh.read())
        if not isinstance(doc, dict) or doc.get("inputs") != key:
            return None
        return _decode(path, doc["registry"])
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
        data = json.dumps({"inputs": key, "registry": _encode(registry)}, separators=(",", ":")).encode("utf-8")
        ensure_private_dir(target.parent)  # 0700
        atomic_write(target, data)  # 0600, fsynced; readers see the old copy or the new one; sudo leaves it the user's
    except (OSError, FileError, ValueError, TypeError):
        pass


# ── the registry as plain rows ─────────────────────────────────────────────────────────────────


def _row(obj: Any) -> list:
    return [getattr(obj, name) for name in _FIELDS[type(obj)]]  # tuples become JSON lists


def _encode(registry: Registry) -> dict[str, Any]:
    return {
        "settings": _row(registry.settings),
        "accounts": [_row(a) for a in registry.accounts.values()],
        "identities": [_row(i) for i in registry.identities.values()],
        "profiles": [_row(p) for p in registry.profiles.values()],
    }


def _decode(path: Path, doc: dict[str, Any]) -> Registry:
    return Registry(
        path,
        _build(Settings, doc["settings"]),
        _build_all(Account, doc["accounts"]),
        _build_all(Identity, doc["identities"]),
        _build_all(Profile, doc["profiles"]),
    )


_STRATEGIES = {s.value: s for s in Strategy}


_TUPLES = {cls: tuple(i for i, f in enumerate(fields(cls)) if str(f.type).startswith("tuple[")) for cls in _FIELDS}
"""Per model, the positions of its tuple fields: the only ones a valid model's row holds a JSON list in."""


def _build_all(cls: type, rows: list[list]) -> dict[str, Any]:
    """``{row[0]: _build(cls, row)}`` for every row, in a loop with the per-model work done once.

    One row per profile on every start: 5,000 profiles cost 16 ms through :func:`_build` and about
    a third of that here (bench figure 4 at fleet scale). Builds the same objects: only the model's
    tuple fields can hold a list in a row this module wrote.
    """
    if hasattr(cls, "__post_init__"):
        return {row[0]: _build(cls, row) for row in rows}
    names, tuples = _FIELDS[cls], _TUPLES[cls]
    width = len(names)
    strategy = names.index("strategy") if cls is Profile else None
    new = object.__new__
    out: dict[str, Any] = {}
    for row in rows:
        if len(row) != width:
            raise ValueError("row does not match the model")
        for i in tuples:
            if type(row[i]) is list:
                row[i] = tuple(row[i])
        if strategy is not None:
            row[strategy] = _STRATEGIES[row[strategy]]
        obj = new(cls)
        obj.__dict__.update(zip(names, row))
        out[row[0]] = obj
    return out


def _build(cls: type, row: list) -> Any:
    """``cls(*row)`` for rows this module wrote from valid models, without re-running ``__init__``.

    The models are frozen dataclasses without ``__post_init__``, so filling ``__dict__`` is what
    their ``__init__`` does (as ``copy`` and ``pickle`` do), at a quarter of the cost: this runs
    once per profile on every start. JSON lists come back as the models' tuples (tags).
    """
    names = _FIELDS[cls]
    if len(row) != len(names):
        raise ValueError("row does not match the model")
    values = dict(zip(names, [tuple(v) if type(v) is list else v for v in row]))
    if cls is Profile:
        values["strategy"] = _STRATEGIES[values["strategy"]]
    if hasattr(cls, "__post_init__"):  # should a model ever check itself, let it
        return cls(**values)
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj
