"""Issue 14: the enrolment pane at 60x20 (the side column scrolls; the status line and the footer's
resync and delete keys stay on screen), and a default device name that skips a device left behind."""

from __future__ import annotations

from localaws_fixtures import admin_client
from pilot_support import wait_for
from textual.widgets import Input

from mfa_tui.ui.screens.enroll import EnrollScreen
from tests.ui.test_enroll_screen import Host, _flow, screen_text, settle


def _visible(screen, widget) -> bool:
    """The widget is laid out with a non-empty region inside the screen's and its scroll parent's."""
    region = widget.region
    parent = widget.parent
    return bool(region.area) and screen.region.contains_region(region) and (
        parent is None or parent.region.contains_region(region))


async def test_status_line_and_resync_delete_keys_fit_at_60x20(demo_world, local_aws):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = app.enroll
        status = screen.query_one("#status")
        assert _visible(screen, status), (status.region, screen.region)
        lines = screen_text(app).splitlines()
        assert "Press c to create" in " ".join(lines), lines
        footer = lines[-1]
        assert "r Resync" in footer and "d Delete" in footer, footer
        assert "c Create" in footer and "esc Back" in footer, footer

        await pilot.press("r")  # resync the selected device: the status says so, the fields show
        await pilot.pause()
        assert "Resync arn:aws:iam::111111111111:mfa/alice" in " ".join(screen_text(app).split())
        first = screen.query_one("#code1", Input)
        assert screen.focused is first
        side = screen.query_one("#side")
        # The field is scrolled into sight after the refresh that lays the new status line out
        # (EnrollScreen._status): on a loaded machine that refresh can come after a single pause.
        await wait_for(pilot, lambda: side.scrollable_content_region.contains_region(first.region),
                       f"the code field in sight ({first.region} in {side.scrollable_content_region})", timeout=5)


async def test_the_side_column_scrolls_at_60x20(demo_world, local_aws):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        side = app.enroll.query_one("#side")
        assert side.max_scroll_y > 0, "the side column is taller than the screen: it must scroll"
        side.scroll_end(animate=False)
        await pilot.pause()
        assert side.scroll_y == side.max_scroll_y > 0


async def test_the_default_name_skips_a_device_left_behind(demo_world, local_aws):
    """Issue 14: an unassigned device alice-2 (a cancelled enrolment's) is still in IAM."""
    admin_client(demo_world.aws, "iam").create_virtual_mfa_device(VirtualMFADeviceName="alice-2")
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.enroll.query_one("#name", Input).value == "alice-3"


async def test_the_focused_code_field_stays_in_sight_after_create(demo_world, local_aws):
    app = Host(EnrollScreen(_flow(demo_world, "alice")))
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.pause()
        screen = app.enroll
        first = screen.query_one("#code1", Input)
        assert screen.focused is first and screen.status_text.startswith("Created ")
        side = screen.query_one("#side")
        # The field is scrolled into sight after the refresh that lays the new status line out
        # (EnrollScreen._status): on a loaded machine that refresh can come after a single pause.
        await wait_for(pilot, lambda: side.scrollable_content_region.contains_region(first.region),
                       f"the code field in sight ({first.region} in {side.scrollable_content_region})", timeout=5)
