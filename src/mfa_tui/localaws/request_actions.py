"""Which IAM action, on which resource, an incoming request asks for.

Owns the mapping the authorisation layer (:mod:`~mfa_tui.localaws.authorisation`) decides on:

- query and JSON protocol services: ``service:Action`` from the ``Action`` parameter or the
  ``X-Amz-Target`` operation, with the resource the request names where the layer knows it
  (IAM users, roles, groups, policies and MFA devices; AssumeRole's role), else ``*``;
- S3 REST (path-style, as botocore sends to an IP endpoint): the operation from the method,
  the path (bucket, key) and the sub-resource in the query string.

A request it cannot map gives ``None``; the layer denies it, naming what it could not map.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from mfa_tui.localaws.callers import Caller
from mfa_tui.localaws.wire import AwsRequest

# Signing names whose IAM action prefix differs.
_PREFIXES = {"monitoring": "cloudwatch", "email": "ses"}

# S3 bucket sub-resources: sub-resource -> {method: action}.
_BUCKET_SUBRESOURCES = {
    "policy": {"GET": "s3:GetBucketPolicy", "PUT": "s3:PutBucketPolicy", "DELETE": "s3:DeleteBucketPolicy"},
    "location": {"GET": "s3:GetBucketLocation"},
    "versioning": {"GET": "s3:GetBucketVersioning", "PUT": "s3:PutBucketVersioning"},
    "acl": {"GET": "s3:GetBucketAcl"},
    "tagging": {"GET": "s3:GetBucketTagging", "PUT": "s3:PutBucketTagging"},
    "versions": {"GET": "s3:ListBucketVersions"},
    "uploads": {"GET": "s3:ListBucketMultipartUploads"},
    "delete": {"POST": "s3:DeleteObject"},
}
_BUCKET_PLAIN = {"GET": "s3:ListBucket", "HEAD": "s3:ListBucket", "PUT": "s3:CreateBucket", "DELETE": "s3:DeleteBucket"}
_OBJECT_PLAIN = {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject", "DELETE": "s3:DeleteObject"}
# Query parameters of plain requests (listing, paging, multipart upload parts), not sub-resources.
_PLAIN_PARAMS = {
    "list-type", "prefix", "delimiter", "marker", "max-keys", "continuation-token", "start-after",
    "encoding-type", "fetch-owner", "partNumber", "uploadId", "versionId", "x-id",
}


@dataclass(frozen=True)
class Requested:
    """An action and the resource it is asked on, as IAM names them."""

    action: str
    resource: str
    bucket: str | None = None
    """For S3: the bucket whose policy also applies."""


def requested(request: AwsRequest, caller: Caller | None) -> Requested | None:
    """What ``request`` asks to do, or None if the layer cannot say (``caller`` None: unsigned, S3 only)."""
    if request.protocol == "rest-xml" or request.service == "s3":
        return _s3(request)
    if not request.action or not request.service or caller is None:
        return None
    prefix = _PREFIXES.get(request.service, request.service)
    action = f"{prefix}:{request.action}"
    if prefix == "iam":
        return Requested(action, _iam_resource(request, caller))
    if action == "sts:AssumeRole":
        return Requested(action, request.params.get("RoleArn") or "*")
    return Requested(action, "*")


def describe(request: AwsRequest) -> str:
    """How a request the layer cannot map is named in its denial."""
    if request.protocol == "rest-xml" or request.service == "s3":
        query = "&".join(sorted(request.params))
        return f"{request.service or 's3'} {request.method} {request.path}" + (f"?{query}" if query else "")
    return f"{request.service or '(unsigned)'} {request.action or '(no action)'}"


def _s3(request: AwsRequest) -> Requested | None:
    path = unquote(request.path.lstrip("/"))
    bucket, _, key = path.partition("/")
    method = request.method.upper()
    subresources = [p for p in request.params if p not in _PLAIN_PARAMS and not p.lower().startswith("x-amz-")]
    if not bucket:
        return Requested("s3:ListAllMyBuckets", "*") if method == "GET" and not subresources else None
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if not key:
        if not subresources:
            action = _BUCKET_PLAIN.get(method)
            return Requested(action, bucket_arn, bucket) if action else None
        if len(subresources) != 1:
            return None
        action = _BUCKET_SUBRESOURCES.get(subresources[0], {}).get(method)
        if action is None:
            return None
        return Requested(action, f"{bucket_arn}/*" if action == "s3:DeleteObject" else bucket_arn, bucket)
    if subresources:
        return None
    action = _OBJECT_PLAIN.get(method)
    if method == "POST" and "uploads" in request.params:
        action = "s3:PutObject"
    return Requested(action, f"{bucket_arn}/{key}", bucket) if action else None


def _iam_resource(request: AwsRequest, caller: Caller) -> str:
    """The IAM resource of the request (the caller's own user where AWS defaults to it), else ``*``."""
    params = request.params
    account = caller.account
    if request.action == "CreateVirtualMFADevice":
        path = params.get("Path") or "/"
        return f"arn:aws:iam::{account}:mfa{path}{params.get('VirtualMFADeviceName', '')}"
    if request.action == "DeleteVirtualMFADevice":
        return params.get("SerialNumber") or "*"
    if params.get("UserName"):
        return f"arn:aws:iam::{account}:user/{params['UserName']}"
    if params.get("RoleName"):
        return f"arn:aws:iam::{account}:role/{params['RoleName']}"
    if params.get("GroupName"):
        return f"arn:aws:iam::{account}:group/{params['GroupName']}"
    if params.get("PolicyArn"):
        return params["PolicyArn"]
    if request.action in _SELF_DEFAULT and caller.user_name:
        return caller.arn
    return "*"


# IAM actions that act on the calling user when UserName is left out.
_SELF_DEFAULT = {
    "GetUser", "ListMFADevices", "ListAccessKeys", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey",
    "ListSigningCertificates", "ListSSHPublicKeys", "ChangePassword",
}
