"""The organisation import plan: which registry tables an AWS Organization's accounts become.

Pure apart from :func:`write_org_plan`. For each ACTIVE account: an ``[accounts.ALIAS]`` table
(id, ``alias`` = the account's name, ``tags = ["ou:Prod/Payments"]``) unless the id is already
registered, and per ``--role`` a chained role profile ``ALIAS-ROLE`` (lower-case; a name taken
by something else gets the account id inserted, ``ALIAS-ID-ROLE``) from the chosen identity,
tagged with the OU path. Only what is new is planned: accounts match by id, profiles by identity
and role ARN, so a re-run adds only new accounts and roles. SUSPENDED (or closing) accounts, and
registered accounts tagged ``ou:`` that are no longer in the organisation, are listed and kept;
with ``prune`` their profiles and account tables are removed (through the exact registry editor,
:func:`mfa_tui.core.registry.tables.remove_table`), an account table still named by an identity
excepted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mfa_tui.core.errors import ConfigError
from mfa_tui.core.importers.organizations import ACTIVE, OrgAccount
from mfa_tui.core.importers.plan import Addition, Skip
from mfa_tui.core.models import CREDENTIAL_PROCESS_SUGGESTED_ABOVE, OUTPUTS, Registry, profile_name_problem

OU_TAG = "ou:"
_ROLE_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case letters and digits joined by single hyphens ("Payments Live" -> "payments-live")."""
    return _SLUG_RE.sub("-", text.lower()).strip("-")


@dataclass
class OrgPlan:
    """What ``mfa-tui import organization`` would add, keep and (with ``--prune``) remove."""

    registry_path: Path
    additions: list[Addition] = field(default_factory=list)
    kept: list[Skip] = field(default_factory=list)
    """Suspended or departed accounts, listed and kept (removed with ``--prune``)."""
    skips: list[Skip] = field(default_factory=list)
    removals: list[tuple[str, str]] = field(default_factory=list)
    """``(group, name)`` tables ``--prune`` removes, in order (profiles before their account)."""
    prune: bool = False
    accounts_seen: int = 0
    profiles_after: int = 0

    def tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {"accounts": {}, "profiles": {}}
        for add in self.additions:
            out["accounts" if add.kind == "account" else "profiles"][add.name] = dict(add.table)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "registry": str(self.registry_path),
            "accounts_seen": self.accounts_seen,
            "add": [asdict(a) for a in self.additions],
            "kept": [asdict(k) for k in self.kept],
            "skip": [asdict(s) for s in self.skips],
            "remove": [f"{group}.{name}" for group, name in self.removals] if self.prune else [],
            "suggest_credential_process": self.profiles_after > CREDENTIAL_PROCESS_SUGGESTED_ABOVE,
        }


def choose_identity(registry: Registry, identity: str | None) -> str:
    if identity is not None:
        if identity not in registry.identities:
            known = ", ".join(registry.identities) or "none"
            raise ConfigError(f"--identity {identity}: no such identity in {registry.path} (identities: {known})")
        return identity
    if len(registry.identities) == 1:
        return next(iter(registry.identities))
    known = ", ".join(registry.identities) or "none yet; run `mfa-tui import` or `mfa-tui enroll` first"
    raise ConfigError(f"name the identity the roles are assumed from with --identity (identities: {known})")


def plan_organization(
    registry: Registry,
    accounts: list[OrgAccount],
    roles: list[str],
    *,
    identity: str | None = None,
    output: str | None = None,
    prune: bool = False,
) -> OrgPlan:
    """The pure planning step (see the module docstring)."""
    for role in roles:
        if not _ROLE_NAME_RE.match(role):
            raise ConfigError(f"--role {role!r} is not an IAM role name (1-64 letters, digits and +=,.@_-)")
    if output is not None and output not in OUTPUTS:
        raise ConfigError(f"--output {output!r}: use one of {', '.join(OUTPUTS)}")
    ident = choose_identity(registry, identity) if roles else identity
    plan = OrgPlan(registry.path, prune=prune, accounts_seen=len(accounts))
    by_id = {}
    for account in registry.accounts.values():
        by_id.setdefault(account.id, account)
    have_roles = {(p.identity, p.role_arn) for p in registry.profiles.values() if p.role_arn}
    taken = set(registry.profiles) | {i.source_profile for i in registry.identities.values()}
    account_names = set(registry.accounts)
    new_profiles = 0
    for acct in sorted(accounts, key=lambda a: (slug(a.name), a.id)):
        known = by_id.get(acct.id)
        tag = f"{OU_TAG}{acct.ou_path}"
        if acct.status != ACTIVE:
            plan.kept.append(Skip(known.name if known else acct.id, f"{acct.status.lower()} in the organisation; kept",
                                  kind="account", source=f"{acct.name} ({acct.id})"))
            if known is not None:
                plan.removals += _removals(registry, known.name, acct.id)
            continue
        prefix = slug(acct.name) or f"acct-{acct.id}"
        if known is not None:
            table_name = known.name
        else:
            table_name = prefix if prefix not in account_names else f"{prefix}-{acct.id}"
            account_names.add(table_name)
            plan.additions.append(Addition("account", table_name, {"id": acct.id, "alias": acct.name, "tags": [tag]},
                                           source=f"organization {acct.ou_path}"))
        for role in roles:
            arn = f"arn:aws:iam::{acct.id}:role/{role}"
            if (ident, arn) in have_roles:
                continue
            name = _profile_name(prefix, acct.id, role, taken)
            if name is None:
                plan.skips.append(Skip(f"{prefix}-{slug(role)}", "the name is taken, also with the account id",
                                       source=arn))
                continue
            taken.add(name)
            table: dict[str, Any] = {"identity": ident, "role_arn": arn, "account": table_name, "tags": [tag]}
            if output:
                table["output"] = output
            plan.additions.append(Addition("profile", name, table, source=f"{acct.name} ({acct.id})"))
            new_profiles += 1
    seen = {a.id for a in accounts}
    for account in registry.accounts.values():
        if account.id not in seen and any(t.startswith(OU_TAG) for t in account.tags):
            plan.kept.append(Skip(account.name, "no longer in the organisation; kept", kind="account",
                                  source=account.id))
            plan.removals += _removals(registry, account.name, account.id)
    plan.profiles_after = len(registry.profiles) + new_profiles
    return plan


def _profile_name(prefix: str, account_id: str, role: str, taken: set[str]) -> str | None:
    role_part = role.lower()
    for name in (f"{prefix}-{role_part}", f"{prefix}-{account_id}-{role_part}"):
        if name not in taken and profile_name_problem(name) is None:
            return name
    return None


def _removals(registry: Registry, account_name: str, account_id: str) -> list[tuple[str, str]]:
    """The profiles of an account, then the account table itself unless an identity names it."""
    out = []
    for profile in registry.profiles.values():
        found = registry.account_for(profile)
        if profile.account == account_name or (found is not None and found.name == account_name) \
                or profile.role_account_id == account_id:
            out.append(("profiles", profile.name))
    if not any(i.account == account_name for i in registry.identities.values()):
        out.append(("accounts", account_name))
    return out


def write_org_plan(plan: OrgPlan, aws_config_path: Path | None = None) -> None:
    """Append the planned tables; with ``plan.prune``, then remove the pruned ones (each an exact edit)."""
    from mfa_tui.core.registry.edit import add_entries
    from mfa_tui.core.registry.tables import remove_table

    if plan.additions:
        add_entries(plan.registry_path, **plan.tables(), aws_config_path=aws_config_path)
    if plan.prune:
        for table in plan.removals:
            remove_table(plan.registry_path, table, aws_config_path=aws_config_path)
