"""The wire format of STS and IAM (AWS "query" protocol): reading requests, writing XML answers.

The MFA layer answers some calls itself and refuses others before moto sees them; both
must look exactly like AWS to botocore, which reads ``ErrorResponse/Error/Code`` and
``Message`` from the body and the HTTP status for retries. :class:`Refusal` is how the
layer's handlers say "answer with this AWS error"; :func:`error_body` and
:func:`result_body` build the XML.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

NAMESPACES = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}

QUERY, JSON, REST_XML = "query", "json", "rest-xml"
"""The protocols whose errors the layer writes (botocore reads each one differently)."""

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/[^/]*/([^/]*)/([^/]*)/")


class Refusal(Exception):
    """An AWS error the layer answers with instead of passing the request on."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


# The AWS errors the layer produces, with their HTTP status as AWS sends it.
def access_denied(message: str) -> Refusal:
    return Refusal("AccessDenied", message, 403)


def validation_error(message: str) -> Refusal:
    return Refusal("ValidationError", message, 400)


def invalid_token() -> Refusal:
    return Refusal("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def missing_token() -> Refusal:
    """An unsigned request to a signed API (docs/aws-behaviour.md, "Unsigned and presigned requests")."""
    return Refusal("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def expired_token() -> Refusal:
    return Refusal("ExpiredToken", "The security token included in the request is expired", 403)


def no_such_entity(message: str) -> Refusal:
    return Refusal("NoSuchEntity", message, 404)


INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
UNKNOWN_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code. "
    "Please verify your MFA serial number is valid and associated with this user."
)
INVALID_AUTH_CODE = "Authentication code for device is not valid."


@dataclass
class AwsRequest:
    """What the layer needs to know about one incoming request."""

    service: str
    """Signing service from the SigV4 credential scope (``sts``, ``iam``); empty if unsigned."""
    action: str
    """``Action`` parameter (query protocol) or the ``X-Amz-Target`` operation; empty if none."""
    params: dict[str, str] = field(default_factory=dict)
    """Query/form parameters, first value of each."""
    access_key_id: str | None = None
    session_token: str | None = None
    region: str = "us-east-1"
    body: bytes = b""
    method: str = "GET"
    path: str = "/"
    """The URL path as sent (S3 names its bucket and key there)."""
    protocol: str = QUERY
    """How the service speaks: :data:`QUERY`, :data:`JSON` (``X-Amz-Target``) or :data:`REST_XML` (S3)."""

    def param_int(self, name: str) -> int | None:
        """An integer parameter; a non-integer becomes AWS's validation error."""
        raw = self.params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            field_name = name[0].lower() + name[1:]
            raise validation_error(
                f"1 validation error detected: Value at '{field_name}' failed to satisfy constraint: "
                "Member must be a number"
            ) from None


def read_request(environ: dict) -> AwsRequest:
    """Parse the environ; the body is read once and put back for whoever runs next."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    params: dict[str, str] = {}
    for key, values in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items():
        params[key] = values[0]
    if body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
            params[key] = values[0]
    service, region, access_key = "", "us-east-1", None
    match = _CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        access_key, region, service = match.group(1), match.group(2) or region, match.group(3).lower()
    elif "X-Amz-Credential" in params:  # presigned URL
        parts = params["X-Amz-Credential"].split("/")
        if len(parts) >= 4:
            access_key, region, service = parts[0], parts[2], parts[3].lower()
    action = params.get("Action", "")
    if not action and environ.get("HTTP_X_AMZ_TARGET"):
        action = environ["HTTP_X_AMZ_TARGET"].rsplit(".", 1)[-1]
    token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN") or params.get("X-Amz-Security-Token") or None
    protocol = QUERY
    if environ.get("HTTP_X_AMZ_TARGET"):
        protocol = JSON
    elif service == "s3":
        protocol = REST_XML
    elif not service and not action:
        # Unsigned, and neither a query nor a JSON call: S3 REST, the one API that answers anonymous requests.
        service, protocol = "s3", REST_XML
    return AwsRequest(
        service=service,
        action=action,
        params=params,
        access_key_id=access_key,
        session_token=token,
        region=region,
        body=body,
        method=environ.get("REQUEST_METHOD", "GET"),
        path=environ.get("PATH_INFO", "/") or "/",
        protocol=protocol,
    )


def request_id() -> str:
    return str(uuid.uuid4())


def error_body(service: str, refusal: Refusal) -> bytes:
    """AWS's query-protocol error document."""
    ns = NAMESPACES.get(service, NAMESPACES["sts"])
    kind = "Receiver" if refusal.status >= 500 else "Sender"
    return (
        f'<ErrorResponse xmlns="{ns}">'
        f"<Error><Type>{kind}</Type><Code>{escape(refusal.code)}</Code>"
        f"<Message>{escape(refusal.message)}</Message></Error>"
        f"<RequestId>{request_id()}</RequestId></ErrorResponse>"
    ).encode()


_JSON_CODES = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
}
"""Query-protocol codes and what AWS's JSON-protocol services (DynamoDB, KMS, ...) call them."""


def refusal_answer(request: AwsRequest, refusal: Refusal) -> tuple[int, str, bytes]:
    """``(status, content type, body)`` of AWS's error in the request's protocol.

    Query services: ``<ErrorResponse>``; JSON services: ``{"__type", "message"}`` (AWS's JSON
    services call a denial ``AccessDeniedException`` and an unknown key or token
    ``UnrecognizedClientException``, both with 400); S3: ``<Error>``.
    """
    if request.protocol == JSON:
        code = _JSON_CODES.get(refusal.code, refusal.code)
        status = 400 if code in _JSON_CODES.values() else refusal.status
        body = json.dumps({"__type": code, "message": refusal.message}).encode()
        return status, "application/x-amz-json-1.1", body
    if request.protocol == REST_XML:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Error><Code>{escape(refusal.code)}</Code><Message>{escape(refusal.message)}</Message>"
            f"<RequestId>{request_id()}</RequestId></Error>"
        ).encode()
        return refusal.status, "application/xml", body
    return refusal.status, "text/xml", error_body(request.service, refusal)


def result_body(service: str, action: str, inner_xml: str) -> bytes:
    """A successful answer: ``<ActionResponse><ActionResult>inner</ActionResult>…``."""
    ns = NAMESPACES.get(service, NAMESPACES["sts"])
    result = f"<{action}Result>{inner_xml}</{action}Result>" if inner_xml else ""
    return (
        f'<{action}Response xmlns="{ns}">{result}'
        f"<ResponseMetadata><RequestId>{request_id()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()


def xml_fields(**values: object) -> str:
    """``<Key>value</Key>`` for each non-None value, escaped, in the order given."""
    return "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in values.items() if value is not None)


def iso(dt: datetime) -> str:
    """The timestamp format STS uses for ``Expiration``."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(dt: datetime) -> str:
    """An RFC 7231 ``Date`` header value."""
    return format_datetime(dt, usegmt=True)
