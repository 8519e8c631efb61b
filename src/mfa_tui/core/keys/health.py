"""What doctor and the dashboard say about long-term keys: the keyring backend, and each key's age.

:func:`keyring_findings` names the active keyring backend, and, when an identity keeps its keys
there, why each other one was not used (a problem only when such an identity has none; one
line when no identity uses the keyring). :func:`key_ages`
reads each identity's key creation date with ListAccessKeys, signed with its live MFA session
(a force-MFA policy denies it without MFA); an identity with no live session is left out.
Findings are ``(check, subject, level, message, fix)`` with the levels of
:mod:`mfa_tui.core.service.findings` (``ok``, ``info``, ``problem``), so doctor adds them as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from mfa_tui.core.clock import Clock, format_duration
from mfa_tui.core.models import Credentials, Identity, Registry

Finding = tuple[str, str, str, str, str | None]


def keyring_findings(registry: Registry) -> list[Finding]:
    from mfa_tui.core.keystore import store

    users = [i.name for i in registry.identities.values() if i.keys == "keyring"]
    try:
        report = store.describe()
    except Exception as exc:  # noqa: BLE001 - keyring itself cannot load: one finding, never a traceback
        level = "problem" if users else "info"
        return [("keyring", "OS keyring", level, f"keyring cannot be loaded: {exc}", "pip install keyring")]
    if not users:
        # Nobody keeps keys there: one line, without a fix to follow or every backend's reason.
        found = f"active backend {report.active}" if report.active else "no usable backend"
        return [("keyring", "OS keyring", "info", f"{found} (no identity uses it)", None)]
    out: list[Finding] = []
    if report.active is None:
        whom = f"identities {', '.join(users)} keep their keys there"
        out.append(("keyring", "OS keyring", "problem", f"no usable backend ({whom})", report.why))
    else:
        note = "; it stores secrets in a plaintext file" if report.plaintext else ""
        level = "problem" if report.plaintext else "ok"
        out.append(("keyring", "OS keyring", level, f"active backend {report.active}: {report.why}{note}",
                    "choose keyrings.alt.file.EncryptedKeyring or a Secret Service" if note else None))
    for name, why in report.others:
        out.append(("keyring", name, "info", f"not used: {why}", None))
    return out


def key_age_findings(registry: Registry, sessions: dict[str, Credentials | None], current: Callable[[Identity], str],
                     clock: Clock) -> list[Finding]:
    """The age of each identity's key, warned past ``[settings] key_max_age``."""
    now = clock.now()
    limit = registry.settings.key_max_age
    out: list[Finding] = []
    for identity in registry.identities.values():
        subject = f"identity {identity.name}"
        session = sessions.get(identity.name)
        if session is None or session.expiration <= now:
            out.append(("key-age", subject, "info", "not checked: ListAccessKeys needs the MFA session (none is live)",
                        f"mfa-tui refresh {identity.name}"))
            continue
        try:
            key_id = current(identity)
            created = key_created(identity, session, key_id)
        except Exception as exc:  # noqa: BLE001 - any failure is one finding
            out.append(("key-age", subject, "info", f"not checked: {str(exc).splitlines()[0]}", None))
            continue
        if created is None:
            out.append(("key-age", subject, "info", f"IAM does not list key {key_id}", None))
            continue
        age = (now - created).total_seconds()
        if age > limit:
            out.append(("key-age", subject, "problem",
                        f"key {key_id} is {format_duration(age)} old, over key_max_age ({format_duration(limit)})",
                        f"mfa-tui keys rotate {identity.name}"))
        else:
            out.append(("key-age", subject, "ok", f"key {key_id} is {format_duration(age)} old", None))
    return out


def key_created(identity: Identity, session: Credentials, key_id: str) -> datetime | None:
    """When ``key_id`` was created, from one ListAccessKeys on the MFA session (None: not listed).

    No UserName is sent: IAM lists the keys of the user who signed, the identity's own.
    """
    from mfa_tui.core.keys import rotate

    for key in rotate.list_keys(identity, session, None):
        if key.access_key_id == key_id:
            return key.created
    return None
