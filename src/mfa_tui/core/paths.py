"""Where mfa-tui's files live, resolved from flags, environment and platform defaults.

- registry: ``--config PATH``, else ``$MFA_TUI_CONFIG``, else ``<user config dir>/config.toml``;
- state: ``$MFA_TUI_STATE_DIR``, else the user state dir (``~/.local/state/mfa-tui`` on Linux);
- the shared credentials and config files: the registry's ``credentials_file`` setting, else
  ``$AWS_SHARED_CREDENTIALS_FILE`` / ``$AWS_CONFIG_FILE``, else ``~/.aws/…``, as the AWS CLI does.

Everything is computed on demand from the environment, so a test (or the demo) that
changes ``HOME`` or ``XDG_*`` gets fresh paths without reloading anything.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "mfa-tui"


def _platformdirs():
    import platformdirs  # local: keeps `credential-process` start-up lean when paths are given

    return platformdirs


def config_dir() -> Path:
    """The user config dir that holds ``config.toml`` and ``themes/``."""
    return Path(_platformdirs().user_config_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    """The registry path when neither ``--config`` nor ``$MFA_TUI_CONFIG`` is given."""
    return config_dir() / "config.toml"


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The registry path: the explicit one, else ``$MFA_TUI_CONFIG``, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("MFA_TUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return default_config_path()


def state_dir() -> Path:
    """Directory for cached sessions and who-am-I results (created 0700 by the state store)."""
    env = os.environ.get("MFA_TUI_STATE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(_platformdirs().user_state_dir(APP_NAME, appauthor=False))


def user_themes_dir() -> Path:
    """Where users drop their own theme files (beside the registry)."""
    return config_dir() / "themes"


def aws_credentials_path(setting: str | None = None) -> Path:
    """The shared credentials file: the registry setting, ``$AWS_SHARED_CREDENTIALS_FILE``, or ~/.aws."""
    if setting:
        return Path(setting).expanduser()
    env = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    if env:
        return Path(env).expanduser()
    return Path("~/.aws/credentials").expanduser()


def aws_config_path() -> Path:
    """The shared config file: ``$AWS_CONFIG_FILE`` or ``~/.aws/config``."""
    env = os.environ.get("AWS_CONFIG_FILE")
    if env:
        return Path(env).expanduser()
    return Path("~/.aws/config").expanduser()
