"""``key_scan.some_key_ids`` (the dashboard's first screenful) agrees with the full line scan, section by section."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_credentials_file_props import models

from mfa_tui.core.credentials import key_scan, reader


def _expected(path, names):
    full = reader.scan_key_ids(path, path.read_bytes())
    return {name: full[name] for name in names if name in full}


@settings(max_examples=200, deadline=None)
@given(model=models(), extra=st.lists(st.text(max_size=8), max_size=3))
def test_some_key_ids_agree_with_the_full_scan(tmp_path_factory, model, extra):
    path = tmp_path_factory.mktemp("creds") / "credentials"
    path.write_bytes(model.data)
    every = list(reader.scan_key_ids(path, model.data))
    for names in (every, every[::2], every[1:2], every[:key_scan.FEW], extra, every[:1] + extra):
        assert key_scan.some_key_ids(path, names) == _expected(path, names)


LINES = [
    "[a]", "[b]", "[a] ; comment]", "[]", "[", "[x", "[]]", "[a]]", " [a]", "[ a ]", "[A]",
    "aws_access_key_id = K1", "AWS_Access_Key_Id: K2", "aws_access_key_id=K3=4", " aws_access_key_id = K4",
    "aws_access_key_idx = K5", "aws_access_key_id", "aws_access_key_id :K6", "region = x", "", "# c",
    "[\u00e9]", "\ufeff[a]", "aws_access_key_id = K\r", "[a]\x0b[b]", "aws_access_key_id = K7\x1c[b]",
]
"""Shapes the scan treats specially: headers with comments or brackets, non-headers, key spellings, odd breaks."""


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), max_size=14), newline=st.sampled_from(["\n", "\r\n"]),
       end=st.booleans())
def test_tricky_lines_agree_with_the_full_scan(tmp_path_factory, lines, newline, end):
    path = tmp_path_factory.mktemp("creds") / "credentials"
    path.write_bytes((newline.join(lines) + (newline if end else "")).encode("utf-8"))
    names = ["a", "b", "A", " a ", "]", "a]", "a] ; comment", "\u00e9", "x", "c"]
    assert len(names) > key_scan.FEW  # one split at every header; and a search per name for a few:
    for some in (names, names[:key_scan.FEW], *([name] for name in names)):
        assert key_scan.some_key_ids(path, some) == _expected(path, some)


def test_a_missing_file_has_no_sections(tmp_path):
    assert key_scan.some_key_ids(tmp_path / "none", ["a"]) == {}


def test_the_fast_path_takes_a_plain_file(tmp_path):
    """A file as mfa-tui writes it is read without the full scan (the first frame's saving)."""
    data = b"[a]\naws_access_key_id = K1\n[b]\naws_access_key_id = K2\n[b]\naws_access_key_id = K3\n"
    assert key_scan._scan_some(data, {"b", "z"}) == {"b": "K3"}
    assert key_scan._scan_some(b"\xef\xbb\xbf" + data, {"b"}) is None


def test_a_wanted_name_spanning_lines_hides_no_header(tmp_path):
    """One search for a few names: a name with a line break in it (never a section) must not swallow the next header."""
    path = tmp_path / "credentials"
    path.write_bytes(b"[x]\n[a]\naws_access_key_id = K1\n")
    names = ["x]\n[a", "a"]
    assert key_scan.some_key_ids(path, names) == _expected(path, names) == {"a": "K1"}


def test_an_empty_wanted_name_finds_no_section(tmp_path):
    """``[]`` is no header to the scan (its lines stay with the section above), so "" is never found."""
    path = tmp_path / "credentials"
    path.write_bytes(b"[a]\n[]\naws_access_key_id = K1\n")
    names = ["", "a"]
    assert key_scan.some_key_ids(path, names) == _expected(path, names) == {"a": "K1"}
