"""The palette's "Import from AWS Organizations": the plan is shown, and written only on Write (issue 19)."""

from __future__ import annotations

from textual.command import CommandList
from textual.widgets import Input, Static

from mfa_tui.core.registry import load as registry
from mfa_tui.ui.screens.org_import import OrgImportScreen

from app_support import SIZE, main_screen, make_app, wait_for
from localaws_fixtures import admin_client, admin_keys


def make_org(world) -> str:
    client = admin_client(world.aws, "organizations", "111111111111")
    account = client.create_account(Email="shop@example.com", AccountName="Shop Front")["CreateAccountStatus"]["AccountId"]
    key, secret = admin_keys("111111111111")
    with world.credentials_path.open("a") as f:
        f.write(f"\n[org-admin]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
    with world.aws_config_path.open("a") as f:
        f.write(f"\n[profile org-admin]\nregion = us-east-1\nendpoint_url = {world.endpoint}\n")
    return account


async def test_palette_import_shows_the_plan_then_writes(service, demo_world):
    account = make_org(demo_world)
    before = demo_world.config_path.read_bytes()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Import from AWS")
        hits = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: hits.option_count > 0, "palette hits")
        await pilot.pause(0.3)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OrgImportScreen), "the import dialog")
        dialog = app.screen
        dialog.query_one("#org-from", Input).value = "org-admin"
        dialog.query_one("#org-roles", Input).value = "Admin"
        dialog.query_one("#org-identity", Input).value = "alice"
        dialog.make_plan()
        await wait_for(pilot, lambda: dialog.plan is not None, "the plan", timeout=30)
        shown = str(dialog.query_one("#org-plan", Static).render())
        assert "shop-front-admin" in shown and "Would add to" in shown and account in shown
        assert demo_world.config_path.read_bytes() == before  # nothing written before Write
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, OrgImportScreen), "the dialog to close")
    loaded = registry.load(demo_world.config_path)
    assert loaded.profiles["shop-front-admin"].role_arn == f"arn:aws:iam::{account}:role/Admin"


async def test_a_failed_plan_is_one_line_and_writes_nothing(service, demo_world):
    make_org(demo_world)
    before = demo_world.config_path.read_bytes()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(OrgImportScreen(service))
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#org-from", Input).value = "nobody"
        dialog.query_one("#org-roles", Input).value = "Admin"
        dialog.make_plan()
        error = dialog.query_one("#org-error", Static)
        await wait_for(pilot, lambda: "nobody" in str(error.render()), "the error line", timeout=30)
        assert "\n" not in str(error.render()).strip()
        await pilot.press("ctrl+s")  # no plan: nothing happens
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OrgImportScreen), "the dialog to close")
    assert demo_world.config_path.read_bytes() == before
