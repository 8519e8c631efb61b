"""Snapshot tests of the dashboard (pytest-textual-snapshot), each paired with an assertion on content.

The scene is fixed: a hand-written registry, a session state written directly (no AWS call),
a frozen clock at 2026-01-01 12:00:00 UTC, a 120×40 terminal and an explicit theme. A snapshot
alone can "pass" on a blank, crashed screen (docs/libraries.md, "Snapshot tests can pass on a blank screen"), so every ``run_before`` first
asserts what the screen must show. Update with ``pytest tests/ui/test_snapshots.py --snapshot-update``
after a deliberate change, and look at the SVGs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pilot_support import screen_text
from planted import plant

from mfa_tui.core.registry import load as registry_mod
from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.models import Credentials, State, WhoAmI
from mfa_tui.core.session.refresh import CodeRequest
from mfa_tui.core.service.facade import Service
from mfa_tui.core.session.state import SessionState, StateStore
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.dialogs.token import TokenDialog
from mfa_tui.ui.widgets.demo_code import DemoInfo

SIZE = (120, 40)
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
SERIAL = "arn:aws:iam::111111111111:mfa/alice"
PROD_ADMIN_ERROR = (
    "profile prod-admin: AccessDenied: User: arn:aws:sts::111111111111:federated-user/alice is not authorized "
    "to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/Admin (the role's trust policy "
    "does not allow this user, or requires MFA)"
)

REGISTRY = f"""
[settings]
theme = "mfa-dark"
warn_before = "15m"

[accounts.identity]
id = "111111111111"
tags = ["core"]

[accounts.dev]
id = "222222222222"
tags = ["nonprod"]

[accounts.staging]
id = "333333333333"
tags = ["nonprod"]

[accounts.prod]
id = "444444444444"
tags = ["prod"]

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "{SERIAL}"
account = "identity"

[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"

[profiles.dev-readonly]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/ReadOnly"

[profiles.staging-admin]
identity = "alice"
role_arn = "arn:aws:iam::333333333333:role/Admin"

[profiles.prod-admin]
identity = "alice"
role_arn = "arn:aws:iam::444444444444:role/Admin"

[profiles.prod-readonly]
identity = "alice"
role_arn = "arn:aws:iam::444444444444:role/ReadOnly"

[profiles.prod-readonly-direct]
identity = "alice"
role_arn = "arn:aws:iam::444444444444:role/ReadOnly"
strategy = "direct"
duration = "4h"
"""


def _creds(left: timedelta) -> Credentials:
    # Placeholder values: the dashboard never shows credentials, and these reach no AWS.
    return Credentials("ASIAEXAMPLEEXAMPLE00", "not-a-secret", "not-a-token", NOW + left)


ROLES = {
    # profile: (time left, role ARN, refreshed ago)
    "dev-admin": (timedelta(minutes=42), "arn:aws:iam::222222222222:role/Admin", timedelta(minutes=18)),
    "dev-readonly": (timedelta(minutes=9, seconds=5), "arn:aws:iam::222222222222:role/ReadOnly", timedelta(minutes=51)),
    "staging-admin": (timedelta(minutes=-3), "arn:aws:iam::333333333333:role/Admin", timedelta(hours=1, minutes=3)),
    "prod-readonly-direct": (timedelta(hours=3, minutes=10), "arn:aws:iam::444444444444:role/ReadOnly",
                             timedelta(minutes=50)),
}


def _write_state(service: Service) -> None:
    """The scene's sessions, committed as a refresh leaves them, then the fields a refresh dates or adds."""
    mfa = _creds(timedelta(hours=11, minutes=20))

    def edit(state: SessionState) -> None:
        state.profile("alice").last_refresh = NOW - timedelta(minutes=40)
        for name, (_left, role_arn, refreshed_ago) in ROLES.items():
            p = state.profile(name)
            p.last_refresh = NOW - refreshed_ago
            account, role_name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[1]
            p.assumed_role_arn = f"arn:aws:sts::{account}:assumed-role/{role_name}/alice"
        state.profile("dev-admin").whoami = WhoAmI(
            "arn:aws:sts::222222222222:assumed-role/Admin/alice", "222222222222", "AROAEXAMPLE:alice",
            NOW - timedelta(minutes=5), expected_account="222222222222",
        )
        state.profile("staging-admin").whoami = WhoAmI(
            "arn:aws:sts::555555555555:assumed-role/Admin/alice", "555555555555", "AROAEXAMPLE:alice",
            NOW - timedelta(hours=1), expected_account="333333333333",
        )

    plant(
        service,
        sessions={"alice": mfa},
        profiles={"alice": mfa, **{name: _creds(left) for name, (left, _arn, _ago) in ROLES.items()}},
        failures={"prod-admin": PROD_ADMIN_ERROR},
        edit=edit,
    )


@pytest.fixture
def scene(tmp_path: Path):
    """A ready app factory over the fixed scene."""
    path = tmp_path / "config.toml"
    path.write_text(REGISTRY)
    aws_config = tmp_path / "aws-config"
    registry = registry_mod.load(path, aws_config_path=aws_config)
    clock = FrozenClock(NOW)
    store = StateStore(tmp_path / "state", clock=clock)

    def make_service() -> Service:
        return Service(
            registry, clock=clock, state_store=store, credentials_path=tmp_path / "credentials",
            aws_config_path=aws_config, session_name="alice",
        )

    _write_state(make_service())

    def build(theme: str = "mfa-dark", demo: bool = False) -> MfaTuiApp:
        service = make_service()
        info = DemoInfo("alice", SERIAL, current_code=lambda: "123456", endpoint="http://127.0.0.1:5000") if demo else None
        app = MfaTuiApp(service, demo=info, remint_every=None, save_theme=False)
        app.theme = theme
        return app

    return build


def _main(app):
    screen = app.main_screen
    assert screen is not None
    return screen


async def _check_main(pilot) -> None:
    screen = _main(pilot.app)
    table = screen.table
    assert table.row_count == 7
    assert table.state_of("alice") is State.VALID
    assert table.state_of("dev-readonly") is State.EXPIRING
    assert table.state_of("staging-admin") is State.EXPIRED
    assert table.state_of("prod-admin") is State.ERROR
    assert table.state_of("prod-readonly") is State.MISSING
    assert table.get_row("staging-admin").whoami.mismatch


def test_main_screen_dark_with_demo_code(snap_compare, scene):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await _check_main(pilot)
        screen = _main(pilot.app)
        screen.table.move_cursor("dev-admin")
        await pilot.pause()
        assert "arn:aws:sts::222222222222:assumed-role/Admin/alice" in screen.detail.plain_text
        assert "in 42m" in screen.detail.plain_text
        assert "code 123456" in str(screen.query_one("#demo-code").render())
        assert pilot.app.theme == "mfa-dark"
        # Every key in the footer at 120 columns, the new-session key and the palette included.
        footer = screen_text(pilot.app).splitlines()[-1]
        assert "N New session" in footer and "w W Whoami" in footer and "t Theme" in footer and "Palette" in footer

    assert snap_compare(scene("mfa-dark", demo=True), terminal_size=SIZE, run_before=run_before)


def test_main_screen_light(snap_compare, scene):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await _check_main(pilot)
        screen = _main(pilot.app)
        screen.table.move_cursor("staging-admin")
        await pilot.pause()
        assert "555555555555, but the registry says 333333333333" in screen.detail.plain_text
        assert pilot.app.theme == "mfa-light"

    assert snap_compare(scene("mfa-light"), terminal_size=SIZE, run_before=run_before)


def test_token_dialog(snap_compare, scene):
    request = CodeRequest(
        identity="alice", serial=SERIAL,
        profiles=("alice", "dev-admin", "dev-readonly", "staging-admin", "prod-admin", "prod-readonly", "extra-1", "extra-2"),
        purpose="mfa-session", wait_seconds=12,
        error="identity alice (arn:aws:iam::111111111111:mfa/alice): AWS refused the MFA code: wrong, or already used",
        attempt=2,
    )

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await app.push_screen(TokenDialog(request, _main(app).service.clock))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TokenDialog)
        assert str(dialog.query_one("#token-device").render()) == SERIAL
        assert "and 2 more (8 profiles)" in str(dialog.query_one("#token-unlocks").render())
        assert "Wait 12s" in str(dialog.query_one("#token-wait").render())
        assert "30s left in this step" in str(dialog.query_one("#token-step").render())
        assert dialog.query_one("#token-submit").disabled

    assert snap_compare(scene("mfa-dark"), terminal_size=SIZE, run_before=run_before)


def test_error_row_with_its_full_reason(snap_compare, scene):
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = _main(pilot.app)
        screen.table.move_cursor("prod-admin")
        await pilot.pause()
        assert screen.table.state_of("prod-admin") is State.ERROR
        assert PROD_ADMIN_ERROR in screen.detail.plain_text

    assert snap_compare(scene("mfa-high-contrast"), terminal_size=SIZE, run_before=run_before)


DIRECT_ERROR = "profile prod-readonly-direct: AccessDenied: the role's trust policy does not allow this user"


def test_a_changed_row_and_a_failed_refresh_beside_working_credentials(snap_compare, scene, tmp_path):
    """Another tool rewrote dev-admin's section; the last refresh of prod-readonly-direct failed, its credentials still work."""
    app = scene("mfa-dark")
    plant(app.service, failures={"prod-readonly-direct": DIRECT_ERROR})
    credentials = tmp_path / "credentials"
    text = credentials.read_text()
    start = text.index("[dev-admin]")
    end = text.index("[", start + 1) if "[" in text[start + 1:] else len(text)
    section = text[start:end].replace("ASIAEXAMPLEEXAMPLE00", "ASIAANOTHERTOOL00000")
    credentials.write_text(text[:start] + section + text[end:])

    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = _main(pilot.app)
        table = screen.table
        assert table.state_of("dev-admin") is State.CHANGED
        assert table.state_of("prod-readonly-direct") is State.VALID
        assert table.get_row("prod-readonly-direct").last_error == DIRECT_ERROR
        table.move_cursor("prod-readonly-direct")
        await pilot.pause()
        assert "⚠ the last refresh failed (below); these credentials still work" in screen.detail.plain_text
        assert DIRECT_ERROR in screen.detail.plain_text
        shown = screen_text(pilot.app)
        assert re.search(r"dev-admin .* changed ", shown) and re.search(r"prod-readonly-direct .* valid ⚠ ", shown)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
