"""The endpoint's locks (issue 18): a slow re-mint of one profile holds up no other; one identity is asked once.

In-process against the local AWS: a slow AssumeRole comes from its fault injection (``delay_seconds``),
short-lived credentials from its ``credential_lifetime`` setting. The dashboard asked for a code is
the core's BridgeServer with a handler that records each ask.
"""

from __future__ import annotations

import threading
import time

import pytest
from bridge_support import refreshing
from refresh_support import Codes, make_service

from mfa_tui.core import paths
from mfa_tui.core.bridge.server import BridgeServer
from mfa_tui.core.errors import NeedsCodeError
from mfa_tui.endpoint.supply import REQUEST_PATIENCE, Supplier

SLOW = 3.0


def test_a_slow_remint_of_one_profile_does_not_hold_up_another(demo_world, frozen_clock, local_aws):
    service = make_service(demo_world, frozen_clock)
    assert service.refresh(service.select(["alice"]), Codes(demo_world)).results["alice"].ok
    supplier = Supplier(service)
    supplier.credentials("staging-admin")  # one hour: fresh throughout
    local_aws.credential_lifetime = 30
    old = supplier.credentials("dev-admin")  # 30 s: re-minted below a third of that
    frozen_clock.advance(25)
    local_aws.faults.set(delay_seconds=SLOW, actions={"AssumeRole"})
    remints = local_aws.count("AssumeRole")
    slow: dict = {}

    def remint_dev_admin() -> None:
        slow["creds"] = supplier.credentials("dev-admin", patience=REQUEST_PATIENCE)

    thread = threading.Thread(target=remint_dev_admin)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while supplier._profile_locks["dev-admin"].acquire(blocking=False):  # wait until its re-mint runs
            supplier._profile_locks["dev-admin"].release()
            assert time.monotonic() < deadline, "the re-mint never started"
            time.sleep(0.01)
        began = time.monotonic()
        fresh = supplier.credentials("staging-admin", patience=REQUEST_PATIENCE)
        assert time.monotonic() - began < REQUEST_PATIENCE  # served while dev-admin's re-mint is under way
        assert fresh.access_key_id.startswith("ASIA")
        with pytest.raises(NeedsCodeError, match="busy renewing"):  # dev-admin itself waits for its re-mint
            supplier.credentials("dev-admin", patience=0.1)
        assert thread.is_alive()
    finally:
        thread.join(timeout=30)
        local_aws.faults.clear()
    assert slow["creds"].access_key_id != old.access_key_id
    assert local_aws.count("AssumeRole") == remints + 1  # one re-mint, not one per request


def test_two_profiles_of_one_identity_wait_for_one_ask(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)  # no MFA session: a code is needed
    asked: list[str] = []

    answer_later = refreshing(demo_world, frozen_clock, asked, delay=1.0, codes=lambda: Codes(demo_world))
    bridge = BridgeServer(demo_world.config_path, paths.state_dir(), answer_later)
    assert bridge.start() is None
    supplier = Supplier(service)
    got: dict = {}

    def fetch(name: str) -> None:
        got[name] = supplier.credentials(name, patience=None)  # each waits for the whole ask

    threads = [threading.Thread(target=fetch, args=(name,)) for name in ("dev-admin", "staging-admin")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        bridge.close()
    assert len(asked) == 1  # one dialog for alice, not one per profile
    assert set(got) == {"dev-admin", "staging-admin"}
    assert all(creds.access_key_id.startswith("ASIA") for creds in got.values())
