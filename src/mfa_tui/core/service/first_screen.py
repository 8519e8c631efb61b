"""The dashboard's first screenful of rows, read at a cost that does not grow with the registry.

:meth:`Service.statuses <mfa_tui.core.service.facade.Service.statuses>` for a few names still reads
what every profile needs: the key id of every section of the credentials file (15 ms of CPU at
5,000 sections). :func:`first_screen` gives the same rows for ``names`` from just their state
entries (:meth:`StateStore.load <mfa_tui.core.session.state.StateStore.load>` with ``only``) and
just the sections they and the identities' long-term keys live in
(:func:`~mfa_tui.core.credentials.key_scan.some_key_ids`), checked by the same rules
(:class:`~mfa_tui.core.session.store.SessionStore`'s binding, :func:`.status.statuses`). The
dashboard reads the rest, and the state in full, right after its first frame. Protects bench
figure 4 (dashboard first frame at 5,000 profiles ≤ 1.3× the bare app, CPU; bench/dash_bench.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfa_tui.core.credentials.key_scan import some_key_ids
from mfa_tui.core.errors import FileError
from mfa_tui.core.session import status
from mfa_tui.core.session.status import Snapshot

if TYPE_CHECKING:
    from mfa_tui.core.models import ProfileStatus
    from mfa_tui.core.service.facade import Service


def first_screen(service: Service, names: list[str]) -> list[ProfileStatus]:
    """``service.statuses(names, state=service.load_state(names))``, reading only what ``names`` need.

    Raises what that raises (:class:`~mfa_tui.core.errors.MfaTuiError`); the state's problems are
    in ``service.state_store.warnings`` as after :meth:`~mfa_tui.core.service.facade.Service.load_state`.
    """
    registry = service.registry
    state = service.load_state(names)
    wanted = set(names) | {identity.source_profile for identity in registry.identities.values()}
    try:
        keys: dict[str, str | None] | None = some_key_ids(service.credentials_path, wanted)
        error = None
    except FileError as exc:
        keys, error = None, str(exc)
    # The store's own binding rule, on these entries and key ids (what its snapshot() does with all of them).
    snap = Snapshot(service.sessions.bound(state, keys), keys, error)
    return status.statuses(registry, snap, service.clock.now(), names)
