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

Expiry and the rest of authorisation stay with :mod:`~mfa_tui.localaws.callers`. Unsigned
requests pass (they name no key); query-string (presigned) signatures are not verified.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from mfa_tui.localaws.callers import known_key
from mfa_tui.localaws.ledger import Ledger
from mfa_tui.localaws.wire import AwsRequest, Refusal, invalid_token

ALLOWED_SKEW = timedelta(minutes=15)
"""How far a request's signing time may be from AWS's clock."""
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<headers>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]+)\s*$"
)


def authenticate(environ: dict, request: AwsRequest, ledger: Ledger, now: datetime) -> None:
    """Raise AWS's :class:`Refusal` unless the request is signed by credentials the local AWS issued."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not request.access_key_id or not authorization:
        return  # unsigned, or presigned in the query string
    found = known_key(request, ledger)
    if found is None:
        raise invalid_token()
    secret = found.secret_access_key
    signed_at = environ.get("HTTP_X_AMZ_DATE", "")
    refusal = request_time_refusal(signed_at, now)
    if refusal is not None:
        raise refusal
    match = _AUTH_RE.match(authorization)
    if match is None or not hmac.compare_digest(
        _signature(environ, request, secret, signed_at, match["headers"].split(";")), match["signature"]
    ):
        raise Refusal("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)


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


def _signature(environ: dict, request: AwsRequest, secret: str, signed_at: str, signed_headers: list[str]) -> str:
    """The SigV4 signature botocore's signer computes for this request as received."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {name: _header(environ, name) for name in signed_headers}
    # RAW_URI keeps the path as sent; the signer re-quotes what it is given, as the client's did.
    raw = environ.get("RAW_URI") or quote(environ.get("PATH_INFO", "/"), safe="/~")
    path, _, query = raw.partition("?")
    query = query or environ.get("QUERY_STRING", "")
    url = f"http://{headers.get('host') or environ.get('HTTP_HOST', '')}{path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = signed_at
    signer = SigV4Auth(Credentials(request.access_key_id, secret, request.session_token), request.service, request.region)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)


def _header(environ: dict, name: str) -> str:
    key = name.upper().replace("-", "_")
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        return environ.get(key, "")
    return environ.get(f"HTTP_{key}", "")


def _amz(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_AMZ_DATE)
