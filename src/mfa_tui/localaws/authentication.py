"""Authentication, before authorisation: who signed a request, with what secret, and when.

moto checks no signature, so the MFA layer does what AWS does first for every signed request
(docs/aws-behaviour.md, "Authentication comes first"):

1. the access key must be one the local AWS issued: an IAM user's long-term key held by moto,
   or temporary credentials in the :class:`~mfa_tui.localaws.ledger.Ledger`, each with its own
   session token; long-term keys carry no token. Otherwise ``InvalidClientTokenId``.
2. the signing time (``X-Amz-Date``) must be within 15 minutes of the local AWS's clock, or
   ``SignatureDoesNotMatch`` "Signature expired" / "Signature not yet current".
3. the SigV4 signature, recomputed with botocore's own signer from the request as received
   (method, path, query, the headers named in ``SignedHeaders``, the body) and the secret the
   local AWS issued, must match, or ``SignatureDoesNotMatch``.

Expiry and the rest of authorisation stay with :mod:`~mfa_tui.localaws.callers`.

Requests without an ``Authorization`` header (docs/aws-behaviour.md, "Unsigned and presigned requests"):

- presigned (``X-Amz-Signature`` in the query string): the same key and signature checks, with
  the query-string signer; ``X-Amz-Expires`` is at most a week, and past ``X-Amz-Date`` +
  ``X-Amz-Expires`` the URL is refused with ``AccessDenied`` "Request has expired". The caller
  is then the signer, authorised as such;
- Signature Version 2, in the query string or the header, is refused (``InvalidRequest``: SigV4 only);
- unsigned S3 REST requests pass as anonymous (authorisation allows them only where a bucket
  policy allows everyone); STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned by
  design; any other unsigned request is refused with ``MissingAuthenticationToken``.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from mfa_tui.localaws.callers import known_key
from mfa_tui.localaws.ledger import Ledger
from mfa_tui.localaws.wire import REST_XML, AwsRequest, Refusal, invalid_token, missing_token

ALLOWED_SKEW = timedelta(minutes=15)
"""How far a request's signing time may be from AWS's clock."""
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)
SIGV2_REFUSED = Refusal(
    "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", 400
)
"""A Signature Version 2 presigned URL (``AWSAccessKeyId``/``Signature``/``Expires``): S3 takes SigV4 only."""
UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
"""STS calls made without AWS credentials: the web identity token or SAML assertion is the proof."""
MAX_PRESIGNED_EXPIRES = 604800
"""A SigV4 presigned URL lives at most 7 days."""
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<headers>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]+)\s*$"
)


def authenticate(environ: dict, request: AwsRequest, ledger: Ledger, now: datetime) -> None:
    """Raise AWS's :class:`Refusal` unless the request is signed by credentials the local AWS issued
    (or is one AWS answers unsigned: anonymous S3, web identity and SAML federation)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not authorization:
        if "X-Amz-Signature" in request.params or "X-Amz-Credential" in request.params:
            _authenticate_presigned(environ, request, ledger, now)
        elif "AWSAccessKeyId" in request.params and "Signature" in request.params:
            raise SIGV2_REFUSED
        elif request.protocol != REST_XML and request.action not in UNSIGNED_ACTIONS:
            raise missing_token()
        return
    if authorization.startswith("AWS "):  # Signature Version 2 in the header
        raise SIGV2_REFUSED
    if not request.access_key_id:
        raise Refusal("IncompleteSignature", "Authorization header requires 'Credential' parameter.", 400)
    secret = _secret(request, ledger)
    signed_at = environ.get("HTTP_X_AMZ_DATE", "")
    refusal = request_time_refusal(signed_at, now)
    if refusal is not None:
        raise refusal
    match = _AUTH_RE.match(authorization)
    if match is None or not hmac.compare_digest(
        _signature(environ, request, secret, signed_at, match["headers"].split(";")), match["signature"]
    ):
        raise _mismatch(request)


def _secret(request: AwsRequest, ledger: Ledger) -> str:
    """The secret of the request's key; an unknown key is refused (S3 says InvalidAccessKeyId)."""
    found = known_key(request, ledger)
    if found is None:
        if request.protocol == REST_XML:
            raise Refusal("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)
        raise invalid_token()
    return found.secret_access_key


def _mismatch(request: AwsRequest) -> Refusal:
    return Refusal("SignatureDoesNotMatch", S3_SIGNATURE_MISMATCH if request.protocol == REST_XML else SIGNATURE_MISMATCH, 403)


def _authenticate_presigned(environ: dict, request: AwsRequest, ledger: Ledger, now: datetime) -> None:
    """A query-string (presigned) SigV4 signature: key, lifetime, then the signature itself."""
    params = request.params
    try:
        expires = int(params.get("X-Amz-Expires", ""))
    except ValueError:
        expires = -1
    if not request.access_key_id or not params.get("X-Amz-Signature") or expires < 0:
        raise Refusal("AuthorizationQueryParametersError",
                      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                      "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.", 400)
    if expires > MAX_PRESIGNED_EXPIRES:
        raise Refusal("AuthorizationQueryParametersError",
                      f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGNED_EXPIRES}", 400)
    secret = _secret(request, ledger)
    signed_at = params.get("X-Amz-Date", "")
    try:
        signed = datetime.strptime(signed_at, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise _mismatch(request) from None
    signature = _signature(environ, request, secret, signed_at, params.get("X-Amz-SignedHeaders", "host").split(";"),
                           presigned=True)
    if not hmac.compare_digest(signature, params["X-Amz-Signature"]):
        raise _mismatch(request)
    if now > signed + timedelta(seconds=expires):
        raise Refusal("AccessDenied", "Request has expired", 403)


def request_time_refusal(signed_at: str | None, now: datetime) -> Refusal | None:
    """AWS's refusal of a request signed at ``signed_at`` (``X-Amz-Date``) when ``now`` is its clock."""
    try:
        signed = datetime.strptime(signed_at or "", _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        # No usable date: the signature cannot match either (botocore signs over X-Amz-Date).
        return Refusal("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)
    minutes = f"{ALLOWED_SKEW.total_seconds() / 60:g} min."
    if signed < now - ALLOWED_SKEW:
        return Refusal(
            "SignatureDoesNotMatch",
            f"Signature expired: {signed_at} is now earlier than {_amz(now - ALLOWED_SKEW)} ({_amz(now)} - {minutes})",
            403,
        )
    if signed > now + ALLOWED_SKEW:
        return Refusal(
            "SignatureDoesNotMatch",
            f"Signature not yet current: {signed_at} is still later than {_amz(now + ALLOWED_SKEW)} "
            f"({_amz(now)} + {minutes})",
            403,
        )
    return None


def _signature(environ: dict, request: AwsRequest, secret: str, signed_at: str, signed_headers: list[str],
               *, presigned: bool = False) -> str:
    """The SigV4 signature botocore's signer computes for this request as received.

    ``presigned``: the query-string form, whose canonical query is every parameter but
    ``X-Amz-Signature`` and whose S3 payload is ``UNSIGNED-PAYLOAD``.
    """
    from botocore.auth import S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {name: _header(environ, name) for name in signed_headers}
    # RAW_URI keeps the path as sent; the signer re-quotes what it is given, as the client's did.
    raw = environ.get("RAW_URI") or quote(environ.get("PATH_INFO", "/"), safe="/~")
    path, _, query = raw.partition("?")
    query = query or environ.get("QUERY_STRING", "")
    if presigned:
        query = "&".join(p for p in query.split("&") if p.partition("=")[0] != "X-Amz-Signature")
    url = f"http://{headers.get('host') or environ.get('HTTP_HOST', '')}{path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = signed_at
    signer_class = SigV4Auth if not presigned else S3SigV4QueryAuth if request.service == "s3" else SigV4QueryAuth
    signer = signer_class(Credentials(request.access_key_id, secret, request.session_token), request.service, request.region)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)


def _header(environ: dict, name: str) -> str:
    key = name.upper().replace("-", "_")
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return environ.get(key, "")
    return environ.get(f"HTTP_{key}", "")


def _amz(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_AMZ_DATE)
