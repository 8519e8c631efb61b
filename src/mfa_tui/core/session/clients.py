"""STS access for a refresh: the engine's configuration and its cache of STS clients.

:class:`StsAccess` holds what every AWS call of a refresh needs (the registry, the clock, the
long-term keys, the clock-skew watch, the role session name) and shares STS clients between the
pool's workers. :class:`~mfa_tui.core.session.engine.Engine` builds on it; the role and code
steps (:mod:`.roles`, :mod:`.run`) reach AWS through it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import Clock
from mfa_tui.core.models import Identity, Registry

CLIENT_CACHE_SIZE = 32
"""STS clients kept for reuse (long-term keys and MFA sessions of recent identities)."""


class StsAccess:
    """The configuration of a refresh and its STS clients. Holds nothing about a run; safe to reuse."""

    def __init__(
        self,
        registry: Registry,
        *,
        clock: Clock,
        long_term_keys: Callable[[Identity], aws.Keys],
        watch: aws.ClockWatch | None = None,
        session_name: str | None = None,
    ):
        self.registry = registry
        self.clock = clock
        self.long_term_keys = long_term_keys
        self.watch = watch or aws.ClockWatch()
        self.session_name = session_name or sts.default_session_name()
        self._clients: OrderedDict[tuple, object] = OrderedDict()
        self._clients_lock = threading.Lock()
        self._create_lock = threading.Lock()
        """Held while a cached client is made, so concurrent askers for one key get one client."""

    def sts_client(self, identity: Identity, keys: aws.Keys, *, cache: bool = True):
        """An STS client for ``keys``, shared by the pool's workers (botocore clients are thread-safe).

        Clients for long-term keys and MFA sessions are kept in a small LRU so re-mints reuse
        them; one-off clients (who-am-I with a role's keys) are not cached, so a long-running
        dashboard does not grow.
        """
        key = (keys.access_key_id, keys.session_token, identity.region, identity.endpoint_url)
        with self._clients_lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
        if not cache:
            return self._new_sts_client(identity, keys)
        # The pool's first workers all ask at once: make the client once, not once per worker
        # (each extra client cost a few ms, serialised behind botocore's session lock).
        with self._create_lock:
            with self._clients_lock:
                client = self._clients.get(key)
            if client is None:
                client = self._new_sts_client(identity, keys)
                with self._clients_lock:
                    self._clients[key] = client
                    while len(self._clients) > CLIENT_CACHE_SIZE:
                        self._clients.popitem(last=False)
        return client

    def _new_sts_client(self, identity: Identity, keys: aws.Keys):
        return aws.client(
            "sts",
            keys,
            region=identity.region,
            endpoint_url=identity.endpoint_url,
            max_pool_connections=max(10, self.registry.settings.refresh_concurrency),
        )

    def device(self, identity: Identity) -> str:
        """How messages name the identity's MFA device."""
        return f"identity {identity.name} ({identity.mfa_serial})" if identity.mfa_serial else f"identity {identity.name}"
