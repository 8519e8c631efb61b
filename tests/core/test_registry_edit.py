"""Changing the registry: exact edits that keep every other byte, refusals that write nothing."""

from __future__ import annotations

import os
import stat
import threading
import tomllib
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.errors import FileError, RegistryError

REPO = Path(__file__).resolve().parents[2]

DOC = """\
# my registry
[settings]
theme = "mfa-dark"   # the dark one
  warn_before = "15m"

# ── accounts ──
[accounts.dev]
id = "222222222222"
tags = [
    "nonprod",  # why not
    "dev",
]

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

# ── profiles ──
[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"
"""


@pytest.fixture
def reg(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(DOC)
    return path


def bak(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


# -- set_value ------------------------------------------------------------------------------


def test_replace_keeps_trailing_comment_and_every_other_byte(reg):
    registry_edit.set_value(reg, ("settings",), "theme", "mfa-light")
    assert reg.read_text() == DOC.replace('theme = "mfa-dark"   # the dark one', 'theme = "mfa-light"   # the dark one')
    assert bak(reg).read_text() == DOC
    assert registry.load(reg).settings.theme == "mfa-light"


def test_same_value_is_a_byte_for_byte_no_op(reg):
    before = os.stat(reg)
    registry_edit.set_value(reg, ("settings",), "theme", "mfa-dark")
    registry_edit.set_value(reg, ("accounts", "dev"), "tags", ["nonprod", "dev"])
    registry_edit.set_value(reg, ("accounts", "dev"), "tags", ("nonprod", "dev"))
    assert reg.read_text() == DOC
    assert os.stat(reg).st_mtime_ns == before.st_mtime_ns and os.stat(reg).st_ino == before.st_ino
    assert not bak(reg).exists()


def test_same_text_but_different_type_is_written(reg):
    registry_edit.set_value(reg, ("settings",), "warn_before", 900)
    assert '  warn_before = 900\n' in reg.read_text()


def test_multi_line_value_is_replaced_whole(reg):
    registry_edit.set_value(reg, ("accounts", "dev"), "tags", ["x"])
    expected = DOC.replace('tags = [\n    "nonprod",  # why not\n    "dev",\n]', 'tags = ["x"]')
    assert reg.read_text() == expected


def test_insert_goes_after_the_tables_last_key(reg):
    registry_edit.set_value(reg, ("identities", "alice"), "region", "eu-west-1")
    assert reg.read_text() == DOC.replace(
        'mfa_serial = "arn:aws:iam::111111111111:mfa/alice"\n',
        'mfa_serial = "arn:aws:iam::111111111111:mfa/alice"\nregion = "eu-west-1"\n',
    )


def test_insert_keeps_the_previous_lines_indentation(reg):
    registry_edit.set_value(reg, ("settings",), "refresh_concurrency", 4)
    assert reg.read_text() == DOC.replace('  warn_before = "15m"\n', '  warn_before = "15m"\n  refresh_concurrency = 4\n')


def test_insert_into_a_table_with_no_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[settings]\n# nothing yet\n\n[settings.keys]\n")
    registry_edit.set_value(path, ("settings",), "theme", "x")
    assert path.read_text() == '[settings]\ntheme = "x"\n# nothing yet\n\n[settings.keys]\n'


def test_append_a_missing_table(reg):
    registry_edit.set_value(reg, ("settings", "keys"), "refresh_all", "R,ctrl+r")
    assert reg.read_text() == DOC + '\n[settings.keys]\nrefresh_all = "R,ctrl+r"\n'


def test_append_to_a_file_without_final_newline(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[settings]\ntheme = "a"')
    registry_edit.set_value(path, ("settings",), "warn_before", "1m")
    assert path.read_text() == '[settings]\ntheme = "a"\nwarn_before = "1m"\n'


def test_remove_a_key(reg):
    registry_edit.set_value(reg, ("settings",), "theme", None)
    assert reg.read_text() == DOC.replace('theme = "mfa-dark"   # the dark one\n', "")
    registry_edit.set_value(reg, ("settings",), "theme", None)  # already gone: no-op
    registry_edit.set_value(reg, ("nothing", "here"), "x", None)
    assert bak(reg).read_text() == DOC


def test_crlf_and_bom_are_kept(tmp_path):
    path = tmp_path / "c.toml"
    original = ("\ufeff" + DOC).replace("\n", "\r\n").encode()
    path.write_bytes(original)
    registry_edit.set_value(path, ("identities", "alice"), "region", "eu-west-1")
    registry_edit.set_value(path, ("settings",), "theme", "x")
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\n" not in data.replace(b"\r\n", b"")
    assert data == original.replace(b'"mfa-dark"', b'"x"').replace(
        b'mfa/alice"\r\n', b'mfa/alice"\r\nregion = "eu-west-1"\r\n'
    )


def test_dotted_keys_fall_back_to_a_full_rewrite_with_backup(tmp_path):
    path = tmp_path / "c.toml"
    original = '# comment\n[settings]\nkeys.quit = "q"\n'
    path.write_text(original)
    registry_edit.set_value(path, ("settings", "keys"), "help", "?")
    assert tomllib.loads(path.read_text()) == {"settings": {"keys": {"quit": "q", "help": "?"}}}
    assert path.read_text() == registry_edit.dumps({"settings": {"keys": {"quit": "q", "help": "?"}}})
    assert bak(path).read_text() == original


def test_set_value_creates_a_missing_registry(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    registry_edit.set_value(path, ("settings",), "theme", "mfa-light")
    assert path.read_text() == registry_edit.dumps({"settings": {"theme": "mfa-light"}})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not bak(path).exists()


def test_writes_are_private_and_keep_a_symlink(tmp_path, reg):
    os.chmod(reg, 0o644)
    link = tmp_path / "link.toml"
    link.symlink_to(reg)
    registry_edit.set_value(link, ("settings",), "theme", "mfa-light")
    assert link.is_symlink() and 'theme = "mfa-light"' in reg.read_text()
    assert stat.S_IMODE(reg.stat().st_mode) == 0o600
    assert stat.S_IMODE(bak(reg).stat().st_mode) == 0o600


def test_result_that_would_not_validate_is_refused(reg):
    with pytest.raises(RegistryError) as err:
        registry_edit.set_value(reg, ("profiles", "dev-admin"), "duration", "2h")
    assert err.value.problems[0].where == "profiles.dev-admin.duration"
    assert "nothing was written" in str(err.value)
    with pytest.raises(RegistryError):
        registry_edit.set_value(reg, ("identities", "bob"), "mfa_serial", "arn:aws:iam::111111111111:mfa/bob")
    assert reg.read_text() == DOC and not bak(reg).exists()


def test_enrolment_can_store_a_serial(reg):
    text = DOC.replace('mfa_serial = "arn:aws:iam::111111111111:mfa/alice"\n', "")
    reg.write_text(text)
    registry_edit.set_value(reg, ("identities", "alice"), "mfa_serial", "arn:aws:iam::111111111111:mfa/alice")
    assert reg.read_text() == DOC


@pytest.mark.parametrize(
    "broken",
    [
        DOC + "[profiles.alice]\n",  # duplicate table: a syntax error
        DOC.replace('"222222222222"', '"2222"'),  # a validation problem
        "\x00\x01binary",
    ],
)
def test_a_broken_registry_is_never_overwritten(tmp_path, broken):
    path = tmp_path / "c.toml"
    path.write_text(broken)
    with pytest.raises(RegistryError):
        registry_edit.set_value(path, ("settings",), "theme", "mfa-light")
    with pytest.raises(RegistryError):
        registry_edit.add_entries(path, accounts={"x": {"id": "333333333333"}})
    assert path.read_text() == broken
    assert not bak(path).exists()


def test_values_toml_cannot_hold_are_refused(reg):
    with pytest.raises(RegistryError) as err:
        registry_edit.set_value(reg, ("settings",), "theme", object())
    assert "cannot be stored in TOML" in str(err.value)
    assert reg.read_text() == DOC


def test_a_held_lock_times_out_cleanly(reg, monkeypatch):
    monkeypatch.setattr(registry_edit, "LOCK_TIMEOUT", 0.2)
    with FileLock(str(registry_edit.lock_path(reg))):
        with pytest.raises(FileError) as err:
            registry_edit.set_value(reg, ("settings",), "theme", "x")
    assert "another process held the lock" in str(err.value) and "the registry was not changed" in str(err.value)
    assert reg.read_text() == DOC


# -- add_entries ------------------------------------------------------------------------------


def test_add_entries_appends_and_keeps_existing_bytes(reg):
    registry_edit.add_entries(
        reg,
        accounts={"prod": {"id": "444444444444", "alias": "prod", "tags": ["prod"]}},
        identities={"bob": {"source_profile": "bob-long-term", "region": "eu-west-1"}},
        profiles={
            "bob": {"identity": "bob"},
            "prod-ro": {"identity": "alice", "role_arn": "arn:aws:iam::444444444444:role/ReadOnly", "strategy": "direct", "duration": "8h"},
        },
    )
    text = reg.read_text()
    assert text.startswith(DOC)
    assert text[len(DOC):] == (
        '\n[accounts.prod]\nid = "444444444444"\nalias = "prod"\ntags = ["prod"]\n'
        '\n[identities.bob]\nsource_profile = "bob-long-term"\nregion = "eu-west-1"\n'
        '\n[profiles.bob]\nidentity = "bob"\n'
        '\n[profiles.prod-ro]\nidentity = "alice"\nrole_arn = "arn:aws:iam::444444444444:role/ReadOnly"\n'
        'strategy = "direct"\nduration = "8h"\n'
    )
    assert bak(reg).read_text() == DOC
    loaded = registry.load(reg)
    assert loaded.profiles["prod-ro"].duration == 8 * 3600 and "bob" in loaded.identities


def test_add_entries_creates_a_missing_file_with_dumps(tmp_path):
    path = tmp_path / "new" / "config.toml"
    registry_edit.add_entries(path, identities={"bob": {"source_profile": "bob-lt"}}, profiles={"bob": {"identity": "bob"}})
    assert path.read_text() == registry_edit.dumps({"identities": {"bob": {"source_profile": "bob-lt"}}, "profiles": {"bob": {"identity": "bob"}}})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(registry.load(path).profiles) == ["bob"]


def test_add_entries_refuses_existing_names(reg):
    with pytest.raises(RegistryError) as err:
        registry_edit.add_entries(reg, accounts={"new": {"id": "555555555555"}}, profiles={"alice": {"identity": "alice"}})
    [p] = err.value.problems
    assert p.where == "profiles.alice" and "already exists" in p.message
    assert reg.read_text() == DOC


def test_add_entries_refuses_an_invalid_result(reg):
    with pytest.raises(RegistryError) as err:
        registry_edit.add_entries(reg, profiles={"x": {"identity": "nobody"}, "alice-long-term": {"identity": "alice"}})
    assert {p.where for p in err.value.problems} == {"profiles.x.identity", "profiles.alice-long-term"}
    assert reg.read_text() == DOC


def test_add_entries_with_nothing_to_add_writes_nothing(reg):
    registry_edit.add_entries(reg)
    assert not bak(reg).exists()


def test_add_entries_to_crlf_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(DOC.replace("\n", "\r\n").encode())
    registry_edit.add_entries(path, accounts={"prod": {"id": "444444444444"}})
    assert path.read_bytes() == (DOC + '\n[accounts.prod]\nid = "444444444444"\n').replace("\n", "\r\n").encode()


def test_concurrent_add_entries_lose_nothing(reg):
    errors = []

    def add(n: int) -> None:
        try:
            for i in range(3):
                registry_edit.add_entries(reg, profiles={f"p{n}-{i}": {"identity": "alice"}})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = set(registry.load(reg).profiles)
    assert {f"p{n}-{i}" for n in range(6) for i in range(3)} <= names
    assert reg.read_text().startswith(DOC)


# -- stability (property-based) -----------------------------------------------------------------

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
_scalars = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
)
_values = st.one_of(_scalars, st.lists(_scalars.filter(lambda v: isinstance(v, str)), max_size=4))
_tables = st.dictionaries(_names, _values, max_size=5)
_registries = st.fixed_dictionaries(
    {},
    optional={
        "settings": _tables,
        "accounts": st.dictionaries(_names, _tables, max_size=3),
        "profiles": st.dictionaries(_names, _tables, max_size=3),
    },
)


@settings(max_examples=150, deadline=None)
@given(_registries)
def test_dumps_round_trips_and_is_stable(raw):
    text = registry_edit.dumps(raw)
    assert tomllib.loads(text) == raw
    assert registry_edit.dumps(tomllib.loads(text)) == text


_comment = st.sampled_from(["", "  # note", "\t#x = 1", " # [not a table]"])
_indent = st.sampled_from(["", "  ", "\t"])
_string_values = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20
).filter(lambda s: s.strip())


def _doc(layout: list[tuple[str, str, str]], tags_multiline: bool) -> str:
    lines = ["# header comment", "[settings]"]
    for indent, value, comment in layout:
        lines.append(f"{indent}theme = {value}{comment}")
        break
    lines += ["", "[accounts.dev]", 'id = "222222222222"']
    if tags_multiline:
        lines += ["tags = [  # open", '  "a",', "  # inside", "  'b # not a comment',", "]  # close"]
    else:
        lines += ["tags = ['x', \"y\"]"]
    lines += ["", "# trailing comment", ""]
    return "\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    indent=_indent,
    quote=st.sampled_from(['"{}"', "'{}'", '"""{}"""', "'''{}'''"]),
    comment=_comment,
    tags_multiline=st.booleans(),
    new_theme=st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True),
    new_tags=st.lists(_string_values, max_size=4),
)
def test_set_value_changes_only_its_own_value(tmp_path, indent, quote, comment, tags_multiline, new_theme, new_tags):
    path = tmp_path / "h.toml"
    original = _doc([(indent, quote.format("old-theme"), comment)], tags_multiline)
    path.write_text(original)
    registry_edit.set_value(path, ("settings",), "theme", new_theme)
    after_theme = path.read_text()
    old_lines, new_lines = original.splitlines(), after_theme.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    if new_theme != "old-theme":
        assert changed == [2]
        assert new_lines[2].startswith(f"{indent}theme = ") and new_lines[2].endswith(comment)
    registry_edit.set_value(path, ("accounts", "dev"), "tags", new_tags)
    result = tomllib.loads(path.read_text())
    assert result["accounts"]["dev"]["tags"] == new_tags
    assert result["settings"]["theme"] == new_theme
    assert path.read_text().splitlines()[:5] == new_lines[:5]
    assert path.read_text().endswith("\n# trailing comment\n")


def test_example_registry_edits_keep_its_comments(tmp_path):
    path = tmp_path / "config.toml"
    original = (REPO / "config.example.toml").read_text()
    path.write_text(original)
    registry_edit.set_value(path, ("settings",), "theme", "mfa-light")
    registry_edit.set_value(path, ("settings",), "theme", "mfa-dark")
    assert path.read_text() == original


TRICKY = '''\
# a document with every kind of value the scanner must step over
title = "x # not a comment"
[a]
basic = "quote \\" and ] and # inside"
literal = 'C:\\path\\#'
multi = """
line one "quoted" ""
line two \\""""
multi_lit = \'\'\'
raw ] [ # \'\'\'
when = 1979-05-27 07:32:00Z
day = 1979-05-27
num = +1_000 # trailing
hex = 0xDEAD_BEEF
flt = -3.5e+2
inf = inf
arr = [ 1, [2, 3], { k = "v,}" }, # comment ]
  "last" ,
]
inline = { x = 1, y = { z = [1, 2] } }
dotted . key = true
"quoted key" = 1
[ "b" . 'c d' ]   # header comment
e = []
[[arr_of_tables]]
f = 1
'''


def test_scan_locates_every_value_exactly():
    from mfa_tui.core.registry.text import scan

    raw = tomllib.loads(TRICKY)
    layout = scan(TRICKY)
    for entry in layout.keys:
        node = raw
        for part in entry.table:
            node = node[part][-1] if isinstance(node[part], list) else node[part]
        for part in entry.key:
            node = node[part]
        assert tomllib.loads("v = " + TRICKY[entry.value_start : entry.value_end])["v"] == node, entry
    assert [e.key for e in layout.keys][-4:] == [("dotted", "key"), ("quoted key",), ("e",), ("f",)]
    assert len(layout.keys) == 17
    assert [h.path for h in layout.headers] == [("a",), ("b", "c d"), ("arr_of_tables",)]
    assert layout.headers[2].array
