"""The detail pane's "Access key" line: the identity's long-term key id and its age.

The creation date comes from ListAccessKeys, which a force-MFA policy allows only with MFA, so it
is read on the identity's live MFA session, once per session, in a worker thread (never on the
dashboard's first frame: the first read starts :data:`START_AFTER` seconds after the pane first
draws a row). Until the age is known (no live session, or the read failed) there is no line. Past ``[settings] key_max_age`` the line says to
rotate. Only the key id is kept here, never key material.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from rich.text import Text

from mfa_tui.core.clock import format_duration


START_AFTER = 3.0
"""Seconds the pane is up before the first read: the dashboard's first frame loads neither boto3 nor
keyring (bench figure 4; bench/fastpaths.py ``lazy_imports``)."""


class KeyAges:
    """Per identity: (key id, created) once read, or the one-line reason it could not be."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, datetime | None] | str] = {}
        self.asked: set[tuple[str, str]] = set()
        self.since: float | None = None

    def line(self, pane: Any, identity: str, mfa_expires_at: datetime | None, now: datetime,
             *, warn_style: str = "") -> Text | None:
        service = getattr(pane.screen, "service", None) if pane.is_attached else None
        registry = getattr(service, "registry", None)
        ident = registry.identities.get(identity) if registry is not None else None
        if ident is None:
            return None
        live = mfa_expires_at is not None and mfa_expires_at > now
        self.since = self.since if self.since is not None else time.monotonic()
        ready = time.monotonic() - self.since >= START_AFTER
        if live and ready and (identity, str(mfa_expires_at)) not in self.asked:
            self.asked.add((identity, str(mfa_expires_at)))
            pane.run_worker(lambda: self._read(service, ident), thread=True, group="key-age", exit_on_error=False)
        known = self.known.get(identity)
        if known is None or isinstance(known, str) or known[1] is None:
            return None  # not read (yet): the line appears once the age is known
        key_id, created = known
        age = (now - created).total_seconds()
        text = Text(f"{key_id}  ·  {format_duration(max(age, 0))} old")
        limit = registry.settings.key_max_age
        if age > limit:
            text.append(f"  ⚠ over key_max_age ({format_duration(limit)}): mfa-tui keys rotate {identity}", style=warn_style)
        return text

    def _read(self, service: Any, identity: Any) -> None:
        from mfa_tui.core.keys import health

        try:
            session = service.mfa_session(identity.name)
            if session is None:
                return
            key_id = service.long_term_keys(identity).access_key_id
            self.known[identity.name] = (key_id, health.key_created(identity, session, key_id))
        except Exception as exc:  # noqa: BLE001 - shown in the pane as one line, never a crash
            self.known[identity.name] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
