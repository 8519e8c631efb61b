"""The detail pane draws row by row, keeping unchanged rows, exactly as one whole grid would."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from mfa_tui.core.models import ProfileKind, ProfileStatus, State, WhoAmI
from mfa_tui.ui.widgets import detail
from mfa_tui.ui.widgets.detail import DetailPane, Extra, _Grid, _table

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _status(**changes) -> ProfileStatus:
    base = ProfileStatus(
        profile="dev-admin",
        identity="alice",
        kind=ProfileKind.CHAINED_ROLE,
        state=State.VALID,
        account_id="222222222222",
        account_alias="dev",
        role_arn="arn:aws:iam::222222222222:role/Admin",
        expires_at=NOW + timedelta(minutes=9, seconds=5),
        mfa_expires_at=NOW + timedelta(hours=11, seconds=30),
        last_refresh=NOW - timedelta(minutes=51),
        whoami=WhoAmI("arn:aws:sts::555555555555:assumed-role/Admin/alice", "555555555555", "AROA:alice",
                      NOW - timedelta(minutes=5), expected_account="222222222222"),
        assumed_role_arn="arn:aws:sts::222222222222:assumed-role/Admin/alice",
        source_identity="alice-with-a-long-source-identity",
        tags=("nonprod", "team-a"),
        mfa_serial="arn:aws:iam::111111111111:mfa/alice",
    )
    return replace(base, **changes)


CASES = [
    (_status(), Extra()),
    (_status(last_error="AccessDenied: " + "the role does not trust this user " * 12, state=State.ERROR), Extra()),
    (_status(expires_at=None, last_refresh=None, whoami=None, tags=(), mfa_serial=None), Extra(whoami_error="x" * 300)),
    (_status(state=State.REFRESHING), Extra(progress="assuming arn:aws:iam::222222222222:role/Admin")),
]


def _lines(status: ProfileStatus, extra: Extra, now: datetime):
    pane = DetailPane()
    pane._status, pane._extra = status, extra
    return pane.describe(now)


@pytest.mark.parametrize("width", [12, 20, 40, 79, 118, 158])
def test_row_by_row_is_segment_for_segment_the_whole_grid(width):
    console = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False)
    options = console.options.update(width=width, height=7)  # a height must not pad each row
    cache: dict = {}
    for seconds in range(3):  # the same cache across ticks, as the pane uses it
        for status, extra in CASES:
            lines = _lines(status, extra, NOW + timedelta(seconds=seconds))
            whole = list(console.render(_table(lines), options))
            assert list(console.render(_Grid(lines, cache), options)) == whole
            assert list(console.render(_Grid(lines, cache), options)) == whole  # from the kept rows


def test_a_tick_renders_only_the_rows_it_changed(monkeypatch):
    console = Console(width=120, color_system="truecolor", force_terminal=True, legacy_windows=False)
    options = console.options.update(width=118)
    cache: dict = {}
    status, extra = CASES[0]
    list(console.render(_Grid(_lines(status, extra, NOW), cache), options))
    rendered = []
    monkeypatch.setattr(detail, "_table", lambda rows: rendered.append(rows) or _table(rows))
    list(console.render(_Grid(_lines(status, extra, NOW + timedelta(seconds=1)), cache), options))
    # "Expires (in 9m 04s)" and "Who am I (checked … ago)" moved; "Last refresh" and the MFA session
    # (minutes) did not, nor did any other row.
    assert [label for [(label, _)] in rendered] == ["Expires", "Who am I"]
    assert len(cache) == len(_lines(status, extra, NOW))


def _text(status: ProfileStatus, extra: Extra = Extra()) -> str:
    return "\n".join(f"{label} {value.plain}" for label, value in _lines(status, extra, NOW))


def test_a_failed_refresh_beside_working_credentials_is_said_in_full():
    error = "profile dev-admin: AccessDenied: not authorized to perform sts:AssumeRole"
    text = _text(_status(expires_at=NOW + timedelta(hours=1), last_error=error))
    assert "State valid  ⚠ the last refresh failed (below); these credentials still work" in text
    assert f"Last error {error}" in text
    # An error row says it once, as its state.
    text = _text(_status(expires_at=None, state=State.ERROR, last_error=error))
    assert "⚠" not in text.splitlines()[1] and f"Last error {error}" in text


def test_states_the_credentials_file_decided_say_what_they_mean():
    assert "changed  ·  another tool wrote this profile's section" in _text(_status(state=State.CHANGED))
    assert "missing  ·  its section is gone from the credentials file" in _text(_status(state=State.MISSING))
    never = _text(_status(state=State.MISSING, expires_at=None))
    assert "State missing" in never and "section" not in never


def test_a_remint_backing_off_says_when_it_tries_again():
    assert "Re-mint failed 2 times in a row; next try after 2m" in _text(
        _status(), Extra(remint="failed 2 times in a row; next try after 2m, at 12:02:00 UTC")
    )
