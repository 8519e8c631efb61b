"""The real dashboard for the dashboard bench: a registry and a state made from synthetic rows.

:func:`write_home` turns rows from ``_rows.make_rows`` into the files a user has: a registry
with one profile per row, the shared credentials and config files, and a state whose cached
credentials expire when the rows say. :func:`make_app` is a host factory for
``dashboard_bench.py --host app_host:make_app``: it writes those files in a temp dir and opens
the real :class:`~mfa_tui.ui.app.MfaTuiApp` on them with the bench's frozen clock, and makes
the ``table.tick()`` the bench calls run the main screen's whole once-a-second callback, so the
tick figures are the dashboard's own (status table, detail pane, MFA-session checks), not the
table's alone. (``dashboard_bench.py`` belongs to the status-table work and is used unchanged.)
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import tomli_w

from mfa_tui.core.models import Credentials, ProfileKind, ProfileStatus

IDENTITY_ACCOUNT = "111111111111"


def steady_mfa_expiry(now: datetime, hours: int = 20) -> datetime:
    """An MFA-session end whose "20h 00m" text holds for the first 58 seconds after ``now``.

    The bench's rows share one identity, so they share one MFA-session countdown; for the idle
    ticks it must not change within the window they measure.
    """
    return now.replace(microsecond=0) + timedelta(hours=hours, seconds=59)


def write_home(
    rows: Sequence[ProfileStatus], *, registry: Path, credentials: Path, aws_config: Path, state_dir: Path,
    mfa_expires: datetime,
) -> None:
    """The registry, ~/.aws files and state for ``rows`` (all hanging off one identity, alice)."""
    from mfa_tui.core.fileio import atomic_write
    from mfa_tui.core.session.state import StateStore

    accounts: dict[str, dict] = {"identity": {"id": IDENTITY_ACCOUNT, "alias": "identity"}}
    seen: set[str] = {IDENTITY_ACCOUNT}
    profiles: dict[str, dict] = {}
    for row in rows:
        if row.account_id not in seen:
            seen.add(row.account_id)
            accounts[f"acct-{row.account_id}"] = {"id": row.account_id, "alias": row.account_alias}
        entry: dict = {"identity": "alice", "tags": list(row.tags)}
        if row.kind is not ProfileKind.MFA_SESSION and row.role_arn:
            entry.update(role_arn=row.role_arn, duration="1h")
        profiles[row.profile] = entry
    doc = {
        "settings": {"mfa_session_duration": "12h", "role_duration": "1h", "auto_remint": False},
        "accounts": accounts,
        "identities": {
            "alice": {"source_profile": "alice-long-term", "mfa_serial": f"arn:aws:iam::{IDENTITY_ACCOUNT}:mfa/alice",
                      "region": "us-east-1", "endpoint_url": "http://127.0.0.1:9", "account": "identity"},
        },
        "profiles": profiles,
    }
    atomic_write(registry, tomli_w.dumps(doc).encode())
    # Every row's section as a refresh writes it: status checks each profile's key id against it.
    sections = [b"[alice-long-term]\naws_access_key_id = AKIABENCHEXAMPLE\naws_secret_access_key = bench-not-a-secret\n"]
    for i, row in enumerate(rows):
        if row.expires_at is not None:
            sections.append(f"[{row.profile}]\naws_access_key_id = ASIABENCH{i:06d}\naws_secret_access_key = bench-secret\n"
                            f"aws_session_token = bench-token\nmfa_tui_managed = true\n".encode())
    atomic_write(credentials, b"\n".join(sections))
    atomic_write(aws_config, b"[default]\nregion = us-east-1\n")

    def fill(state) -> None:
        ist = state.identity("alice")
        ist.mfa_credentials = Credentials("ASIABENCHMFA", "bench-secret", "bench-token", mfa_expires)
        for i, row in enumerate(rows):
            pst = state.profile(row.profile)
            pst.identity, pst.kind = "alice", row.kind.value
            if row.expires_at is not None:  # an MFA-session profile's own copy, as a refresh writes it
                pst.credentials = Credentials(f"ASIABENCH{i:06d}", "bench-secret", "bench-token", row.expires_at)
                pst.expires_at = row.expires_at
            pst.last_refresh = row.last_refresh
            # Dated at the last refresh: the rows' "checked 5m ago" would count seconds in the
            # detail pane, and the idle shape means nothing on screen changes.
            pst.whoami = replace(row.whoami, checked_at=row.last_refresh) if row.whoami and row.last_refresh \
                else row.whoami
            pst.assumed_role_arn = row.whoami.arn if row.whoami else None

    from mfa_tui.core.registry import load as registry_mod
    from mfa_tui.core.session.store import bind_all

    loaded = registry_mod.load(registry, aws_config_path=aws_config)

    def fill_bound(state) -> None:
        fill(state)
        bind_all(state, loaded)

    # The state file of this registry (its name hashes the registry's path), as mfa-tui run in
    # that HOME looks for it; without registry_path it would be named after this process's default.
    StateStore(state_dir, registry_path=registry).update(fill_bound)


def make_app(rows: Sequence[ProfileStatus], clock):
    """Host factory: the real dashboard on a registry and state holding ``rows``, on ``clock``."""
    from mfa_tui.core.registry import load as registry_mod
    from mfa_tui.core.service.facade import Service
    from mfa_tui.core.session.state import StateStore

    base = Path(tempfile.mkdtemp(prefix="mfa-tui-bench-app-"))
    atexit.register(shutil.rmtree, base, True)
    paths = {"registry": base / "config.toml", "credentials": base / "credentials", "aws_config": base / "config",
             "state_dir": base / "state"}
    now = clock.now()
    # Idle rows: one shared MFA countdown that stays "20h 00m"; busy rows change anyway.
    write_home(rows, mfa_expires=steady_mfa_expiry(now), **paths)
    service = Service(
        registry_mod.load(paths["registry"], aws_config_path=paths["aws_config"]),
        clock=clock, state_store=StateStore(paths["state_dir"], registry_path=paths["registry"], clock=clock),
        credentials_path=paths["credentials"], aws_config_path=paths["aws_config"],
    )

    _tick_the_whole_screen()
    return _dashboard_class()(service, remint_every=None, save_theme=False)


def _tick_the_whole_screen() -> None:
    """Make ``StatusTable.tick()`` (what the bench calls) run the main screen's whole 1 s callback.

    ``MainScreen.tick`` ticks the table, then the detail pane and the MFA-session checks; the
    bench must pay for all of it, as the dashboard does every second. Patched in the bench's
    child process only. The screen's own timer is parked (see ``BenchDashboard``) so the bench's
    calls are the only ticks.
    """
    from mfa_tui.ui.screens.main import MainScreen
    from mfa_tui.ui.widgets.status_table import StatusTable

    table_tick = StatusTable.tick

    def tick(table) -> int:
        screen = table.screen
        if not isinstance(screen, MainScreen):
            return table_tick(table)
        if getattr(screen, "_bench_inner", False):  # MainScreen.tick's own call of table.tick()
            screen._bench_changed = table_tick(table)
            return screen._bench_changed
        screen._bench_inner, screen._bench_changed = True, 0
        try:
            screen.tick()
        finally:
            screen._bench_inner = False
        return screen._bench_changed

    StatusTable.tick = tick  # type: ignore[method-assign]


def _dashboard_class():
    from mfa_tui.ui import app as app_mod
    from mfa_tui.ui.screens.main import MainScreen

    class BenchDashboard(app_mod.MfaTuiApp):
        """The dashboard with its countdown timer parked: the bench plays the timer."""

        # Textual resolves a relative CSS_PATH next to the subclass's module: point at the app's.
        CSS_PATH = str(Path(app_mod.__file__).with_name(app_mod.MfaTuiApp.CSS_PATH))

        def get_default_screen(self):
            return MainScreen(self.service, remint_every=None, tick_every=24 * 3600)

    return BenchDashboard
