"""The HTTP side of the credential endpoint: 127.0.0.1 only, one random token per run.

``GET /profiles/NAME`` with header ``Authorization: TOKEN`` answers the container-credentials JSON
botocore and the AWS SDKs read from ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (docs/aws-behaviour.md,
"The container-credentials format"): ``AccessKeyId``, ``SecretAccessKey``, ``Token``,
``Expiration`` (RFC 3339, UTC). A missing or wrong token gets 401; a profile not served here 404;
a profile that needs a new MFA code 503 with ``{"code", "message"}``, whose message botocore puts in
the error it raises. Nothing is logged: no request line, never the token.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote

from mfa_tui.core.clock import rfc3339
from mfa_tui.core.errors import MfaTuiError, NeedsCodeError
from mfa_tui.endpoint.supply import REQUEST_PATIENCE

if TYPE_CHECKING:
    from mfa_tui.endpoint.supply import Supplier

HOST = "127.0.0.1"
PREFIX = "/profiles/"


def new_token() -> str:
    """A fresh random token for one run (sent back by the SDKs as the ``Authorization`` header)."""
    return secrets.token_urlsafe(32)


class CredentialEndpoint:
    """Serves ``profiles`` (None: every profile of the registry) from ``supplier`` on 127.0.0.1."""

    def __init__(self, supplier: Supplier, *, token: str, profiles: Collection[str] | None = None, port: int = 0):
        self.supplier = supplier
        self._token = token.encode()
        self.profiles = None if profiles is None else frozenset(profiles)
        self.refused = 0
        """Requests refused for their token (tests)."""
        endpoint = self

        class Handler(_Handler):
            owner = endpoint

        self._server = ThreadingHTTPServer((HOST, port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, profile: str) -> str:
        from urllib.parse import quote

        return f"http://{HOST}:{self.port}{PREFIX}{quote(profile, safe='')}"

    def start(self) -> CredentialEndpoint:
        self._thread = threading.Thread(
            target=lambda: self._server.serve_forever(poll_interval=0.1), name="mfa-tui-endpoint", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self._token)

    def answer(self, path: str, token: str | None) -> tuple[int, dict[str, str]]:
        """(HTTP status, JSON body) for a GET of ``path`` carrying ``token``."""
        if not self.token_ok(token):
            self.refused += 1
            return 401, {"code": "Unauthorized", "message": "missing or wrong Authorization token"}
        if not path.startswith(PREFIX):
            return 404, {"code": "NotFound", "message": f"ask for {PREFIX}PROFILE"}
        name = unquote(path[len(PREFIX):].split("?", 1)[0])
        if self.profiles is not None and name not in self.profiles:
            return 404, {"code": "NotFound", "message": f"profile {name!r} is not served here"}
        try:
            creds = self.supplier.credentials(name, patience=REQUEST_PATIENCE)
        except NeedsCodeError as exc:
            return 503, {"code": "NeedsMfaCode", "message": str(exc)}
        except MfaTuiError as exc:
            return (404 if "unknown profile" in str(exc) else 503), {"code": type(exc).__name__, "message": str(exc)}
        return 200, {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token,
            "Expiration": rfc3339(creds.expiration),
        }


class _Handler(BaseHTTPRequestHandler):
    owner: CredentialEndpoint
    server_version = "mfa-tui"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            status, body = self.owner.answer(self.path, self.headers.get("Authorization"))
        except Exception as exc:  # noqa: BLE001 - one line for the SDK, never a traceback on the user's terminal
            from mfa_tui.core import logfile

            status, body = 500, {"code": "InternalError", "message": f"mfa-tui endpoint: {logfile.unexpected(exc, 'mfa-tui endpoint')}"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass  # no request log at all: nothing to leak
