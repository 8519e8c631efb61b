"""``mfa-tui import organization`` against the local AWS's Organizations (moto), as a user runs it (issue 19).

The organisation is the demo's (its identity account manages dev, staging and prod); ``org-admin`` is a profile of the AWS files
holding keys allowed everything there. Nested OUs, 120 accounts (ListAccounts pages), a suspended
account, a re-run, ``--prune``, and a caller denied ListAccounts.
"""

from __future__ import annotations

import json

import pytest

from mfa_tui.cli import main
from mfa_tui.core.registry import load as registry

from localaws_fixtures import admin_client, admin_keys

MANAGEMENT = "111111111111"


@pytest.fixture
def org(demo_world):
    client = admin_client(demo_world.aws, "organizations", MANAGEMENT)  # the demo's organisation (demo_org.py)
    key, secret = admin_keys(MANAGEMENT)
    with demo_world.credentials_path.open("a") as f:
        f.write(f"\n[org-admin]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
    with demo_world.aws_config_path.open("a") as f:
        f.write(f"\n[profile org-admin]\nregion = us-east-1\nendpoint_url = {demo_world.endpoint}\n")
    return client


def add_account(client, name: str, parent: str | None = None) -> str:
    account_id = client.create_account(Email=f"{name.replace(' ', '.')}@example.com", AccountName=name)[
        "CreateAccountStatus"]["AccountId"]
    if parent:
        root = client.list_roots()["Roots"][0]["Id"]
        client.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
    return account_id


def ou(client, parent: str, name: str) -> str:
    return client.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]


def run_import(capsys, *args: str) -> tuple[int, dict]:
    code = main(["import", "organization", "--from", "org-admin", "--json", *args])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else {"stderr": out.err})


def test_nested_ous_pages_suspended_rerun_and_prune(demo_world, org, capsys):
    root = org.list_roots()["Roots"][0]["Id"]
    prod = ou(org, root, "Prod")
    payments = ou(org, prod, "Payments")
    live = add_account(org, "Payments Live", payments)
    old = add_account(org, "Old Sandbox", prod)
    for i in range(118):
        add_account(org, f"Team {i:03d}")
    org.close_account(AccountId=add_account(org, "Closed One"))

    code, plan = run_import(capsys, "--role", "Admin", "--role", "ReadOnly", "--identity", "alice")
    assert code == 0 and plan["accounts_seen"] == 125  # 120 + the closed one + the demo's 4
    adds = {a["name"]: a["table"] for a in plan["add"]}
    assert adds["payments-live"] == {"id": live, "alias": "Payments Live", "tags": ["ou:Prod/Payments"]}
    assert adds["payments-live-admin"] == {"identity": "alice", "role_arn": f"arn:aws:iam::{live}:role/Admin",
                                           "account": "payments-live", "tags": ["ou:Prod/Payments"]}
    assert adds["old-sandbox-readonly"]["tags"] == ["ou:Prod"] and adds["team-000-admin"]["tags"] == ["ou:Root"]
    assert [k["source"] for k in plan["kept"]] == [f"Closed One ({k['name']})" for k in plan["kept"]]
    assert not any(a["table"].get("alias") == "Closed One" for a in plan["add"])
    assert plan["written"] is False and "payments-live" not in registry.load(demo_world.config_path).accounts

    code, plan = run_import(capsys, "--role", "Admin", "--role", "ReadOnly", "--identity", "alice", "--write")
    loaded = registry.load(demo_world.config_path)
    assert code == 0 and loaded.profiles["payments-live-admin"].role_arn.endswith(f"{live}:role/Admin")
    assert loaded.tags_for(loaded.profiles["payments-live-readonly"]) == ("ou:Prod/Payments",)

    # A re-run adds only what is new.
    newcomer = add_account(org, "Newcomer", payments)
    code, plan = run_import(capsys, "--role", "Admin", "--role", "ReadOnly", "--identity", "alice")
    assert code == 0 and {a["name"] for a in plan["add"]} == {"newcomer", "newcomer-admin", "newcomer-readonly"}
    assert plan["add"][0]["table"]["id"] == newcomer

    # A registered account is suspended: listed and kept; --prune --write removes it.
    org.close_account(AccountId=old)
    code, plan = run_import(capsys, "--role", "Admin", "--identity", "alice")
    assert "old-sandbox" in {k["name"] for k in plan["kept"]} and plan["remove"] == []
    assert "old-sandbox" in registry.load(demo_world.config_path).accounts
    before = demo_world.config_path.read_text()
    code, plan = run_import(capsys, "--role", "Admin", "--role", "ReadOnly", "--identity", "alice",
                            "--prune", "--write")
    assert code == 0
    assert set(plan["remove"]) == {"profiles.old-sandbox-admin", "profiles.old-sandbox-readonly", "accounts.old-sandbox"}
    loaded = registry.load(demo_world.config_path)
    assert "old-sandbox" not in loaded.accounts and "old-sandbox-admin" not in loaded.profiles
    assert "newcomer-admin" in loaded.profiles
    # The exact editor: the text before the first pruned table is kept byte for byte.
    assert demo_world.config_path.read_text().startswith(before[: before.index("[accounts.old-sandbox]")])


def test_output_credential_process_and_text_plan(demo_world, org, capsys):
    add_account(org, "Shop")
    code = main(["import", "organization", "--from", "org-admin", "--role", "Admin", "--identity", "alice",
                 "--output", "credential-process"])
    out = capsys.readouterr().out
    assert code == 0 and "Would add to" in out and "shop-admin" in out and "Dry run" in out
    main(["import", "organization", "--from", "org-admin", "--role", "Admin", "--identity", "alice",
          "--output", "credential-process", "--write"])
    capsys.readouterr()
    assert registry.load(demo_world.config_path).profiles["shop-admin"].output == "credential-process"


def test_bad_input_is_one_line(demo_world, org, capsys):
    assert main(["import", "organization", "--role", "Admin"]) == 2
    assert "needs --from" in capsys.readouterr().err
    assert main(["import", "organization", "--from", "nobody", "--role", "Admin", "--identity", "alice"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nobody" in err
    assert main(["import", "organization", "--from", "org-admin", "--role", "bad role!", "--identity", "alice"]) == 2
    assert "not an IAM role name" in capsys.readouterr().err


def test_a_caller_without_list_accounts_is_denied(demo_world, org, capsys):
    """Organizations calls are authorised like every other call: alice's long-term keys may not list accounts."""
    creds = demo_world.credentials_path.read_text()
    source = next(i.source_profile for i in registry.load(demo_world.config_path).identities.values())
    code = main(["import", "organization", "--from", source, "--role", "Admin", "--identity", "alice"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "ListAccounts" in err, err
    assert demo_world.credentials_path.read_text() == creds
