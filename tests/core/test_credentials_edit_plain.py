"""The plain-file fast path of the credentials editor makes exactly configupdater's bytes.

:func:`credentials_edit._plain_edit` splices lines instead of building configupdater's model;
on every file it accepts, its output must equal :func:`credentials_edit._configupdater_edit`'s,
and it must accept the files mfa-tui itself writes (else the speed-up silently vanishes).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mfa_tui.core.credentials import editor as credentials_edit
from mfa_tui.core.credentials.reader import sections_copy
from mfa_tui.core.errors import CredentialsFileError

PATH = Path("credentials")


def owned(n: int, *, region: bool = True, tag: str = "a") -> dict[str, str]:
    values = {"aws_access_key_id": f"ASIA{tag}{n}", "aws_secret_access_key": f"s/{tag}{n}+=", "aws_session_token": f"t{tag}{n}"}
    values["expiration"] = "2026-03-04 05:06:07"
    if region:
        values["region"] = "us-east-1"
    values["mfa_tui_managed"] = "true"
    return values


def section(name: str, values: dict[str, str]) -> str:
    return f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())


def both(text: str, wanted: dict[str, dict[str, str]]) -> tuple[str | None, str]:
    sections = sections_copy(PATH, text)
    plain = credentials_edit._plain_edit(PATH, text, sections, wanted, [])
    slow = credentials_edit._configupdater_edit(PATH, text, sections, wanted, [])
    return plain, slow


FOREIGN = "# mine\n[default]\naws_access_key_id=AKIAUSER\naws_secret_access_key =   x   \n; note\n\n[work]\noutput: json\n"


def test_mfa_tuis_own_file_takes_the_fast_path_and_matches():
    text = FOREIGN + "\n" + "\n".join(section(f"p{i}", owned(i)) for i in range(5))
    wanted = {f"p{i}": owned(i, tag="b") for i in range(0, 5, 2)} | {"new1": owned(9), "new2": owned(10, region=False)}
    plain, slow = both(text, wanted)
    assert plain is not None
    assert plain == slow


def test_unchanged_values_keep_their_lines():
    text = section("p", owned(1))
    plain, slow = both(text, {"p": owned(1)})
    assert plain == slow == text


def test_appending_after_every_kind_of_ending():
    for text in ("", "[a]\nk = v", "[a]\nk = v\n", "[a]\nk = v\n\n", "# only a comment", "# c\n\n\n"):
        plain, slow = both(text, {"n": owned(1), "m": owned(2)})
        assert plain is not None, repr(text)
        assert plain == slow, repr(text)


def test_files_that_are_not_plain_fall_back():
    cases = [
        ("[a]\nk = v\n  continued\n", {"n": owned(1)}),  # continuation line
        ("[a]\n  ; indented comment\n", {"n": owned(1)}),
        ("[a]\r\nk = v\n", {"n": owned(1)}),  # mixed line endings
        (section("p", owned(1)).replace("region = us-east-1\n", "region=us-east-1\n"), {"p": owned(2)}),
        (section("p", owned(1)) + "# note in my section\n", {"p": owned(2)}),
        (section("p", owned(1, region=False)), {"p": owned(2)}),  # a key to add
    ]
    for text, wanted in cases:
        plain, slow = both(text, wanted)
        assert plain is None, repr(text)
        assert slow


_KEY = st.sampled_from(["aws_access_key_id", "region", "output", "Mixed_Case", "x.y"])
_VALUE = st.sampled_from(["v", "", "a = b", "  spaced  ", "ü"])
_LINE = st.one_of(
    st.just(""),
    st.sampled_from(["# c", ";c", "#", "; [x]"]),
    st.builds(lambda k, d, v: f"{k}{d}{v}", _KEY, st.sampled_from(["=", " = ", ":", " : ", "= "]), _VALUE),
)


@settings(max_examples=150, deadline=None)
@given(
    preamble=st.lists(st.sampled_from(["", "# top", "; top"]), max_size=3),
    foreign=st.lists(st.lists(_LINE, max_size=4), max_size=3),
    mine=st.lists(st.booleans(), max_size=4),
    order=st.randoms(use_true_random=False),
    appended=st.integers(0, 2),
    trailing_newline=st.booleans(),
)
def test_fast_path_matches_configupdater_on_generated_plain_files(preamble, foreign, mine, order, appended, trailing_newline):
    blocks = [(f"f{i}", "".join(f"{line}\n" for line in body)) for i, body in enumerate(foreign)]
    blocks += [(f"p{i}", "".join(f"{k} = {v}\n" for k, v in owned(i).items()) + ("\n" if gap else "")) for i, gap in enumerate(mine)]
    order.shuffle(blocks)
    text = "".join(f"{line}\n" for line in preamble) + "".join(f"[{name}]\n{body}" for name, body in blocks)
    if not trailing_newline:
        text = text.removesuffix("\n")
    try:
        sections = sections_copy(PATH, text)
    except CredentialsFileError:  # a key twice in a section: botocore's parser refuses it first
        assume(False)
    wanted = {f"p{i}": owned(i, tag="z") for i in range(len(mine)) if i % 2 == 0}
    wanted |= {f"new{i}": owned(i) for i in range(appended)}
    plain = credentials_edit._plain_edit(PATH, text, sections, wanted, [])
    slow = credentials_edit._configupdater_edit(PATH, text, sections, wanted, [])
    if plain is not None:
        assert plain == slow
