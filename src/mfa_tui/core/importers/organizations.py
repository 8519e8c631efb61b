"""Reading an AWS Organization: its accounts and each one's OU path (``mfa-tui import organization``).

``ListAccounts`` is paginated by botocore's paginator (docs/aws-behaviour.md, "Fleet scale:
credential_process after the credentials file, and Organizations' account list") (and throttling retried by its standard
retry mode); each account's OU path comes from ``ListParents`` up to the root, with
``DescribeOrganizationalUnit`` for each OU's name, both cached per OU so a fleet of 5,000
accounts in 50 OUs costs one ``ListParents`` per account and one pair per OU. The credentials are
those of a registry profile (served from mfa-tui's state, so a ``credential-process`` profile
works too) or, for a name the registry does not know, whatever botocore finds for that profile
in the AWS files. The planning step is :mod:`.org_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mfa_tui.core.errors import ConfigError, MfaTuiError

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class OrgAccount:
    """One account of the organisation as ListAccounts reports it, with its OU path."""

    id: str
    name: str
    status: str
    """``ACTIVE``, ``SUSPENDED`` or ``PENDING_CLOSURE``."""
    ou_path: str
    """OU names from the root down, joined with ``/``; ``Root`` for an account at the root."""


def read_accounts(client: Any) -> list[OrgAccount]:
    """Every account of the organisation ``client`` (an ``organizations`` client) can see, with its OU path."""
    parents: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}

    def parent_of(child: str) -> tuple[str, str]:
        if child not in parents:
            found = client.list_parents(ChildId=child)["Parents"]
            parents[child] = (found[0]["Id"], found[0]["Type"]) if found else ("", "ROOT")
        return parents[child]

    def path_of(child: str) -> str:
        parts = []
        node, kind = parent_of(child)
        while kind == "ORGANIZATIONAL_UNIT" and len(parts) < 10:  # AWS nests OUs at most 5 deep
            if node not in names:
                names[node] = client.describe_organizational_unit(OrganizationalUnitId=node)["OrganizationalUnit"]["Name"]
            parts.append(names[node])
            node, kind = parent_of(node)
        return "/".join(reversed(parts)) or "Root"

    accounts = []
    for page in client.get_paginator("list_accounts").paginate():
        for item in page["Accounts"]:
            accounts.append(OrgAccount(item["Id"], item.get("Name", ""), item.get("Status", ACTIVE), path_of(item["Id"])))
    return accounts


def client_for(service: Any, profile: str) -> Any:
    """An ``organizations`` client signed as ``profile`` (a registry profile, else an AWS-files profile)."""
    registry = service.registry
    if profile in registry.profiles:
        from mfa_tui.core.aws import clients

        chosen = registry.profiles[profile]
        creds = service.current_credentials(chosen)
        if creds is None:
            raise ConfigError(f"profile {profile} has no credentials yet; run `mfa-tui refresh {profile}` first")
        identity = registry.identities.get(chosen.identity)
        return clients.client("organizations", access_key_id=creds.access_key_id,
                              secret_access_key=creds.secret_access_key, session_token=creds.session_token,
                              endpoint_url=identity.endpoint_url if identity else None)
    import boto3
    import botocore.exceptions as bex

    try:
        return boto3.Session(profile_name=profile).client("organizations", region_name="us-east-1")
    except bex.ProfileNotFound:
        raise ConfigError(f"--from {profile}: no such profile in the registry or the AWS files") from None


def fetch(service: Any, profile: str) -> list[OrgAccount]:
    """The organisation's accounts as ``profile`` sees them; AWS failures as one-line errors."""
    from mfa_tui.core.aws.errors import translate_error

    client = client_for(service, profile)
    try:
        return read_accounts(client)
    except MfaTuiError:
        raise
    except Exception as exc:  # botocore's ClientError and friends: one line, never a traceback
        raise translate_error(exc, what=f"organizations:ListAccounts as {profile}") from None
