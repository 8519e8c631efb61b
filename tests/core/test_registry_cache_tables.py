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
    doc, rows = registry_cache.split(_copy().read_bytes())
    same = doc["registry"]["profiles_same"]
    rows = [json.loads(line) for line in rows.splitlines()]
    assert doc["registry"]["profiles"] == [row[0] for row in rows] == list(again.profiles)
    assert "name" not in same and all(len(row) + len(same) == len(registry_cache._FIELDS[type(p)])
                                      for row, p in zip(rows, again.profiles.values()))
    if not vary:
        assert same["identity"] == "alice" and same["tags"] == ["same"] and same["strategy"] == "chained"
    else:
        assert "identity" not in same and "strategy" not in same and "tags" not in same
        assert again.profiles["p0"].strategy is Strategy.DIRECT and again.profiles["p0"].tags == ("x0", "y")
    assert again.identities["bob"].code_command == ("echo", "123456")


def _load_each_damaged(path: Path, damages) -> list:
    """The registry loaded once per damage done to a fresh copy of its cached copy's ``registry`` part.

    Each damage gets the ``registry`` part with ``rows``: the profiles' rows, decoded, which it may
    damage too; the copy keeps the digest of the good one, as damage would leave it.
    """
    copy = _copy()
    good = copy.read_bytes()
    out = []
    for damage in damages:
        doc, rows = registry_cache.split(good)
        doc["registry"]["rows"] = [json.loads(line) for line in rows.splitlines()]
        damage(doc["registry"])
        rows = b"".join(json.dumps(row, separators=(",", ":")).encode() + b"\n" for row in doc["registry"].pop("rows"))
        # As damage leaves a copy: its digest (first line) the one written with the good parts.
        copy.write_bytes(good.split(b"\n", 1)[0] + b"\n" + registry_cache.joined(doc, rows).split(b"\n", 1)[1])
        loaded = registry.load(path)
        assert {**loaded.profiles} == loaded.profiles  # every profile usable, now and later
        out.append(loaded)
        copy.write_bytes(good)
    return out


def test_a_damaged_shared_part_means_a_full_load(isolated_home):
    path = isolated_home / "config.toml"
    path.write_text(_fleet(4, vary=False))
    fresh = registry.load(path)
    loaded = _load_each_damaged(path, (
        lambda r: r.pop("profiles_same"),
        lambda r: r.__setitem__("profiles_same", ["identity"]),
        lambda r: r["profiles_same"].__setitem__("name", "p0"),  # the key is never shared
        lambda r: r["profiles_same"].__setitem__("colour", "red"),  # not a field
        lambda r: r["profiles_same"].__setitem__("strategy", "sideways"),
        lambda r: r["profiles_same"].pop("identity"),  # the rows are then one field short
    ))
    assert loaded == [fresh] * 6


def test_a_damaged_row_means_a_full_load_before_any_profile_is_used(isolated_home):
    # The copy's profiles are built on first use; every row is still checked when the copy is read,
    # so a damaged one can never surface later as an error in whatever looks that profile up.
    path = isolated_home / "config.toml"
    path.write_text(_fleet(6, vary=True))
    fresh = registry.load(path)
    strategy = registry_cache._FIELDS[type(fresh.profiles["p0"])].index("strategy")
    loaded = _load_each_damaged(path, (
        lambda r: r["rows"][4].pop(),  # one field short
        lambda r: r["rows"][5].__setitem__(strategy, "sideways"),  # not a strategy
        lambda r: r["rows"].__setitem__(3, "p3"),  # not a row
        lambda r: r["rows"].pop(),  # a row missing
        lambda r: r["profiles"].pop(),  # a name missing
        lambda r: r["rows"].__setitem__(2, r["rows"][1]),  # a row swapped for another
    ))
    assert loaded == [fresh] * 6
    assert all(one.profiles["p3"].strategy is Strategy.DIRECT for one in loaded)


def test_profiles_from_the_copy_act_as_a_read_only_dict(isolated_home, monkeypatch):
    path = isolated_home / "config.toml"
    path.write_text(_fleet(5, vary=True))
    fresh = registry.load(path)
    again = _loads_from_copy_equal(path, monkeypatch)
    profiles = again.profiles
    assert profiles["p2"] is profiles["p2"] is profiles.get("p2")  # one model per profile, however often looked up
    assert profiles.get("nope") is None and profiles.get("nope", 7) == 7 and "nope" not in profiles
    with pytest.raises(KeyError):
        profiles["nope"]
    assert len(profiles) == 5 and "p4" in profiles and list(profiles.keys()) == list(fresh.profiles)
    assert dict(profiles) == fresh.profiles == profiles and {**profiles} == fresh.profiles
    assert [p.name for p in profiles.values()] == list(fresh.profiles)


def test_after_many_lookups_the_rest_are_built_at_once_keeping_those_built(isolated_home, monkeypatch):
    path = isolated_home / "config.toml"
    path.write_text(_fleet(registry_cache.Models.BULK * 2 + 5, vary=True))
    fresh = registry.load(path)
    profiles = _loads_from_copy_equal(path, monkeypatch).profiles  # compared whole: all built already
    again = registry.load(path).profiles
    early = {name: again[name] for name in list(again)[:registry_cache.Models.BULK + 1]}  # the last one builds the rest
    assert all(again[name] is model for name, model in early.items())
    assert dict(again) == fresh.profiles == dict(profiles) and list(again.values()) == list(fresh.profiles.values())
