"""Sessions planted in a test's state and credentials file as a refresh leaves them (this module holds no tests).

The core serves a profile's credentials only while they are bound to the registry and its section
of the credentials file holds them, so a hand-written state alone shows every row missing.
:func:`plant` commits through the service, as a refresh does; fields a refresh sets from the clock
or from other calls (last refresh, who-am-I, last error) are then set with ``edit``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from mfa_tui.core.clock import Clock
from mfa_tui.core.models import Credentials
from mfa_tui.core.registry import load as registry_mod
from mfa_tui.core.session.refresh import ProfileResult, RefreshReport
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import SessionState, StateStore


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


def two_identity_service(tmp_path: Path, names: list[str], clock: Clock, *, bobs: Collection[str],
                         session_profiles: bool = False) -> Service:
    """A service on a registry of identities alice and bob and a chained role per name (bob's: ``bobs``).

    ``session_profiles`` adds each identity's MFA-session profile (``alice-mfa``, ``bob-mfa``). The
    state and credentials file live under ``tmp_path`` and start empty: :func:`plant` fills them.
    """
    config = tmp_path / "config.toml"
    config.write_text(
        "[identities.alice]\nsource_profile = \"alice-long-term\"\nmfa_serial = \"arn:aws:iam::111111111111:mfa/alice\"\n"
        "[identities.bob]\nsource_profile = \"bob-long-term\"\nmfa_serial = \"arn:aws:iam::111111111111:mfa/bob\"\n"
        + ("[profiles.alice-mfa]\nidentity = \"alice\"\n[profiles.bob-mfa]\nidentity = \"bob\"\n" if session_profiles else "")
        + "".join(f'[profiles.{n}]\nidentity = "{"bob" if n in bobs else "alice"}"\n'
                  f'role_arn = "arn:aws:iam::222222222222:role/R{n}"\n' for n in names)
    )
    return Service(registry_mod.load(config), clock=clock, state_store=StateStore(tmp_path / "state", clock=clock),
                   credentials_path=tmp_path / "creds")
