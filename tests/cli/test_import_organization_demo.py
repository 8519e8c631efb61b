"""In the demo, ``import organization --from alice`` reads the demo's organisation with alice's MFA session (issue 19)."""

from __future__ import annotations

import json

from mfa_tui.cli import main
from mfa_tui.core.registry import load as registry

from refresh_support import Codes, make_service


def test_demo_organization_with_alices_mfa_session(demo_world, frozen_clock, capsys):
    service = make_service(demo_world, frozen_clock)
    assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed
    code = main(["import", "organization", "--from", "alice", "--role", "Admin", "--role", "ReadOnly",
                 "--identity", "alice", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    plan = json.loads(out.out)
    assert plan["accounts_seen"] == len(demo_world.accounts)
    # The demo already has dev/staging/prod's roles: only the identity account's would be new.
    assert {a["name"] for a in plan["add"]} == {"identity-admin", "identity-readonly"}
    assert "dev-admin" in registry.load(demo_world.config_path).profiles
