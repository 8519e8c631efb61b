"""Dashboard themes as data files: load them, register them, and default every custom variable.

A theme is a TOML file (the shape posting uses): ``name``, ``dark``, Textual's base colours
(``primary``, ``background``, ...) and a ``[variables]`` table with mfa-tui's own colours,
``status-valid`` ... ``status-error`` (one per :class:`~mfa_tui.core.models.State`) and ``qr-fg``/``qr-bg``. The bundled themes live in the
repository's top-level ``themes/``; users add files to :func:`mfa_tui.core.paths.user_themes_dir`,
and a user file with a bundled theme's name replaces it.

Loading never raises: a broken file becomes one warning line and the other themes still load,
so a typo in a user theme can never keep the dashboard from opening. Every custom variable has a
default (:data:`THEME_VARIABLE_DEFAULTS`, served by :class:`ThemeVariablesMixin`) because CSS that
names a variable the current theme lacks fails to parse (docs/libraries.md, "Theme variables need defaults").

Theme files are read on every start, and importing ``tomllib`` is most of that cost (the registry
usually comes from its cached copy and needs no TOML parser at all), so the parsed tables of
unchanged files are kept too (:class:`_ParsedThemes`, beside the registry's copy in the user
cache dir). A file whose text differs from the kept one is parsed again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.color import Color, ColorParseError
from textual.theme import Theme

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.fileio import atomic_write
from mfa_tui.core.models import State
from mfa_tui.core.paths import user_themes_dir

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_THEME = "mfa-dark"
"""The theme used when the registry names none, or names one that does not exist."""

STATUS_VARIABLES: dict[State, str] = {state: f"status-{state.value}" for state in State}
"""The theme variable that colours each row state, e.g. ``State.VALID -> "status-valid"``."""

THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    # mfa-dark's values: a theme without them still shows distinct, readable states.
    "status-valid": "#4CBB6C",
    "status-expiring": "#E8B84C",
    "status-expired": "#E05A5A",
    "status-missing": "#8892A0",
    "status-changed": "#B48CF0",
    "status-refreshing": "#4CB6E8",
    "status-error": "#F06EB4",
    # QR codes stay black on white whatever the theme (docs/libraries.md, "A QR code for an AWS seed does not fit 80×24").
    "qr-fg": "#000000",
    "qr-bg": "#FFFFFF",
}
"""Default for every custom variable mfa-tui's CSS and widgets use."""

_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_FLOAT_KEYS = ("luminosity_spread", "text_alpha")
_BOOL_KEYS = ("dark", "ansi")
_META_KEYS = ("author", "description")  # informational; ignored
_KNOWN_KEYS = {"name", "variables", *_COLOUR_KEYS, *_FLOAT_KEYS, *_BOOL_KEYS, *_META_KEYS}


def bundled_themes_dir() -> Path:
    """The themes shipped with mfa-tui.

    A wheel carries them inside the package (``mfa_tui/themes``, put there by hatch's
    ``force-include``); an editable install or a source checkout reads the repository's
    top-level ``themes/`` directly, so editing a bundled theme needs no reinstall.
    """
    packaged = Path(__file__).resolve().parent.parent / "themes"
    if packaged.is_dir():
        return packaged
    # src/mfa_tui/ui/theming.py -> the repository root is three levels above the package.
    return Path(__file__).resolve().parents[3] / "themes"


def theme_dirs() -> list[Path]:
    """Where themes are looked for, in order: bundled, then the user's (later wins on a name clash)."""
    return [bundled_themes_dir(), user_themes_dir()]


class ThemeFileError(ValueError):
    """One theme file cannot be used; the message says what is wrong (without the path)."""


def _parse_colour(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{key} must be a colour string such as \"#4C9BE8\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{key} = {value!r} is not a colour") from None
    return value


def theme_from_mapping(data: dict[str, object], default_name: str, *, build_colours: bool = True) -> Theme:
    """Build a Theme from a theme file's parsed TOML; raises :class:`ThemeFileError`.

    ``build_colours`` derives Textual's whole colour system now, so a value Textual cannot use is
    reported at load time; it is skipped for the bundled themes, which the test suite builds
    (deriving one costs about a millisecond of start-up each).
    """
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ThemeFileError(f"unknown key {unknown[0]!r} (known: name, dark, {', '.join(_COLOUR_KEYS)}, variables)")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError("name must be a non-empty string")
    if "primary" not in data:
        raise ThemeFileError("primary is missing (every theme needs a primary colour)")
    kwargs: dict[str, object] = {}
    for key in _COLOUR_KEYS:
        if key in data:
            kwargs[key] = _parse_colour(data[key], key)
    for key in _BOOL_KEYS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ThemeFileError(f"{key} must be true or false")
            kwargs[key] = data[key]
    for key in _FLOAT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ThemeFileError(f"{key} must be a number")
            kwargs[key] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError("[variables] must be a table of name = \"value\"")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeFileError(f"variables.{key} must be a string")
        if key in THEME_VARIABLE_DEFAULTS:
            # Our widgets parse these themselves, so they must be plain colours.
            _parse_colour(value, f"variables.{key}")
    theme = Theme(name=name.strip(), variables=dict(variables), **kwargs)  # type: ignore[arg-type]
    if not build_colours:
        return theme
    try:
        # Textual derives the whole colour system lazily; do it now so a bad value is caught here,
        # not when the user switches to the theme.
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - any failure means "unusable theme", reported as one line
        raise ThemeFileError(f"cannot build the colour system: {exc}") from None
    return theme


def load_theme_file(path: Path, *, build_colours: bool = True, parsed: _ParsedThemes | None = None) -> Theme:
    """Read one theme file; raises :class:`ThemeFileError` or ``OSError``.

    ``parsed`` supplies kept tables of unchanged files (see :class:`_ParsedThemes`).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ThemeFileError("not UTF-8 text") from None
    try:
        data = parsed.parse(path, text) if parsed is not None else _parse_toml(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise ThemeFileError(f"not valid TOML: {exc}") from None
    return theme_from_mapping(data, path.stem, build_colours=build_colours)


def _parse_toml(text: str) -> dict:
    import tomllib  # local: see the module docstring

    return tomllib.loads(text)


class _ParsedThemes:
    """The parsed tables of theme files, kept between runs as JSON keyed by each file's full text.

    Only plain tables are kept (a value JSON cannot hold, such as a TOML date, keeps its file from
    being kept, not from loading). A kept file is used only when its text is exactly the same.
    Failing to read or write the copy only means parsing again; nothing here raises.
    """

    FORMAT = 1

    def __init__(self) -> None:
        from mfa_tui.core.registry.cache import cache_dir

        self.file = cache_dir() / "themes.json"
        try:
            doc = json.loads(self.file.read_bytes())
            kept = doc["files"] if doc.get("format") == self.FORMAT else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            kept = {}
        self.kept: dict = kept if isinstance(kept, dict) else {}
        self.seen: dict[str, dict] = {}

    def parse(self, path: Path, text: str) -> dict:
        key = str(path)
        entry = self.kept.get(key)
        if isinstance(entry, dict) and entry.get("text") == text and isinstance(entry.get("data"), dict):
            data = entry["data"]
        else:
            data = _parse_toml(text)
        self.seen[key] = {"text": text, "data": data}
        return data

    def save(self) -> None:
        """Keep what this load read, if it differs from what was kept."""
        if self.seen == self.kept:
            return
        files = {}
        for key, entry in self.seen.items():
            try:
                json.dumps(entry)
            except (TypeError, ValueError):
                continue
            files[key] = entry
        data = json.dumps({"format": self.FORMAT, "files": files}).encode("utf-8")
        try:
            atomic_write(self.file, data)
        except (MfaTuiError, OSError):
            pass  # only means parsing again next time


def load_themes(dirs: Iterable[Path]) -> tuple[list[Theme], list[str]]:
    """Load every ``*.toml`` theme in ``dirs``; returns the themes and one warning per unusable file.

    Never raises. A missing directory is skipped quietly (most users have no themes folder).
    When two files give the same theme name, the later directory's wins, so a user theme can
    replace a bundled one; within one directory files load in name order.
    """
    themes: dict[str, Theme] = {}
    warnings: list[str] = []
    bundled = bundled_themes_dir()
    parsed = _ParsedThemes()
    for directory in dirs:
        build_colours = Path(directory) != bundled  # see theme_from_mapping
        try:
            files = sorted(p for p in Path(directory).glob("*.toml") if p.is_file())
        except OSError as exc:
            warnings.append(f"themes folder {directory}: cannot be read ({exc.strerror or exc}); skipped")
            continue
        for path in files:
            try:
                theme = load_theme_file(path, build_colours=build_colours, parsed=parsed)
            except ThemeFileError as exc:
                warnings.append(f"theme file {path}: {exc}; skipped")
                continue
            except OSError as exc:
                warnings.append(f"theme file {path}: cannot be read ({exc.strerror or exc}); skipped")
                continue
            themes.pop(theme.name, None)  # keep "last definition wins" and its position
            themes[theme.name] = theme
    parsed.save()
    return list(themes.values()), warnings


def choose_theme(name: str | None, available: Iterable[str]) -> tuple[str, str | None]:
    """The theme to show for the registry's ``theme`` setting, and a warning when it was replaced.

    An unknown name falls back to :data:`DEFAULT_THEME` (or Textual's own default if even that
    is missing, e.g. a damaged installation).
    """
    names = set(available)
    if name and name in names:
        return name, None
    fallback = DEFAULT_THEME if DEFAULT_THEME in names else "textual-dark"
    if not name:
        return fallback, None
    return fallback, f"theme {name!r} is neither bundled nor a file in {user_themes_dir()}; using {fallback}"


def install_themes(app: App, dirs: Iterable[Path] | None = None) -> list[str]:
    """Register every theme from ``dirs`` (default :func:`theme_dirs`) with ``app``; returns the warnings."""
    themes, warnings = load_themes(theme_dirs() if dirs is None else dirs)
    for theme in themes:
        app.register_theme(theme)
    return warnings


def theme_variable_defaults() -> dict[str, str]:
    """A fresh copy of :data:`THEME_VARIABLE_DEFAULTS` (for ``App.get_theme_variable_defaults``)."""
    return dict(THEME_VARIABLE_DEFAULTS)


class ThemeVariablesMixin:
    """Mix into an ``App`` so every mfa-tui variable has a default under any theme.

    ``class Dashboard(ThemeVariablesMixin, App): ...`` — it must come before ``App`` in the bases.
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        base = super().get_theme_variable_defaults()  # type: ignore[misc]
        return {**base, **THEME_VARIABLE_DEFAULTS}
