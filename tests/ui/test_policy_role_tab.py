"""The policy pane on a role profile: the role's tab is one key away, and its trust policy says whether MFA is required."""

from __future__ import annotations

from textual.widgets import Static, TabbedContent

from mfa_tui.ui.screens.policy import PolicyScreen
from mfa_tui.ui.textual_private import screen_lines
from tests.ui.test_policy_screen import SIZE, Host, alice_service, plain, refresh, settle  # noqa: F401


async def test_n_reaches_the_role_tab_which_shows_its_trust_policy(demo_world, alice_service):  # noqa: F811
    refresh(alice_service, demo_world, "dev-admin")
    app = Host(PolicyScreen(alice_service, "dev-admin"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        user, role = app.policy.panes
        tabs = app.policy.query_one(TabbedContent)
        assert tabs.active == "tab-0" and app.focused is user.table
        await pilot.press("n")
        await pilot.pause()
        assert tabs.active == "tab-1" and app.focused is role.table
        info = plain(role.query_one(".info", Static))
        assert "Trust policy: requires MFA for user/alice" in info
        policies = plain(role.query_one(".policy-list", Static))
        assert "trust policy  trust · role Admin" in policies
        assert "aws:MultiFactorAuthPresent" in policies
        assert "Trust policy" not in plain(user.query_one(".info", Static))  # users have none
        await pilot.press("n")  # and round again
        await pilot.pause()
        assert tabs.active == "tab-0"
        # The footer shows the key.
        assert "Next tab" in screen_lines(app.screen)[-1], screen_lines(app.screen)[-1]


async def test_after_adding_an_action_plus_changes_the_age(demo_world, alice_service):  # noqa: F811
    app = Host(PolicyScreen(alice_service, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.policy
        age = screen.mfa_age
        await pilot.press("a", *"s3:GetObject", "enter")
        await pilot.pause()
        await pilot.press("plus")
        await pilot.pause()
        assert screen.mfa_age == age + 300
        assert screen.query_one("#action").value == ""
