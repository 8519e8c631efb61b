"""The AWS federation endpoint's ``getSigninToken`` and ``login``, as the local AWS serves them at ``/federation``.

What AWS's sign-in federation endpoint does for a custom identity broker (docs/aws-behaviour.md,
"The federation endpoint (console sign-in)"):

- ``GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]``: the Session JSON holds
  ``sessionId``, ``sessionKey`` and ``sessionToken`` of temporary credentials. Here they must be
  credentials the local AWS issued (the ledger), all three matching and unexpired; GetSessionToken
  credentials are refused (AWS allows no console sign-in with them); ``SessionDuration`` is 900 to
  43200 seconds, at most 3600 for a role assumed by role chaining. The answer is
  ``{"SigninToken": "…"}``.
- ``GET /federation?Action=login&SigninToken=…&Destination=URL[&Issuer=URL]``: a token handed out
  here and not yet expired (AWS's last 15 minutes) answers a small page naming the session, where AWS
  would redirect to the console; anything else is refused.

Every refusal is HTTP 400 with a one-line text body; secrets are never echoed.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from mfa_tui.core.clock import Clock
from mfa_tui.localaws.ledger import Issued, Ledger

PATH = "/federation"
CONSOLE_MIN, CONSOLE_MAX, CHAINED_CONSOLE_MAX = 900, 43200, 3600
TOKEN_LIFE = timedelta(minutes=15)
"""A sign-in token must be used within 15 minutes of being issued."""


class Federation:
    """WSGI middleware: answers :data:`PATH`, passes every other request to ``app``."""

    def __init__(self, app: Callable, ledger: Ledger, clock: Callable[[], Clock]):
        self.app = app
        self.ledger = ledger
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Issued, int, datetime]] = {}
        self.tokens_issued = 0
        """How many sign-in tokens were handed out (tests)."""

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
            self.tokens_issued = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").rstrip("/") != PATH:
            return self.app(environ, start_response)
        params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
        action = params.get("Action", "")
        try:
            if action == "getSigninToken":
                body = json.dumps({"SigninToken": self._signin_token(params)})
                return _answer(start_response, "200 OK", "application/json", body)
            if action == "login":
                return _answer(start_response, "200 OK", "text/html; charset=utf-8", self._login(params))
            raise _Refused(f"unknown Action {action!r}: expected getSigninToken or login")
        except _Refused as refused:
            return _answer(start_response, "400 Bad Request", "text/plain; charset=utf-8", str(refused) + "\n")

    def _signin_token(self, params: dict[str, str]) -> str:
        try:
            session = json.loads(params.get("Session", ""))
        except ValueError:
            raise _Refused("Session is not JSON") from None
        if not isinstance(session, dict) or not all(
            isinstance(session.get(k), str) for k in ("sessionId", "sessionKey", "sessionToken")
        ):
            raise _Refused("Session must hold sessionId, sessionKey and sessionToken")
        issued = self.ledger.lookup(session["sessionId"])
        if (
            issued is None
            or not secrets.compare_digest(issued.secret_access_key, session["sessionKey"])
            or not secrets.compare_digest(issued.session_token, session["sessionToken"])
        ):
            raise _Refused("the session credentials are not valid")
        now = self._clock().now()
        if now >= issued.expiration:
            raise _Refused("the session credentials have expired")
        if issued.kind != "role":
            raise _Refused("credentials from GetSessionToken cannot sign in to the console; use a role session")
        duration = _duration(params.get("SessionDuration"), issued)
        token = secrets.token_urlsafe(96)
        with self._lock:
            self._tokens[token] = (issued, duration, now + TOKEN_LIFE)
            self.tokens_issued += 1
        return token

    def _login(self, params: dict[str, str]) -> str:
        with self._lock:
            found = self._tokens.get(params.get("SigninToken", ""))
        if found is None or self._clock().now() >= found[2]:
            raise _Refused("the sign-in token is not valid or has expired")
        if not params.get("Destination", "").startswith("https://"):
            raise _Refused("Destination must be an https URL")
        issued, duration, _ = found
        return (
            "<!doctype html><title>Local AWS console</title>"
            f"<p>Signed in to the local AWS console as {_html(issued.arn)} for {duration} s.</p>"
        )


class _Refused(Exception):
    pass


def _duration(text: str | None, issued: Issued) -> int:
    if text is None or text == "":
        return CHAINED_CONSOLE_MAX  # AWS's sources do not say; one hour here
    if not text.isdigit():
        raise _Refused("SessionDuration must be a number of seconds")
    value = int(text)
    if not CONSOLE_MIN <= value <= CONSOLE_MAX:
        raise _Refused(f"SessionDuration must be between {CONSOLE_MIN} and {CONSOLE_MAX} seconds")
    if issued.chained and value > CHAINED_CONSOLE_MAX:
        raise _Refused(f"SessionDuration may not exceed {CHAINED_CONSOLE_MAX} seconds for a role session from role chaining")
    return value


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _answer(start_response: Callable, status: str, content_type: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]
