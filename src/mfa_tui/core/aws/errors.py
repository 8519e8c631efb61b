"""botocore's failures as mfa-tui's one-line domain errors.

Owns the translation of a botocore exception (:func:`translate_error`: a wrong or spent code,
a wrong device serial, an expired or invalid key, a clock too far off, throttling, an endpoint
that is down or answers with half a response; docs/aws-behaviour.md, "Error texts worth telling
apart"), AWS's error code and message of a ``ClientError``, and the line for an AWS config file
botocore cannot parse (:func:`config_parse_error`).
"""

from __future__ import annotations

import os
from pathlib import Path

from mfa_tui.core.errors import (
    AccessDeniedError,
    AwsError,
    ClockSkewError,
    CodeError,
    EndpointError,
    FileError,
    MfaTuiError,
    ThrottledError,
)

def config_parse_error(path: str | None, inner: BaseException | None) -> FileError:
    """One line naming the AWS config file botocore could not parse, and the line when known."""
    from mfa_tui.core.credentials import reader

    file = Path(os.path.expanduser(os.path.expandvars(path or "~/.aws/config")))
    try:
        reader.read_sections(file)  # the same INI rules, with the line in its message
    except FileError as ours:
        return FileError(str(ours))
    # Our reader accepts what botocore refused: a UTF-8 byte-order mark, or a quirk of botocore's.
    try:
        bom = file.read_bytes().startswith(b"\xef\xbb\xbf")
    except OSError:
        bom = False
    if bom:
        return FileError(f"{file}: starts with a UTF-8 byte-order mark, which botocore cannot read; save it without one")
    line = getattr(inner, "lineno", None)
    reason = str(inner).splitlines()[0] if inner is not None and str(inner) else "not an INI file"
    return FileError(f"{file}{f':{line}' if line else ''}: botocore cannot parse it ({reason})")


_INVALID_CODE = "invalid mfa one time pass code"
_BAD_SERIAL = "verify your mfa serial number"
_NOT_YET_CURRENT = "signature not yet current"
_SIGNATURE_CODES = ("SignatureDoesNotMatch", "RequestExpired", "InvalidSignatureException")


def error_code(exc: BaseException) -> str | None:
    """AWS's error code of a botocore ClientError, else None."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message") or "")
    return ""


def translate_error(exc: BaseException, *, what: str, endpoint: str | None = None) -> AwsError:
    """A one-line domain error for a botocore exception, prefixed with ``what``.

    ``what`` names the subject, e.g. ``"profile prod-admin"`` or ``"identity alice"``.
    Messages carry AWS's error code and, where it says something, its text (first line,
    anything shaped like a secret redacted), never credentials. Any other exception is a bug
    or a library's surprise: it is recorded with its traceback in the log file
    (:mod:`mfa_tui.core.logfile`) and the line names it and the log.
    """
    import botocore.exceptions as bex
    from botocore.parsers import ResponseParserError

    from mfa_tui.core.logfile import redact, unexpected

    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectionClosedError)):
        where = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url") or "AWS"
        return EndpointError(f"{what}: cannot reach {where}: connection failed; check the network or endpoint_url")
    if isinstance(exc, (bex.ConnectTimeoutError, bex.ReadTimeoutError)):
        where = endpoint or getattr(exc, "kwargs", {}).get("endpoint_url") or "AWS"
        return EndpointError(f"{what}: {where} timed out; check the network or try again")
    if isinstance(exc, ResponseParserError):
        # Not a BotoCoreError: the endpoint's answer was cut off (it died mid-response) or is not AWS's.
        where = endpoint or "AWS"
        return EndpointError(
            f"{what}: {where} sent an incomplete or unreadable response; check the network or endpoint_url and try again"
        )
    if isinstance(exc, bex.NoCredentialsError):
        return AwsError(f"{what}: no credentials to sign the call")
    if not isinstance(exc, bex.ClientError):
        if isinstance(exc, bex.BotoCoreError):
            return AwsError(f"{what}: {redact(str(exc).splitlines()[0])}")
        if isinstance(exc, MfaTuiError):
            return AwsError(f"{what}: {exc}")
        return AwsError(f"{what}: {unexpected(exc, what)}")
    code = error_code(exc) or "Unknown"
    lines = error_message(exc).strip().splitlines()
    message = redact(lines[0]).rstrip(".") if lines else ""
    said = f"({code}: {message})" if message else f"({code})"
    lower = message.lower()
    if code == "AccessDenied" and _INVALID_CODE in lower:
        return CodeError(
            f"{what}: AWS refused the MFA code: wrong, or already used (each code works once); "
            "wait for the next code and try again"
        )
    if code == "AccessDenied" and _BAD_SERIAL in lower:
        return CodeError(
            f"{what}: AWS could not validate the MFA device serial; check mfa_serial is the device ARN "
            "(arn:aws:iam::ACCOUNT:mfa/NAME) assigned to this user"
        )
    if code in _SIGNATURE_CODES and _NOT_YET_CURRENT in lower:
        return ClockSkewError(
            f"{what}: your clock is ahead of AWS's: AWS says the request was signed in its future; "
            f"fix the system time {said}",
            code=code,
        )
    if code in _SIGNATURE_CODES and ("expired" in lower or code == "RequestExpired"):
        return ClockSkewError(
            f"{what}: your clock is behind AWS's: AWS says the request signature expired; fix the system time {said}",
            code=code,
        )
    if code in ("ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"):
        return AccessDeniedError(f"{what}: the credentials used have expired; refresh them {said}", code=code)
    if code in ("InvalidClientTokenId", "UnrecognizedClientException"):
        return AccessDeniedError(
            f"{what}: AWS does not recognise the access key; it may be deleted, inactive or rotated {said}",
            code=code,
        )
    if code == "SignatureDoesNotMatch":
        return AccessDeniedError(f"{what}: the secret key does not match the access key {said}", code=code)
    if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"):
        return ThrottledError(f"{what}: AWS throttled the call after retries; try again shortly {said}", code=code)
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return AccessDeniedError(f"{what}: access denied: {message}", code=code)
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(status, int) and status >= 500:
        return AwsError(f"{what}: AWS failed with HTTP {status} after retries; try again {said}", code=code)
    return AwsError(f"{what}: {code}: {message}" if message else f"{what}: {code}", code=code)
