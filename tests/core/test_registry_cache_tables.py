"""The registry copy keeps a field shared by every row of a table once (bench figure 4 at fleet scale).

Whatever is shared and whatever differs, the copy loads equal to a full load, with the models'
own types (tuples, the strategy enum); a damaged shared part means a full load.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mfa_tui.core.models import Strategy
from mfa_tui.core.registry import cache as registry_cache
from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import validate as registry_validate

HEAD = """\
[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

[identities.bob]
source_profile = "bob-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/bob"
code_source = "command"
code_command = ["echo", "123456"]
"""


def _fleet(n: int, *, vary: bool) -> str:
    out = [HEAD]
    for i in range(n):
        out.append(f'[accounts.a{i}]\nid = "{200000000000 + i}"\ntags = ["t"]\n')
        extra = f'strategy = "direct"\nduration = "2h"\ntags = ["x{i}", "y"]\nregion = "eu-west-1"\n' if vary and i % 3 == 0 else 'tags = ["same"]\n'
        identity = "bob" if vary and i % 2 else "alice"
        out.append(
            f'[profiles.p{i}]\nidentity = "{identity}"\nrole_arn = "arn:aws:iam::{200000000000 + i}:role/Admin"\n{extra}'
        )
    return "\n".join(out)


def _copy() -> Path:
    [copy] = registry_cache.cache_dir().glob("registry-*.json")
    return copy


def _loads_from_copy_equal(path: Path, monkeypatch) -> object:
    fresh = registry.load(path)
    with monkeypatch.context() as m:
        m.setattr(registry_validate, "validate", lambda *a, **k: (_ for _ in ()).throw(AssertionError("validated again")))
        again = registry.load(path)
    assert again == fresh
    for name, profile in fresh.profiles.items():
        got = again.profiles[name]
        assert type(got.strategy) is Strategy and type(got.tags) is tuple
        assert [getattr(got, f) for f in registry_cache._FIELDS[type(got)]] == [
            getattr(profile, f) for f in registry_cache._FIELDS[type(got)]
        ]
    assert list(again.profiles) == list(fresh.profiles)
    return again


@pytest.mark.parametrize("n, vary", [(1, False), (12, False), (12, True)])
def test_shared_and_differing_fields_load_equal(isolated_home, monkeypatch, n, vary):
    path = isolated_home / "config.toml"
    path.write_text(_fleet(n, vary=vary))
    again = _loads_from_copy_equal(path, monkeypatch)
    doc = json.loads(_copy().read_bytes())["registry"]
    same = doc["profiles_same"]
    assert "name" not in same and all(len(row) + len(same) == len(registry_cache._FIELDS[type(p)])
                                      for row, p in zip(doc["profiles"], again.profiles.values()))
    if not vary:
        assert same["identity"] == "alice" and same["tags"] == ["same"] and same["strategy"] == "chained"
    else:
        assert "identity" not in same and "strategy" not in same and "tags" not in same
        assert again.profiles["p0"].strategy is Strategy.DIRECT and again.profiles["p0"].tags == ("x0", "y")
    assert again.identities["bob"].code_command == ("echo", "123456")


def test_a_damaged_shared_part_means_a_full_load(isolated_home):
    path = isolated_home / "config.toml"
    path.write_text(_fleet(4, vary=False))
    fresh = registry.load(path)
    copy = _copy()
    good = json.loads(copy.read_bytes())
    for damage in (
        lambda r: r.pop("profiles_same"),
        lambda r: r.__setitem__("profiles_same", ["identity"]),
        lambda r: r["profiles_same"].__setitem__("name", "p0"),  # the key is never shared
        lambda r: r["profiles_same"].__setitem__("colour", "red"),  # not a field
        lambda r: r["profiles_same"].__setitem__("strategy", "sideways"),
        lambda r: r["profiles_same"].pop("identity"),  # the rows are then one field short
    ):
        doc = json.loads(json.dumps(good))
        damage(doc["registry"])
        copy.write_bytes(json.dumps(doc).encode())
        assert registry.load(path) == fresh
