"""mfa_tui.core.aws.clients with broken AWS files and a misbehaving endpoint: one line, never a traceback.

Each test that makes clients starts from a new botocore session (``alice_keys``), as a new
mfa-tui process does: botocore parses the AWS files once per session, so a shared one would hide what the
first client of a process meets. Files are real files in the isolated HOME; calls go to the
local AWS.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.errors import AwsError, ClockSkewError, CredentialsFileError, FileError
from mfa_tui.core.models import Identity

SECRET = "wJalrXUtnFEMI-never-in-a-message"
ALICE = Identity(name="alice", source_profile="alice-long-term")


@pytest.fixture
def aws_files(isolated_home) -> tuple[Path, Path]:
    """The credentials and config paths the conftest points AWS_* at (the files do not exist yet)."""
    folder = isolated_home / ".aws"
    folder.mkdir()
    return folder / "credentials", folder / "config"


@pytest.fixture
def alice_keys(local_aws, aws_files, monkeypatch) -> aws.Keys:
    """Long-term keys of an IAM user alice in the local AWS; then a new botocore session for the test.

    The module keeps one session per process: the test's first client must meet the files the
    way the first client of a new mfa-tui process does.
    """
    made = local_aws.create_user("alice")
    monkeypatch.setattr(aws, "_session", None)
    return aws.Keys(*made)


def _who_am_i(local_aws, frozen_clock, keys: aws.Keys) -> str:
    client = aws.client("sts", keys, endpoint_url=local_aws.endpoint)
    return sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=local_aws.endpoint).arn


# ── the shared botocore session ignores the credentials file and $AWS_PROFILE ───────────────


@pytest.mark.parametrize("content", [
    b"\xef\xbb\xbf[personal]\naws_access_key_id = AKIAPERSONAL00000001\naws_secret_access_key = s\n",
    b"[personal]\naws_access_key_id = A\n\n[personal]\naws_access_key_id = B\n",
    b"[personal]\naws_secret_access_key = caf\xe9\n",
], ids=["bom", "duplicate-section", "not-utf8"])
def test_clients_work_whatever_the_credentials_file_holds(content, aws_files, local_aws, frozen_clock, alice_keys):
    """A BOM (valid: mfa-tui keeps it), or a file botocore would refuse: clients never parse it."""
    credentials, _ = aws_files
    credentials.write_bytes(content)
    assert _who_am_i(local_aws, frozen_clock, alice_keys).endswith(":user/alice")
    assert credentials.read_bytes() == content


@pytest.mark.parametrize("profile", ["dev-admin", "no-such-profile"])
def test_aws_profile_in_the_environment_does_not_matter(profile, aws_files, monkeypatch, local_aws, frozen_clock,
                                                        alice_keys):
    """$AWS_PROFILE often names a profile mfa-tui writes (maybe not yet): botocore would refuse it."""
    credentials, config = aws_files
    credentials.write_text("[dev-admin]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n")
    config.write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_PROFILE", profile)
    assert _who_am_i(local_aws, frozen_clock, alice_keys).endswith(":user/alice")


# ── a config file botocore cannot parse ─────────────────────────────────────────────────────


@pytest.mark.parametrize(("content", "expected"), [
    (b"[default]\nregion = us-east-1\n\n[default]\nregion = eu-west-1\n", ":4: a second [default] section"),
    (b"region = us-east-1\n[default]\n", ":1: a key or text before the first [section] header"),
    (b"[default]\nregion = caf\xe9\n", ":2: not UTF-8 text"),
    (b"\xef\xbb\xbf[default]\nregion = us-east-1\n", ": starts with a UTF-8 byte-order mark, which botocore cannot read"),
], ids=["duplicate-section", "key-before-section", "not-utf8", "bom"])
def test_a_broken_config_file_is_one_line_naming_it(content, expected, aws_files, local_aws, frozen_clock,
                                                    alice_keys):
    _, config = aws_files
    config.write_bytes(content)
    keys = alice_keys
    with pytest.raises(FileError) as caught:
        aws.client("sts", keys, endpoint_url=local_aws.endpoint)
    message = str(caught.value)
    assert message.startswith(f"{config}{expected}"), message
    assert "\n" not in message and keys.secret_access_key not in message
    assert config.read_bytes() == content
    # botocore keeps nothing of a file it could not parse: once fixed, the next client works.
    config.write_text("[default]\nregion = us-east-1\n")
    assert _who_am_i(local_aws, frozen_clock, keys).endswith(":user/alice")


# ── long_term_keys reads with the writer's rules ───────────────────────────────────────────


@pytest.mark.parametrize(("content", "expected"), [
    (
        f"[alice-long-term]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {SECRET}\n\n"
        "[personal]\naws_access_key_id = A\n\n[personal]\naws_access_key_id = B\n".encode(),
        ":8: a second [personal] section",
    ),
    (
        f"[alice-long-term]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {SECRET}\n"
        f"aws_secret_access_key = {SECRET}2\n".encode(),
        ":4: a second `aws_secret_access_key` key in [alice-long-term]",
    ),
    (
        f"[alice-long-term]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {SECRET}\n"
        "[personal]\nnot a key line\n".encode(),
        ":5: not a `key = value` line, a comment or a [section] header",
    ),
    (
        f"aws_access_key_id = AKIAALICE\n[alice-long-term]\naws_secret_access_key = {SECRET}\n".encode(),
        ":1: a key or text before the first [section] header",
    ),
    (
        f"[alice-long-term]\naws_access_key_id = AKIAALICE\naws_secret_access_key = {SECRET}\n".encode()
        + b"# caf\xe9\n",
        ":4: not UTF-8 text",
    ),
], ids=["duplicate-section", "duplicate-key", "invalid-line", "key-before-section", "not-utf8"])
def test_long_term_keys_from_a_broken_credentials_file(content, expected, aws_files):
    """The same file-and-line message the writer gives, whichever section is broken; no secret in it."""
    credentials, config = aws_files
    credentials.write_bytes(content)
    with pytest.raises(CredentialsFileError) as caught:
        aws.long_term_keys(ALICE, credentials, config)
    message = str(caught.value)
    assert message.startswith(f"{credentials}{expected}"), message
    assert "\n" not in message and SECRET not in message
    assert credentials.read_bytes() == content


def test_long_term_keys_from_the_credentials_file_then_the_config_file(aws_files):
    credentials, config = aws_files
    assert not credentials.exists()
    config.write_text(f"[profile alice-long-term]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = {SECRET}\n")
    assert aws.long_term_keys(ALICE, credentials, config) == aws.Keys("AKIACONFIG", SECRET)
    # A UTF-8 BOM and CRLF line endings are fine (mfa-tui keeps both when it writes).
    credentials.write_bytes(
        f"\ufeff[alice-long-term]\r\naws_access_key_id = AKIACREDS\r\naws_secret_access_key = {SECRET}\r\n".encode()
    )
    assert aws.long_term_keys(ALICE, credentials, config) == aws.Keys("AKIACREDS", SECRET)


def test_long_term_keys_refuses_temporary_credentials_and_names_a_missing_profile(aws_files):
    credentials, config = aws_files
    credentials.write_text(
        f"[alice-long-term]\naws_access_key_id = ASIATEMP\naws_secret_access_key = {SECRET}\naws_session_token = tok\n"
    )
    with pytest.raises(CredentialsFileError, match=r"holds temporary credentials, not long-term keys"):
        aws.long_term_keys(ALICE, credentials, config)
    credentials.write_text("[personal]\naws_access_key_id = AKIAPERSONAL\naws_secret_access_key = s\n")
    with pytest.raises(CredentialsFileError) as caught:
        aws.long_term_keys(ALICE, credentials, config)
    assert str(caught.value) == (
        f"identity alice: no long-term keys in profile [alice-long-term] of {credentials}; "
        "add them with `aws configure --profile alice-long-term`"
    )


# ── answers that lack what the call returns ─────────────────────────────────────────────────


def _alice_mfa(demo_world, frozen_clock) -> tuple[aws.Keys, object]:
    """alice's long-term keys and an STS client on the local AWS."""
    keys = aws.Keys(*demo_world.keys())
    return keys, aws.client("sts", keys, endpoint_url=demo_world.endpoint)


def test_an_mfa_session_answered_without_credentials_is_one_line_naming_the_endpoint(demo_world, frozen_clock):
    demo_world.aws.faults.set(missing_credentials={"GetSessionToken": 1})
    _, client = _alice_mfa(demo_world, frozen_clock)
    with pytest.raises(AwsError) as caught:
        sts.get_session_token(client, serial=demo_world.alice_serial, code=demo_world.code(), duration=3600,
                              what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    message = str(caught.value)
    assert message.startswith(f"identity alice: {demo_world.endpoint} answered without Credentials"), message
    assert "\n" not in message


def test_a_role_answered_without_credentials_fails_alone_and_the_rest_is_kept(demo_world, frozen_clock):
    """Through the Service: the one AssumeRole answered without credentials fails with one line; the
    MFA session (its code is spent) and every other role are committed."""
    from mfa_tui.core.registry import load as registry
    from mfa_tui.core.registry import edit as registry_edit
    from mfa_tui.core.service.facade import Service

    registry_edit.set_value(demo_world.config_path, ("settings",), "refresh_concurrency", 1)
    service = Service(registry.load(demo_world.config_path, aws_config_path=demo_world.aws_config_path),
                      clock=frozen_clock)
    demo_world.aws.faults.set(missing_credentials={"AssumeRole": 1})
    names = ["alice", "dev-admin", "dev-readonly", "prod-admin"]
    report = service.refresh(service.select(names), lambda _request: demo_world.code())
    [failed] = report.failed
    assert failed.message == (
        f"profile {failed.profile}: {demo_world.endpoint} answered without Credentials; "
        "try again, and check endpoint_url if it persists"
    )
    assert {r.profile for r in report.succeeded} == set(names) - {failed.profile}
    assert service.state_store.load().identities["alice"].mfa_credentials is not None


class _Answering:
    """A stand-in for a botocore STS client that returns one fixed answer (as botocore would parse it)."""

    def __init__(self, answer: dict):
        self.answer = answer

    def get_session_token(self, **_params) -> dict:
        return self.answer

    def assume_role(self, **_params) -> dict:
        return self.answer

    def get_caller_identity(self, **_params) -> dict:
        return self.answer


GOOD = {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": SECRET, "SessionToken": "token",
        "Expiration": "2030-01-01T00:00:00Z"}


@pytest.mark.parametrize(("answer", "expected"), [
    ({}, "answered without Credentials"),
    ({"Credentials": None}, "answered without Credentials"),
    ({"Credentials": "not a structure"}, "answered without Credentials"),
    ({"Credentials": {k: v for k, v in GOOD.items() if k != "AccessKeyId"}}, "answered with Credentials lacking AccessKeyId"),
    ({"Credentials": {"Expiration": GOOD["Expiration"]}},
     "answered with Credentials lacking AccessKeyId, SecretAccessKey, SessionToken"),
    ({"Credentials": {**GOOD, "Expiration": "tomorrow"}}, "answered with an Expiration that is not a time"),
    ({"Credentials": {**GOOD, "Expiration": 12}}, "answered with an Expiration that is not a time"),
    ({"Credentials": {**GOOD, "SessionToken": ["x"]}}, "answered with Credentials that are not text"),
], ids=["none", "null", "string", "no-key-id", "only-expiration", "bad-expiration", "number-expiration", "list-token"])
def test_malformed_credentials_are_one_line_never_a_key_or_type_error(answer, expected, frozen_clock):
    endpoint = "https://sts.example.test"
    for call in (
        lambda c: sts.get_session_token(c, serial=None, code=None, duration=900, what="identity alice",
                                        clock=frozen_clock, endpoint=endpoint),
        lambda c: sts.assume_role(c, role_arn="arn:aws:iam::222222222222:role/Admin", session_name="me",
                                  duration=900, what="identity alice", clock=frozen_clock, endpoint=endpoint),
    ):
        with pytest.raises(AwsError) as caught:
            call(_Answering(answer))
        message = str(caught.value)
        assert message.startswith(f"identity alice: {endpoint} {expected}"), message
        assert SECRET not in message and "\n" not in message


def test_a_who_am_i_answer_without_an_arn_is_one_line(frozen_clock):
    with pytest.raises(AwsError) as caught:
        sts.caller_identity(_Answering({"Account": "111111111111"}), what="profile dev-admin", clock=frozen_clock)
    assert str(caught.value).startswith("profile dev-admin: AWS answered without Arn, UserId")


# ── AWS's own words, and the clock ──────────────────────────────────────────────────────────


def _caller_error(demo_world, frozen_clock) -> AwsError:
    keys, client = _alice_mfa(demo_world, frozen_clock)
    with pytest.raises(AwsError) as caught:
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    return caught.value


def _aws_clock_moved(demo_world, frozen_clock, seconds: float) -> None:
    """Only the local AWS's clock moves; mfa-tui and botocore keep signing on ``frozen_clock``."""
    demo_world.aws.clock = FrozenClock(frozen_clock.now() + timedelta(seconds=seconds))


def test_a_clock_ahead_of_aws_is_named_as_such_with_aws_text(demo_world, frozen_clock):
    _aws_clock_moved(demo_world, frozen_clock, -20 * 60)  # AWS is 20 minutes behind: we sign in its future
    error = _caller_error(demo_world, frozen_clock)
    message = str(error)
    assert isinstance(error, ClockSkewError), message
    assert message.startswith("identity alice: your clock is ahead of AWS's"), message
    assert "Signature not yet current: " in message and "is still later than" in message
    assert "secret key does not match" not in message


def test_a_clock_behind_aws_is_named_as_such_with_aws_text(demo_world, frozen_clock):
    _aws_clock_moved(demo_world, frozen_clock, 20 * 60)
    error = _caller_error(demo_world, frozen_clock)
    message = str(error)
    assert isinstance(error, ClockSkewError), message
    assert message.startswith("identity alice: your clock is behind AWS's"), message
    assert "Signature expired: " in message


def test_aws_text_is_kept_where_it_says_something(demo_world, frozen_clock):
    demo_world.aws.faults.set(throttle_rate=1.0)
    keys, _ = _alice_mfa(demo_world, frozen_clock)
    client = aws.client("sts", keys, endpoint_url=demo_world.endpoint, max_attempts=1)
    with pytest.raises(AwsError) as caught:
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert str(caught.value).endswith("(Throttling: Rate exceeded)")
    demo_world.aws.faults.set(error_rate=1.0)
    with pytest.raises(AwsError) as caught:
        sts.caller_identity(client, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    assert "(InternalError: We encountered an internal error. Please try again)" in str(caught.value)
    demo_world.aws.faults.clear()
    stranger = aws.client("sts", aws.Keys("AKIAUNKNOWN000000000", SECRET), endpoint_url=demo_world.endpoint)
    with pytest.raises(AwsError) as caught:
        sts.caller_identity(stranger, what="identity alice", clock=frozen_clock, endpoint=demo_world.endpoint)
    message = str(caught.value)
    assert "(InvalidClientTokenId: The security token included in the request is invalid)" in message, message
    assert SECRET not in message


# ── an unexpected exception is named, with its message, and logged ───────────────────────────


def test_an_unexpected_exception_is_one_line_naming_the_log(isolated_home):
    from mfa_tui.core.logfile import log_path

    token = "FwoGZXIvYXdzE" + "A1b2C3d4" * 30  # session-token shaped: must not reach the log
    try:
        {}["Credentials"]
    except KeyError as exc:
        error = aws_errors.translate_error(exc, what="identity alice")
    try:
        raise TypeError(f"bad operand {token}")
    except TypeError as exc:
        other = aws_errors.translate_error(exc, what="profile dev-admin")
    path = log_path()
    assert str(error) == (
        "identity alice: unexpected KeyError: 'Credentials' (details in ~/.local/state/mfa-tui/mfa-tui.log)"
    )
    assert str(other).startswith("profile dev-admin: unexpected TypeError: bad operand [redacted] (details in ")
    text = path.read_text()
    assert "identity alice" in text and "Traceback (most recent call last)" in text and "KeyError: 'Credentials'" in text
    assert "test_an_unexpected_exception_is_one_line_naming_the_log" in text  # where it happened
    assert token not in text and token not in str(other)
