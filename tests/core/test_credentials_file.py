"""The credentials writer on hand-written files: ownership, refusals, parse errors, modes, botocore.

Property-based variants are in test_credentials_file_props.py; concurrent and killed
writers in test_credentials_file_procs.py.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import botocore.session
import pytest

from mfa_tui.core.credentials import verify as credentials_verify
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.errors import CredentialsFileError
from mfa_tui.core.models import Credentials

EXPIRY = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def creds(n: int = 1, expiry: datetime = EXPIRY) -> Credentials:
    return Credentials(f"ASIATEST{n:04d}", f"secret/{n}+x=", f"token-{n}-" + "Zm9v" * 20, expiry)


def update(profile: str, n: int = 1, region: str | None = None) -> ProfileCredentials:
    return ProfileCredentials(profile, creds(n), region=region)


@pytest.fixture
def path(isolated_home):
    return isolated_home / ".aws" / "credentials"


USER_FILE = (
    "# my credentials, hand edited\n"
    "[default]\n"
    "aws_access_key_id=AKIAUSERKEY\n"
    "aws_secret_access_key =   usersecret   \n"
    "; keep me\n"
    "\n"
    "[work-long-term]\n"
    "aws_access_key_id = AKIAWORK\n"
    "aws_secret_access_key = worksecret\n"
    "aws_mfa_device = arn:aws:iam::111111111111:mfa/me\n"
    "\n\n"
    "[odd]\n"
    "output: json\n"
    "s3 =\n"
    "    addressing_style = path\n"
    "#trailing comment without newline"
)


def test_new_file_is_created_0600_with_every_key(path):
    CredentialsFile(path).write([update("dev", region="eu-west-1")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == (
        "[dev]\n"
        "aws_access_key_id = ASIATEST0001\n"
        "aws_secret_access_key = secret/1+x=\n"
        f"aws_session_token = token-1-{'Zm9v' * 20}\n"
        "expiration = 2026-03-04 05:06:07\n"
        "region = eu-west-1\n"
        "mfa_tui_managed = true\n"
    )


def test_missing_aws_dir_is_created_private(path):
    CredentialsFile(path).write([update("dev")])
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_boto3_reads_every_written_profile(path):
    path.parent.mkdir()
    path.write_text(USER_FILE)
    CredentialsFile(path).write([update("dev", 1, region="eu-west-2"), update("prod", 2)])
    for name, n in (("dev", 1), ("prod", 2)):
        got = boto3.Session(profile_name=name).get_credentials().get_frozen_credentials()
        want = creds(n)
        assert (got.access_key, got.secret_key, got.token) == (want.access_key_id, want.secret_access_key, want.session_token)
    assert boto3.Session(profile_name="dev").region_name == "eu-west-2"
    # The user's own profiles still resolve too.
    user = botocore.session.Session(profile="default").get_credentials()
    assert (user.access_key, user.secret_key) == ("AKIAUSERKEY", "usersecret")


def test_new_sections_are_appended_after_one_blank_line_and_the_rest_is_untouched(path):
    path.parent.mkdir()
    path.write_text(USER_FILE)
    CredentialsFile(path).write([update("dev")])
    text = path.read_text()
    # The file had no final newline: it gets one, then one blank line, then the section.
    assert text.startswith(USER_FILE + "\n\n[dev]\n")
    CredentialsFile(path).write([update("prod")])
    assert path.read_text().startswith(text + "\n[prod]\n")


def test_owned_section_is_updated_in_place_keeping_position_and_comments(path):
    path.parent.mkdir()
    original = (
        "[mine]\n"
        "# a note the user added inside mfa-tui's section\n"
        "AWS_ACCESS_KEY_ID=old\n"
        "aws_secret_access_key=old\n"
        "aws_session_token=old\n"
        "expiration=2000-01-01 00:00:00\n"
        "output = json\n"
        "mfa_tui_managed = true\n"
        "; trailing note\n"
        "\n"
        "[default]\n"
        "aws_access_key_id = AKIAUSER\n"
        "aws_secret_access_key = s\n"
    )
    path.write_text(original)
    CredentialsFile(path).write([update("mine", 7, region="us-west-2")])
    assert path.read_text() == (
        "[mine]\n"
        "# a note the user added inside mfa-tui's section\n"
        "AWS_ACCESS_KEY_ID = ASIATEST0007\n"
        "aws_secret_access_key = secret/7+x=\n"
        f"aws_session_token = token-7-{'Zm9v' * 20}\n"
        "expiration = 2026-03-04 05:06:07\n"
        "output = json\n"
        "mfa_tui_managed = true\n"
        "region = us-west-2\n"
        "; trailing note\n"
        "\n"
        "[default]\n"
        "aws_access_key_id = AKIAUSER\n"
        "aws_secret_access_key = s\n"
    )


def test_rewriting_the_same_values_changes_no_byte(path):
    cf = CredentialsFile(path)
    cf.write([update("dev")])
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    cf.write([update("dev")])
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    "section, why",
    [
        ("[dev]\naws_access_key_id = AKIA\naws_secret_access_key = s\n", "long-term keys"),
        # The marker does not make long-term keys writable.
        ("[dev]\nmfa_tui_managed = true\naws_access_key_id = AKIA\naws_secret_access_key = s\n", "long-term keys"),
        ("[dev]\nregion = eu-west-1\n", "not written by mfa-tui"),
        ("[dev]\n", "not written by mfa-tui"),
        ("[dev]\nmfa_tui_managed = false\naws_session_token = t\n", "aws-mfa style"),
    ],
)
def test_foreign_and_long_term_sections_are_refused_and_nothing_is_written(path, section, why):
    path.parent.mkdir()
    original = "# mine\n" + section + "\n[other]\nx = 1\n"
    path.write_bytes(original.encode())
    with pytest.raises(CredentialsFileError) as err:
        # A writable profile in the same call is not written either: all or nothing.
        CredentialsFile(path).write([update("fresh"), update("dev")])
    message = str(err.value)
    assert "[dev]" in message and why in message and "nothing was written" in message
    assert str(path) in message and "\n" not in message
    assert path.read_bytes() == original.encode()


def test_refusal_names_every_refused_profile_count_and_leaks_no_secret(path):
    path.parent.mkdir()
    path.write_text("[a]\naws_access_key_id = AKIA\naws_secret_access_key = SUPERSECRET\n[b]\nx = 1\n")
    with pytest.raises(CredentialsFileError) as err:
        CredentialsFile(path).write([update("a"), update("b")])
    assert "(and 1 more refused profile)" in str(err.value)
    assert "SUPERSECRET" not in str(err.value) and "AKIA" not in str(err.value)


AWS_MFA = (
    "[work-long-term]\n"
    "aws_access_key_id = AKIAWORK\n"
    "aws_secret_access_key = worksecret\n"
    "aws_mfa_device = arn:aws:iam::111111111111:mfa/me\n"
    "\n"
    "[work]\n"
    "assumed_role = False\n"
    "aws_access_key_id = ASIAOLD\n"
    "aws_secret_access_key = oldsecret\n"
    "aws_session_token = oldtoken\n"
    "aws_security_token = oldtoken\n"
    "expiration = 2020-01-01 00:00:00\n"
)


def test_aws_mfa_section_is_refused_by_default_and_adopted_on_request(path):
    path.parent.mkdir()
    path.write_text(AWS_MFA)
    cf = CredentialsFile(path)
    with pytest.raises(CredentialsFileError, match=r"\[work\].*aws-mfa style.*adopt"):
        cf.write([update("work")])
    assert path.read_text() == AWS_MFA
    cf.write([update("work", 3)], adopt=["work"])
    text = path.read_text()
    assert text.startswith(AWS_MFA.split("[work]\n")[0] + "[work]\nassumed_role = False\n")
    assert "work" in cf.owned_profiles()
    # aws-mfa's duplicate token is kept in step, or botocore would pick the stale one.
    got = botocore.session.Session(profile="work").get_credentials()
    assert got.token == creds(3).session_token
    assert cf.read()["work"]["aws_security_token"] == creds(3).session_token
    # Once adopted, it is simply ours.
    cf.write([update("work", 4)])
    assert cf.read()["work"]["aws_access_key_id"] == creds(4).access_key_id


def test_adopt_true_adopts_every_updated_profile_but_never_long_term_keys(path):
    path.parent.mkdir()
    path.write_text(AWS_MFA)
    cf = CredentialsFile(path)
    with pytest.raises(CredentialsFileError, match="long-term"):
        cf.write([update("work"), update("work-long-term")], adopt=True)
    cf.write([update("work")], adopt=True)
    assert cf.long_term_keys("work-long-term") == ("AKIAWORK", "worksecret")


def test_remove_drops_owned_sections_only(path):
    path.parent.mkdir()
    path.write_text(USER_FILE)
    cf = CredentialsFile(path)
    cf.write([update("a"), update("b"), update("c")])
    cf.write([], remove=["b", "never-existed"])
    assert set(cf.read()) == {"default", "work-long-term", "odd", "a", "c"}
    assert path.read_text().startswith(USER_FILE + "\n\n[a]\n")
    before = path.read_bytes()
    with pytest.raises(CredentialsFileError, match=r"\[default\].*long-term"):
        cf.write([update("d")], remove=["default"])
    with pytest.raises(CredentialsFileError, match=r"\[odd\].*not written by mfa-tui"):
        cf.write([], remove=["odd"])
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content, line, what",
    [
        ("[a]\nx = 1\n[a]\ny = 2\n", 3, "a second [a] section"),
        ("[a]\nx = 1\nX = 2\n", 3, "a second `x` key in [a]"),
        ("x = 1\n[a]\n", 1, "before the first [section] header"),
        ("[a]\nx = 1\nthis line is junk\n", 3, "not a `key = value` line"),
        (b"[a]\nx = 1\n\xff\xfe\x00binary\n", 3, "not UTF-8 text"),
        ("[a]\nx = 1\ry = 2\n", 2, "lone carriage return"),
    ],
)
def test_unparseable_file_is_left_untouched_with_the_line_named(path, content, line, what):
    path.parent.mkdir()
    data = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(data)
    cf = CredentialsFile(path)
    for action in (lambda: cf.write([update("dev")]), cf.read, cf.owned_profiles):
        with pytest.raises(CredentialsFileError) as err:
            action()
        assert str(err.value).startswith(f"{path}:{line}: ")
        assert what in str(err.value) and "mfa-tui left the file unchanged" in str(err.value)
        assert "\n" not in str(err.value)
    assert path.read_bytes() == data


def test_junk_line_holding_a_secret_is_not_echoed(path):
    path.parent.mkdir()
    path.write_text("[a]\naws_secret_access_key WOULDBESECRET\n")
    with pytest.raises(CredentialsFileError) as err:
        CredentialsFile(path).read()
    assert "WOULDBESECRET" not in str(err.value)


def test_indented_comments_are_comments_as_botocore_reads_them(path):
    # configparser skips "   ; note = 1" as a comment; configupdater alone would take it for a key.
    path.parent.mkdir()
    content = "  # indented before any section\n[a]\n   ; note = 1\nx = 2\n\t# note = 3\n"
    path.write_text(content)
    CredentialsFile(path).write([update("dev")])
    assert path.read_text().startswith(content + "\n[dev]\n")
    assert CredentialsFile(path).read()["a"] == {"x": "2"}


def test_crlf_file_stays_crlf(path):
    path.parent.mkdir()
    original = b"# c\r\n[default]\r\naws_access_key_id = AKIA\r\naws_secret_access_key = s\r\n"
    path.write_bytes(original)
    cf = CredentialsFile(path)
    cf.write([update("dev")])
    cf.write([update("dev", 2)])
    data = path.read_bytes()
    assert data.startswith(original + b"\r\n[dev]\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert botocore.session.Session(profile="dev").get_credentials().token == creds(2).session_token


def test_bom_is_kept(path):
    path.parent.mkdir()
    original = b"\xef\xbb\xbf[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n"
    path.write_bytes(original)
    CredentialsFile(path).write([update("dev")])
    data = path.read_bytes()
    assert data.startswith(original + b"\n[dev]\n")
    assert CredentialsFile(path).owned_profiles() == {"dev"}


def test_existing_mode_is_narrowed_never_widened(path):
    path.parent.mkdir()
    path.write_text("[default]\nregion = x\n")
    os.chmod(path, 0o644)
    cf = CredentialsFile(path)
    assert cf.permission_warning() == f"{path} is readable by others (mode 0644); fix with `chmod 600 {path}`"
    cf.write([update("dev")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cf.permission_warning() is None
    os.chmod(path, 0o400 | 0o200)
    cf.write([update("dev", 2)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_read_only_file_is_refused(path):
    path.parent.mkdir()
    path.write_text("[default]\nregion = x\n")
    os.chmod(path, 0o400)
    with pytest.raises(CredentialsFileError, match=r"read-only.*chmod u\+w"):
        CredentialsFile(path).write([update("dev")])
    assert path.read_text() == "[default]\nregion = x\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


def test_symlinked_file_is_written_through_the_link(path, tmp_path):
    target = tmp_path / "dotfiles" / "aws-credentials"
    target.parent.mkdir()
    target.write_text("[default]\nregion = x\n")
    path.parent.mkdir()
    path.symlink_to(target)
    CredentialsFile(path).write([update("dev")])
    assert path.is_symlink()
    assert "[dev]" in target.read_text()


def test_long_term_keys_and_owned_profiles(path):
    path.parent.mkdir()
    path.write_text(USER_FILE + "\n" + AWS_MFA.split("\n\n")[1])
    cf = CredentialsFile(path)
    cf.write([update("dev")])
    assert cf.long_term_keys("default") == ("AKIAUSERKEY", "usersecret")
    assert cf.long_term_keys("work") is None  # a session, not long-term keys
    assert cf.long_term_keys("dev") is None
    assert cf.long_term_keys("missing") is None
    assert cf.owned_profiles() == {"dev"}
    assert cf.read()["odd"]["s3"] == "\naddressing_style = path"


def test_missing_file_reads_empty(path):
    cf = CredentialsFile(path)
    assert cf.read() == {}
    assert cf.owned_profiles() == set()
    assert cf.permission_warning() is None
    cf.write([], remove=["dev"])
    assert not path.exists()


@pytest.mark.parametrize("name", ["", " dev", "dev ", "a]b", "[x", "a\nb", "DEFAULT"])
def test_bad_profile_names_are_refused(path, name):
    with pytest.raises(CredentialsFileError, match="cannot be a profile name"):
        CredentialsFile(path).write([update(name)])
    assert not path.exists()


def test_multiline_secret_is_refused_without_echoing_it(path):
    bad = ProfileCredentials("dev", Credentials("ASIA", "line1\nline2", "tok", EXPIRY))
    with pytest.raises(CredentialsFileError) as err:
        CredentialsFile(path).write([bad])
    assert "aws_secret_access_key" in str(err.value) and "line1" not in str(err.value)
    assert not path.exists()


def test_the_same_profile_twice_or_written_and_removed_is_refused(path):
    with pytest.raises(CredentialsFileError, match="given twice"):
        CredentialsFile(path).write([update("dev"), update("dev", 2)])
    with pytest.raises(CredentialsFileError, match="both written and removed"):
        CredentialsFile(path).write([update("dev")], remove=["dev"])


def test_lock_file_sits_beside_the_credentials_file(path):
    CredentialsFile(path).write([update("dev")])
    lock = path.parent / ".credentials.mfa-tui.lock"
    assert lock.exists()
    assert stat.S_IMODE(lock.stat().st_mode) & 0o077 == 0


def test_mixed_line_endings_are_kept_and_new_lines_use_lf(path):
    path.parent.mkdir()
    original = b"[default]\r\nregion = x\n[other]\r\ny = 1\r\n"
    path.write_bytes(original)
    CredentialsFile(path).write([update("dev")])
    data = path.read_bytes()
    assert data.startswith(original + b"\n[dev]\naws_access_key_id = ")
    assert botocore.session.Session(profile="dev").get_credentials().access_key == creds().access_key_id


def test_region_check_refuses_any_change_outside_owned_sections():
    before = [(None, "# top\n"), ("a", "[a]\nx = 1\n"), ("mine", "[mine]\nk = v\n"), ("b", "[b]\ny = 2")]
    ok = [(None, "# top\n"), ("a", "[a]\nx = 1\n"), ("mine", "[mine]\nk = w\n"), ("b", "[b]\ny = 2\n\n"),
          ("new", "[new]\nk = v\n")]
    credentials_verify.check_regions(Path("f"), before, ok, {"mine", "new"}, {"new"})
    bad_cases = [
        [(None, "# top \n"), *ok[1:]],  # a changed byte in the preamble
        [ok[0], ("a", "[a]\nx = 1\n\n"), *ok[2:]],  # a region that was not the last one grew
        [ok[0], ok[3], ok[2], ok[1], ok[4]],  # reordered
        [ok[0], ok[2], ok[3], ok[4]],  # dropped
        [*ok[:3], ("b", "[b]\ny = 2\n# c\n"), ok[4]],  # the last region grew by more than line breaks
    ]
    for after in bad_cases:
        with pytest.raises(CredentialsFileError, match="mfa-tui left the file unchanged"):
            credentials_verify.check_regions(Path("f"), before, after, {"mine", "new"}, {"new"})
    # Without an appended section, not even the last region may grow.
    with pytest.raises(CredentialsFileError):
        credentials_verify.check_regions(Path("f"), before, ok[:4], {"mine"}, set())


def test_readback_check_refuses_a_result_botocore_reads_differently():
    before = {"a": {"x": "1"}, "mine": {"k": "v"}}
    wanted = {"mine": {"k": "w"}, "new": {"k": "n"}}
    credentials_verify.verify(Path("f"), before, {"a": {"x": "1"}, "mine": {"k": "w"}, "new": {"k": "n"}}, wanted, set())
    for after in (
        {"a": {"x": "2"}, "mine": {"k": "w"}, "new": {"k": "n"}},
        {"mine": {"k": "w"}, "new": {"k": "n"}},
        {"a": {"x": "1"}, "mine": {"k": "v"}, "new": {"k": "n"}},
        {"a": {"x": "1"}, "mine": {"k": "w"}, "new": {"k": "n"}, "extra": {}},
    ):
        with pytest.raises(CredentialsFileError):
            credentials_verify.verify(Path("f"), before, after, wanted, set())


def test_temp_files_of_killed_writers_are_swept_and_nothing_else(path):
    """Stale temp files (a gone writer's, or any very old one) go on the next write; see test_fileio.py."""
    from mfa_tui.core.fileio import ORPHAN_AGE

    path.parent.mkdir()
    dead_pid = _gone_pid()
    stale = [path.parent / name for name in (f".credentials.{dead_pid}.ab_12xyz.tmp", ".credentials.cd_34xyz.tmp")]
    keep = [path.parent / name for name in (".credentials.mine.tmp", "credentials.bak", f".config.{dead_pid}.ab_12xyz.tmp")]
    for file in stale + keep:
        file.write_text("[dev]\naws_secret_access_key = leaked\n" if file in stale else "user's")
        then = time.time() - ORPHAN_AGE - 1
        os.utime(file, (then, then))
    CredentialsFile(path).write([update("dev")])
    assert not any(file.exists() for file in stale)
    assert all(other.read_text() == "user's" for other in keep)


def _gone_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)
