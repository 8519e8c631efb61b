"""Getting a new MFA code with nobody at a prompt: for ``credential-process``, ``exec`` and ``serve``.

When :meth:`Service.credentials` says only a new code would help (:class:`NeedsCodeError`),
:func:`renew_unattended` tries, in order:

1. the identity's code source, when it is not ``prompt``: a refresh of the profile whose code
   provider answers None (no prompt; the facade asks the source first, :mod:`mfa_tui.core.codes.provider`);
   the source's notices ("touch your YubiKey", a countdown) go to the caller's ``notify``;
2. a running dashboard of the same registry (:mod:`mfa_tui.core.bridge`): it shows its token dialog,
   "requested by credential_process", and answers when its refresh ends, within
   :data:`~mfa_tui.core.bridge.client.WAIT` seconds;
3. otherwise it raises :class:`NeedsCodeError`: the caller's line, and in parentheses what was
   tried and why it did not help (never a code or a secret; a source's failure is its own one line).

It returns when the profile was refreshed: the caller reads the credentials again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mfa_tui.core.errors import MfaTuiError, NeedsCodeError

if TYPE_CHECKING:
    from mfa_tui.core.codes.provider import Notice
    from mfa_tui.core.service.facade import Service

FALLBACK_SUFFIX = "; enter the code yourself"
"""What the sourced provider adds to a source's failure for a person; nobody is here to do it."""


def renew_unattended(
    service: Service, name: str, needs: NeedsCodeError, *, notify: Callable[[Notice], None] | None = None,
) -> None:
    """Have ``name`` refreshed by its code source or the open dashboard, or raise (see the module)."""
    tried: list[str] = []
    why = _from_source(service, name, notify)
    if why is None:
        return
    if why:
        tried.append(f"code source: {why}")
    why = _from_dashboard(service, name)
    if why is None:
        return
    if why:
        tried.append(why)
    elif tried:
        tried.append("no dashboard is open to ask")
    if not tried:
        raise needs
    raise NeedsCodeError(f"{needs} ({'; '.join(tried)})") from None


def _from_source(service: Service, name: str, notify: Callable[[Notice], None] | None) -> str | None:
    """None when the source refreshed ``name``; "" when there is no source; else why it did not."""
    from mfa_tui.core.codes.sources import source_for

    profile = service.select([name])[0]
    if source_for(service.registry.identities.get(profile.identity)) is None:
        return ""
    failures: list[str] = []

    def tell(notice: Notice) -> None:
        if notice.kind == "fallback":
            failures.append(notice.text.split(FALLBACK_SUFFIX, 1)[0])
        elif notify is not None:
            notify(notice)

    try:
        report = service.refresh([profile], lambda _request: None, notify=tell)
    except MfaTuiError as exc:
        return str(exc)
    result = report.results.get(name)
    if result is not None and result.ok:
        return None
    if failures:
        return failures[0]
    return (result.message.removeprefix(f"profile {name}: ") if result is not None else "") or "it gave no code"


def _from_dashboard(service: Service, name: str) -> str | None:
    """None when the dashboard refreshed ``name``; "" when none is open; else why it did not."""
    from mfa_tui.core import paths
    from mfa_tui.core.bridge import client as bridge

    try:
        reason = bridge.ask(str(service.registry.path), str(paths.state_dir()), name)
    except bridge.NoDashboard:
        return ""
    except (bridge.BridgeTimeout, bridge.BridgeRefused) as exc:
        return str(exc)
    if reason is not None:
        return f"the dashboard did not refresh it: {reason}"
    return None
