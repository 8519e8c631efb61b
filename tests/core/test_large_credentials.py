"""Large credentials files: the fast reader agrees with configparser, a big write keeps every foreign
byte, and a file over the size limit is refused in one line and left alone.

How fast a large file is written is measured by bench/large_credentials.py, not here; these tests
only check what the fast paths produce, and that a large write takes them (else the speed-up
would vanish without a failing test).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import botocore.configloader
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_tui.core.credentials import editor as credentials_edit
from mfa_tui.core.credentials import reader
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.credentials.reader import MAX_BYTES
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.models import Credentials

PATH = Path("credentials")
BOM = b"\xef\xbb\xbf"
EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)

# ── the reader ──────────────────────────────────────────────────────────────
LINES = st.sampled_from([
    "[a]", "[b]", "[c] ; note", "[d]\t# note", "[e]x", "[x]]", "[DEFAULT]", "  [f]", "\t[g]", "[]", "[h", "[i=1",
    "k = v", "K=V", "k: v", "key = a=b:c", "x =", "aws_access_key_id = AKIA1", "AWS_Access_Key_Id:AKIA2",
    "  cont", "\tmore = 1", "  k = indented", "", "   ", "\t", "# c", ";c", "  # indented", "\t; tab",
    "junk", "=v", ": v", "]w = 1", "k\x0c= v", "\x0ck = v", "k = v \x0b", "[j]\x85", "v = \u2028x", "p = \x1c",
])


@settings(max_examples=1500, deadline=None)
@given(lines=st.lists(LINES, max_size=14), final_newline=st.booleans(), crlf=st.booleans())
def test_the_reader_agrees_with_configparser(lines, final_newline, crlf):
    eol = "\r\n" if crlf else "\n"
    text = eol.join(lines) + (eol if final_newline and lines else "")
    try:
        expected = reader.parse_strict(PATH, text)
    except CredentialsFileError as exc:
        with pytest.raises(CredentialsFileError) as got:
            reader.parse(PATH, text)
        assert str(got.value) == str(exc)
        return
    for _ in range(2):  # the second time from the memo of the first
        got = reader.parse(PATH, text)
        assert list(got.items()) == list(expected.items())
        assert all(list(got[name].items()) == list(keys.items()) for name, keys in expected.items())


def test_configparser_reads_only_files_it_would_refuse(monkeypatch):
    calls = []
    strict = reader.parse_strict
    monkeypatch.setattr(reader, "parse_strict", lambda path, text: calls.append(text) or strict(path, text))
    text = "# top\n[a]\nx = 1\n  ; c\n\n[b]\ns3 =\n  addressing_style = path\n  [x] in the value\n[c]\n  [d] ; no key above\ny: 2\n"
    expected = {"a": {"x": "1"}, "b": {"s3": "\naddressing_style = path\n[x] in the value"}, "c": {}, "d": {"y": "2"}}
    assert strict(PATH, text) == expected
    assert reader.parse(PATH, text) == expected
    assert calls == []
    broken = text + "[a]\n"
    with pytest.raises(CredentialsFileError, match=r":13: a second \[a\] section"):
        reader.parse(PATH, broken)
    assert calls == [broken]


# ── a large write ───────────────────────────────────────────────────────────
FOREIGN = [
    "[user-{i}]\naws_access_key_id = AKIA{i:016d}\naws_secret_access_key = {secret}\nregion = eu-west-1\n\n",
    "[user-{i}]   ; trailing comment\naws_access_key_id=AKIA{i:016d}\naws_secret_access_key =  x  \n\n",
    "# about user-{i}\n[user-{i}]\n  ; indented comment\n\t# tab comment\noutput: json\n   \n",
    "[nested-{i}]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = 20\n\n  addressing_style = path\n",
    "[indented-{i}]\n  region = eu-central-1\n    continued\ncli_pager =\n\n",
    "[crowded-{i}]\n  [inner-{i}]\nk = v\n\n",  # configparser: a second section, under an indented header
    "[mfa-{i}]\nassumed_role = False\naws_access_key_id = ASIA{i:016d}\naws_secret_access_key = {secret}\n"
    "aws_session_token = {token}\naws_security_token = {token}\nexpiration = 2020-01-01 00:00:00\n\n",  # aws-mfa's
    "[odd key-{i}]\nKey With Spaces = a value: with = signs\n]w = y\n\n",
    "[empty-{i}]\n\n",
]
"""Foreign sections of every shape the reader and the editor tell apart."""


def foreign(i: int) -> str:
    return FOREIGN[i % len(FOREIGN)].format(i=i, secret="s" * 40, token="T" * 300)


OWNED = {"aws_access_key_id": "ASIAOLD", "aws_secret_access_key": "s" * 40, "aws_session_token": "T" * 600,
         "expiration": "2020-01-01 00:00:00", "region": "us-east-1", "mfa_tui_managed": "true"}


def big_file(size: int, eol: str) -> tuple[list[str], bytes]:
    """Section names, and a file of about ``size`` bytes: foreign sections, every 40th one mfa-tui's."""
    names, texts = [], [f"# my credentials{eol}{eol}"]
    while sum(map(len, texts)) < size:
        batch = [foreign(len(names) + k) if (len(names) + k) % 40 else "" for k in range(40)]
        batch[0] = f"[mine-{len(names)}]\n" + "".join(f"{key} = {value}\n" for key, value in OWNED.items()) + "\n"
        names += [re.match(r"\[(.+?)\]( |\t|\n)", text[text.index("["):])[1] for text in batch]
        texts += [text.replace("\n", eol) for text in batch]
    return names, "".join(texts).encode()


def regions(data: bytes) -> list[str]:
    """The test's own cut: a region starts at each line that begins with ``[`` and has a ``]``."""
    text = data.removeprefix(BOM).decode()
    found = [""]
    for line in text.splitlines(keepends=True):
        if re.match(r"\[.+\]", line):
            found.append(line)
        else:
            found[-1] += line
    return found


def botocore_view(tmp: Path, data: bytes) -> dict:
    plain = tmp / "plain"
    plain.write_bytes(data.removeprefix(BOM))
    return botocore.configloader.raw_config_parse(str(plain))


@pytest.mark.parametrize("eol, bom", [("\n", False), ("\r\n", True)])
def test_a_large_file_keeps_every_foreign_byte(tmp_path, monkeypatch, eol, bom):
    names, data = big_file((3 if eol == "\n" else 1) * 1024 * 1024, eol)
    data = (BOM if bom else b"") + data
    path = tmp_path / "credentials"
    path.write_bytes(data)
    mine = [name for name in names if name.startswith("mine-")]
    written, removed, adopted = mine[::3], mine[1::3][:5], "mfa-6"
    updates = [ProfileCredentials(name, Credentials(f"ASIANEW{n}", "s/new+", "t" * 500, EXPIRY), region="eu-west-2")
               for n, name in enumerate([*written, adopted, "brand-new", "another new"])]
    # The write must edit section by section: configupdater only ever sees one section.
    seen = []
    whole = credentials_edit._configupdater_edit
    monkeypatch.setattr(credentials_edit, "_configupdater_edit", lambda p, text, *a: seen.append(len(text)) or whole(p, text, *a))

    assert CredentialsFile(path).write(updates, remove=removed, adopt=[adopted]) == {}

    after = path.read_bytes()
    assert max(seen, default=0) < 4096
    assert after.startswith(BOM) == bom and after.count(b"\n") == after.count(eol.encode())
    changed = {u.profile for u in updates} | set(removed)
    kept = [text for text in regions(data) if not text.startswith(tuple(f"[{n}]" for n in changed))]
    new = [text for text in regions(after) if not text.startswith(tuple(f"[{n}]" for n in changed))]
    assert len(new) == len(kept)
    for old_text, new_text in zip(kept[:-1], new[:-1], strict=True):
        assert old_text == new_text
    assert new[-1] == kept[-1] or new[-1].removesuffix(eol) == kept[-1]  # the blank line before "brand-new"
    before_view, after_view = botocore_view(tmp_path, data), botocore_view(tmp_path, after)
    assert {n: v for n, v in after_view.items() if n not in changed} == {
        n: v for n, v in before_view.items() if n not in changed}
    for n, update in enumerate(updates):
        keys = after_view[update.profile]
        assert keys["aws_access_key_id"] == f"ASIANEW{n}" and keys["mfa_tui_managed"] == "true"
    assert not set(removed) & set(after_view)
    key_ids = CredentialsFile(path).key_ids()
    assert all(key_ids[u.profile] == after_view[u.profile]["aws_access_key_id"] for u in updates)


def test_editing_a_section_that_shares_its_piece_still_works(tmp_path):
    # [inner] starts under an indented header, so it shares [crowded]'s piece of text: the whole
    # file goes through configupdater, as it did before the section-by-section edit.
    path = tmp_path / "credentials"
    content = "[a]\nx = 1\n\n[crowded]\n  [inner]\nmfa_tui_managed = true\nk = v\n\n[b]\ny = 2\n"
    path.write_text(content)
    CredentialsFile(path).write([ProfileCredentials("inner", Credentials("ASIAIN", "s", "t", EXPIRY))])
    text = path.read_text()
    assert text.startswith("[a]\nx = 1\n\n[crowded]\n  [inner]\nmfa_tui_managed = true\nk = v\naws_access_key_id = ASIAIN\n")
    assert text.endswith("\n[b]\ny = 2\n")


# ── the size limit ──────────────────────────────────────────────────────────
def test_a_file_over_the_limit_gets_one_line_and_is_left_untouched(tmp_path):
    path = tmp_path / "credentials"
    data = b"[mine]\nmfa_tui_managed = true\n" + b"#" * (MAX_BYTES - 30) + b"\n"
    assert len(data) > MAX_BYTES
    path.write_bytes(data)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    cf = CredentialsFile(path)
    update = ProfileCredentials("mine", Credentials("ASIAX", "s", "t", EXPIRY))
    for action in (cf.read, cf.key_ids, lambda: cf.refusals(["mine"]), lambda: cf.write([update])):
        with pytest.raises(CredentialsFileError) as err:
            action()
        message = str(err.value)
        assert "\n" not in message
        assert message.startswith(f"{path}: {len(data):,} bytes, over the {MAX_BYTES // 2**20} MiB mfa-tui reads")
        assert "left the file unchanged" in message
    assert path.read_bytes() == data
    assert path.stat().st_mtime == 1_000_000_000


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "credentials"
    head = b"[mine]\nmfa_tui_managed = true\n"
    path.write_bytes(head + b"#" * (MAX_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_BYTES
    assert CredentialsFile(path).read() == {"mine": {"mfa_tui_managed": "true"}}
