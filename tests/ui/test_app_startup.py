"""Start-up: boto3 stays unimported until the first AWS call, and demo mode's environment stays inside its HOME."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from mfa_tui.cli.dashboard_cmd import demo_environment

REGISTRY = """
[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"
"""


def test_the_dashboard_draws_its_first_frame_without_importing_boto3(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(REGISTRY)
    script = textwrap.dedent(
        f"""
        import sys
        from mfa_tui.core.service.facade import Service
        from mfa_tui.ui.app import MfaTuiApp

        app = MfaTuiApp(Service.open({str(config)!r}), remint_every=None, save_theme=False)
        seen = {{}}

        async def auto(pilot):
            await pilot.pause()
            seen["rows"] = app.main_screen.table.row_count
            app.exit()

        app.run(headless=True, size=(120, 40), auto_pilot=auto)
        print(seen["rows"], "boto3" in sys.modules, "botocore" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["2", "False", "False"]


def test_demo_environment_points_every_path_into_the_throwaway_home(tmp_path: Path):
    env = demo_environment(tmp_path)
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        assert Path(env[var]).is_relative_to(tmp_path), var
    assert "127.0.0.1" in env["NO_PROXY"].split(",")
