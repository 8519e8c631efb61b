"""``c`` copies the selected row's ARN to the clipboard (issue 14, item 7).

The ARN is the role session the credentials are (AssumeRole's answer), else who-am-I's answer
(an MFA session's user), else the role the registry names. The notification names the profile
and the ARN, never a credential.
"""

from __future__ import annotations

import configparser

from app_support import SIZE, Recorder, main_screen, make_app, move_to, refresh_one, settle

from mfa_tui.ui.commands import DashboardCommands


async def test_c_copies_the_assumed_role_arn_of_the_selected_row(service, demo_world):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        arn = screen.table.get_row("dev-admin").assumed_role_arn
        assert arn and arn.startswith("arn:aws:sts::222222222222:assumed-role/Admin/")
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == arn
        assert f"Copied the ARN of dev-admin: {arn}" in record.notes_titled("Clipboard")
        # Never a secret in a notification.
        credentials = configparser.ConfigParser()
        credentials.read(demo_world.credentials_path)
        section = credentials["dev-admin"]
        for key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            assert not any(section[key] in note for note in record.notes), key


async def test_c_copies_the_registry_role_before_any_refresh(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await move_to(pilot, "prod-admin")
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == "arn:aws:iam::444444444444:role/Admin"


async def test_c_on_an_mfa_session_copies_who_am_is_answer_once_known(service, demo_world):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await move_to(pilot, "alice")
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == ""
        assert any(n.startswith("alice: no ARN known yet; w asks AWS") for n in record.notes)
        await refresh_one(pilot, "alice", demo_world.code())
        await pilot.press("w")
        await settle(pilot)
        who = screen.table.get_row("alice").whoami
        assert who is not None
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == who.arn


async def test_copy_is_in_help_and_the_palette(service):
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        hits = {str(hit.display): str(hit.help) async for hit in DashboardCommands(screen).discover()}
        assert "key c" in hits["Copy ARN"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert {e.id: e.display for e in app.screen.entries}["copy_arn"] == "c"
