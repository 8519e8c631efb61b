"""A new registry for a first run: the commented starter file or the full example.

``mfa-tui init [--example]`` and the dashboard's welcome screen both create the registry here.
The starter (``mfa_tui/data/starter.toml``) is an empty, commented registry; the example is
``config.example.toml``, every key with its comment. The repository's top-level
``config.example.toml`` is the one source: a wheel carries it as
``mfa_tui/data/config.example.toml`` (hatch's force-include, see pyproject.toml) and an editable
install reads the top-level file directly, as :mod:`mfa_tui.ui.theming` does with ``themes/``.
"""

from __future__ import annotations

from pathlib import Path

from mfa_tui.core.errors import ConfigError, FileError
from mfa_tui.core.fileio import atomic_write, describe_os_error

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
"""Files shipped inside the package."""
EXAMPLE_NAME = "config.example.toml"


def example_path() -> Path:
    """``config.example.toml``: the packaged copy in a wheel, the repository's own otherwise."""
    packaged = DATA_DIR / EXAMPLE_NAME
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[4] / EXAMPLE_NAME


def starter_text(*, example: bool = False) -> str:
    """The text of a new registry: the commented starter, or the full example."""
    source = example_path() if example else DATA_DIR / "starter.toml"
    try:
        return source.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileError(describe_os_error(source, exc, "read")) from None


def create_registry(path: Path, *, example: bool = False) -> Path:
    """Write a new registry at ``path`` (its folder created, 0600, atomic); returns the path.

    Refuses with :class:`ConfigError` (exit 2) when a file is already there, whatever it holds:
    an existing registry is never replaced.
    """
    from mfa_tui.core.registry.edit import locked

    path = Path(path)
    text = starter_text(example=example)
    with locked(path) as real:  # creates the folder; a second `init` waits, then refuses
        if real.exists() or path.is_symlink() and not path.exists():
            raise ConfigError(f"{path} already exists; nothing was written (edit it, or check it with `mfa-tui config check`)")
        try:
            atomic_write(real, text.encode("utf-8"))
        except OSError as exc:
            raise FileError(describe_os_error(real, exc, "write")) from None
    return path
