"""The engine shares one STS client per set of keys across its pool (botocore clients are thread-safe)."""

from __future__ import annotations

import time

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.registry import load as registry
from mfa_tui.core.service.facade import Service


def test_one_refresh_builds_one_client_per_key_set(demo_world, frozen_clock, monkeypatch):
    made = []
    real = aws.client

    def counting(service, keys=None, **kwargs):
        made.append(keys.access_key_id)
        time.sleep(0.05)  # a slow build: every worker of the pool asks meanwhile
        return real(service, keys, **kwargs)

    monkeypatch.setattr(aws, "client", counting)
    service = Service(registry.load(demo_world.config_path, aws_config_path=demo_world.aws_config_path), clock=frozen_clock)
    chained = [p for p in service.registry.profiles.values() if p.strategy.value == "chained"]

    report = service.refresh(chained, lambda _request: demo_world.code())

    assert not report.failed, [r.message for r in report.failed]
    # The long-term keys' client (GetSessionToken) and the MFA session's, shared by every worker.
    assert len(made) == 2 and len(set(made)) == 2
