"""The TOML registry: load it and check it (:mod:`mfa_tui.core.registry.edit` changes it safely).

One file (``config.example.toml`` documents every key) lists the accounts, the IAM
users reached through long-term keys (identities) and the profiles mfa-tui writes
into the shared credentials file. Reading is stdlib ``tomllib`` (the steps live in
:mod:`mfa_tui.core.registry.read`, shared with the writers); the rules live in
:mod:`mfa_tui.core.registry.validate`. Every problem is reported at once, as a
:class:`~mfa_tui.core.errors.Problem` naming the file, the table and key, and the
line and column when we can find them, so ``mfa-tui config check`` and the dashboard's
error screen can list them all.

The writers (``add_entries``, ``set_value``, ``dumps``) live in
:mod:`mfa_tui.core.registry.edit`, imported only by the code that writes: loading the
registry (done by ``credential-process`` on every AWS CLI call) never pays for
tomli-w or filelock.

:func:`load` keeps the last registry that validated (:mod:`mfa_tui.core.registry.cache`) and
reuses it while the registry's text, the AWS config file and the rules are unchanged, so an
unchanged registry opens without tomllib or the checks (and without importing them). A
registry with problems is always checked in full; :func:`check` never uses the copy.
"""

from __future__ import annotations

from pathlib import Path

from mfa_tui.core.errors import Problem, RegistryError
from mfa_tui.core.models import Registry
from mfa_tui.core.registry.read import default_aws_config, read_text, validate_text

def load(path: Path, *, aws_config_path: Path | None = None) -> Registry:
    """Read and validate the registry at ``path``.

    Raises :class:`RegistryError` listing every problem; a missing file gives one
    problem saying how to create it. ``aws_config_path`` is the AWS config file checked
    for profiles that would shadow ours (default: ``$AWS_CONFIG_FILE`` or ~/.aws/config).
    """
    from mfa_tui.core.registry import cache as registry_cache

    from dataclasses import replace

    from mfa_tui.core.session.peek import registry_stamp

    path = Path(path)
    if aws_config_path is None:
        aws_config_path = default_aws_config()
    # Before reading: an edit made while we read shows as another stamp, never as this one.
    stamp = registry_stamp(str(path))
    text, problems = read_text(path)
    if text is None:
        raise RegistryError(problems)
    key = registry_cache.inputs(path, text, aws_config_path)
    # Protects bench figure 4 (dashboard first frame ≤ 1.3× the bare app, CPU; bench/dash_bench.py) and the
    # cached registry of figures 2-3; bench/fastpaths.py `registry_cache` fails the bench unless this
    # lookup is ≤ 0.8× parsing and validating the registry.
    registry = registry_cache.lookup(path, key)
    if registry is not None and registry.settings.credentials_file:
        # That rule reads the disk (symlinks) and the state dir, which the copy's key does not cover.
        from mfa_tui.core.registry.checks import credentials_file_clash

        if credentials_file_clash(registry.settings.credentials_file, path, aws_config_path):
            registry = None
    if registry is None:
        registry, problems = validate_text(text, path, aws_config_path=aws_config_path)
        if problems:
            raise RegistryError(problems)
        assert registry is not None
        registry_cache.store(path, key, registry)
    return replace(registry, stamp=stamp)


def check(path: Path, *, aws_config_path: Path | None = None) -> list[Problem]:
    """Every problem of the registry at ``path``; empty when it is valid."""
    return _load(Path(path), aws_config_path)[1]


def _load(path: Path, aws_config_path: Path | None) -> tuple[Registry | None, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return validate_text(text, path, aws_config_path=aws_config_path)

