"""The policy pane's prediction and the local AWS's answer over HTTP agree, for each demo profile.

Every demo profile is refreshed as mfa-tui does it (one code, and the direct role's own later
one). For each profile, the pane's report (`mfa-tui policy`'s, :func:`report_for_profile`) is
built, and each row of the matrix that a request can express is sent to the local AWS over HTTP,
signed with that profile's own credentials: its principal's "MFA session" column is compared with
what the local AWS answers (allowed, or AccessDenied with an explicit or implicit deny). The
identity's long-term keys are compared with the user's "long-term keys" column too.

A request that authorisation lets through may still fail in moto (missing parameters): only the
authorisation answer counts. Rows that no request can name the same way are left out and listed:
STS's own rules (GetSessionToken from a session, AssumeRole's trust) are not what the pane
predicts, lambda speaks REST-JSON (not mapped), and a resource in another account than the
caller's, or a particular bucket, cannot be named without acting on it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from refresh_support import Codes, make_service

from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.report import report_for_profile

VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15", "ec2": "2016-11-15"}
NOWHERE_BUCKET = "mfa-tui-agreement-no-such-bucket"


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _probe(action: str, resource: str, account: str) -> tuple[str, bytes | None, str] | None:
    """``(method, body, path)`` of a request asking ``action`` on ``resource``, or None if none can."""
    service, _, name = action.partition(":")
    if "*" in action or "?" in action:
        return None
    if service == "s3":
        if action == "s3:ListAllMyBuckets":
            return "GET", None, "/"
        if action == "s3:DeleteBucket" and resource in ("*", "arn:aws:s3:::*"):
            return "DELETE", None, f"/{NOWHERE_BUCKET}"
        return None
    if service not in VERSIONS or service == "sts":
        return None
    params = {"Action": name, "Version": VERSIONS[service]}
    if resource != "*":
        if service != "iam" or _account_of(resource) != account:
            return None
        kind, _, tail = resource.split(":", 5)[5].partition("/")
        key = {"user": "UserName", "role": "RoleName", "group": "GroupName"}.get(kind)
        if kind == "mfa" and name == "CreateVirtualMFADevice":
            key = "VirtualMFADeviceName"
        if key is None:
            return None
        params[key] = tail.rsplit("/", 1)[-1]
    return "POST", urlencode(params).encode(), "/"


def _send(endpoint: str, creds, action: str, probe) -> Result:
    method, body, path = probe
    service = action.split(":", 1)[0]
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if body else {}
    request = AWSRequest(method=method, url=endpoint + path, data=body or b"", headers=headers)
    signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(creds, service, "us-east-1")
    signer.add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body or None, method=method, headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(http, timeout=30):
            return Result.ALLOWED
    except urllib.error.HTTPError as error:
        answer = error.read().decode("utf-8", "replace")
    if "AccessDenied" not in answer:
        return Result.ALLOWED  # authorisation let it through; moto answered something else
    return Result.EXPLICIT_DENY if "with an explicit deny" in answer else Result.IMPLICIT_DENY


def _compare(endpoint: str, creds, principal_report, column: str, who: str, compared: list, skipped: list) -> list[str]:
    found = []
    for row in principal_report.rows:
        probe = _probe(row.action, row.resource, principal_report.principal.account_id or "")
        if probe is None:
            skipped.append(f"{who}: {row.action} on {row.resource}")
            continue
        local = _send(endpoint, creds, row.action, probe)
        predicted = getattr(row, column).result
        compared.append((who, row.action, local))
        if str(local) != str(predicted):
            found.append(f"{who}, {row.action} on {row.resource}, {column}: pane {predicted}, local AWS {local}")
    return found


def test_pane_and_local_aws_agree_over_http_for_every_demo_profile(authorising_aws, demo_world, frozen_clock):
    service = make_service(demo_world, frozen_clock)
    refreshed = service.refresh(service.select(demo_world.profiles), Codes(demo_world))
    assert all(r.ok for r in refreshed.results.values()), refreshed.results
    endpoint = demo_world.aws.endpoint
    compared: list[tuple[str, str, Result]] = []
    skipped: list[str] = []
    disagreements: list[str] = []
    for name in demo_world.profiles:
        profile = service.select([name])[0]
        report = report_for_profile(service, name, simulate_with_aws=False)
        live = service.current_credentials(profile)
        assert live is not None, name
        creds = Credentials(live.access_key_id, live.secret_access_key, live.session_token)
        own = report.principals[-1]  # the role's report for a role profile, else the user's
        assert (own.principal.kind == "role") == bool(profile.role_arn), name
        disagreements += _compare(endpoint, creds, own, "mfa", name, compared, skipped)
        if not profile.role_arn:
            long_term = Credentials(*demo_world.keys(profile.identity))
            disagreements += _compare(endpoint, long_term, own, "long_term", f"{name} (long-term keys)",
                                      compared, skipped)
    assert disagreements == [], "\n".join(disagreements)
    profiles_compared = {who.split(" ")[0] for who, _, _ in compared}
    assert profiles_compared == set(demo_world.profiles), (profiles_compared, skipped)
    actions = {action for _, action, _ in compared}
    assert {"s3:ListAllMyBuckets", "s3:DeleteBucket", "ec2:DescribeInstances", "iam:ListMFADevices"} <= actions, actions
    # Real answers, not all one way: the force-MFA policy splits alice's long-term keys from her session.
    answers = {(who, action): result for who, action, result in compared}
    assert answers[("alice (long-term keys)", "s3:ListAllMyBuckets")] is Result.EXPLICIT_DENY
    assert answers[("alice", "s3:ListAllMyBuckets")] is Result.ALLOWED
