"""Adding, editing and removing profiles and accounts from the dashboard, through the exact editor."""

from __future__ import annotations

from app_support import SIZE, Recorder, main_screen, make_app, move_to, settle, wait_for
from textual.widgets import Input, Select

from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.registry_forms import AccountForm, ProfileForm


def fill(form, **values: str) -> None:
    for widget_id, value in values.items():
        form.query_one(f"#form-{widget_id}", Input).value = value


async def open_form(pilot, key: str, kind):
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


async def test_n_adds_a_profile_appended_to_the_registry_and_shown(service, demo_world):
    before = demo_world.config_path.read_text()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "n", ProfileForm)
        fill(form, name="staging-ops", role="arn:aws:iam::333333333333:role/Admin", duration="30m", tags="ops, new")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the form to close")
        text = demo_world.config_path.read_text()
        assert text == before + (
            '\n[profiles.staging-ops]\nidentity = "alice"\nrole_arn = "arn:aws:iam::333333333333:role/Admin"\n'
            'duration = "30m"\ntags = ["ops", "new"]\n'
        )
        screen = main_screen(app)
        assert screen.table.get_row("staging-ops") is not None
        assert "staging-ops" in service.registry.profiles
        assert app.activity.entries[-1].kind == "registry" and "staging-ops added" in app.activity.entries[-1].text


async def test_bad_input_is_one_line_in_the_form_and_nothing_is_written(service, demo_world):
    before = demo_world.config_path.read_bytes()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "n", ProfileForm)
        error = lambda: str(form.query_one("#form-error").render())  # noqa: E731
        fill(form, name="DEFAULT")
        await pilot.press("ctrl+s")
        assert error().startswith('Name: a profile cannot be named "DEFAULT"')
        fill(form, name="dev-admin")
        await pilot.press("ctrl+s")
        assert error() == "profiles.dev-admin: already exists; nothing was written"
        fill(form, name="x", role="arn:aws:iam::1:role/A")
        await pilot.press("ctrl+s")
        assert error().startswith("Role ARN: expected")
        # Passes the form's checks, but the registry's: a chained role lasts at most 1h.
        fill(form, role="arn:aws:iam::333333333333:role/Admin", duration="2h")
        await pilot.press("ctrl+s")
        assert "profiles.x.duration" in error() and "nothing was written" in error() and "\n" not in error()
        assert isinstance(app.screen, ProfileForm)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")
    assert demo_world.config_path.read_bytes() == before


async def test_E_edits_the_selected_profile_changing_only_what_changed(service, demo_world):
    before = demo_world.config_path.read_text()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await move_to(pilot, "prod-readonly-direct")
        form = await open_form(pilot, "E", ProfileForm)
        assert form.query_one("#form-name", Input).disabled
        assert form.query_one("#form-strategy", Select).value == "direct"
        fill(form, duration="2h")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the form to close")
        assert demo_world.config_path.read_text() == before.replace(
            'strategy = "direct"\nduration = "4h"', 'strategy = "direct"\nduration = "2h"'
        )
        assert service.registry.profiles["prod-readonly-direct"].duration == 7200
        # Unchanged values write nothing.
        await move_to(pilot, "dev-admin")
        form = await open_form(pilot, "E", ProfileForm)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the form to close")
        assert demo_world.config_path.read_text().count("\n") == before.count("\n")


async def test_d_removes_the_selected_profile_after_confirming(service, demo_world):
    before = demo_world.config_path.read_text()
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await move_to(pilot, "staging-readonly")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")
        assert demo_world.config_path.read_text() == before
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")
        assert demo_world.config_path.read_text() == before.replace(
            '[profiles.staging-readonly]\nidentity = "alice"\nrole_arn = "arn:aws:iam::333333333333:role/ReadOnly"\n'
            'duration = "1h"\n\n', ""
        )
        assert main_screen(app).table.get_row("staging-readonly") is None


async def test_accounts_are_added_and_removed_but_not_while_used(service, demo_world):
    before = demo_world.config_path.read_text()
    notes = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=notes) as pilot:
        await settle(pilot)
        form = await open_form(pilot, "A", AccountForm)
        fill(form, name="sandbox", id="555555555555", alias="sand box")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the form to close")
        assert demo_world.config_path.read_text() == before + '\n[accounts.sandbox]\nid = "555555555555"\nalias = "sand box"\n'
        screen = main_screen(app)
        titles = [c.title for c in screen.palette_commands()]
        assert "Remove account: sandbox" in titles and "Remove account: staging" in titles
        screen.edits.remove_account("staging")
        await pilot.pause()
        assert notes.notes_titled("Registry")[-1] == (
            "Account staging not removed: staging-admin, staging-readonly still use it."
        )
        screen.edits.remove_account("sandbox")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")
        assert demo_world.config_path.read_text() == before
        assert "sandbox" not in service.registry.accounts
