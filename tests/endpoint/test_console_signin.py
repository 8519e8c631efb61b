"""Console sign-in against the local AWS's federation stub: the URL, the refusals, the durations."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from refresh_support import Codes, make_service

from mfa_tui.core.console import signin
from mfa_tui.core.errors import AwsError, ConfigError
from mfa_tui.core.models import Credentials
from mfa_tui.core.service.console_link import console_url


@pytest.fixture
def service(demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    assert service.refresh(service.select(["alice"]), Codes(demo_world)).results["alice"].ok
    return service


def open_url(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_chained_role_gets_a_login_url_built_from_the_stubs_token(service, local_aws):
    url = console_url(service, "dev-admin")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == local_aws.endpoint and parts.path == "/federation"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["Action"] == "login"
    assert query["Destination"] == "https://console.aws.amazon.com/console/home?region=us-east-1"
    assert local_aws.federation.tokens_issued == 1
    creds = service.current_credentials(service.registry.profiles["dev-admin"])
    assert creds.secret_access_key not in url and creds.session_token not in url
    status, page = open_url(url)  # the stub "signs in" with the token it issued
    assert status == 200 and "assumed-role/Admin/" in page
    status, _ = open_url(url.replace("SigninToken=", "SigninToken=x"))
    assert status == 400


def test_an_mfa_session_profile_is_refused_saying_why_and_how(service, local_aws):
    with pytest.raises(ConfigError) as refused:
        console_url(service, "alice")
    line = str(refused.value)
    assert "\n" not in line and "GetSessionToken" in line and "role profile" in line
    assert local_aws.federation.tokens_issued == 0


def test_the_stub_refuses_session_credentials_bad_secrets_and_long_chained_sessions(service, local_aws):
    endpoint = local_aws.endpoint + "/federation"
    mfa = service.mfa_session("alice")
    with pytest.raises(AwsError, match="GetSessionToken"):
        signin.signin_token(mfa, endpoint)
    role = console_url(service, "dev-admin") and service.current_credentials(service.registry.profiles["dev-admin"])
    forged = Credentials(role.access_key_id, "not-the-secret", role.session_token, role.expiration)
    with pytest.raises(AwsError, match="not valid"):
        signin.signin_token(forged, endpoint)
    with pytest.raises(AwsError, match="role chaining"):
        signin.signin_token(role, endpoint, duration=7200)
    assert signin.signin_token(role, endpoint, duration=3600)


def test_durations_and_destinations_are_checked_before_any_call(service, local_aws):
    with pytest.raises(ConfigError, match="at most 1h|15m and 1h"):
        console_url(service, "dev-admin", duration=2 * 3600)
    with pytest.raises(ConfigError, match="15m and 12h"):
        signin.check_duration(13 * 3600, chained=False)
    signin.check_duration(12 * 3600, chained=False)
    with pytest.raises(ConfigError, match="15m"):
        signin.check_duration(600, chained=True)
    with pytest.raises(ConfigError, match="https://"):
        console_url(service, "dev-admin", destination="javascript:alert(1)")
    assert local_aws.federation.tokens_issued == 0
    url = console_url(service, "dev-admin", duration=1800, destination="https://console.aws.amazon.com/s3/")
    assert parse_qs(urlsplit(url).query)["Destination"] == ["https://console.aws.amazon.com/s3/"]


@pytest.mark.parametrize(("arn", "endpoint", "home"), [
    ("arn:aws:iam::123456789012:role/A", "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"),
    ("arn:aws-us-gov:iam::123456789012:role/A", "https://signin.amazonaws-us-gov.com/federation",
     "https://console.amazonaws-us-gov.com/"),
    ("arn:aws-cn:iam::123456789012:role/A", "https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"),
])
def test_the_endpoint_follows_the_partition_unless_set(arn, endpoint, home):
    assert signin.endpoint_for(arn) == endpoint
    assert signin.destination_for(arn) == home
    assert signin.endpoint_for(arn, identity_endpoint="https://sts.eu-west-1.amazonaws.com") == endpoint
    assert signin.endpoint_for(arn, identity_endpoint="http://127.0.0.1:5000/") == "http://127.0.0.1:5000/federation"
    assert signin.endpoint_for(arn, setting="https://fed.example/federation") == "https://fed.example/federation"


def test_the_setting_is_read_from_the_registry(tmp_path):
    from mfa_tui.core.registry import load as registry

    path = tmp_path / "config.toml"
    path.write_text('[settings]\nfederation_endpoint = "https://signin.example.com/federation"\n')
    assert registry.load(path).settings.federation_endpoint == "https://signin.example.com/federation"
    path.write_text('[settings]\nfederation_endpoint = "signin.example.com"\n')
    with pytest.raises(Exception, match="federation_endpoint"):
        registry.load(path)
