"""What the endpoint serves: a profile's credentials, re-minted from the live MFA session in time.

The re-mint threshold: 15 minutes of life left (botocore itself refreshes 15 minutes before expiry,
docs/aws-behaviour.md, "credential_process"), or a third of the credentials' lifetime when that is
shorter, so credentials that live only seconds (the local AWS's test setting) are still served for
most of their life and renewed before they run out. The lifetime is what the state knows: the time
from the profile's last refresh to its expiry.

When only a new MFA code would help, :func:`code_needed` gets one as ``credential-process`` does
(:mod:`mfa_tui.core.service.unattended`: the identity's code source, then the open dashboard); when
neither helps, the caller gets :class:`~mfa_tui.core.errors.NeedsCodeError` with the one line the SDK
will show. A source's notices ("touch your YubiKey") go to stderr (exec's terminal, serve's log):
they hold no secret.

Re-mints of one profile never race, and one identity is asked for one code at a time: the
:class:`Supplier` holds a lock per profile while it re-mints, and a lock per identity while it asks
(two profiles of one identity wait for the one ask, then mint from the new MFA session). A slow
re-mint of one profile holds up no other profile. A request served on the endpoint's threads waits at most :data:`REQUEST_PATIENCE`
for it (an ask may take 120 s, the dashboard's dialog; botocore gives up on the endpoint after 2 s,
then retries): the ask goes on in the background, and meanwhile requests get the 503 line saying a
code is being asked for, which botocore shows, and are served once it is in. A failed ask is
answered for :data:`FAILURE_HOLD` seconds more without asking again, so an SDK's retries do not
open the dialog again at once. The in-process caller (exec's first check, on the main thread) waits
for the whole ask. The SDKs' timeouts: docs/aws-behaviour.md, "How long the SDKs wait: the container
endpoint and credential_process".
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING

from mfa_tui.core.errors import NeedsCodeError

if TYPE_CHECKING:
    from mfa_tui.core.models import Credentials
    from mfa_tui.core.service.facade import Service

REMINT_BEFORE = 15 * 60
"""Re-mint when less than this is left (or :data:`LIFETIME_FRACTION` of the lifetime, when shorter)."""
LIFETIME_FRACTION = 1 / 3
REQUEST_PATIENCE = 0.9
"""Seconds a request on the endpoint's threads waits for the lock or an ask (under botocore's 2 s timeout)."""
FAILURE_HOLD = 10.0
"""Seconds a failed ask's line is answered without asking again (botocore retries 3 times, 1 s apart)."""


def code_needed(service: Service, name: str, error: NeedsCodeError) -> Credentials:
    """Credentials for ``name`` once a new MFA code is used (its source, or the open dashboard); else raises.

    The :class:`NeedsCodeError` raised says how to refresh the profile, and what was tried and why it failed.
    """
    from mfa_tui.core.service.unattended import renew_unattended

    needs = NeedsCodeError(
        f"profile {name}: the MFA session has ended or cannot renew it; run `mfa-tui refresh {name}` "
        "(or refresh it in the dashboard) and the endpoint serves it again"
    )
    renew_unattended(service, name, needs, notify=_notice)
    return service.credentials(name, min_left=remint_threshold(service, name))


def _notice(notice) -> None:
    """A source's notice on stderr, first line only (never a code: the source's name or a countdown)."""
    if notice.first:
        print(f"mfa-tui: {notice.request.identity}: {notice.text}", file=sys.stderr, flush=True)


def remint_threshold(service: Service, name: str) -> float:
    """Seconds of life below which ``name``'s credentials are renewed before being served."""
    entry = service.load_state(only=[name]).profiles.get(name)
    if entry is not None and entry.last_refresh is not None and entry.expires_at is not None:
        lifetime = (entry.expires_at - entry.last_refresh).total_seconds()
        if lifetime > 0:
            return min(REMINT_BEFORE, lifetime * LIFETIME_FRACTION)
    return REMINT_BEFORE


class Supplier:
    """Serves credentials for profiles of one service: one lock per profile, one ask per identity at a time."""

    def __init__(self, service: Service):
        self.service = service
        self._guard = threading.Lock()
        self._profile_locks: dict[str, threading.Lock] = {}
        self._identity_locks: dict[str, threading.Lock] = {}
        self.served = 0
        """Answers given (tests and the serve log)."""
        self.asking: dict[str, str] = {}
        """Identity -> the profile a code is being asked for (that identity's lock is held meanwhile)."""
        self._failed: dict[str, tuple[float, str, str]] = {}
        """Identity -> (monotonic time, line, profile) of its last failed ask."""

    def credentials(self, name: str, *, patience: float | None = -1.0) -> Credentials:
        """``name``'s credentials now; raises :class:`NeedsCodeError` (one line) or another MfaTuiError.

        ``patience``: seconds to wait for another request's re-mint or ask, or an ask of this one;
        None waits for the whole ask; the default is None on the main thread, :data:`REQUEST_PATIENCE`
        elsewhere. Only requests for the same profile wait for its re-mint; only profiles of the
        same identity wait for its ask (which one code serves).
        """
        if patience is not None and patience < 0:
            patience = None if threading.current_thread() is threading.main_thread() else REQUEST_PATIENCE
        deadline = None if patience is None else time.monotonic() + patience
        held: list[threading.Lock] = []
        try:
            self._acquire(self._lock(self._profile_locks, name), deadline, held, name, None)
            try:
                creds = self._current(name)
            except NeedsCodeError as error:
                identity = self._identity(name)
                self._acquire(self._lock(self._identity_locks, identity), deadline, held, name, identity)
                creds = self._ask_or_wait(name, identity, error, deadline, held)
            self.served += 1
            return creds
        finally:
            for lock in reversed(held):  # emptied when an ask in the background took them over
                lock.release()

    def _current(self, name: str) -> Credentials:
        return self.service.credentials(name, min_left=remint_threshold(self.service, name))

    def _ask_or_wait(self, name: str, identity: str, error: NeedsCodeError, deadline: float | None,
                     held: list[threading.Lock]) -> Credentials:
        """With the identity's lock held: the credentials after an ask (or after another profile's ask)."""
        try:
            return self._current(name)  # another profile of this identity got a code while this one waited
        except NeedsCodeError as again:
            error = again
        failed = self._failed.get(identity)
        if failed is not None and time.monotonic() - failed[0] < FAILURE_HOLD:
            _when, line, other = failed
            raise NeedsCodeError(line if other == name else f"profile {name}: no new MFA code for {identity} "
                                 f"just now (asked for profile {other}): {line}") from None
        self.asking[identity] = name
        if deadline is None:
            try:
                return self._ask(name, identity, error)
            finally:
                self.asking.pop(identity, None)
        ask = _Ask()
        locks = held[:]
        held.clear()  # the asking thread releases them
        threading.Thread(target=self._ask_then_release, args=(name, identity, error, ask, locks),
                         name="mfa-tui-endpoint-ask", daemon=True).start()
        if not ask.done.wait(max(0.0, deadline - time.monotonic())):
            raise NeedsCodeError(self._busy(name, identity)) from None
        if ask.creds is None:
            raise NeedsCodeError(ask.line) from None
        return ask.creds

    def _acquire(self, lock: threading.Lock, deadline: float | None, held: list[threading.Lock],
                 name: str, identity: str | None) -> None:
        left = -1 if deadline is None else max(0.0, deadline - time.monotonic())
        if not lock.acquire(timeout=left):
            raise NeedsCodeError(self._busy(name, identity))
        held.append(lock)

    def _lock(self, locks: dict[str, threading.Lock], key: str) -> threading.Lock:
        with self._guard:
            return locks.setdefault(key, threading.Lock())

    def _identity(self, name: str) -> str:
        profile = self.service.registry.profiles.get(name)
        return getattr(profile, "identity", None) or name

    def _ask(self, name: str, identity: str, error: NeedsCodeError) -> Credentials:
        try:
            creds = code_needed(self.service, name, error)
        except NeedsCodeError as failed:
            self._failed[identity] = (time.monotonic(), str(failed), name)
            raise NeedsCodeError(str(failed)) from None
        self._failed.pop(identity, None)
        return creds

    def _ask_then_release(self, name: str, identity: str, error: NeedsCodeError, ask: _Ask,
                          locks: list[threading.Lock]) -> None:
        try:
            ask.creds = self._ask(name, identity, error)
        except Exception as exc:  # noqa: BLE001 - said to the waiting request, never a traceback on the terminal
            from mfa_tui.core.errors import MfaTuiError

            ask.line = str(exc) if isinstance(exc, MfaTuiError) else f"profile {name}: {type(exc).__name__}"
            self._failed.setdefault(identity, (time.monotonic(), ask.line, name))
        finally:
            self.asking.pop(identity, None)
            for lock in reversed(locks):
                lock.release()
            ask.done.set()

    def _busy(self, name: str, identity: str | None) -> str:
        asking = self.asking.get(identity or self._identity(name))
        if asking is None:
            return f"profile {name}: the endpoint is busy renewing its credentials; try again"
        return (f"profile {name}: waiting for a new MFA code for profile {asking} (its code source, or the dashboard's "
                f"dialog); the endpoint serves {name} again once it is in")


class _Ask:
    """One background ask: done when it ended; ``creds`` on success, else ``line``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.creds: Credentials | None = None
        self.line = ""
