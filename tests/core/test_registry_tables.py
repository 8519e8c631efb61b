"""Removing a table and setting several keys at once: exact edits, refusals that write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_tui.core.errors import RegistryError
from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry.tables import remove_table, set_values

DOC = """\
# my registry
[settings]
theme = "mfa-dark"   # the dark one

# ── accounts ──
[accounts.dev]
id = "222222222222"
tags = [
    "nonprod",  # why not
    "dev",
]

[accounts.spare]
# kept for later
id = "333333333333"
alias = "spare"   # a comment

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

# ── profiles ──
[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"   # admin
# trailing note of dev-admin
"""


@pytest.fixture
def reg(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(DOC.encode())
    return path


def test_remove_a_middle_table_keeps_every_other_byte(reg):
    remove_table(reg, ("accounts", "spare"))
    expected = DOC.replace('[accounts.spare]\n# kept for later\nid = "333333333333"\nalias = "spare"   # a comment\n\n', "")
    assert reg.read_text() == expected
    assert reg.with_name("config.toml.bak").read_text() == DOC
    assert "spare" not in registry.load(reg).accounts


def test_remove_a_table_under_a_section_comment_keeps_the_comment(reg):
    remove_table(reg, ("profiles", "alice"))
    assert reg.read_text() == DOC.replace('[profiles.alice]\nidentity = "alice"\n\n', "")


def test_remove_the_last_table_leaves_one_final_newline(reg):
    remove_table(reg, ("profiles", "dev-admin"))
    text = reg.read_text()
    assert text == DOC.split("\n[profiles.dev-admin]")[0]
    assert text.endswith('identity = "alice"\n')


def test_remove_keeps_crlf_and_bom(tmp_path):
    path = tmp_path / "config.toml"
    doc = "\ufeff" + DOC.replace("\n", "\r\n")
    path.write_bytes(doc.encode())
    remove_table(path, ("accounts", "spare"))
    cut = '[accounts.spare]\r\n# kept for later\r\nid = "333333333333"\r\nalias = "spare"   # a comment\r\n\r\n'
    assert path.read_bytes() == doc.replace(cut, "").encode()


def test_remove_refuses_a_missing_table_and_a_result_that_would_not_validate(reg):
    with pytest.raises(RegistryError, match="not in the registry"):
        remove_table(reg, ("profiles", "nope"))
    with pytest.raises(RegistryError, match="nothing was written"):
        remove_table(reg, ("identities", "alice"))  # profiles still name it
    assert reg.read_text() == DOC
    assert not reg.with_name("config.toml.bak").exists()


def test_set_values_changes_several_keys_in_one_write(reg):
    set_values(reg, ("profiles", "dev-admin"), {"strategy": "direct", "duration": 1800, "tags": ["x"]})
    assert reg.read_text() == DOC.replace(
        "# admin\n", '# admin\nstrategy = "direct"\nduration = 1800\ntags = ["x"]\n'
    )
    loaded = registry.load(reg).profiles["dev-admin"]
    assert loaded.duration == 1800 and loaded.tags == ("x",)


def test_set_values_refuses_a_change_valid_only_in_part(reg):
    with pytest.raises(RegistryError, match="only applies to role profiles"):
        set_values(reg, ("profiles", "dev-admin"), {"strategy": "direct", "role_arn": None})
    assert reg.read_text() == DOC


def test_set_values_replaces_in_place_and_keeps_comments(reg):
    set_values(reg, ("profiles", "dev-admin"), {"role_arn": "arn:aws:iam::222222222222:role/Viewer"})
    assert reg.read_text() == DOC.replace("role/Admin", "role/Viewer")


def test_set_values_unchanged_writes_nothing_and_bad_results_write_nothing(reg):
    set_values(reg, ("profiles", "alice"), {"identity": "alice"})
    assert not reg.with_name("config.toml.bak").exists()
    with pytest.raises(RegistryError, match="nothing was written"):
        set_values(reg, ("profiles", "alice"), {"identity": "bob"})
    with pytest.raises(RegistryError, match="not a table"):
        set_values(reg, ("profiles", "ghost"), {"identity": "alice"})
    assert reg.read_text() == DOC


EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.mark.parametrize("group", ["profiles", "accounts"])
def test_removing_any_table_of_the_example_cuts_one_piece_and_keeps_the_rest(tmp_path, group):
    import tomllib

    original = EXAMPLE.read_text()
    names = list(tomllib.loads(original)[group])
    removed = 0
    for name in names:
        path = tmp_path / "config.toml"
        path.write_text(original)
        try:
            remove_table(path, (group, name), aws_config_path=tmp_path / "none")
        except RegistryError as exc:
            assert "nothing was written" in str(exc) and path.read_text() == original
            continue
        removed += 1
        new = path.read_text()
        # One contiguous piece went: the new text is a head and a tail of the old one.
        cut = next(i for i in range(len(new) + 1) if i == len(new) or new[i] != original[i])
        assert original.endswith(new[cut:]) and len(new) < len(original)
        size = len(original) - len(new)
        pieces = [original[cut:cut + size]]
        while cut > 0 and original[cut - 1] == original[cut - 1 + size]:  # the same cut, shifted left
            cut -= 1
            pieces.append(original[cut:cut + size])
        assert any(p.lstrip("\n").startswith(f"[{group}.{name}]") and p.count("\n[") <= 1 for p in pieces), pieces
        expected = tomllib.loads(original)
        del expected[group][name]
        assert tomllib.loads(new) == expected
    assert removed
