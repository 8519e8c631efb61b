"""Sessions planted in a test's state and credentials file as a refresh leaves them (this module holds no tests).

The core serves a profile's credentials only while they are bound to the registry and its section
of the credentials file holds them, so a hand-written state alone shows every row missing.
:func:`plant` commits through the service, as a refresh does; fields a refresh sets from the clock
or from other calls (last refresh, who-am-I, last error) are then set with ``edit``.
"""

from __future__ import annotations

from collections.abc import Callable

from mfa_tui.core.models import Credentials
from mfa_tui.core.session.refresh import ProfileResult, RefreshReport
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import SessionState


def plant(
    service: Service,
    *,
    sessions: dict[str, Credentials] | None = None,
    profiles: dict[str, Credentials] | None = None,
    failures: dict[str, str] | None = None,
    edit: Callable[[SessionState], None] | None = None,
) -> None:
    """Commit MFA ``sessions`` (identity -> credentials), ``profiles`` (name -> credentials) and
    ``failures`` (name -> last error), then ``edit`` the state."""
    report = RefreshReport(mfa_sessions=dict(sessions or {}))
    for name, creds in (profiles or {}).items():
        report.results[name] = ProfileResult(name, ok=True, credentials=creds)
    for name, message in (failures or {}).items():
        report.results[name] = ProfileResult(name, ok=False, message=message)
    service.commit(report)
    if edit is not None:
        service.state_store.update(edit)
