"""The dashboard with a code source (issue 16): ``R`` needs no keypress; a failed source falls back to the dialog.

alice's registry entry gets a source (the stub ``pass``/``ykman`` of tests/stubs, on PATH, computing
codes at the frozen clock's time); the frozen clock's ``sleep`` makes the direct role's wait for
the next step instant. What the source does shows as the row's progress (the detail pane's
"Progress" line); the token dialog is never pushed unless the source fails.
"""

from __future__ import annotations

from app_support import SIZE, Recorder, enter_code, main_screen, make_app, settle, token_dialog, wait_for
from code_stub_support import code_stubs, set_source  # noqa: F401 - code_stubs is a fixture

from mfa_tui.core.models import State
from mfa_tui.ui.messages import CodeWanted, RowProgress


async def test_R_with_a_command_source_refreshes_everything_with_no_keypress(service, demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command=["pass", "otp", "aws/alice"])
    service.reload_registry()
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await pilot.press("R")
        await settle(pilot)
        for name in demo_world.profiles:
            assert screen.table.state_of(name) is State.VALID, name
        assert not [m for m in record.messages if isinstance(m, CodeWanted)]  # no dialog, no typing
        assert any("profiles refreshed" in n for n in record.notes_titled("Refresh"))
        said = [m.progress.message for m in record.messages if isinstance(m, RowProgress)]
        assert "getting a code from `pass otp aws/alice`" in said
        # The direct role's code is a step later: its row counted down to it.
        assert any(text.startswith("waiting ") and "for the next code" in text for text in said)
    assert len(code_stubs.calls()) == 2


async def test_a_failed_ykman_falls_back_to_the_dialog_with_the_reason(service, demo_world, code_stubs):
    set_source(demo_world, code_source="ykman", ykman_account="AWS:alice")
    service.reload_registry()
    code_stubs.mode("fail")
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        assert screen.table.move_cursor("alice")
        await pilot.press("r")
        dialog = await token_dialog(pilot)
        assert dialog.note.startswith("`ykman oath accounts code --single AWS:alice` failed (exit 1): ERROR: ")
        assert dialog.note.endswith("; enter the code yourself")
        assert "failed (exit 1)" in str(dialog.query_one("#token-note").render())  # shown, not just held
        await enter_code(pilot, demo_world.code())
        await settle(pilot)
        assert screen.table.state_of("alice") is State.VALID


async def test_escape_stops_a_source_that_hangs_and_skips_its_profiles(service, demo_world, code_stubs):
    set_source(demo_world, code_source="command", code_command=["op", "item", "get", "AWS", "--otp"])
    service.reload_registry()
    code_stubs.mode("hang")
    record = Recorder()
    app = make_app(service)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = main_screen(app)
        await pilot.press("R")

        def running() -> bool:
            return any(isinstance(m, RowProgress) and m.progress.message.startswith("getting a code") for m in record.messages)

        await wait_for(pilot, running, "the source to run")
        await pilot.press("escape")
        await settle(pilot, timeout=20)  # not the source's 15 s, nor an hour: it was killed
        assert screen.table.state_of("alice") is State.MISSING
        assert not [m for m in record.messages if isinstance(m, CodeWanted)]
