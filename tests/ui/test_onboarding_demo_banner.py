"""The demo banner follows the registry (issue 14): a re-pointed identity shows its new device's
code, and a deleted device is said to be gone instead of a frozen or failing line."""

from __future__ import annotations

import pyotp
from app_support import SIZE, make_app
from localaws_fixtures import admin_client
from pilot_support import settle

from mfa_tui.cli.dashboard_cmd import demo_info
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.ui.widgets.demo_code import DemoCode


def _banner(app) -> str:
    return app.screen.query_one(DemoCode).render().plain


async def test_the_banner_follows_the_registry_and_says_when_the_device_is_gone(
    service, demo_world, local_aws, frozen_clock
):
    app = make_app(service, demo=demo_info(local_aws, demo_world))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"code {local_aws.current_code(demo_world.alice_serial)}" in _banner(app)

        # What enrolment does: a new device for alice, enabled, and the registry re-pointed to it.
        iam = demo_world.client("iam", "alice")
        created = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
        new_serial = created["SerialNumber"]
        totp = pyotp.TOTP(local_aws.device_seed(new_serial))
        step = int(frozen_clock.now().timestamp()) // 30
        iam.enable_mfa_device(UserName="alice", SerialNumber=new_serial,
                              AuthenticationCode1=totp.generate_otp(step), AuthenticationCode2=totp.generate_otp(step + 1))
        registry_edit.set_value(demo_world.config_path, ("identities", "alice"), "mfa_serial", new_serial)
        service.reload_registry()
        app.screen.query_one(DemoCode).update_code()
        await pilot.pause()
        shown = _banner(app)
        assert f"code {local_aws.current_code(new_serial)}" in shown and "device alice-phone" in shown

        # The device deleted (e → d in the dashboard, or `mfa-tui enroll alice --delete`).
        admin = admin_client(demo_world.aws, "iam")  # the force-MFA policy denies both to long-term keys
        admin.deactivate_mfa_device(UserName="alice", SerialNumber=new_serial)
        admin.delete_virtual_mfa_device(SerialNumber=new_serial)
        app.screen.query_one(DemoCode).update_code()
        await pilot.pause()
        shown = _banner(app)
        assert shown.startswith("Demo authenticator · alice · ")
        assert "device alice-phone no longer exists" in shown and "unexpected" not in shown
