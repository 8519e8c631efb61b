"""The words of the dashboard's end-of-run notifications: refresh, re-mint, who-am-I.

Pure functions from core results to ``Summary(text, severity)``, so the main screen only shows
them and the wording is tested without an app. Every text is built from profile names, ARNs and
the core's one-line error messages, never from credentials.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING, NamedTuple

from mfa_tui.core.errors import CancelledError, MfaTuiError
from mfa_tui.core.models import WhoAmI

if TYPE_CHECKING:
    from mfa_tui.core.session.refresh import RefreshReport  # a type only: loaded on first refresh

SHOWN_FAILURES = 3
"""Failures spelled out in one notification; the rest are counted (each row's detail has them all)."""
SHOWN_NAMES = 5
"""Profiles named in a list such as "Not tried: a, b and 3 more"."""


class Summary(NamedTuple):
    text: str
    severity: str
    """Textual's notification severity: "information", "warning" or "error"."""

    @property
    def timeout(self) -> float:
        """Seconds on screen: problems stay longer than good news."""
        return 5 if self.severity == "information" else 10


def severity(ok: int, failed: int) -> str:
    if failed and not ok:
        return "error"
    return "warning" if failed else "information"


def refresh_summary(report: RefreshReport) -> Summary:
    """``7 profiles refreshed, 1 failed.`` and the failures' reasons, each distinct reason once.

    When nothing was refreshed and nothing failed (every profile skipped), it says why instead of
    counting zeros: ``Nothing refreshed: no code entered. 7 profiles keep their previous credentials.``
    """
    if not report.results:
        return Summary("Nothing to refresh: every profile is valid.", "information")
    ok = len(report.succeeded)
    # A skip (Escape in the token dialog, or a cancelled run) is the user's choice, not a
    # failure: it is counted apart and worded calmly.
    from mfa_tui.core.session.refresh import CANCEL_REASON  # loaded with the report

    skipped = report.skipped
    cancelled = [r.profile for r in skipped if r.message == CANCEL_REASON]
    failures = [f for f in report.failed if not f.skipped]
    if ok or failures:
        first = (f"{_profiles(ok)} refreshed, " if ok else "Nothing refreshed: ") + ", ".join(report.outcome())
        first = first.removesuffix(", ") + "."
    else:
        reasons = dict.fromkeys(_skip_reason(r.message) for r in skipped)
        keep = "keeps its" if len(skipped) == 1 else "keep their"
        first = f"Nothing refreshed: {'; '.join(reasons)}. {_profiles(len(skipped))} {keep} previous credentials."
    lines = [first]
    if cancelled:
        lines.append(f"Not tried: {name_list(cancelled)}")
    lines += distinct_failures([(f.profile, f.message) for f in failures])
    level = severity(ok, len(failures)) if failures else "warning" if skipped and not ok else "information"
    return Summary("\n".join(lines), level)


def _profiles(count: int) -> str:
    from mfa_tui.core.session.refresh import profile_count  # the core's wording; loaded with the report

    return profile_count(count)


def _skip_reason(message: str) -> str:
    """Why a profile was skipped, without the engine's "skipped: " prefix ("no code entered", "cancelled")."""
    return message.removeprefix("skipped: ")


def distinct_failures(failures: list[tuple[str, str]], shown: int = SHOWN_FAILURES) -> list[str]:
    """One line per distinct failure message (``(profile, message)`` pairs), in first-seen order.

    A message several profiles share (a refused code fails every profile it was for, and "profile
    NAME: no credentials" differs only in the name the core puts first) is said once, with the
    profiles it hit; past ``shown`` distinct messages the rest are counted.
    """
    by_message: dict[str, list[tuple[str, str]]] = {}
    for profile, message in failures:
        by_message.setdefault(message.removeprefix(f"profile {profile}: "), []).append((profile, message))
    lines = [
        hits[0][1] if len(hits) == 1 else f"{reason} ({_profiles(len(hits))}: {name_list([p for p, _m in hits])})"
        for reason, hits in list(by_message.items())[:shown]
    ]
    if len(by_message) > shown:
        more = len(by_message) - shown
        lines.append(f"… and {more} more error{'s' * (more != 1)} (see each row's detail)")
    return lines


def name_list(names: list[str], shown: int = SHOWN_NAMES) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 3 more``."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def refresh_warnings(report: RefreshReport) -> list[str]:
    """Warnings worth showing even on success (a clamped duration, a retried role), each once."""
    return list(dict.fromkeys([w for r in report.results.values() for w in r.warnings] + report.warnings))


def remint_summary(report: RefreshReport, news: Collection[str] | None = None) -> Summary | None:
    """None when there is nothing to say (the timer runs quietly).

    ``news``: the failure messages worth a notification (the timer's re-mint tells a failure once,
    until its error changes); None: every failure.
    """
    ok = len(report.succeeded)
    failures = [f for f in report.failed if not f.skipped and (news is None or f.message in news)]
    if not ok and not failures:
        return None
    text = f"Re-minted {ok} role{'s' * (ok != 1)} without a code" if ok else "Nothing re-minted"
    if failures:
        reasons = distinct_failures([(f.profile, f.message) for f in failures])
        text += f"; {len(failures)} failed" + (f": {reasons[0]}" if len(reasons) == 1 else ":\n" + "\n".join(reasons))
    return Summary(text, severity(ok, len(failures)))


def whoami_summary(results: dict[str, WhoAmI | MfaTuiError]) -> Summary:
    """One profile: its ARN (or why not). Several: how many checked, in the wrong account, not checked."""
    good = [r for r in results.values() if isinstance(r, WhoAmI)]
    mismatched = [n for n, r in results.items() if isinstance(r, WhoAmI) and r.mismatch]
    # Cancelled (escape) before it was tried: the user's choice, counted apart like a refresh's skips.
    cancelled = [n for n, r in results.items() if isinstance(r, CancelledError)]
    failed = [r for r in results.values() if not isinstance(r, WhoAmI | CancelledError)]
    if len(results) == 1:
        name, result = next(iter(results.items()))
        text = f"{name}: {result.arn}" if isinstance(result, WhoAmI) else str(result)
        if isinstance(result, WhoAmI) and result.mismatch:
            text += f"\n⚠ account {result.account}, but the registry says {result.expected_account}"
    else:
        text = f"{len(good)} checked"
        if mismatched:
            text += f", {len(mismatched)} in another account than the registry says ({', '.join(mismatched[:3])})"
        reasons = distinct_failures([(n, str(r)) for n, r in results.items()
                                     if not isinstance(r, WhoAmI | CancelledError)])
        if failed:
            text += f", {len(failed)} not checked" + (f": {reasons[0]}" if len(reasons) == 1 else "")
        if cancelled:
            text += f", {len(cancelled)} skipped (cancelled)"
        if len(reasons) > 1:
            text += "\n" + "\n".join(reasons)
    level = "error" if failed and not good else "warning" if failed or mismatched or cancelled else "information"
    return Summary(text, level)


_CLI_HINTS = (
    # A core message names the command that fixes it (the CLI prints the same words); the dashboard
    # names its key instead. "--adopt" has no key, so "`mfa-tui refresh NAME --adopt`" stays.
    (re.compile(r"(?:run )?`mfa-tui refresh ([^`\s]+)`"), r"press r on \1"),
    (re.compile(r"(?:with |run )?`mfa-tui enroll ([^`\s]+)`"), r"with e on a row of identity \1"),
)


def dashboard_words(text: str) -> str:
    """``text`` (a core message) with the CLI commands it suggests turned into the dashboard's keys."""
    if "`mfa-tui " not in text:
        return text
    for pattern, keys in _CLI_HINTS:
        text = pattern.sub(keys, text)
    return text
