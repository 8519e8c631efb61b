"""The demo's AWS Organization: the identity account manages it, every other demo account is a member.

So ``mfa-tui import organization --from alice --role Admin --role ReadOnly`` works in the demo
(alice's MFA session may call Organizations: her demo policy allows everything with MFA). Made
in-process on moto's Organizations backend, as moto itself makes the management account: a
member account is created and then given the demo account's fixed id. OUs: ``Workloads/NonProd``
for dev and staging, ``Workloads/Prod`` for prod, the root for the rest.
"""

from __future__ import annotations

from typing import Any

OU_OF = {"dev": ("Workloads", "NonProd"), "staging": ("Workloads", "NonProd"), "prod": ("Workloads", "Prod")}


def build_organization(management: str, accounts: list[tuple[str, str]], region: str) -> Any:
    """An organisation managed by ``management`` holding ``accounts`` (``(name, id)``); returns moto's backend."""
    from moto.organizations.models import FakeAccount, organizations_backends

    backend = organizations_backends[management]["aws"]
    backend.create_organization(region=region, FeatureSet="ALL")
    org = backend.org
    ous: dict[tuple[str, ...], str] = {}

    def ou_id(path: tuple[str, ...]) -> str:
        if not path:
            return org.root_id
        if path not in ous:
            ous[path] = backend.create_organizational_unit(ParentId=ou_id(path[:-1]), Name=path[-1])["OrganizationalUnit"]["Id"]
        return ous[path]

    for name, account_id in accounts:
        if account_id == management:
            for account in backend.accounts:
                if account.id == management:
                    account.name = name
            continue
        account = FakeAccount(org, AccountName=name, Email=f"{name}@demo.mfa-tui.invalid")
        account.id = account_id
        account.parent_id = ou_id(OU_OF.get(name, ()))
        backend.accounts.append(account)
        organizations_backends.master_accounts[account_id] = (management, "aws")
    return backend
