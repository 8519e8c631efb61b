"""One refresh run's shared context, and the steps every part of a run takes through it.

:class:`RunContext` holds what one run shares (the report it fills, the cached MFA sessions,
the code prompt, the progress sink, the cancel event, the commit hook, the worker pool); the
engine (:mod:`.engine`) and the role steps (:mod:`.roles`) pass it instead of its parts. It
also owns the code prompt loop (:meth:`RunContext.ask_code`) and how a profile is failed or
skipped (with its status from before the run).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mfa_tui.core.errors import CodeError, MfaTuiError
from mfa_tui.core.models import Credentials, Identity, Profile, State
from mfa_tui.core.session.clients import StsAccess
from mfa_tui.core.session.refresh import (
    CANCEL_REASON,
    MAX_CODE_ATTEMPTS,
    SKIP_REASON,
    CodeProvider,
    CodeRequest,
    CommitHook,
    ProfileResult,
    Progress,
    ProgressSink,
    RefreshReport,
    StatusLookup,
)
from mfa_tui.core.totp import DeviceCodes, check_format


@dataclass
class RunContext:
    """One refresh run's context, shared by the engine's steps."""

    access: StsAccess
    report: RefreshReport
    mfa_sessions: dict[str, Credentials | None]
    session_key_ids: dict[str, str | None]
    code_provider: CodeProvider
    emit: ProgressSink
    cancel: threading.Event
    status_of: StatusLookup
    commit: CommitHook
    pool: ThreadPoolExecutor

    def fail_all(self, profiles: list[Profile], message: str) -> None:
        for profile in profiles:
            self.report.results[profile.name] = ProfileResult(profile.name, ok=False, message=message)
            self.emit(Progress(profile.name, State.ERROR, message))

    def skip_all(self, profiles: list[Profile], message: str) -> None:
        for profile in profiles:
            self.report.results[profile.name] = self.skip(profile.name, message)

    def skip(self, name: str, message: str) -> ProfileResult:
        """A profile left as it was: reported with its status from before the run."""
        before = self.status_of(name)
        self.emit(Progress(
            name, before.state if before is not None else State.MISSING, message, skipped=True,
            expires_at=before.expires_at if before is not None else None, status=before,
        ))
        return ProfileResult(name, ok=False, message=message, skipped=True)

    def ask_code(self, identity: Identity, profiles: list[Profile], purpose: str,
                 send: Callable[[str], object], reason: str | None = None):
        """Ask for a code until ``send(code)`` succeeds, the user skips, or attempts run out.

        Returns ``(result, None, False)`` on success, ``(None, reason, True)`` for a skip
        (no code entered before any reached AWS, or cancelled) and ``(None, reason, False)``
        for a failure. Skipping after AWS refused a code is a failure: the refusal is the
        reason worth keeping. The device's code memory (:class:`DeviceCodes`) decides which
        codes may be sent.
        """
        serial = identity.mfa_serial or ""
        device = self.access.device(identity)
        devices = self.report.devices
        error: str | None = None
        refused_by_aws = False
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            if self.cancel.is_set():
                return None, CANCEL_REASON, True
            now = self.access.clock.now()
            memory = devices.get(serial, DeviceCodes())
            request = CodeRequest(
                identity=identity.name,
                serial=serial,
                profiles=tuple(p.name for p in profiles),
                purpose=purpose,
                wait_seconds=memory.wait_seconds(now),
                error=error,
                attempt=attempt,
                reason=reason,
                sent_codes=memory.recent(now),
            )
            raw = self.code_provider(request)
            if self.cancel.is_set():
                return None, CANCEL_REASON, True
            if raw is None:
                if refused_by_aws:
                    return None, error, False
                # Only local refusals (malformed, already used) or none: nothing reached AWS. A code
                # was given when one was refused, so the skip names that refusal, not "no code entered".
                return None, f"skipped: {error}" if error else SKIP_REASON, True
            try:
                code = check_format(raw, device=device)
            except CodeError as exc:
                error = str(exc)
                continue
            now = self.access.clock.now()
            memory = devices.get(serial, DeviceCodes())
            refusal = memory.refuse_reason(code, now, device=device)
            if refusal:
                error = refusal
                continue
            devices[serial] = memory.after_send(code, now)
            try:
                result = send(code)
            except CodeError as exc:
                error = str(exc)
                refused_by_aws = True
                continue
            except MfaTuiError as exc:
                # Refused for another reason (a duration over the role's maximum, access denied):
                # AWS may have taken the code, so its step counts as used.
                devices[serial] = devices[serial].after_accept(now)
                return None, str(exc), False
            devices[serial] = devices[serial].after_accept(now)
            return result, None, False
        return None, error or "no valid code", False
