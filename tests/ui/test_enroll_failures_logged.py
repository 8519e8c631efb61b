"""Issue 14: a failed resync or delete in the enrolment pane is in the activity log (``l``) with
its one-line reason, as successes are; never the codes."""

from __future__ import annotations

from app_support import make_app
from pilot_support import wait_for

from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from tests.ui.test_enroll_leftovers import _open_pane


async def test_failed_resync_and_delete_are_in_the_activity_log(service, demo_world, local_aws):
    serial = demo_world.alice_serial
    app = make_app(service)  # no refresh first: alice has no live MFA session, so the delete fails
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _open_pane(pilot, app)
        before = len(app.activity)
        await pilot.press("r", *"000000", *"000001", "enter")  # not this device's codes
        await wait_for(pilot, lambda: pane.busy is None and "-error" in pane.query_one("#status").classes,
                       "the failed resync")
        resync_reason = pane.status_text
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the delete question")
        await pilot.press("y")
        await wait_for(pilot, lambda: pane.busy is None and pane.status_text != f"Deleting {serial}…"
                       and "-error" in pane.query_one("#status").classes, "the failed delete")
        delete_reason = pane.status_text
        assert "refresh" in delete_reason, delete_reason
        entries = app.activity.entries[before:]
        assert [(e.kind, e.severity) for e in entries] == [("enrolment", "error")] * 2, entries
        assert entries[0].text == f"MFA device {serial} resync failed for identity alice: {resync_reason}"
        assert entries[1].text.startswith(f"MFA device {serial} delete failed for identity alice: ")
        assert "no live MFA session: press r on alice first" in entries[1].text  # dashboard words
        assert not any(code in e.text for code in ("000000", "000001") for e in app.activity.entries)
