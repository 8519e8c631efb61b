"""Fault injection for the local AWS: throttling, 500s, a skewed ``Date`` header, slow answers,
hung requests and answers without credentials. (AWS's check of the signing time is no fault:
:mod:`~mfa_tui.localaws.authentication` always makes it.)

Tests and benchmarks turn faults on with :meth:`Faults.set` and off with :meth:`Faults.clear`
(``LocalAWS.reset()`` clears them too). ``set`` replaces every fault in force; arguments not
given are off. Each request draws from one seeded ``random.Random`` under a lock, so a given
seed gives the same sequence of decisions (the order requests arrive in is still up to the
threads). Faults are decided before the request is handled, so a throttled, failed, hung or
refused call has no side effect: no code is spent, no credentials are issued. The one
exception is ``missing_credentials``, which mangles the answer of a call that did happen.

The hooks, all arguments of :meth:`Faults.set`:

- ``throttle_rate`` / ``error_rate``: that share of requests is answered ``Throttling`` (HTTP
  400, which botocore retries) / ``InternalError`` (HTTP 500).
- ``date_skew_seconds``: added to the ``Date`` header of every answer (a server clock that is off).
- ``delay_seconds``: sleep this long, then answer normally (a slow endpoint).
- ``hang_seconds``: a hung endpoint: the request is accepted and held without a byte of answer
  for this long (use far more than the client's read timeout), then answered ``InternalError``.
  :meth:`Faults.clear` (or any ``set``) releases every held request at once, so a test's
  teardown leaves no thread waiting.
- ``missing_credentials``: ``{"AssumeRole": n, "GetSessionToken": m}``: the next ``n``
  successful AssumeRole answers (``m`` GetSessionToken answers) are well-formed XML without the
  ``<Credentials>`` element, as from a proxy that mangles bodies. The call itself happens as
  usual: the code it carried is spent, the role's session exists. Counted per answer mangled
  (refused calls do not count); :meth:`Faults.missing_credentials_left` says how many are left.
- ``actions``: limits the rate, delay, hang and skew faults above to these actions (e.g.
  ``{"AssumeRole"}``); None means every action. ``missing_credentials`` names its own actions.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from mfa_tui.localaws.wire import Refusal

THROTTLED = ("Throttling", "Rate exceeded", 400)
"""What STS and IAM send when a caller is over its request rate; botocore retries it."""
INTERNAL = ("InternalError", "We encountered an internal error. Please try again.", 500)
CREDENTIAL_ACTIONS = frozenset({"AssumeRole", "GetSessionToken"})
"""The actions whose answers carry ``<Credentials>`` (``missing_credentials`` applies to these)."""
_CREDENTIALS_ELEMENT = re.compile(rb"<Credentials>.*?</Credentials>", re.S)


@dataclass(frozen=True)
class FaultPlan:
    """The faults in force; all off by default."""

    throttle_rate: float = 0.0
    """Share of requests answered with ``Throttling`` (HTTP 400)."""
    error_rate: float = 0.0
    """Share of requests answered with ``InternalError`` (HTTP 500)."""
    date_skew_seconds: float = 0
    """Added to the clock in every response's ``Date`` header (a server clock that is off)."""
    delay_seconds: float = 0.0
    """Sleep before answering."""
    hang_seconds: float = 0.0
    """Hold the request this long without answering, then answer ``InternalError``."""
    actions: frozenset[str] | None = None
    """Only these actions (e.g. ``{"AssumeRole"}``) are affected; None means every action."""

    def applies_to(self, action: str) -> bool:
        return self.actions is None or action in self.actions


@dataclass(frozen=True)
class Decision:
    """What to do to one request."""

    delay: float = 0.0
    refusal: Refusal | None = None
    date_skew: float = 0
    hang: float = 0.0
    """Seconds to hold the request unanswered (:meth:`Faults.hold`)."""
    released: threading.Event | None = field(default=None, compare=False, repr=False)


class Faults:
    """The per-request fault switchboard of one :class:`~mfa_tui.localaws.LocalAWS`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan = FaultPlan()
        self._rng = random.Random()
        self._released = threading.Event()
        self._missing: dict[str, int] = {}

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def set(
        self,
        throttle_rate: float = 0.0,
        error_rate: float = 0.0,
        date_skew_seconds: float = 0,
        delay_seconds: float = 0.0,
        actions: set[str] | frozenset[str] | None = None,
        seed: int | None = None,
        *,
        hang_seconds: float = 0.0,
        missing_credentials: Mapping[str, int] | None = None,
    ) -> None:
        """Replace the faults in force (arguments not given are off; see the module docstring).

        Requests held by an earlier ``hang_seconds`` are released.
        """
        for name, rate in (("throttle_rate", throttle_rate), ("error_rate", error_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if throttle_rate + error_rate > 1.0:
            raise ValueError("throttle_rate + error_rate must not exceed 1")
        for name, seconds in (("delay_seconds", delay_seconds), ("hang_seconds", hang_seconds)):
            if seconds < 0:
                raise ValueError(f"{name} must not be negative")
        missing = dict(missing_credentials or {})
        for action, count in missing.items():
            if action not in CREDENTIAL_ACTIONS:
                raise ValueError(f"missing_credentials: {action} answers without credentials anyway")
            if count < 0:
                raise ValueError(f"missing_credentials: the count for {action} must not be negative")
        with self._lock:
            self._plan = FaultPlan(
                throttle_rate=throttle_rate,
                error_rate=error_rate,
                date_skew_seconds=date_skew_seconds,
                delay_seconds=delay_seconds,
                hang_seconds=hang_seconds,
                actions=frozenset(actions) if actions is not None else None,
            )
            self._rng = random.Random(seed)
            self._missing = missing
            self._released.set()  # wake every request held under the previous plan
            self._released = threading.Event()

    def clear(self) -> None:
        """No faults."""
        self.set()

    def decide(self, action: str) -> Decision:
        """Draw this request's fate."""
        with self._lock:
            plan = self._plan
            if not plan.applies_to(action):
                return Decision()
            refusal = None
            if plan.throttle_rate or plan.error_rate:
                # One draw per request keeps the sequence stable whatever the rates are.
                draw = self._rng.random()
                if draw < plan.throttle_rate:
                    refusal = Refusal(*THROTTLED)
                elif draw < plan.throttle_rate + plan.error_rate:
                    refusal = Refusal(*INTERNAL)
            return Decision(
                delay=plan.delay_seconds, refusal=refusal, date_skew=plan.date_skew_seconds,
                hang=plan.hang_seconds, released=self._released,
            )

    @staticmethod
    def hold(decision: Decision) -> None:
        """Hold a request for ``decision.hang`` seconds, or until the faults are cleared or replaced."""
        if decision.hang and decision.released is not None:
            decision.released.wait(decision.hang)

    def take_missing_credentials(self, action: str) -> bool:
        """Whether this successful answer to ``action`` must lose its ``<Credentials>`` (uses up one)."""
        with self._lock:
            left = self._missing.get(action, 0)
            if left <= 0:
                return False
            self._missing[action] = left - 1
            return True

    def missing_credentials_left(self, action: str) -> int:
        """How many answers to ``action`` will still lose their credentials."""
        with self._lock:
            return self._missing.get(action, 0)


def without_credentials(body: bytes) -> bytes:
    """An STS answer with its ``<Credentials>`` element taken out (still well-formed XML)."""
    return _CREDENTIALS_ELEMENT.sub(b"", body, count=1)
