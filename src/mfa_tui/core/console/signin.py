"""Console sign-in through AWS's federation endpoint: ``getSigninToken``, then the ``login`` URL.

The flow a custom identity broker follows (docs/aws-behaviour.md, "The federation endpoint (console
sign-in)"): send the role session's credentials as the ``Session`` JSON (``sessionId``,
``sessionKey``, ``sessionToken``) to ``getSigninToken``, get ``{"SigninToken": …}`` back, and open
``…/federation?Action=login&Issuer=…&Destination=…&SigninToken=…``. Only role sessions qualify:
GetSessionToken credentials are refused there. A console session lasts 15 min to 12 h, at most 1 h
when the role was assumed by role chaining.

The endpoint: the registry's ``[settings] federation_endpoint``, else the role's partition's
(``aws``, ``aws-us-gov``, ``aws-cn``), except that an identity whose ``endpoint_url`` is on this
machine (the local AWS) signs in at that endpoint's ``/federation``. Nothing here logs or shows a
secret or the sign-in token (the URL itself holds the token: it is the user's to open).
"""

from __future__ import annotations

import json
from urllib.parse import quote_plus, urlencode, urlsplit

from mfa_tui.core.errors import AwsError, ConfigError, EndpointError
from mfa_tui.core.models import Credentials

CONSOLE_MIN, CONSOLE_MAX, CHAINED_CONSOLE_MAX = 15 * 60, 12 * 3600, 3600
"""Console session bounds: 15 min to 12 h; a role assumed by role chaining, at most 1 h."""

PARTITIONS = {
    "aws": ("https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"),
    "aws-us-gov": ("https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/"),
    "aws-cn": ("https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"),
}
"""Partition -> (federation endpoint, default console destination)."""

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 10.0


def partition(role_arn: str) -> str:
    """The partition of an ARN (``arn:PARTITION:…``); ``aws`` when it cannot be read."""
    parts = role_arn.split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"


def endpoint_for(role_arn: str, *, setting: str | None = None, identity_endpoint: str | None = None) -> str:
    """The federation endpoint to use for ``role_arn`` (see the module's docstring)."""
    if setting:
        return setting
    if identity_endpoint and urlsplit(identity_endpoint).hostname in _LOOPBACK:
        return identity_endpoint.rstrip("/") + "/federation"
    return PARTITIONS.get(partition(role_arn), PARTITIONS["aws"])[0]


def destination_for(role_arn: str, region: str | None = None) -> str:
    """The console's home in the role's partition (with ``region`` as the console's region)."""
    home = PARTITIONS.get(partition(role_arn), PARTITIONS["aws"])[1]
    return f"{home}console/home?region={region}" if region else home


def check_duration(seconds: int | None, *, chained: bool) -> None:
    """Raise :class:`ConfigError` unless ``seconds`` (None: AWS's default) fits a console session."""
    if seconds is None:
        return
    top = CHAINED_CONSOLE_MAX if chained else CONSOLE_MAX
    if not CONSOLE_MIN <= seconds <= top:
        why = " for a chained role (role chaining caps console sessions at 1h)" if chained else ""
        raise ConfigError(
            f"--duration must be between 15m and {'1h' if chained else '12h'}{why}; got {seconds} s"
        )


def check_destination(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"--destination must be an https:// URL, e.g. https://console.aws.amazon.com/s3/; got {url!r}")


def signin_token(creds: Credentials, endpoint: str, *, duration: int | None = None, timeout: float = TIMEOUT) -> str:
    """Ask ``endpoint`` for a sign-in token for ``creds`` (a role session); raises :class:`AwsError`."""
    import urllib.error
    import urllib.request

    session = json.dumps(
        {"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key, "sessionToken": creds.session_token}
    )
    query = {"Action": "getSigninToken", "Session": session}
    if duration is not None:
        query["SessionDuration"] = str(duration)
    # The secret travels in the query, as AWS's federation endpoint requires (over https to AWS).
    url = f"{endpoint}?{urlencode(query, quote_via=quote_plus)}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if _is_loopback(endpoint) else None
    try:
        with (opener.open if opener else urllib.request.urlopen)(url, timeout=timeout) as response:
            body = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        reason = exc.read(500).decode("utf-8", "replace").strip().splitlines()
        detail = f": {reason[0]}" if reason and not reason[0].lstrip().startswith("<") else ""
        raise AwsError(f"the federation endpoint {endpoint} refused the sign-in (HTTP {exc.code}){detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"could not reach the federation endpoint {endpoint}: {reason}") from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        raise AwsError(f"the federation endpoint {endpoint} answered without a SigninToken") from None
    if not isinstance(token, str) or not token:
        raise AwsError(f"the federation endpoint {endpoint} answered without a SigninToken")
    return token


def login_url(endpoint: str, token: str, destination: str, *, issuer: str | None = None) -> str:
    """The URL that signs the browser in with ``token`` and lands on ``destination``.

    ``issuer`` (optional for AWS) is where the browser goes when the console session ends.
    """
    fields = {"Action": "login", **({"Issuer": issuer} if issuer else {}), "Destination": destination, "SigninToken": token}
    query = urlencode(fields, quote_via=quote_plus)
    return f"{endpoint}?{query}"


def _is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in _LOOPBACK
