"""``mfa-tui import``: plan registry entries from ~/.aws, and write a plan into the registry.

The front door the CLI and the dashboard use. Reading ~/.aws is :mod:`.aws_profiles`, the
planning rules (the three layouts, naming, what is skipped and why) are :mod:`.plan`; this
module resolves the paths, loads the registry, and appends the planned tables to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from mfa_tui.core import paths
from mfa_tui.core.importers.aws_profiles import read_aws_files
from mfa_tui.core.importers.plan import ImportPlan, plan_from

__all__ = ["ImportPlan", "plan_import", "write_plan"]


def plan_import(
    registry_path: Path | None = None,
    *,
    config_path: Path | None = None,
    credentials_path: Path | None = None,
) -> ImportPlan:
    """Read the registry (missing: empty) and the AWS files, and plan what is new.

    A registry that does not load raises its :class:`RegistryError`: import never adds to
    (or overwrites) a broken registry.
    """
    from mfa_tui.core.registry import load as registry_mod

    registry_path = Path(registry_path) if registry_path else paths.config_path()
    config_path = Path(config_path) if config_path else paths.aws_config_path()
    current = None
    if os.path.lexists(registry_path):
        current = registry_mod.load(registry_path, aws_config_path=config_path)
        if credentials_path is None:
            # Identities name profiles of the credentials file mfa-tui uses: the registry's setting wins.
            credentials_path = paths.aws_credentials_path(current.settings.credentials_file)
    aws = read_aws_files(config_path, credentials_path)
    return plan_from(aws, current, registry_path)


def write_plan(plan: ImportPlan) -> None:
    """Append the planned tables to the registry (atomic, backed up; refuses existing names)."""
    from mfa_tui.core.registry import edit as registry_edit

    if plan.additions:
        registry_edit.add_entries(plan.registry_path, **plan.tables(), aws_config_path=plan.config_path)
