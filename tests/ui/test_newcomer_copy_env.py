"""``C`` copies the selected row's ``env`` block, what ``mfa-tui env`` prints (issue 14, clipboard).

The block holds the secret key and the session token (the user asked for them, as with ``env``);
the notification names the profile and never a secret.
"""

from __future__ import annotations

from app_support import SIZE, Recorder, main_screen, make_app, move_to, refresh_one, settle

from mfa_tui.core.service.env import env_values, export_lines


async def test_C_copies_the_env_block_and_tells_no_secret(service, demo_world):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        main_screen(app)
        await refresh_one(pilot, "dev-admin", demo_world.code())
        await pilot.press("C")
        await settle(pilot)
        expected = "\n".join(export_lines(env_values(service, "dev-admin"), "sh")) + "\n"
        assert app.clipboard == expected
        assert "AWS_SESSION_TOKEN=" in app.clipboard
        notes = record.notes_titled("Clipboard")
        assert notes and "dev-admin" in notes[-1]
        values = env_values(service, "dev-admin")
        for note in record.notes:
            assert values["AWS_SECRET_ACCESS_KEY"] not in note and values["AWS_SESSION_TOKEN"] not in note


async def test_C_on_a_profile_that_needs_a_code_says_which_key_to_press(service, demo_world):
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await move_to(pilot, "dev-admin")
        await pilot.press("C")
        await settle(pilot)
        assert app.clipboard == ""
        assert any("dev-admin" in n and "press r" in n for n in record.notes), record.notes
