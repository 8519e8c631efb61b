"""Unsigned and presigned requests, over HTTP, as AWS answers them (docs/aws-behaviour.md,
"Unsigned and presigned requests"): a signed API refuses an unsigned request with
MissingAuthenticationToken; S3 treats it as anonymous, denied unless a bucket policy allows
everyone; a presigned S3 URL is authenticated and authorised as its signer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from localaws_fixtures import admin_client
from localaws_helpers import error_of

from mfa_tui.core.clock import FrozenClock

ACCOUNT = "111111111111"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
UNSIGNED_CONFIG = Config(signature_version=UNSIGNED, retries={"mode": "standard", "total_max_attempts": 1})
MISSING = "Request is missing Authentication Token"
SIGV4 = Config(signature_version="s3v4", retries={"mode": "standard", "total_max_attempts": 1})
"""boto3 presigns S3 URLs with SigV2 unless told otherwise; AWS wants SigV4."""


@pytest.fixture
def world(authorising_aws, demo_world):
    return demo_world


def _unsigned(boto_session, local_aws, service):
    return boto_session.client(service, region_name="us-east-1", endpoint_url=local_aws.endpoint, config=UNSIGNED_CONFIG)


def _http(url: str, data: bytes | None = None, method: str | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _mfa_session(world, client):
    return client("sts", world.keys()).get_session_token(
        SerialNumber=world.alice_serial, TokenCode=world.code())["Credentials"]


def _object(world, key="report.txt", body=b"quarterly numbers"):
    bucket = world.buckets["identity"]
    admin_client(world.aws, "s3").put_object(Bucket=bucket, Key=key, Body=body)
    return bucket, key


# ── signed APIs refuse an unsigned request ────────────────────────────────────
@pytest.mark.parametrize(("service", "call"), [("sts", "get_caller_identity"), ("iam", "list_users")])
def test_query_protocol_unsigned_is_missing_authentication_token(world, boto_session, local_aws, service, call):
    code, message, status = error_of(getattr(_unsigned(boto_session, local_aws, service), call))
    assert (code, message, status) == ("MissingAuthenticationToken", MISSING, 403)


def test_json_protocol_unsigned_is_missing_authentication_token(world, boto_session, local_aws):
    code, message, status = error_of(_unsigned(boto_session, local_aws, "dynamodb").list_tables)
    assert (code, message, status) == ("MissingAuthenticationTokenException", MISSING, 400)


def test_plain_http_post_without_a_signature(world, local_aws):
    body = urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15"}).encode()
    status, answer = _http(local_aws.endpoint + "/", body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in answer and MISSING.encode() in answer


# ── S3: unsigned is anonymous ───────────────────────────────────────────────────
def test_anonymous_s3_is_denied_without_a_public_bucket_policy(world, boto_session, local_aws):
    bucket, key = _object(world)
    s3 = _unsigned(boto_session, local_aws, "s3")
    for call, kwargs in ((s3.get_object, {"Bucket": bucket, "Key": key}), (s3.list_objects_v2, {"Bucket": bucket}),
                         (s3.list_buckets, {})):
        code, message, status = error_of(call, **kwargs)
        assert (code, message, status) == ("AccessDenied", "Access Denied", 403), call
    status, answer = _http(f"{local_aws.endpoint}/{bucket}/{key}")
    assert status == 403 and b"<Code>AccessDenied</Code>" in answer


def test_anonymous_s3_is_allowed_by_a_bucket_policy_for_everyone(world, local_aws):
    bucket, key = _object(world, "public/readme.txt", b"hello, anyone")
    admin = admin_client(world.aws, "s3")
    policy = json.loads(admin.get_bucket_policy(Bucket=bucket)["Policy"])
    policy["Statement"].append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                                "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*"})
    admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert _http(f"{local_aws.endpoint}/{bucket}/{key}") == (200, b"hello, anyone")
    _object(world, "private.txt", b"secret-ish")
    status, _ = _http(f"{local_aws.endpoint}/{bucket}/private.txt")  # outside the public prefix
    assert status == 403
    status, _ = _http(f"{local_aws.endpoint}/{bucket}/public/other.txt", b"x", method="PUT")  # GetObject only
    assert status == 403


# ── presigned URLs: authenticated and authorised as the signer ────────────────
def test_a_presigned_url_of_the_mfa_session_works(world, client, local_aws):
    bucket, key = _object(world)
    url = client("s3", _mfa_session(world, client), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    assert _http(url) == (200, b"quarterly numbers")


def test_a_presigned_url_is_authorised_as_its_signer(world, client):
    bucket, key = _object(world)
    url = client("s3", world.keys(), SIGV4).generate_presigned_url(  # long-term keys: force-MFA denies
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    status, answer = _http(url)
    assert status == 403
    assert (f"User: {ALICE} is not authorized to perform: s3:GetObject on resource: "
            f"arn:aws:s3:::{bucket}/{key} with an explicit deny").encode() in answer


def test_a_tampered_presigned_url_does_not_match(world, client):
    bucket, key = _object(world)
    url = client("s3", _mfa_session(world, client), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    status, answer = _http(url.replace(f"/{key}", "/other.txt"))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer
    signature = url.rsplit("X-Amz-Signature=", 1)[1][:64]
    wrong = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    status, answer = _http(wrong)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer


def test_a_presigned_url_with_a_wrong_secret_or_unknown_key(world, client):
    bucket, key = _object(world)
    access_key, _secret = world.keys()
    url = client("s3", (access_key, "not-the-secret"), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    status, answer = _http(url)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer
    url = client("s3", ("AKIAUNKNOWNUNKNOWN00", "x"), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    status, answer = _http(url)
    assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in answer


def test_an_expired_presigned_url(world, client, frozen_clock):
    bucket, key = _object(world)
    url = client("s3", world.keys(), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    world.aws.clock = FrozenClock(frozen_clock.now() + timedelta(minutes=5))
    status, answer = _http(url)
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in answer and b"<Message>Request has expired</Message>" in answer


def test_a_sigv2_presigned_url_is_refused(world, client):
    bucket, key = _object(world)
    url = client("s3", _mfa_session(world, client)).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)
    assert "AWSAccessKeyId=" in url
    status, answer = _http(url)
    assert status == 400 and b"<Code>InvalidRequest</Code>" in answer and b"AWS4-HMAC-SHA256" in answer


def test_a_presigned_url_for_more_than_a_week(world, client):
    bucket, key = _object(world)
    url = client("s3", world.keys(), SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=604801)
    status, answer = _http(url)
    assert status == 400 and b"<Code>AuthorizationQueryParametersError</Code>" in answer


def test_a_sigv2_header_is_refused(world, client, boto_session, local_aws):
    s3 = boto_session.client("s3", region_name="us-east-1", endpoint_url=local_aws.endpoint,
                             aws_access_key_id=world.keys()[0], aws_secret_access_key=world.keys()[1],
                             config=Config(signature_version="s3", retries={"mode": "standard", "total_max_attempts": 1}))
    code, message, status = error_of(s3.list_buckets)
    assert (code, status) == ("InvalidRequest", 400) and "AWS4-HMAC-SHA256" in message
