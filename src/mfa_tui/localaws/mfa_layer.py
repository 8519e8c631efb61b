"""The WSGI layer in front of moto that makes STS and IAM behave like AWS on MFA.

Every request is logged as ``(service, action)``, then meets the fault switchboard (which may
refuse it, delay it, hold it unanswered, or strip the credentials from its answer), then is
authenticated as AWS does (key, session token, signing time, SigV4 signature: see
:mod:`~mfa_tui.localaws.authentication`), then authorised against the caller's policies (see
:mod:`~mfa_tui.localaws.authorisation`; ``LocalAWS.authorise = False`` turns that off, to measure its cost), then:
STS's GetSessionToken / AssumeRole / GetCallerIdentity are answered here; IAM's MFA-device
calls are checked here first (see :mod:`~mfa_tui.localaws.iam_actions`); everything else
(other IAM calls, other services) goes to moto. Requests made with credentials the layer issued reach moto as the right
account (moto's ``x-moto-account-id`` header) and, for MFA sessions, as the right user
(the SigV4 credential is rewritten to the user's long-term key id once the layer has checked
the signature; moto checks none). Every response carries a ``Date`` header from the injected clock plus the
configured skew, so clients can measure clock skew against it.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol
from http import HTTPStatus
from urllib.parse import unquote, urlencode

from mfa_tui.core.clock import Clock
from mfa_tui.localaws import backends, iam_actions, sts_actions
from mfa_tui.localaws.authentication import authenticate
from mfa_tui.localaws.authorisation import authorise
from mfa_tui.localaws.callers import Caller, resolve
from mfa_tui.localaws.faults import INTERNAL, Faults, without_credentials
from mfa_tui.localaws.ledger import Ledger
from mfa_tui.localaws.sts_actions import ActionContext
from mfa_tui.localaws.wire import AwsRequest, Refusal, http_date, read_request, refusal_answer, request_id

DATE_ENVIRON_KEY = "mfa_tui.localaws.date"
"""Where the layer leaves the ``Date`` header value for the request handler to send."""

_CREDENTIAL_KEY_RE = re.compile(r"(Credential=)([^/,\s]+)")
_log = logging.getLogger(__name__)


class LayerHost(Protocol):
    """What the layer reads from its owner (:class:`~mfa_tui.localaws.server.LocalAWS`) at each request."""

    ledger: Ledger
    faults: Faults
    clock: Clock
    authorise: bool
    """Whether requests are authorised against the caller's policies (on, as in AWS)."""


class MfaLayer:
    """WSGI middleware: ``MfaLayer(moto_app, host, ...)`` is itself a WSGI app."""

    def __init__(
        self,
        app: Callable,
        host: LayerHost,
        *,
        calls: list[tuple[str, str]],
        on_moto_reset: Callable[[], None] | None = None,
    ):
        self.app = app
        self.host = host
        """Its clock and authorise switch are read at each request: set them there, not here."""
        self.ledger = host.ledger
        self.faults = host.faults
        self.calls = calls
        self._on_moto_reset = on_moto_reset

    @property
    def clock(self) -> Clock:
        return self.host.clock

    @property
    def context(self) -> ActionContext:
        return ActionContext(ledger=self.ledger, clock=self.host.clock)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            # moto's own control API: a reset over HTTP must clear our tables too.
            if path.rstrip("/") == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST" and self._on_moto_reset:
                self._on_moto_reset()
            environ[DATE_ENVIRON_KEY] = http_date(self.clock.now())
            return self.app(environ, _without_date(start_response))

        request = read_request(environ)
        environ["wsgi.input"] = io.BytesIO(request.body)
        self.calls.append((request.service, request.action))
        now = self.clock.now()
        decision = self.faults.decide(request.action)
        environ[DATE_ENVIRON_KEY] = http_date(now + timedelta(seconds=decision.date_skew))
        if decision.delay:
            time.sleep(decision.delay)
        if decision.hang:
            self.faults.hold(decision)  # a hung endpoint: by now the client has given up
            return _answer(start_response, *refusal_answer(request, Refusal(*INTERNAL)))
        try:
            if decision.refusal is not None:
                raise decision.refusal
            authenticate(environ, request, self.ledger, now)
            return self._handle(environ, start_response, request)
        except Refusal as refusal:
            return _answer(start_response, *refusal_answer(request, refusal))
        except NotImplementedError:
            # moto lacks the action (e.g. iam:SimulatePrincipalPolicy): say so, as AWS says of an
            # action it does not know, so callers show a reason and do not retry.
            refusal = Refusal(
                "InvalidAction", f"The local AWS (moto) does not implement {request.service}:{request.action}.", 400
            )
            return _answer(start_response, *refusal_answer(request, refusal))
        except Exception:  # a bug here must not look like an AWS answer the client trusts
            _log.exception("local AWS: %s %s failed", request.service, request.action)
            refusal = Refusal("InternalFailure", "The local AWS failed on this request; see its log.", 500)
            return _answer(start_response, *refusal_answer(request, refusal))

    def _handle(self, environ: dict, start_response: Callable, request: AwsRequest) -> Iterable[bytes]:
        now = self.clock.now()
        caller = resolve(request, self.ledger, now)
        if request.service == "sts":
            sts_actions.check_sts_access(request.action, caller)
            # GetSessionToken refuses session credentials itself, with its own message.
            if not (request.action == "GetSessionToken" and caller is not None and caller.temporary):
                self._authorise(request, caller, now)
            handler = sts_actions.HANDLERS.get(request.action)
            if handler is not None:
                body = handler(self.context, request, caller)
                if self.faults.take_missing_credentials(request.action):
                    body = without_credentials(body)
                return _answer(start_response, 200, "text/xml", body)
            return self._forward(environ, start_response, request, caller, None)
        if request.service != "iam":
            # Other services (S3 for bucket policies, …) go to moto in the caller's account.
            self._authorise(request, caller, now)
            return self._forward(environ, start_response, request, caller, None)
        iam_actions.check_iam_access(caller)
        self._authorise(request, caller, now)
        iam_handler = iam_actions.HANDLERS.get(request.action)
        outcome = iam_handler(self.context, request, caller) if iam_handler else iam_actions.Forward()
        if isinstance(outcome, bytes):
            return _answer(start_response, 200, "text/xml", outcome)
        if outcome.after is None:
            return self._forward(environ, start_response, request, caller, outcome.extra)
        held: list[tuple[str, list, Any]] = []  # moto's status line, held until its answer is final

        def hold(status: str, headers: list, exc_info: Any = None) -> Callable:
            held.append((status, headers, exc_info))
            return lambda _data: None

        body = b"".join(self._forward(environ, hold, request, caller, outcome.extra))
        status, headers, exc_info = held[0]
        if status.startswith("2"):
            body = outcome.after(body)
            headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
        start_response(status, headers, exc_info)
        return [body]

    def _authorise(self, request: AwsRequest, caller: Caller | None, now: datetime) -> None:
        if self.host.authorise:
            authorise(request, caller, now)

    def _forward(
        self,
        environ: dict,
        start_response: Callable,
        request: AwsRequest,
        caller: Caller | None,
        extra: dict[str, str] | None,
    ) -> Iterable[bytes]:
        if extra:
            added = urlencode(extra)
            if request.body:
                body = request.body + b"&" + added.encode()
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
            else:
                query = environ.get("QUERY_STRING", "")
                environ["QUERY_STRING"] = f"{query}&{added}" if query else added
        if caller is None and request.service == "s3":
            owner = backends.bucket_account(unquote(request.path.lstrip("/")).partition("/")[0])
            if owner:  # anonymous: the request reaches the bucket's own account
                environ["HTTP_X_MOTO_ACCOUNT_ID"] = owner
        elif caller is not None and (caller.temporary or "HTTP_AUTHORIZATION" not in environ):
            environ["HTTP_X_MOTO_ACCOUNT_ID"] = caller.account  # moto reads the account from a signed header only
            if caller.long_term_key and "HTTP_AUTHORIZATION" in environ:
                environ["HTTP_AUTHORIZATION"] = _CREDENTIAL_KEY_RE.sub(
                    lambda m: m.group(1) + caller.long_term_key, environ["HTTP_AUTHORIZATION"], count=1
                )
        return self.app(environ, _without_date(start_response))


def _without_date(start_response: Callable) -> Callable:
    """moto may set its own Date; ours (sent by the request handler) must be the only one."""

    def wrapped(status, headers, exc_info=None):
        return start_response(status, [(k, v) for k, v in headers if k.lower() != "date"], exc_info)

    return wrapped


def _answer(start_response: Callable, status: int, content_type: str, body: bytes) -> list[bytes]:
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", request_id()),
        ],
    )
    return [body]
