"""The code provider that asks an identity's source before the dialog or prompt.

:func:`sourced` wraps the engine's :data:`~mfa_tui.core.session.refresh.CodeProvider` (the
dashboard's dialog, the terminal prompt). For an identity whose ``code_source`` is not
``prompt`` it:

- waits first when the engine says a code of this step was already accepted
  (``request.wait_seconds``), counting down through ``notify``; the wait is measured on the
  injectable clock and slept through ``sleep``, or the clock's own ``sleep`` when it has one (a
  test's frozen clock advancing itself), else in real time, waking at once when cancelled;
- runs the source (``notify`` says "touch your YubiKey" or which command runs);
- never hands over a code already sent (``request.sent_codes``): it waits for the next 30-second
  step, with a countdown, and asks the source again (docs/aws-behaviour.md, "Codes are single-use");
- falls back to the given provider when the source fails or AWS refused its code, with the reason
  in the request's ``reason`` (the dialog shows it; the terminal prompt prints it), and keeps
  using the fallback for that identity for the rest of the run, so a broken source is waited
  for once, not once per direct role;
- stops at once when ``cancel`` is set (a running source is killed), answering None.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from mfa_tui.core.clock import Clock, seconds_left_in_step
from mfa_tui.core.codes.sources import CodeSource, CodeSourceError, read_code, source_for
from mfa_tui.core.models import Identity, Registry, State
from mfa_tui.core.session.refresh import CodeProvider, CodeRequest, Progress, ProgressSink

SPENT_RETRIES = 3
"""How many later steps are tried when the source keeps printing a code already sent."""


@dataclass(frozen=True)
class Notice:
    """What a source is doing for a request, for the dashboard's rows and the CLI's stderr."""

    request: CodeRequest
    text: str
    kind: str
    """``"running"`` (the source runs), ``"waiting"`` (a countdown tick), ``"fallback"`` (it failed)."""
    first: bool = True
    """False for a countdown's later ticks (a terminal prints only the first)."""


Notify = Callable[[Notice], None]


def sourced(
    registry: Registry | Mapping[str, Identity],
    fallback: CodeProvider,
    *,
    clock: Clock,
    cancel: threading.Event | None = None,
    progress: ProgressSink | None = None,
    notify: Notify | None = None,
    sleep: Callable[[float], object] | None = None,
    timeouts: dict[str, float] | None = None,
) -> CodeProvider:
    """``fallback`` asked only when the identity has no source, or its source failed (see the module)."""
    identities = registry.identities if isinstance(registry, Registry) else registry
    if not any(source_for(i) for i in identities.values()):
        return fallback
    return SourcedCodes(identities, fallback, clock=clock, cancel=cancel, notify=_both(progress, notify),
                        sleep=sleep, timeouts=timeouts)


def _both(progress: ProgressSink | None, notify: Notify | None) -> Notify:
    """Each notice as the requested profiles' progress (the dashboard's rows) and to ``notify``."""
    def tell(notice: Notice) -> None:
        if progress is not None:
            for name in notice.request.profiles:
                progress(Progress(name, State.REFRESHING, notice.text))
        if notify is not None:
            notify(notice)

    return tell


class SourcedCodes:
    """A code provider asking each identity's source first (built by :func:`sourced`)."""

    def __init__(self, identities: Mapping[str, Identity], fallback: CodeProvider, *, clock: Clock,
                 cancel: threading.Event | None = None, notify: Notify | None = None,
                 sleep: Callable[[float], object] | None = None, timeouts: dict[str, float] | None = None):
        self.identities = identities
        self.fallback = fallback
        self.clock = clock
        self.cancel = cancel or threading.Event()
        self.notify = notify or (lambda _notice: None)
        # A clock that says how time passes (a test's frozen clock, advanced) is slept on; else real time.
        self.sleep = sleep or getattr(clock, "sleep", None) or self.cancel.wait
        self.timeouts = timeouts
        self.failed: dict[str, str] = {}
        """Identity -> why its source failed in this run: later requests go straight to the fallback."""
        self._served: set[tuple] = set()
        """Requests (identity, purpose, profiles) the source answered: a re-ask means AWS refused its code."""

    def __call__(self, request: CodeRequest) -> str | None:
        source = source_for(self.identities.get(request.identity), self.timeouts)
        if source is None:
            return self.fallback(request)
        key = (request.identity, request.purpose, request.profiles)
        if request.identity not in self.failed and key in self._served and request.attempt > 1:
            self.failed[request.identity] = f"AWS refused the code from `{source.name}` ({request.error})"
        if request.identity in self.failed:
            return self._fall_back(request, self.failed[request.identity])
        try:
            code = self._from_source(request, source)
        except CodeSourceError as exc:
            self.failed[request.identity] = str(exc)
            return self._fall_back(request, str(exc))
        if code is not None:
            self._served.add(key)
        return code

    def _from_source(self, request: CodeRequest, source: CodeSource) -> str | None:
        """A code not sent before, from the source; None when cancelled."""
        if request.wait_seconds > 0 and not self._wait(request, request.wait_seconds):
            return None
        for _step in range(SPENT_RETRIES + 1):
            if self.cancel.is_set():
                return None
            self.notify(Notice(request, source.waiting, "running"))
            code = read_code(source, self.cancel)
            if not code:  # cancelled while it ran
                return None
            if code not in request.sent_codes:
                return code
            # Already sent (it is this step's, and this step's code was used): the next step's, then.
            if not self._wait(request, seconds_left_in_step(self.clock.now())):
                return None
        raise CodeSourceError(f"`{source.name}` kept printing a code already used ({SPENT_RETRIES} steps later)")

    def _wait(self, request: CodeRequest, seconds: int) -> bool:
        """Count ``seconds`` down (one notice a second); False when cancelled meanwhile."""
        for left in range(seconds, 0, -1):
            if self.cancel.is_set():
                return False
            text = f"waiting {left}s for the next code (each code works once)"
            self.notify(Notice(request, text, "waiting", first=left == seconds))
            self.sleep(1)
        return not self.cancel.is_set()

    def _fall_back(self, request: CodeRequest, why: str) -> str | None:
        said = f"{why}; enter the code yourself"
        self.notify(Notice(request, said, "fallback"))
        reason = said if not request.reason or request.reason in said else f"{said}. {request.reason}"
        return self.fallback(replace(request, reason=reason))
