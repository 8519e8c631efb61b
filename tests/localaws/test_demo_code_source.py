"""The demo's zero-typing identity: a registry setting (``code_source = "command"``), not an engine special case.

``mfa-tui --demo`` builds its world with ``auto_identity``: carol has a device of her own and her
registry entry runs ``mfa-tui demo code --identity carol``. The real command against the local
AWS, so both run on real time here.
"""

from __future__ import annotations

import tomllib

from mfa_tui.core.clock import SystemClock
from mfa_tui.core.registry import load as registry
from mfa_tui.core.service.facade import Service
from mfa_tui.localaws.demo import build_world


def test_carol_refreshes_from_the_demo_command_beside_alices_typed_code(local_aws, isolated_home):
    local_aws.clock = SystemClock()
    world = build_world(local_aws, isolated_home, direct_profile=False, auto_identity=True)
    raw = tomllib.loads(world.config_path.read_text())
    assert raw["identities"]["carol"]["code_source"] == "command"
    assert raw["identities"]["carol"]["code_command"][-2:] == ["--identity", "carol"]
    assert "code_source" not in raw["identities"]["alice"]  # alice keeps the typed flow
    assert world.profiles[-1] == "carol"

    service = Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=SystemClock())
    asked = []
    report = service.refresh(service.select(["carol"]), lambda request: asked.append(request))
    assert [r.ok for r in report.results.values()] == [True], report.summary()
    assert asked == []
    assert local_aws.count("GetSessionToken") == 1


def test_the_default_demo_world_has_no_code_source(demo_world):
    raw = tomllib.loads(demo_world.config_path.read_text())
    assert "carol" not in raw["identities"]
    assert all("code_source" not in table for table in raw["identities"].values())
