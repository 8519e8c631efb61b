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

One request at a time asks for a code, and re-mints never race: the :class:`Supplier`'s lock is
held while asking. A request served on the endpoint's threads waits at most :data:`REQUEST_PATIENCE`
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
    """Serves credentials for profiles of one service, one request at a time (re-mints never race)."""

    def __init__(self, service: Service):
        self.service = service
        self._lock = threading.Lock()
        self.served = 0
        """Answers given (tests and the serve log)."""
        self.asking: str | None = None
        """The profile a code is being asked for (the lock is held meanwhile), or None."""
        self._failed: dict[str, tuple[float, str]] = {}
        """Profile -> (monotonic time, line) of its last failed ask."""

    def credentials(self, name: str, *, patience: float | None = -1.0) -> Credentials:
        """``name``'s credentials now; raises :class:`NeedsCodeError` (one line) or another MfaTuiError.

        ``patience``: seconds to wait for another request's ask or an ask of this one; None waits
        for the whole ask; the default is None on the main thread, :data:`REQUEST_PATIENCE` elsewhere.
        """
        if patience is not None and patience < 0:
            patience = None if threading.current_thread() is threading.main_thread() else REQUEST_PATIENCE
        if not self._lock.acquire(timeout=-1 if patience is None else patience):
            raise NeedsCodeError(self._busy(name))
        handed_over = False
        try:
            try:
                creds = self.service.credentials(name, min_left=remint_threshold(self.service, name))
            except NeedsCodeError as error:
                held = self._failed.get(name)
                if held is not None and time.monotonic() - held[0] < FAILURE_HOLD:
                    raise NeedsCodeError(held[1]) from None  # refreshed elsewhere meanwhile: served above
                self.asking = name
                if patience is None:
                    creds = self._ask(name, error)
                else:
                    ask = _Ask()
                    handed_over = True  # the asking thread releases the lock
                    threading.Thread(target=self._ask_then_release, args=(name, error, ask),
                                     name="mfa-tui-endpoint-ask", daemon=True).start()
                    if not ask.done.wait(patience):
                        raise NeedsCodeError(self._busy(name)) from None
                    if ask.creds is None:
                        raise NeedsCodeError(ask.line) from None
                    creds = ask.creds
            self.served += 1
            return creds
        finally:
            if not handed_over:
                self.asking = None
                self._lock.release()

    def _ask(self, name: str, error: NeedsCodeError) -> Credentials:
        try:
            creds = code_needed(self.service, name, error)
        except NeedsCodeError as failed:
            self._failed[name] = (time.monotonic(), str(failed))
            raise NeedsCodeError(str(failed)) from None
        self._failed.pop(name, None)
        return creds

    def _ask_then_release(self, name: str, error: NeedsCodeError, ask: _Ask) -> None:
        try:
            ask.creds = self._ask(name, error)
        except Exception as exc:  # noqa: BLE001 - said to the waiting request, never a traceback on the terminal
            from mfa_tui.core.errors import MfaTuiError

            ask.line = str(exc) if isinstance(exc, MfaTuiError) else f"profile {name}: {type(exc).__name__}"
            self._failed.setdefault(name, (time.monotonic(), ask.line))
        finally:
            self.asking = None
            self._lock.release()
            ask.done.set()

    def _busy(self, name: str) -> str:
        asking = self.asking
        if asking is None:
            return f"profile {name}: the endpoint is busy renewing credentials; try again"
        return (f"profile {name}: waiting for a new MFA code for profile {asking} (its code source, or the dashboard's "
                f"dialog); the endpoint serves {name} again once it is in")


class _Ask:
    """One background ask: done when it ended; ``creds`` on success, else ``line``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.creds: Credentials | None = None
        self.line = ""
