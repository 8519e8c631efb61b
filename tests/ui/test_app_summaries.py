"""The wording of the dashboard's end-of-run notifications (pure functions, no app)."""

from __future__ import annotations

from datetime import UTC, datetime

from mfa_tui.core.errors import NeedsCodeError
from mfa_tui.core.models import WhoAmI
from mfa_tui.core.session.refresh import SKIP_REASON, ProfileResult, RefreshReport
from mfa_tui.ui.summaries import refresh_summary, refresh_warnings, remint_summary, whoami_summary

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def report(ok: int, failed: int, warning: str | None = None) -> RefreshReport:
    results = {f"ok{i}": ProfileResult(f"ok{i}", ok=True, warnings=[warning] if warning and i == 0 else []) for i in range(ok)}
    results.update({f"bad{i}": ProfileResult(f"bad{i}", ok=False, message=f"profile bad{i}: AccessDenied") for i in range(failed)})
    return RefreshReport(results=results)


def test_refresh_summary_counts_and_names_the_first_failures():
    assert refresh_summary(report(3, 0)) == ("3 profiles refreshed.", "information")
    text, level = refresh_summary(report(2, 5))
    assert level == "warning"
    # The same error, said once with the profiles it hit (issue 14).
    assert text.splitlines() == ["2 profiles refreshed, 5 failed.", "AccessDenied (5 profiles: bad0, bad1, bad2, bad3, bad4)"]
    assert refresh_summary(report(0, 1)).severity == "error"
    assert refresh_summary(RefreshReport()).text.startswith("Nothing to refresh")
    skipped = report(0, 0)
    skipped.results["s"] = ProfileResult("s", ok=False, message=SKIP_REASON, skipped=True)
    assert refresh_summary(skipped) == (
        "Nothing refreshed: no code entered. 1 profile keeps its previous credentials.", "warning"
    )
    assert refresh_warnings(report(1, 0, warning="capped at 1 hour")) == ["capped at 1 hour"]


def test_remint_summary_is_quiet_when_nothing_was_due():
    assert remint_summary(RefreshReport()) is None
    assert remint_summary(report(1, 0)) == ("Re-minted 1 role without a code", "information")
    assert remint_summary(report(2, 1)).text == "Re-minted 2 roles without a code; 1 failed: profile bad0: AccessDenied"


def test_whoami_summary_flags_accounts_that_differ_from_the_registry():
    good = WhoAmI("arn:aws:sts::222222222222:assumed-role/Admin/a", "222222222222", "X", NOW, "222222222222")
    wrong = WhoAmI("arn:aws:sts::555555555555:assumed-role/Admin/a", "555555555555", "X", NOW, "333333333333")
    assert whoami_summary({"dev": good}) == (f"dev: {good.arn}", "information")
    one_wrong = whoami_summary({"stg": wrong})
    assert "555555555555, but the registry says 333333333333" in one_wrong.text
    many = whoami_summary({"dev": good, "stg": wrong, "prod": NeedsCodeError("profile prod: refresh it first")})
    assert many.text == "2 checked, 1 in another account than the registry says (stg), 1 not checked: profile prod: refresh it first"
    assert many.severity == "warning"
    assert whoami_summary({"prod": NeedsCodeError("profile prod: refresh it first")}).severity == "error"


def test_a_cancelled_refresh_counts_and_names_the_profiles_not_tried():
    from mfa_tui.core.session.refresh import CANCEL_REASON

    cancelled = report(2, 0)
    for name in ("c1", "c2", "c3", "c4", "c5", "c6"):
        cancelled.results[name] = ProfileResult(name, ok=False, message=CANCEL_REASON, skipped=True)
    text, level = refresh_summary(cancelled)
    assert text.splitlines() == [
        "2 profiles refreshed, 6 skipped (cancelled; they keep their previous credentials).",
        "Not tried: c1, c2, c3, c4, c5 and 1 more",
    ]
    assert level == "information"
    cancelled.results["s"] = ProfileResult("s", ok=False, message=SKIP_REASON, skipped=True)
    assert refresh_summary(cancelled).text.startswith(
        "2 profiles refreshed, 7 skipped (6 cancelled; they keep their previous credentials)."
    )


def test_a_cancelled_whoami_is_skipped_not_failed():
    from mfa_tui.core.errors import CancelledError

    who = WhoAmI("arn:aws:sts::222222222222:assumed-role/Admin/alice", "222222222222", "AROA:alice", NOW)
    results = {"a": who, "b": CancelledError("profile b: cancelled before it ran"),
               "c": CancelledError("profile c: cancelled before it ran")}
    assert whoami_summary(results) == ("1 checked, 2 skipped (cancelled)", "warning")
    results["d"] = NeedsCodeError("profile d: no credentials yet")
    assert whoami_summary(results).text == "1 checked, 1 not checked: profile d: no credentials yet, 2 skipped (cancelled)"


def test_remint_summary_tells_only_the_news():
    failing = report(0, 2)
    assert remint_summary(failing, news=[]) is None
    assert remint_summary(failing, news=["profile bad1: AccessDenied"]) == (
        "Nothing re-minted; 1 failed: profile bad1: AccessDenied", "error"
    )
    assert remint_summary(failing).text == "Nothing re-minted; 2 failed: AccessDenied (2 profiles: bad0, bad1)"
