"""``[settings.keys]`` in the registry validation: unknown binding ids, and a key given to two actions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mfa_tui.core.registry import keymap
from mfa_tui.core.registry import load as registry

BASE = """\
[settings]
theme = "mfa-dark"

[settings.keys]
{keys}

[accounts.identity]
id = "111111111111"

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"
account = "identity"

[profiles.alice]
identity = "alice"
"""


def problems(tmp_path: Path, keys: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(BASE.format(keys=keys))
    return [f"{p.where}: {p.message}" for p in registry.check(path)]


def test_rebinding_to_free_keys_is_valid(tmp_path):
    assert problems(tmp_path, 'refresh_all = "R,ctrl+r"\nwhoami = "i"\n"policy.reload" = "ctrl+l"') == []


def test_an_unknown_binding_id_gets_did_you_mean(tmp_path):
    assert problems(tmp_path, 'refesh_all = "x"') == [
        "settings.keys.refesh_all: unknown binding id; did you mean refresh_all?"
    ]
    assert problems(tmp_path, 'zzzz = "x"') == [
        "settings.keys.zzzz: unknown binding id; press ? in the dashboard for the binding ids"
    ]


def test_a_key_taken_from_a_default_binding_is_reported(tmp_path):
    # whoami = "r" used to leave Refresh silently without a key.
    assert problems(tmp_path, 'whoami = "r"') == [
        "settings.keys.whoami: key 'r' is also bound to refresh (its default): one of them would have no key; give it another"
    ]


def test_two_rebound_actions_sharing_a_key_are_reported_once(tmp_path):
    found = problems(tmp_path, 'whoami = "x"\nrefresh = "x, r"')
    assert len(found) == 1 and "key 'x' is also bound to" in found[0], found


def test_keys_written_as_characters_are_compared_by_name(tmp_path):
    found = problems(tmp_path, 'theme = "?"')
    assert found == [
        "settings.keys.theme: key 'question_mark' is also bound to help (its default): one of them would have no key; give it another"
    ]


def test_the_same_key_in_different_views_is_fine(tmp_path):
    # r reloads in the policy pane and refreshes on the main screen: different views.
    assert problems(tmp_path, '"policy.reload" = "r,l"\n"enroll.resync" = "r"') == []


def test_config_check_reports_both(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(BASE.format(keys='whoami = "r"\nrefersh = "F5"'))
    result = subprocess.run([sys.executable, "-m", "mfa_tui", "config", "check", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "settings.keys.refersh: unknown binding id; did you mean refresh?" in result.stdout
    assert "settings.keys.whoami: key 'r' is also bound to refresh" in result.stdout
    assert "Traceback" not in result.stderr


def test_every_action_has_a_known_scope():
    scopes = {scope for view in keymap.VIEWS.values() for scope in view}
    assert {scope for scope, _keys in keymap.ACTIONS.values()} <= scopes
