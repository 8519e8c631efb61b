"""A registry table whose models are built from their rows on first use (the registry copy's, :mod:`.cache`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


class Models(Mapping):
    """Name -> model, each decoded and built from its row's line the first time it is looked up.

    The dashboard's first frame shows a screenful of the profiles and ``status P`` one: at 5,000
    profiles, decoding and building every model up front was about 10 ms of that frame's CPU
    (bench figure 4 at fleet scale; bench/fastpaths.py ``lazy_models`` fails the bench unless this
    stays ≤ 0.8× of building them all). Once :data:`BULK` models are built one by one, the next
    lookup builds the rest in one pass, as reading them all (the dashboard after its first frame)
    costs least. Iteration, ``len`` and ``in`` need no model; a model, once built, is the one every
    later lookup gets (``setdefault``, so two threads asking at once agree). Read-only, like the
    dict it stands for: a registry is never changed after loading.
    """

    BULK = 64

    __slots__ = ("_rows", "_built", "_make", "_decode")

    def __init__(self, rows: dict[str, Any], make: Callable[[list], Any],
                 decode: Callable[[list], list] | None = None):
        self._rows = rows
        """Name -> its row, or what ``decode`` makes rows of (a profile's line of JSON)."""
        self._built: dict[str, Any] = {}
        self._make = make
        self._decode = decode

    def __getitem__(self, name: str) -> Any:
        built = self._built.get(name)
        if built is None:
            raw = self._rows[name]
            if len(self._built) >= self.BULK:
                self._build_rest()
                return self._built[name]
            built = self._built.setdefault(name, self._make(self._decode([raw])[0] if self._decode else raw))
        return built

    def _build_rest(self) -> None:
        todo = [name for name in self._rows if name not in self._built]
        raw = [self._rows[name] for name in todo]
        for name, row in zip(todo, self._decode(raw) if self._decode else raw):
            self._built.setdefault(name, self._make(row))

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._rows else default

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"Models({list(self._rows)!r})"
