"""LocalAWS: moto's server on 127.0.0.1 in a thread, behind the MFA layer.

One object owns the HTTP server, the layer's tables, the fault switchboard and the
request log. moto keeps its state in module globals, so every LocalAWS in one process
shares moto's accounts and ``reset()`` clears them all; run one per process (the test
suite starts one per session and resets it before each test).

Time: TOTP checks, expirations, the ``Date`` header and the check of each request's signing
time (refused beyond 15 minutes, as AWS does) come from ``clock``. Tests give
it a :class:`~mfa_tui.core.clock.FrozenClock` shared with the code under test and advance
it 30 s to reach a fresh TOTP step instead of waiting.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from mfa_tui.core.clock import Clock, SystemClock, totp_step
from mfa_tui.localaws.faults import Faults
from mfa_tui.localaws.federation import Federation
from mfa_tui.localaws.ledger import Ledger, totp_at
from mfa_tui.localaws.mfa_layer import DATE_ENVIRON_KEY, MfaLayer

HOST = "127.0.0.1"


def _handler_class() -> type:
    """moto's request handler, quiet, sending the layer's Date header instead of the real time."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        def date_time_string(self, timestamp: float | None = None) -> str:
            date = getattr(self, "environ", {}).get(DATE_ENVIRON_KEY)
            return date or super().date_time_string(timestamp)

        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass  # request lines would drown test and demo output

    return Handler


class LocalAWS:
    """A local STS + IAM endpoint that behaves like AWS on MFA (see :mod:`mfa_tui.localaws`)."""

    def __init__(self, clock: Clock | None = None, *, port: int = 0, authorise: bool = True):
        self.clock: Clock = clock or SystemClock()
        """Where "now" comes from; swap it at will (e.g. a per-test FrozenClock on a per-session server)."""
        self._port = port
        self.faults = Faults()
        """Per-request fault injection: ``faults.set(throttle_rate=…)``, ``faults.clear()``."""
        self.ledger = Ledger()
        """Credentials issued and per-device TOTP state."""
        self._calls: list[tuple[str, str]] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._layer: MfaLayer | None = None
        self.federation: Federation | None = None
        """The sign-in federation endpoint at ``/federation`` (console sign-in), once started."""
        self.authorise = authorise
        """Whether requests are authorised against IAM policies, as AWS does (on by default)."""
        self.endpoint: str = ""
        """``http://127.0.0.1:PORT`` once started."""

    # ── lifecycle ────────────────────────────────────────────────────────────
    def start(self, port: int | None = None) -> str:
        """Bind 127.0.0.1 (port 0: any free port), serve in a daemon thread; returns the endpoint."""
        if self._server is not None:
            return self.endpoint
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._layer = MfaLayer(
            DomainDispatcherApplication(create_backend_app), self, calls=self._calls, on_moto_reset=self._reset_tables
        )
        self.federation = Federation(self._layer, self.ledger, lambda: self.clock)
        self._server = make_server(
            HOST,
            self._port if port is None else port,
            self.federation,
            threaded=True,
            request_handler=_handler_class(),
        )
        self.endpoint = f"http://{HOST}:{self._server.server_port}"
        server = self._server
        # A short poll interval makes stop() quick; idle cost is negligible.
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="localaws", daemon=True
        )
        self._thread.start()
        return self.endpoint

    @property
    def port(self) -> int:
        return self._server.server_port if self._server is not None else 0

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def reset(self) -> None:
        """Forget everything: moto's accounts, issued credentials, device state, faults, call log."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        self._reset_tables()

    def _reset_tables(self) -> None:
        self.ledger.reset()
        if self.federation is not None:
            self.federation.reset()
        self.faults.clear()
        self._calls.clear()

    def __enter__(self) -> LocalAWS:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ── set-up (tests and the demo) ──────────────────────────────────────────
    def create_user(self, name: str, account: str | None = None) -> tuple[str, str]:
        """Create IAM user ``name`` with one access key, in-process; returns ``(key id, secret)``.

        Every request over HTTP must be signed by a key the local AWS issued, so the first user
        of an account is made here rather than by a client with made-up keys.
        """
        from moto.core import DEFAULT_ACCOUNT_ID

        from mfa_tui.localaws import backends

        backend = backends.iam(account or DEFAULT_ACCOUNT_ID)
        backend.create_user("us-east-1", name, path="/")
        key = backend.create_access_key(name)
        return key.access_key_id, key.secret_access_key

    # ── inspection (tests and the demo) ──────────────────────────────────────
    @property
    def calls(self) -> list[tuple[str, str]]:
        """``(service, action)`` of every request received, oldest first (a copy)."""
        return list(self._calls)

    def count(self, action: str) -> int:
        """How many requests for ``action`` (e.g. ``"AssumeRole"``) arrived, faulted ones included."""
        return sum(1 for _, a in list(self._calls) if a == action)

    @property
    def credential_lifetime(self) -> int | None:
        """Tests only: seconds every role session issued from now on lives (None: as asked)."""
        return self.ledger.lifetimes.get("role")

    @credential_lifetime.setter
    def credential_lifetime(self, seconds: int | None) -> None:
        if seconds is None:
            self.ledger.lifetimes.pop("role", None)
        else:
            self.ledger.lifetimes["role"] = seconds

    def clear_calls(self) -> None:
        self._calls.clear()

    def device_seed(self, serial: str) -> str | None:
        """Tests only: the Base32 seed of virtual MFA device ``serial``, None if there is none."""
        from mfa_tui.localaws import backends

        return backends.device_seed_anywhere(serial)

    def current_code(self, serial: str, *, offset_steps: int = 0) -> str:
        """A code the device shows now (plus ``offset_steps`` steps), as our clock sees it.

        It is valid unless its step was already spent; see :meth:`last_spent_step`.
        """
        seed = self.device_seed(serial)
        if seed is None:
            raise KeyError(f"no virtual MFA device {serial}")
        return totp_at(seed, self.device_step(serial) + offset_steps)

    def device_step(self, serial: str) -> int:
        """The TOTP step the device is at now: our clock's step plus any drift learnt by a resync."""
        seed = self.device_seed(serial)
        drift = self.ledger.drift(serial, seed) if seed else 0
        return totp_step(self.clock.now()) + drift

    def last_spent_step(self, serial: str) -> int | None:
        """The newest TOTP step of ``serial`` accepted so far (None: none yet)."""
        seed = self.device_seed(serial)
        return self.ledger.last_step(serial, seed) if seed else None
