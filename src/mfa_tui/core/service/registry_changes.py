"""Adding, changing and removing profiles and accounts, for the dashboard's forms.

Every change goes through the registry's exact editors (:func:`~mfa_tui.core.registry.edit.add_entries`,
:func:`~mfa_tui.core.registry.tables.set_values`, :func:`~mfa_tui.core.registry.tables.remove_table`):
a name is checked with the registry's own rules first, the edited registry is validated as a
whole before anything is written (a refusal writes nothing and raises
:class:`~mfa_tui.core.errors.RegistryError`), and afterwards the service reads the registry again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from mfa_tui.core.errors import Problem, RegistryError
from mfa_tui.core.models import ACCOUNT_ID_RE, Registry, profile_name_problem

PROFILE_KEYS = ("identity", "role_arn", "strategy", "duration", "tags")
"""The profile keys the dashboard's form edits (others, such as external_id, are kept as they are)."""


class RegistryHolder(Protocol):
    """What the edits need of the :class:`~mfa_tui.core.service.facade.Service`."""

    registry: Registry
    aws_config_path: Path

    def reload_registry(self) -> Registry: ...


class RegistryChanges:
    """The registry edits of one service (``service.changes``)."""

    def __init__(self, service: RegistryHolder) -> None:
        self.service = service

    def _refuse(self, where: str, message: str) -> RegistryError:
        return RegistryError([Problem(str(self.service.registry.path), where, message + "; nothing was written")])

    def _done(self) -> Registry:
        return self.service.reload_registry()

    def add_profile(self, name: str, table: dict[str, Any]) -> Registry:
        """Append ``[profiles.NAME]`` holding ``table`` (keys of ``config.example.toml``)."""
        problem = profile_name_problem(name)
        if problem:
            raise self._refuse(f"profiles.{name}", problem)
        if name in self.service.registry.profiles:
            raise self._refuse(f"profiles.{name}", "already exists")
        from mfa_tui.core.registry.edit import add_entries

        add_entries(self.service.registry.path, profiles={name: table}, aws_config_path=self.service.aws_config_path)
        return self._done()

    def update_profile(self, name: str, values: dict[str, Any]) -> Registry:
        """Set (``None``: remove) keys of ``[profiles.NAME]`` in one write."""
        if name not in self.service.registry.profiles:
            raise self._refuse(f"profiles.{name}", "is not in the registry")
        from mfa_tui.core.registry.tables import set_values

        set_values(self.service.registry.path, ("profiles", name), values, aws_config_path=self.service.aws_config_path)
        return self._done()

    def remove_profile(self, name: str) -> Registry:
        """Delete ``[profiles.NAME]`` (its credentials-file section stays until the user removes it)."""
        from mfa_tui.core.registry.tables import remove_table

        remove_table(self.service.registry.path, ("profiles", name), aws_config_path=self.service.aws_config_path)
        return self._done()

    def add_account(self, name: str, account_id: str, alias: str = "") -> Registry:
        """Append ``[accounts.NAME]`` with its 12-digit id and, when given, an alias."""
        registry = self.service.registry
        if not name or name != name.strip() or any(c in name for c in "[]\n\r\t"):
            raise self._refuse(f"accounts.{name}", "an account name cannot be empty, hold [ ] or control characters, or start or end with whitespace")
        if name in registry.accounts:
            raise self._refuse(f"accounts.{name}", "already exists")
        if not ACCOUNT_ID_RE.match(account_id):
            raise self._refuse(f"accounts.{name}.id", f"{account_id!r} is not a 12-digit account id")
        table: dict[str, Any] = {"id": account_id}
        if alias:
            table["alias"] = alias
        from mfa_tui.core.registry.edit import add_entries

        add_entries(registry.path, accounts={name: table}, aws_config_path=self.service.aws_config_path)
        return self._done()

    def account_users(self, name: str) -> list[str]:
        """The profiles and identities that use account ``name`` (by name, or by a role ARN's account id)."""
        registry = self.service.registry
        users = [i.name for i in registry.identities.values() if i.account == name]
        for profile in registry.profiles.values():
            found = registry.account_for(profile)
            if profile.account == name or (found is not None and found.name == name):
                users.append(profile.name)
        return users

    def remove_account(self, name: str) -> Registry:
        """Delete ``[accounts.NAME]``; refused while a profile or identity still uses it."""
        users = self.account_users(name)
        if users:
            shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
            raise self._refuse(f"accounts.{name}", f"is still used by {shown}")
        from mfa_tui.core.registry.tables import remove_table

        remove_table(self.service.registry.path, ("accounts", name), aws_config_path=self.service.aws_config_path)
        return self._done()
