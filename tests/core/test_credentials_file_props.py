"""Property tests of the credentials writer: generated files, generated updates.

The generator builds a file from a model (a preamble and sections of known kinds, with
comments, odd spacing, nested values, CRLF, a BOM, no final newline), so the test knows
each section's exact text without asking the code under test. For every example:
either the call is refused and the file is byte-identical, or every region outside the
written and removed sections is byte-identical and in order, and botocore reads back
every written profile and every other section unchanged.
"""

from __future__ import annotations

import os
import re
import string
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import botocore.configloader
import pytest
from botocore.credentials import SharedCredentialProvider
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.models import Credentials

NAMES = ["default", "dev", "prod", "prod-admin", "ops.read", "sbx 1", "Team_X", "z"]
BOM = b"\xef\xbb\xbf"
EXAMPLES = int(os.environ.get("MFA_TUI_PROP_EXAMPLES", "150"))
"""Raise for a long hunt: ``MFA_TUI_PROP_EXAMPLES=5000 pytest tests/core/test_credentials_file_props.py``."""
HEADER_RE = re.compile(r"^\[([^\]]+)\]")
TOKEN = st.text(string.ascii_letters + string.digits + "/+=", min_size=1, max_size=30)

COMMENTS = st.sampled_from(
    ["# c", "; c", "#", ";", "   # indented", "\t; tab comment", "# [not a header]", "## key = odd", "#\ttab"]
)
BLANKS = st.sampled_from(["", "  ", "\t", " \t "])
HEADERS = st.sampled_from(["[{n}]", "[{n}]   ", "[{n}] ; note", "[{n}]\t# note"])
KV_STYLES = st.sampled_from(["{k} = {v}", "{k}={v}", "{k}   =\t{v}", "{k}: {v}", "{k} :{v}", "{k} = {v}  "])


@dataclass
class Model:
    chunks: list[tuple[str | None, str, str]]
    """(section name or None for the preamble, kind, text) in file order."""
    data: bytes
    bom: bool
    eol: str


@st.composite
def decorations(draw) -> list[str]:
    return draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=2))


@st.composite
def section_lines(draw, kind: str) -> list[str]:
    token = draw(TOKEN)
    upper = draw(st.booleans())

    def key(k: str) -> str:
        return k.upper() if upper and k.startswith("aws_") else k

    if kind == "long-term":
        entries = [("aws_access_key_id", "AKIA" + token), ("aws_secret_access_key", token)]
        entries += draw(st.lists(st.sampled_from([("region", "eu-west-1"), ("mfa_serial", "arn:aws:iam::1:mfa/u"),
                                                  ("mfa_tui_managed", "true")]), max_size=2, unique=True))
    elif kind == "aws-mfa":
        entries = [("assumed_role", "False"), ("aws_access_key_id", "ASIA" + token), ("aws_secret_access_key", token),
                   ("aws_session_token", token), ("aws_security_token", token), ("expiration", "2020-01-01 00:00:00")]
    elif kind == "owned":
        entries = [("aws_access_key_id", "ASIA" + token), ("aws_secret_access_key", token),
                   ("aws_session_token", token), ("expiration", "2020-01-01 00:00:00")]
        entries.insert(draw(st.integers(0, len(entries))), ("mfa_tui_managed", draw(st.sampled_from(["true", "True"]))))
        entries += draw(st.lists(st.sampled_from([("output", "json"), ("region", "us-east-2")]), max_size=2, unique=True))
    elif kind == "foreign":
        entries = draw(st.lists(st.sampled_from([("output", "json"), ("region", "ap-south-1"),
                                                 ("s3", None), ("cli_pager", "")]), max_size=3, unique=True))
    else:  # empty
        entries = []
    lines = []
    for k, v in entries:
        lines += draw(decorations())
        if v is None:  # a nested value, as botocore's s3 settings are written
            lines += [f"{k} =", "    max_concurrent_requests = 10", "  addressing_style = path"]
        else:
            lines.append(draw(KV_STYLES).format(k=key(k), v=v).rstrip() if not v else draw(KV_STYLES).format(k=key(k), v=v))
    lines += draw(decorations())
    return lines


@st.composite
def models(draw) -> Model:
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6))
    preamble = draw(st.lists(st.one_of(COMMENTS, BLANKS), max_size=3))
    blocks: list[tuple[str | None, str, list[str]]] = [(None, "preamble", preamble)]
    for name in names:
        kind = draw(st.sampled_from(["long-term", "aws-mfa", "owned", "foreign", "empty"]))
        header = draw(HEADERS).format(n=name)
        blocks.append((name, kind, [header, *draw(section_lines(kind))]))
    final_newline = draw(st.booleans())
    bom = draw(st.booleans())
    chunks = []
    all_lines = [line for _, _, lines in blocks for line in lines]
    count = 0
    for name, kind, lines in blocks:
        text = ""
        for line in lines:
            count += 1
            text += line + (eol if count < len(all_lines) or final_newline else "")
        chunks.append((name, kind, text))
    data = (BOM if bom else b"") + "".join(t for _, _, t in chunks).encode()
    return Model(chunks, data, bom, eol)


def split_regions(data: bytes) -> list[tuple[str | None, str]]:
    """The test's own splitter: a region starts at each line that begins with ``[``."""
    text = data.removeprefix(BOM).decode()
    regions: list[tuple[str | None, str]] = [(None, "")]
    for line in text.splitlines(keepends=True):
        m = HEADER_RE.match(line)
        if m:
            regions.append((m.group(1), line))
        else:
            name, chunk = regions[-1]
            regions[-1] = (name, chunk + line)
    return regions


def botocore_view(path: Path, data: bytes) -> dict:
    """What botocore reads; botocore itself cannot parse a BOM, so it reads a copy without one."""
    plain = path.with_name("plain")
    plain.write_bytes(data.removeprefix(BOM))
    return botocore.configloader.raw_config_parse(str(plain))


def expected_refusal(kinds: dict[str, str], updates: list[str], removes: list[str], adopt: bool) -> bool:
    for name in updates:
        kind = kinds.get(name)
        if kind in ("long-term", "foreign", "empty") or (kind == "aws-mfa" and not adopt):
            return True
    return any(kinds.get(name) not in (None, "owned") for name in removes)


EXPIRIES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
REGIONS = st.one_of(st.none(), st.sampled_from(["eu-west-1", "us-gov-west-1"]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=models(), data=st.data(), adopt=st.booleans())
def test_only_owned_sections_change_and_botocore_reads_the_result(model, data, adopt):
    kinds = {name: kind for name, kind, _ in model.chunks if name is not None}
    # Lean towards sections that can be written (owned, or aws-mfa when adopting) so
    # in-place edits are exercised as often as appends and refusals.
    writable = sorted(n for n, k in kinds.items() if k == "owned" or (adopt and k == "aws-mfa"))
    pick = st.one_of(st.sampled_from(writable), st.sampled_from(NAMES)) if writable else st.sampled_from(NAMES)
    names = data.draw(st.lists(pick, max_size=4, unique=True), label="updates")
    updates = [(name, data.draw(TOKEN), data.draw(EXPIRIES), data.draw(REGIONS)) for name in names]
    removes = data.draw(st.lists(pick, max_size=2, unique=True), label="removes")
    removes = [r for r in removes if r not in names]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "credentials"
        path.write_bytes(model.data)
        before_view = botocore_view(path, model.data)
        wanted = [
            ProfileCredentials(name, Credentials("ASIA" + tok, tok + "s", tok + "t", exp), region=region)
            for name, tok, exp, region in updates
        ]
        if expected_refusal(kinds, [u[0] for u in updates], removes, adopt):
            event("refused")
            with pytest.raises(CredentialsFileError):
                CredentialsFile(path).write(wanted, remove=removes, adopt=adopt)
            assert path.read_bytes() == model.data
            return
        CredentialsFile(path).write(wanted, remove=removes, adopt=adopt)
        after = path.read_bytes()
        event("written in place" if any(u[0] in kinds for u in updates) else "written")
        if not (updates or (set(removes) & set(kinds))):
            assert after == model.data
        assert after.startswith(BOM) == model.bom
        # Line endings: a CRLF file stays CRLF throughout.
        if model.eol == "\r\n" and b"\n" in model.data:
            assert after.count(b"\n") == after.count(b"\r\n")

        # Every region outside the written/removed sections is byte for byte, in order.
        changed = {u[0] for u in updates} | set(removes)
        appended = [u[0] for u in updates if u[0] not in kinds]
        new_regions = split_regions(after)
        new_names = [n for n, _ in new_regions]
        grows = new_names[new_names.index(appended[0]) - 1] if appended else object()
        new_by_name = dict(new_regions)
        kept = [(name, text) for name, _, text in model.chunks if name is None or name not in changed]
        assert [n for n in new_names if n is None or n not in changed] == [n for n, _ in kept]
        for name, text in kept:
            got = new_by_name[name]
            if name == grows and got != text:
                assert got.startswith(text) and set(got[len(text):]) <= {"\r", "\n"}
            else:
                assert got == text
        assert not set(removes) & set(new_names)
        assert all(name in new_names for name in appended)

        # botocore reads every written profile back, and the rest unchanged.
        after_view = botocore_view(path, after)
        plain = path.with_name("plain")
        for name, tok, exp, region in updates:
            got = SharedCredentialProvider(creds_filename=str(plain), profile_name=name).load()
            assert (got.access_key, got.secret_key, got.token) == ("ASIA" + tok, tok + "s", tok + "t")
            assert after_view[name]["expiration"] == exp.strftime("%Y-%m-%d %H:%M:%S")
            assert after_view[name]["mfa_tui_managed"] == "true"
            if region:
                assert after_view[name]["region"] == region
        for name in kinds:
            if name not in changed:
                assert after_view[name] == before_view[name]
        assert CredentialsFile(path).owned_profiles() >= {u[0] for u in updates}
