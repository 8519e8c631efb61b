"""The credential endpoint in-process: token, binding, format, re-mint threshold, a code needed.

The endpoint serves the demo world's profiles through a real :class:`Service` on the local AWS
(driven by ``frozen_clock``); requests are real HTTP to 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from http_support import get
from refresh_support import Codes, make_service

from mfa_tui.core.errors import NeedsCodeError
from mfa_tui.endpoint.server import CredentialEndpoint, new_token
from mfa_tui.endpoint.supply import REMINT_BEFORE, Supplier, remint_threshold


@pytest.fixture
def served(demo_world, frozen_clock):
    """(service, endpoint, token) with alice's MFA session refreshed; the endpoint serves every profile."""
    service = make_service(demo_world, frozen_clock)
    report = service.refresh(service.select(["alice"]), Codes(demo_world))
    assert report.results["alice"].ok
    token = new_token()
    endpoint = CredentialEndpoint(Supplier(service), token=token).start()
    yield service, endpoint, token
    endpoint.stop()


def test_the_container_credentials_format_for_a_chained_role(served, local_aws):
    service, endpoint, token = served
    before = local_aws.count("AssumeRole")
    status, body = get(endpoint.url("dev-admin"), token)
    assert status == 200
    assert set(body) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert body["AccessKeyId"].startswith("ASIA") and body["Expiration"].endswith("Z")
    assert local_aws.count("AssumeRole") == before + 1  # minted from the MFA session, no code
    again = get(endpoint.url("dev-admin"), token)[1]
    assert again["AccessKeyId"] == body["AccessKeyId"]  # 1 h left: served as is
    assert local_aws.count("AssumeRole") == before + 1


def test_a_wrong_or_missing_token_gets_401_and_nothing_else(served):
    _, endpoint, token = served
    for wrong in (None, "", token + "x", token.upper() if token != token.upper() else token.lower()):
        status, body = get(endpoint.url("dev-admin"), wrong)
        assert status == 401, wrong
        assert "AccessKeyId" not in body and token not in json.dumps(body)
    assert endpoint.refused == 4
    assert get(endpoint.url("nobody"), token)[0] == 404


def test_it_listens_on_loopback_only(served):
    _, endpoint, _ = served
    assert endpoint._server.server_address[0] == "127.0.0.1"
    outward = _outward_address()
    if outward is None or outward.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    with pytest.raises(OSError), socket.create_connection((outward, endpoint.port), timeout=2):
        pass


def _outward_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            return probe.getsockname()[0]
        except OSError:
            return None


def test_an_exec_endpoint_serves_only_its_profile(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice"]), Codes(demo_world))
    endpoint = CredentialEndpoint(Supplier(service), token="t0ken", profiles={"dev-admin"}).start()
    try:
        assert get(endpoint.url("dev-admin"), "t0ken")[0] == 200
        status, body = get(endpoint.url("staging-admin"), "t0ken")
        assert status == 404 and "not served here" in body["message"]
    finally:
        endpoint.stop()


def test_the_remint_threshold_scales_with_short_credentials(demo_world, frozen_clock, local_aws):
    service = make_service(demo_world, frozen_clock)
    service.refresh(service.select(["alice"]), Codes(demo_world))
    assert remint_threshold(service, "dev-admin") == REMINT_BEFORE  # never minted: 15 minutes
    supplier = Supplier(service)
    supplier.credentials("dev-admin")
    assert remint_threshold(service, "dev-admin") == REMINT_BEFORE  # 1 h role: 15 minutes
    local_aws.credential_lifetime = 30
    service.remint(service.select(["dev-admin"]))
    assert remint_threshold(service, "dev-admin") == pytest.approx(10)  # a third of 30 s
    first = supplier.credentials("dev-admin")
    frozen_clock.advance(15)
    assert supplier.credentials("dev-admin").access_key_id == first.access_key_id  # 15 s left: served
    frozen_clock.advance(6)
    renewed = supplier.credentials("dev-admin")  # 9 s left: re-minted
    assert renewed.access_key_id != first.access_key_id
    assert renewed.expiration == frozen_clock.now() + timedelta(seconds=30)


def test_a_profile_needing_a_code_gets_an_error_the_sdk_shows(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)  # no MFA session at all
    endpoint = CredentialEndpoint(Supplier(service), token="tok").start()
    try:
        status, body = get(endpoint.url("dev-admin"), "tok")
    finally:
        endpoint.stop()
    assert status == 503 and body["code"] == "NeedsMfaCode"
    assert "mfa-tui refresh dev-admin" in body["message"]
    with pytest.raises(NeedsCodeError, match="MFA session has ended"):
        Supplier(service).credentials("dev-admin")
