"""The kept copy of the last registry that validated: used only for exactly the same inputs.

Every rule still applies to every registry that changed: an edit, a new AWS config file or a
registry with problems always goes through the full check (``registry_validate`` is made to
fail here to prove a copy was used, and to be called to prove it was not).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import cache as registry_cache
from mfa_tui.core.registry import validate as registry_validate
from mfa_tui.core.errors import RegistryError
from mfa_tui.core.models import Strategy

REPO = Path(__file__).resolve().parents[2]

BASE = """\
[settings]
theme = "mfa-light"
warn_before = "20m"

[settings.keys]
refresh = "r,ctrl+r"

[accounts.identity]
id = "111111111111"
tags = ["home"]

[accounts.dev]
id = "222222222222"
alias = "dev"
tags = ["nonprod"]

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"
account = "identity"
mfa_session_duration = "8h"

[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"
tags = ["admin"]

[profiles.dev-direct]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"
strategy = "direct"
duration = "4h"
external_id = "ext-1234"
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "config.toml"
    path.write_text(BASE)
    aws_config = tmp_path / "aws-config"
    aws_config.write_text("[default]\nregion = eu-west-1\n")
    return path, aws_config


def _no_validation(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("the registry was validated again")

    monkeypatch.setattr(registry_validate, "validate", fail)


def _copies() -> list[Path]:
    return sorted(registry_cache.cache_dir().glob("registry-*.json"))


def test_an_unchanged_registry_loads_from_its_copy_equal_to_a_full_load(files, monkeypatch):
    path, aws_config = files
    fresh = registry.load(path, aws_config_path=aws_config)
    assert len(_copies()) == 1
    _no_validation(monkeypatch)
    again = registry.load(path, aws_config_path=aws_config)
    assert again == fresh
    assert again.profiles["dev-direct"].strategy is Strategy.DIRECT
    assert again.profiles["dev-admin"].tags == ("admin",)
    assert again.accounts["dev"].tags == ("nonprod",)
    assert again.settings.keys == {"refresh": "r,ctrl+r"}
    assert again.account_for(again.profiles["dev-admin"]) is again.accounts["dev"]
    assert again.tags_for(again.profiles["dev-admin"]) == ("admin", "nonprod")


def test_the_example_registry_round_trips_through_its_copy(monkeypatch, tmp_path):
    example = tmp_path / "config.toml"
    example.write_text((REPO / "config.example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    fresh = registry.load(example)
    _no_validation(monkeypatch)
    assert registry.load(example) == fresh


def test_any_edit_is_checked_in_full(files, monkeypatch):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    calls = []
    real = registry_validate.validate
    monkeypatch.setattr(registry_validate, "validate", lambda *a, **k: calls.append(1) or real(*a, **k))
    # Same size, same mtime: only the text tells.
    stat = path.stat()
    path.write_text(BASE.replace('alias = "dev"', 'alias = "deV"'))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert registry.load(path, aws_config_path=aws_config).accounts["dev"].alias == "deV"
    assert calls == [1]


def test_a_registry_with_problems_is_never_kept_and_reports_every_problem(files):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    path.write_text(BASE.replace('duration = "4h"', 'duration = "40h"').replace('id = "222222222222"', 'id = "2222"'))
    with pytest.raises(RegistryError) as failed:
        registry.load(path, aws_config_path=aws_config)
    assert {p.where for p in failed.value.problems} == {"profiles.dev-direct.duration", "accounts.dev.id"}
    assert registry.check(path, aws_config_path=aws_config) == failed.value.problems
    with pytest.raises(RegistryError):  # and again: nothing was kept for it
        registry.load(path, aws_config_path=aws_config)


def test_a_change_in_the_aws_config_file_is_checked_again(files):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    aws_config.write_text("[profile dev-admin]\nrole_arn = arn:aws:iam::222222222222:role/Other\n")
    with pytest.raises(RegistryError) as failed:
        registry.load(path, aws_config_path=aws_config)
    assert [p.where for p in failed.value.problems] == ["profiles.dev-admin"]


def test_another_aws_config_path_is_another_input(files, tmp_path):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    other = tmp_path / "other-config"
    other.write_text("[profile alice]\nsso_session = corp\n")
    with pytest.raises(RegistryError):
        registry.load(path, aws_config_path=other)


def test_a_damaged_or_foreign_copy_means_a_full_load(files, monkeypatch):
    path, aws_config = files
    fresh = registry.load(path, aws_config_path=aws_config)
    [copy] = _copies()
    for damaged in (b"", b"{not json", b"[]", json.dumps({"inputs": {}, "registry": {}}).encode()):
        copy.write_bytes(damaged)
        assert registry.load(path, aws_config_path=aws_config) == fresh
    registry.load(path, aws_config_path=aws_config)  # a good copy again
    doc, rows = registry_cache.split(copy.read_bytes())
    first, rest = rows.split(b"\n", 1)
    row = json.loads(first)
    for damaged_rows in (json.dumps(row[:3]).encode() + b"\n" + rest,  # a row of the wrong shape
                         rows[:-1], rows + b"[]\n", b""):  # a row cut short, one too many, none
        digest = copy.read_bytes().split(b"\n", 1)[0]  # as damage leaves a copy: the digest of the good one
        copy.write_bytes(digest + b"\n" + registry_cache.joined(doc, damaged_rows).split(b"\n", 1)[1])
        assert registry.load(path, aws_config_path=aws_config) == fresh
        registry.load(path, aws_config_path=aws_config)


def test_the_copy_depends_on_the_rules_code(files):
    path, aws_config = files
    key = registry_cache.inputs(path, path.read_text(), aws_config)
    names = [entry[0] for entry in key["code"][2:]]
    assert set(names) == set(registry_cache.rule_modules())
    assert {"models.py", "registry/validate.py", "registry/load.py"} <= set(names)
    assert all(entry[1] is not None for entry in key["code"][2:]), "every rule module is fingerprinted"


def test_the_copy_is_private_and_a_read_only_cache_is_harmless(files, monkeypatch, tmp_path):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    [copy] = _copies()
    assert copy.stat().st_mode & 0o077 == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "no" / "such"))
    (tmp_path / "no").write_text("a file where the cache dir would go")
    assert registry.load(path, aws_config_path=aws_config).profiles["alice"].identity == "alice"


def test_the_copy_is_a_0600_file_in_a_0700_dir_replaced_whole(files):
    path, aws_config = files
    registry.load(path, aws_config_path=aws_config)
    path.write_text(BASE.replace("mfa-light", "mfa-dark"))
    registry.load(path, aws_config_path=aws_config)
    [copy] = _copies()
    assert copy.stat().st_mode & 0o777 == 0o600
    assert registry_cache.cache_dir().stat().st_mode & 0o777 == 0o700
    assert [p.name for p in registry_cache.cache_dir().iterdir()] == [copy.name]  # no temp file left behind


def test_no_text_of_the_inputs_is_kept_only_their_hashes(files):
    """botocore allows long-term keys in ~/.aws/config: no line of it (nor of the registry) may land in the cache."""
    path, aws_config = files
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1"
    aws_config.write_text(
        "[default]\nregion = eu-west-1\n\n"
        f"[profile legacy]\naws_access_key_id = AKIALEGACY0000000001\naws_secret_access_key = {secret}\n"
    )
    fresh = registry.load(path, aws_config_path=aws_config)
    [copy] = _copies()
    data = copy.read_text()
    assert secret not in data and "AKIALEGACY0000000001" not in data
    assert "arn:aws:iam::111111111111:mfa/alice" in data  # the validated registry itself is kept
    assert 'warn_before = "20m"' not in data  # but not the registry's text
    # Still exact: the copy serves this text and no other.
    assert registry.load(path, aws_config_path=aws_config) == fresh
    aws_config.write_text(aws_config.read_text().replace(secret, secret[::-1]))
    assert registry_cache.lookup(path, registry_cache.inputs(path, path.read_text(), aws_config)) is None


def test_a_registry_package_this_user_cannot_list_still_loads(files, monkeypatch):
    # As after `sudo pip install` into a 0700 tree, or a test clone in root's home run as a user.
    path, aws_config = files
    real_listdir = os.listdir

    def listdir(where):
        if os.path.basename(os.path.normpath(where)) == "registry":
            raise PermissionError(13, "Permission denied", where)
        return real_listdir(where)

    monkeypatch.setattr(os, "listdir", listdir)
    assert registry.load(path, aws_config_path=aws_config).profiles["alice"].identity == "alice"
    assert registry.load(path, aws_config_path=aws_config).profiles["alice"].identity == "alice"
