"""The detail pane's "Access key" line: the identity's key id and age, read on its live MFA session."""

from __future__ import annotations

from datetime import timedelta

from app_support import SIZE, main_screen, make_app, move_to, wait_for
from refresh_support import Codes

from mfa_tui.localaws import backends


async def test_the_detail_pane_shows_the_key_age_once_a_session_is_live(service, demo_world, frozen_clock):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await move_to(pilot, "alice")
        screen = main_screen(app)
        assert "Access key" not in screen.detail.plain_text  # no live MFA session: nothing to read it with
        assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed
        screen.rows.check()
        await wait_for(pilot, lambda: "Access key" in screen.detail.plain_text, "the key age line")
        line = next(x for x in screen.detail.plain_text.splitlines() if x.startswith("Access key"))
        assert demo_world.alice.access_key_id in line and "old" in line and "key_max_age" not in line
        assert demo_world.alice.secret_access_key not in screen.detail.plain_text


async def test_an_old_key_says_to_rotate(service, demo_world, frozen_clock):
    for key in backends.user("111111111111", "alice").access_keys:
        key.create_date = (frozen_clock.now() - timedelta(days=120)).replace(tzinfo=None)
    assert not service.refresh(service.select(["alice"]), Codes(demo_world)).failed
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await move_to(pilot, "alice")
        screen = main_screen(app)
        await wait_for(pilot, lambda: "key_max_age" in screen.detail.plain_text, "the rotate advice")
        assert "mfa-tui keys rotate alice" in screen.detail.plain_text
