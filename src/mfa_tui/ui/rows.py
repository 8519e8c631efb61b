"""The main screen's rows: read from the core at start-up and whenever their files change, updated by runs.

- Start-up: the first frame needs only the rows a screen can show. With more profiles than that,
  the first screenful is read alone (just those profiles' lines of the state and sections of the
  credentials file) and the rest right after the first frame (start-up time at 1,000 and 5,000
  profiles, see bench/). Problems met reading the state (a file set aside) are notified.
- Changes on disk: another process (a CLI refresh, another tool, an editor) wrote the credentials
  file, the state or the registry. The core's :meth:`~mfa_tui.core.service.facade.Service.change_stamp`
  (one ``stat`` per file) is compared on every 1 s tick; when it moved, a thread worker reads
  every row again (and the registry, when its file changed and no refresh or re-mint is using
  it), and the screen redraws them within two ticks. Rows a refresh or re-mint is changing right
  now are left as that run shows them.
- Runs (refresh, re-mint, who-am-I) put rows on screen through :meth:`Rows.show` (one row in
  flight, with its progress message) and :meth:`Rows.apply` (the core's rows once a run ended),
  and what the detail pane knows beyond a row (:class:`~mfa_tui.ui.widgets.detail.Extra`) through
  :meth:`Rows.set_extra`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.models import ProfileStatus
from mfa_tui.core.service.first_screen import first_screen
from mfa_tui.ui.messages import RowsReloaded, WorkerFailed
from mfa_tui.ui.runs import failure_text
from mfa_tui.ui.widgets.detail import Extra

if TYPE_CHECKING:
    from mfa_tui.ui.host import Dashboard


def _file_version(path: os.PathLike | str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class Rows:
    """Reads the screen's rows (the first frame, the rest, again when their files changed) and puts them on screen."""

    def __init__(self, screen: Dashboard) -> None:
        self.screen = screen
        self.extras: dict[str, Extra] = {}
        """Profile -> what the detail pane knows about it beyond its row."""
        self.pending = 0
        """Profiles left out of the first frame and not yet in the table."""
        self.seen: tuple | None = None
        """The change stamp the rows on screen were read at (or are being read at)."""
        self._registry_version: tuple | None = None
        self._registry_error: str | None = None

    # ── start-up ──────────────────────────────────────────────────────────────────────────────

    def first_frame(self) -> None:
        """The rows a screen can show, now; the rest right after the first frame (:meth:`after_first_frame`)."""
        screen = self.screen
        service = screen.service
        # Taken before the rows are read, so a write meanwhile shows as a change on the first tick.
        self.seen = service.change_stamp()
        self._registry_version = _file_version(service.registry.path)
        names = list(service.registry.profiles)
        first = names[: max(1, screen.app.size.height)]
        rest = names[len(first):]
        rows = self.read(first if rest else None, only=True)
        self.pending = len(rest)
        screen.table.set_rows(rows)
        screen.sessions.note(rows)
        screen.call_after_refresh(self.after_first_frame, rest)

    def after_first_frame(self, rest: list[str]) -> None:
        """What the first frame does without: the credentials file's permissions, the rows past the
        first screenful, and the MFA-session warnings (which need every row), in the order a start
        that did everything at once notifies them."""
        screen = self.screen
        permissions = screen.service.credentials_file.permission_warning()
        if permissions:
            screen.notify(permissions, title="Credentials file", severity="warning", timeout=20, markup=False)
        if rest:
            registry = screen.service.registry.profiles
            rows = self.read([n for n in rest if n in registry])
            self.pending = 0
            screen.table.update_rows(rows)  # added in registry order after the first rows, which stay as they are now
            screen.sessions.note(rows)
            screen.update_status_line()
        screen.sessions.check()

    def read(self, names: list[str] | None, *, only: bool = False) -> list[ProfileStatus]:
        """Statuses of ``names`` (every profile when None), the state's problems notified.

        ``only``: read just these profiles' entries of the state and sections of the credentials
        file (the first frame's rows, :func:`~mfa_tui.core.service.first_screen.first_screen`).
        Otherwise the state is decoded and checked in full, and when that sets a bad file
        aside every row is read again (from the empty state, as a full start would show it).
        """
        screen = self.screen
        service = screen.service
        try:
            if only and names is not None:
                rows = first_screen(service, names)
            else:
                state = service.load_state(None)
                if names is not None and service.state_store.warnings:
                    names = None
                rows = service.statuses(names, state=state)
        except MfaTuiError as exc:
            rows = []
            screen.notify(str(exc), title="Cannot read the session state", severity="error", timeout=15, markup=False)
        for warning in service.state_store.warnings:
            screen.notify(warning, title="Session state", severity="warning", timeout=15, markup=False)
        return rows

    # ── changes on disk ───────────────────────────────────────────────────────────────────────

    def check(self) -> None:
        """Once a second, on the event loop: a few ``stat`` calls, and a reload worker when they moved."""
        screen = self.screen
        stamp = screen.service.change_stamp()
        if stamp == self.seen or screen.is_busy("reload"):
            return
        self.seen = stamp
        # The registry is read again only while no run uses it (a run keeps the one it started with).
        registry_free = not screen.runs.runs and not screen.is_busy("remint")
        screen.run_in_thread("reload", partial(self._reload, stamp, registry_free))

    def _reload(self, stamp: tuple, registry_free: bool) -> None:
        """On a thread: the registry (when its file changed) and every row, posted back as :class:`RowsReloaded`."""
        service = self.screen.service
        post = self.screen.post_message
        reloaded = False
        version = _file_version(service.registry.path)
        if registry_free and version != self._registry_version:
            try:
                service.reload_registry()
            except Exception as exc:  # noqa: BLE001 - a registry broken mid-edit: keep the one in use
                message = failure_text(exc)
                if message != self._registry_error:
                    self._registry_error = message
                    post(WorkerFailed("registry reload", f"{message}; still using the registry read before"))
            else:
                self._registry_version, self._registry_error, reloaded = version, None, True
        try:
            rows = service.statuses()
        except Exception as exc:  # noqa: BLE001 - one line; the next change tries again
            post(WorkerFailed("reading the changed files", failure_text(exc)))
            return
        post(RowsReloaded(rows, stamp, registry_reloaded=reloaded))

    def reloaded(self, message: RowsReloaded) -> None:
        """Every row as read, but those a run is changing right now."""
        screen = self.screen
        table = screen.table
        touched = screen.runs.touched
        rows = [(table.get_row(r.profile) or r) if r.profile in touched else r for r in message.rows]
        if message.registry_reloaded or len(rows) != table.row_count or any(table.get_row(r.profile) is None for r in rows):
            self.replace(rows)  # profiles came or went
        else:
            self.apply(rows)

    # ── on screen ─────────────────────────────────────────────────────────────────────────────

    def set_extra(self, profile: str, **fields: str | None) -> None:
        """Change what the detail pane knows about ``profile`` beyond its row (see :class:`Extra`)."""
        self.extras[profile] = replace(self.extras.get(profile, Extra()), **fields)
        if profile == self.screen.table.cursor_profile:
            self.screen.show_detail()

    def _forget_old_whoami(self, rows: list[ProfileStatus]) -> None:
        """A who-am-I failure was about the credentials a row had then: forgotten once they are replaced.

        (The core forgets a who-am-I answer the same way when it commits new credentials, so the
        row's own ``whoami`` is already gone; the failure is the dashboard's, kept here.)
        """
        table = self.screen.table
        for row in rows:
            extra = self.extras.get(row.profile)
            if extra is None or extra.whoami_error is None:
                continue
            old = table.get_row(row.profile)
            if old is not None and (old.expires_at, old.last_refresh) != (row.expires_at, row.last_refresh):
                self.extras[row.profile] = replace(extra, whoami_error=None)

    def show(self, row: ProfileStatus, *, progress: str | None) -> None:
        """One row as a run has it now, with its progress message (None: none)."""
        self._forget_old_whoami([row])
        self.extras[row.profile] = replace(self.extras.get(row.profile, Extra()), progress=progress)
        self.screen.table.update_row(row)
        self.screen.sessions.note([row])
        if row.profile == self.screen.table.cursor_profile:
            self.screen.show_detail()

    def apply(self, rows: list[ProfileStatus]) -> None:
        """Rows as the core has them now (a run ended): no progress left on them."""
        if not rows:
            return
        screen = self.screen
        self._forget_old_whoami(rows)
        for row in rows:
            extra = self.extras.get(row.profile)
            if extra is not None and extra.progress is not None:
                self.extras[row.profile] = replace(extra, progress=None)
        screen.table.update_rows(rows)
        screen.sessions.note(rows)
        screen.show_detail()
        screen.sessions.check()

    def replace(self, rows: list[ProfileStatus]) -> None:
        """Every row anew, in registry order (the registry was read again)."""
        screen = self.screen
        self._forget_old_whoami(rows)
        screen.table.set_rows(rows)
        screen.sessions.note(rows)
        screen.show_detail()
        screen.update_status_line()
