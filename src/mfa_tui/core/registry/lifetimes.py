"""The rule across [settings] and the entries: every session in use must outlast ``warn_before``.

A session no longer than ``settings.warn_before`` counts as "expiring" from the moment it is
made, so it would never be left alone. :func:`check_lifetimes` runs on the validated settings,
identities and profiles (the same lengths a refresh asks for) and reports each too-short length
once, through ``add(where, message)`` as :mod:`mfa_tui.core.registry.refs` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mfa_tui.core.clock import format_setting
from mfa_tui.core.models import CHAINED_ROLE_MAX, Identity, Profile, ProfileKind, Settings
from mfa_tui.core.registry.checks import show, shown
from mfa_tui.core.registry.text import format_path

Where = tuple[str, ...]

_SESSION_KINDS = {
    "mfa": ("an", "MFA session", "would count as expiring from the moment it is made, so every refresh would ask for a code"),
    "chained": ("a", "chained role", "would count as expiring as soon as it is minted, so the dashboard would re-mint it every 30 s"),
    "direct": ("a", "direct role", "would count as expiring as soon as it is written, so every refresh asks for a code for it again"),
}
"""A session kind -> its article, its name, and what a warn_before at least as long as it does."""


def _lifetimes(settings: Settings, identity: Identity | None, profile: Profile) -> Iterator[tuple[Where, int, str, str]]:
    """For each session ``profile`` needs: where its length is set, its seconds, its kind, who uses it.

    The same lengths a refresh asks for (:meth:`Registry.mfa_duration`, a role's duration or the
    default role_duration, chained roles held to AWS's 1-hour cap).
    """
    if identity is not None and profile.kind is not ProfileKind.DIRECT_ROLE:
        own = identity.mfa_session_duration
        source = ("identities", identity.name, "mfa_session_duration") if own else ("settings", "mfa_session_duration")
        yield source, own or settings.mfa_session_duration, "mfa", format_path(("identities", identity.name))
    if profile.kind is ProfileKind.MFA_SESSION:
        return
    chained = profile.kind is ProfileKind.CHAINED_ROLE
    user = format_path(("profiles", profile.name))
    if profile.duration:
        yield ("profiles", profile.name, "duration"), profile.duration, "chained" if chained else "direct", user
    elif chained:
        yield ("settings", "role_duration"), min(settings.role_duration, CHAINED_ROLE_MAX), "chained", user
    else:
        yield ("settings", "role_duration"), settings.role_duration, "direct", user


def check_lifetimes(
    raw: dict, settings: Settings, identities: dict[str, Identity], profiles: dict[str, Profile],
    add: Callable[[Where, str], None],
) -> None:
    """Sessions no longer than warn_before: "expiring" from the moment they are made, so never left alone.

    Only the sessions in use are checked. A length that comes from [settings] is reported once
    (at warn_before when that is set), naming the first entry that uses it.
    """
    table = raw.get("settings", {})
    warn = settings.warn_before
    short: dict[tuple[Where, str], tuple[int, dict[str, None]]] = {}
    for profile in profiles.values():
        for source, seconds, kind, user in _lifetimes(settings, identities.get(profile.identity), profile):
            if seconds <= warn:
                short.setdefault((source, kind), (seconds, {}))[1][user] = None
    for (source, kind), (seconds, users) in short.items():
        article, noun, outcome = _SESSION_KINDS[kind]
        used_by = next(iter(users)) + (f" and {len(users) - 1} more" if len(users) > 1 else "")
        length = format_setting(seconds)
        if source[0] == "settings" and "warn_before" in table:
            basis = format_path(source) + ("" if source[-1] in table else ", the default")
            if kind == "chained" and settings.role_duration > CHAINED_ROLE_MAX:
                basis = f"{format_path(source)} {format_setting(settings.role_duration)}, held to AWS's 1-hour cap for chained roles"
            add(
                ("settings", "warn_before"),
                f"{shown(table['warn_before'], warn)} is not shorter than the {length} {article} {noun} lasts "
                f"({basis}; used by {used_by}): the {noun} {outcome}; set warn_before below {length}",
            )
            continue
        written: Any = raw
        for key in source:
            written = written[key]
        default = "" if "warn_before" in table else ", the default"
        used = f" (used by {used_by})" if source[0] == "settings" else ""
        add(
            source,
            f"{show(written)} is not longer than settings.warn_before ({format_setting(warn)}{default}): the {noun}{used} "
            f"{outcome}; make it longer than warn_before, or warn_before shorter",
        )
