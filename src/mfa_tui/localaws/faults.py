"""Fault injection for the local AWS: throttling, 500s, a skewed ``Date`` header, slow answers.

Tests and benchmarks turn faults on with :meth:`Faults.set` and off with :meth:`Faults.clear`.
Each request draws from one seeded ``random.Random`` under a lock, so a given seed gives
the same sequence of decisions (the order requests arrive in is still up to the threads).
Faults are decided before the request is handled, so a throttled or failed call has no
side effect: no code is spent, no credentials are issued.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from mfa_tui.localaws.wire import Refusal

THROTTLED = ("Throttling", "Rate exceeded", 400)
"""What STS and IAM send when a caller is over its request rate; botocore retries it."""
INTERNAL = ("InternalError", "We encountered an internal error. Please try again.", 500)


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


class Faults:
    """The per-request fault switchboard of one :class:`~mfa_tui.localaws.LocalAWS`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan = FaultPlan()
        self._rng = random.Random()

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
    ) -> None:
        """Replace the faults in force (arguments not given are off)."""
        for name, rate in (("throttle_rate", throttle_rate), ("error_rate", error_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if throttle_rate + error_rate > 1.0:
            raise ValueError("throttle_rate + error_rate must not exceed 1")
        if delay_seconds < 0:
            raise ValueError("delay_seconds must not be negative")
        with self._lock:
            self._plan = FaultPlan(
                throttle_rate=throttle_rate,
                error_rate=error_rate,
                date_skew_seconds=date_skew_seconds,
                delay_seconds=delay_seconds,
                actions=frozenset(actions) if actions is not None else None,
            )
            self._rng = random.Random(seed)

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
            return Decision(delay=plan.delay_seconds, refusal=refusal, date_skew=plan.date_skew_seconds)
