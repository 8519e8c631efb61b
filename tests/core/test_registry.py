"""Loading and validating the TOML registry: every rule, with its message, all at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mfa_tui.core.registry import load as registry
from mfa_tui.core.errors import FileError, Problem, RegistryError
from mfa_tui.core.models import Strategy

REPO = Path(__file__).resolve().parents[2]

BASE = """\
[settings]
theme = "mfa-dark"

[accounts.identity]
id = "111111111111"

[accounts.dev]
id = "222222222222"
alias = "dev"

[identities.alice]
source_profile = "alice-long-term"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"
account = "identity"

[profiles.alice]
identity = "alice"

[profiles.dev-admin]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Admin"
"""


def write(tmp_path: Path, text: str | bytes, name: str = "config.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str | bytes, **kw) -> list[Problem]:
    return registry.check(write(tmp_path, text), **kw)


def only(problems: list[Problem], where: str) -> Problem:
    """The one problem at ``where`` (fails listing all problems otherwise)."""
    found = [p for p in problems if p.where == where]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_base_fixture_is_valid(tmp_path):
    assert problems_of(tmp_path, BASE) == []


def test_example_registry_is_valid_and_complete():
    reg = registry.load(REPO / "config.example.toml")
    assert set(reg.accounts) == {"identity", "dev", "prod"}
    assert reg.settings.warn_before == 15 * 60
    assert reg.settings.mfa_session_duration == 12 * 3600
    assert reg.profiles["prod-readonly"].strategy is Strategy.DIRECT
    assert reg.profiles["prod-readonly"].duration == 8 * 3600
    assert reg.profiles["dev-admin"].tags == ("admin",)
    assert list(reg.profiles) == ["alice", "dev-admin", "prod-readonly"]


def test_example_documents_every_key():
    """config.example.toml is the schema reference: each key appears in it, set or commented."""
    from mfa_tui.core.registry.validate import TABLES

    text = (REPO / "config.example.toml").read_text()
    for table, keys in TABLES.items():
        for key in keys:
            assert f"{key} =" in text or f"[{table}.{key}]" in text, f"{table}.{key} is not documented"


def test_load_builds_models(tmp_path):
    text = BASE + """
[profiles.ops]
identity = "alice"
role_arn = "arn:aws:iam::222222222222:role/Ops"
strategy = "direct"
duration = "1h30m"
external_id = "ext-123"
role_session_name = "alice-ops"
region = "eu-west-1"
account = "dev"
tags = ["ops", "admin"]
"""
    text = text.replace('theme = "mfa-dark"', 'theme = "mfa-light"\nwarn_before = 0\nrefresh_concurrency = 16\n'
                        'auto_remint = false\nrole_duration = 900\n[settings.keys]\nrefresh_all = "R,ctrl+r"\n')
    reg = registry.load(write(tmp_path, text))
    ops = reg.profiles["ops"]
    assert ops.duration == 5400 and ops.strategy is Strategy.DIRECT and ops.tags == ("ops", "admin")
    assert ops.external_id == "ext-123" and ops.role_session_name == "alice-ops" and ops.region == "eu-west-1"
    assert reg.settings.theme == "mfa-light" and reg.settings.warn_before == 0
    assert reg.settings.refresh_concurrency == 16 and reg.settings.auto_remint is False
    assert reg.settings.role_duration == 900 and reg.settings.keys == {"refresh_all": "R,ctrl+r"}
    assert reg.identities["alice"].account_id == "111111111111"
    assert reg.account_for(ops).id == "222222222222"
    assert reg.path == tmp_path / "config.toml"


def test_empty_file_is_a_valid_empty_registry(tmp_path):
    reg = registry.load(write(tmp_path, ""))
    assert reg.profiles == {} and reg.settings.theme == "mfa-dark"


def test_bom_and_crlf_are_tolerated(tmp_path):
    reg = registry.load(write(tmp_path, ("\ufeff" + BASE).replace("\n", "\r\n")))
    assert set(reg.profiles) == {"alice", "dev-admin"}


# -- reading the file -----------------------------------------------------------------


def test_missing_file_says_how_to_create_it(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(RegistryError) as err:
        registry.load(path)
    [problem] = err.value.problems
    assert f"cp config.example.toml {path}" in problem.message
    assert "mfa-tui import --write" in problem.message
    assert str(err.value).startswith(str(path))


def test_binary_file(tmp_path):
    [p] = problems_of(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert p.message == "is a binary file, not a TOML registry"


def test_non_utf8_file_points_at_the_byte(tmp_path):
    [p] = problems_of(tmp_path, b'[settings]\ntheme = "caf\xe9"\n')
    assert "is not UTF-8 text (byte 0xe9)" in p.message
    assert (p.line, p.column) == (2, 13)


def test_huge_file(tmp_path):
    [p] = problems_of(tmp_path, b"# " + b"x" * (4 * 1024 * 1024) + b"\n")
    assert "larger than 4 MiB" in p.message


def test_directory(tmp_path):
    (tmp_path / "config.toml").mkdir()
    [p] = registry.check(tmp_path / "config.toml")
    assert p.message == "is a directory, not a file"


def test_symlink_loop(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    os.symlink(b, a)
    os.symlink(a, b)
    [p] = registry.check(a)
    assert "too many levels of symbolic links" in p.message
    assert str(p).startswith(f"{a}: ")


# -- TOML syntax ----------------------------------------------------------------------


def test_syntax_error_has_line_and_column(tmp_path):
    [p] = problems_of(tmp_path, "[settings]\ntheme = mfa-dark\n")
    assert (p.line, p.column) == (2, 9)
    assert "strings need quotes" in p.message
    assert str(p) == f"{tmp_path / 'config.toml'}:2:9: {p.message}"


def test_other_syntax_errors_keep_tomllib_wording(tmp_path):
    [p] = problems_of(tmp_path, "[settings\n")
    assert p.message.startswith("TOML syntax error: ") and p.line == 1


def test_truncated_file(tmp_path):
    cut = BASE[: BASE.index("role/Admin")]
    [p] = problems_of(tmp_path, cut)
    assert "truncated" in p.message
    assert p.line == cut.count("\n") + 1


def test_duplicate_profile_name(tmp_path):
    text = BASE + '\n[profiles.alice]\nidentity = "alice"\n'
    [p] = problems_of(tmp_path, text)
    assert p.where == "profiles.alice"
    assert "[profiles.alice] is declared twice" in p.message
    assert "two profiles cannot share a name" in p.message
    first = BASE.splitlines().index("[profiles.alice]") + 1
    assert f"first declared on line {first}" in p.message
    assert p.line == text.count("\n") - 1


def test_duplicate_key(tmp_path):
    [p] = problems_of(tmp_path, '[settings]\ntheme = "a"\ntheme = "b"\n')
    assert p.message.startswith("theme is set twice in the same table") and p.line == 3


# -- unknown tables and keys ------------------------------------------------------------


def test_unknown_keys_get_did_you_mean(tmp_path):
    text = BASE.replace('theme = "mfa-dark"', 'theem = "mfa-dark"').replace(
        'identity = "alice"\nrole_arn', 'identity = "alice"\nrole_ran = "x"\nrole_arn'
    )
    probs = problems_of(tmp_path, text)
    assert only(probs, "settings.theem").message == "unknown key; did you mean theme?"
    assert only(probs, "profiles.dev-admin.role_ran").message == "unknown key; did you mean role_arn?"
    assert only(probs, "settings.theem").line == 2


def test_unknown_key_hints_for_aws_names_and_other_tables(tmp_path):
    text = BASE.replace('account = "identity"', 'account = "identity"\naws_mfa_device = "x"\nrole_arn = "y"\nzzz = 1')
    probs = problems_of(tmp_path, text)
    assert only(probs, "identities.alice.aws_mfa_device").message == "unknown key; did you mean mfa_serial?"
    assert only(probs, "identities.alice.role_arn").message == "unknown key; role_arn belongs in [profiles.NAME] tables"
    assert only(probs, "identities.alice.zzz").message.startswith("unknown key; known keys: source_profile, mfa_serial")


def test_unknown_tables(tmp_path):
    probs = problems_of(tmp_path, BASE + '\n[profile.x]\nidentity = "alice"\n\n[misc]\na = 1\n')
    assert only(probs, "profile").message == "unknown table; did you mean [profiles]?"
    assert "the tables are [settings]" in only(probs, "misc").message


def test_settings_key_at_top_level(tmp_path):
    probs = problems_of(tmp_path, 'theme = "mfa-dark"\n' + BASE)
    assert only(probs, "theme").message == "unknown top-level key; put it under [settings]"


# -- types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("refresh_concurrency = 0", "must be a whole number from 1 to 64, got 0"),
        ("refresh_concurrency = 65", "must be a whole number from 1 to 64, got 65"),
        ('refresh_concurrency = "8"', 'must be a whole number from 1 to 64, got "8"'),
        ("refresh_concurrency = true", "must be a whole number from 1 to 64, got true"),
        ('auto_remint = "yes"', 'must be true or false, got "yes"'),
        ("credentials_file = 3", "must be a string in quotes, got 3 (a number)"),
        ('credentials_file = ""', "must not be empty"),
    ],
)
def test_settings_types(tmp_path, setting, message):
    probs = problems_of(tmp_path, BASE.replace('theme = "mfa-dark"', setting))
    key = setting.split(" =")[0]
    assert only(probs, f"settings.{key}").message == message


def test_theme_must_be_a_plain_name(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('"mfa-dark"', '"../../etc/passwd"'))
    assert "is not a theme name" in only(probs, "settings.theme").message


def test_key_bindings_must_be_strings(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('theme = "mfa-dark"', '[settings.keys]\nquit = 1\n'))
    assert "comma-separated keys" in only(probs, "settings.keys.quit").message


@pytest.mark.parametrize("tags", ['"prod"', '["prod", 3]', '[""]', "{ a = 1 }"])
def test_tags_must_be_a_list_of_strings(tmp_path, tags):
    probs = problems_of(tmp_path, BASE.replace('alias = "dev"', f"tags = {tags}"))
    assert "must be a list of non-empty strings" in only(probs, "accounts.dev.tags").message


def test_tables_must_be_tables(tmp_path):
    probs = problems_of(tmp_path, 'profiles = 3\n[accounts]\ndev = "x"\n')
    assert "must be a table" in only(probs, "profiles").message
    assert "must be a table [accounts.dev]" in only(probs, "accounts.dev").message


# -- ids, ARNs, serials -----------------------------------------------------------------


def test_account_id_must_be_12_digits(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('"222222222222"', '"22222"'))
    assert only(probs, "accounts.dev.id").message == '"22222" is not a 12-digit account id'


def test_account_id_as_number_is_explained(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('"222222222222"', "22222222222"))
    assert 'id = "022222222222" (a number loses leading zeros)' in only(probs, "accounts.dev.id").message


def test_account_needs_an_id(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('id = "222222222222"\n', ""))
    assert only(probs, "accounts.dev").message.startswith("id is missing")


def test_duplicate_account_ids(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('"222222222222"', '"111111111111"'))
    assert "is also accounts.identity's" in only(probs, "accounts.dev.id").message


def test_mfa_serial_given_as_user_arn_gets_the_hint(tmp_path):
    probs = problems_of(tmp_path, BASE.replace(":mfa/alice", ":user/alice"))
    msg = only(probs, "identities.alice.mfa_serial").message
    assert "this is the user's ARN; the MFA device is arn:aws:iam::111111111111:mfa/NAME" in msg
    assert "arn:aws:iam::111111111111:mfa/alice" in msg


@pytest.mark.parametrize(
    ("serial", "fragment"),
    [
        ("arn:aws:iam::1111:mfa/alice", "is not an MFA device serial"),
        ("alice", "is not an MFA device serial"),
        ("arn:aws:iam::111111111111:u2f/user/alice/key", "FIDO security key"),
    ],
)
def test_malformed_mfa_serial(tmp_path, serial, fragment):
    probs = problems_of(tmp_path, BASE.replace("arn:aws:iam::111111111111:mfa/alice", serial))
    assert fragment in only(probs, "identities.alice.mfa_serial").message


def test_hardware_token_serial_is_accepted(tmp_path):
    text = BASE.replace('"arn:aws:iam::111111111111:mfa/alice"', '"GAHT12345678"')
    assert problems_of(tmp_path, text) == []


@pytest.mark.parametrize(
    ("arn", "fragment"),
    [
        ("arn:aws:iam::22222222222:role/Admin", "is not a role ARN like arn:aws:iam::123456789012:role/NAME"),
        ("arn:aws:iam::222222222222:user/Admin", "this is a user's ARN"),
        (
            "arn:aws:sts::222222222222:assumed-role/Admin/alice",
            "this is an assumed-role session ARN; use the role's ARN, arn:aws:iam::222222222222:role/Admin",
        ),
    ],
)
def test_malformed_role_arn(tmp_path, arn, fragment):
    probs = problems_of(tmp_path, BASE.replace("arn:aws:iam::222222222222:role/Admin", arn))
    assert fragment in only(probs, "profiles.dev-admin.role_arn").message


def test_other_identity_fields(tmp_path):
    text = BASE.replace(
        'account = "identity"',
        'account = "identity"\nregion = "US East"\nendpoint_url = "ftp://x"\nuser_name = "a b"',
    )
    probs = problems_of(tmp_path, text)
    assert "is not a region name like us-east-1" in only(probs, "identities.alice.region").message
    assert "is not an http:// or https:// URL" in only(probs, "identities.alice.endpoint_url").message
    assert "is not an IAM user name" in only(probs, "identities.alice.user_name").message


def test_identity_needs_source_profile(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('source_profile = "alice-long-term"\n', ""))
    assert only(probs, "identities.alice").message.startswith("source_profile is missing")


def test_role_fields(tmp_path):
    text = BASE + 'strategy = "chain"\nexternal_id = "x"\nrole_session_name = "has space"\n'
    probs = problems_of(tmp_path, text)
    assert only(probs, "profiles.dev-admin.strategy").message == '"chain" is not a strategy: use "chained" (the default) or "direct"'
    assert "is not a valid ExternalId" in only(probs, "profiles.dev-admin.external_id").message
    assert "is not a valid RoleSessionName" in only(probs, "profiles.dev-admin.role_session_name").message


def test_role_keys_on_an_mfa_session_profile(tmp_path):
    text = BASE.replace('[profiles.alice]\nidentity = "alice"\n', '[profiles.alice]\nidentity = "alice"\nstrategy = "direct"\nduration = "1h"\n')
    probs = problems_of(tmp_path, text)
    assert "only applies to role profiles" in only(probs, "profiles.alice.strategy").message
    assert "set mfa_session_duration on its identity" in only(probs, "profiles.alice.duration").message


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"10m"', '"37h"', "600"])
def test_mfa_session_duration_limits(tmp_path, value):
    text = BASE.replace('account = "identity"', f"account = \"identity\"\nmfa_session_duration = {value}")
    text = text.replace('theme = "mfa-dark"', f"mfa_session_duration = {value}")
    probs = problems_of(tmp_path, text)
    for where in ("settings.mfa_session_duration", "identities.alice.mfa_session_duration"):
        assert "is outside AWS's limits for an MFA session (GetSessionToken): 15m to 36h" in only(probs, where).message


@pytest.mark.parametrize("value", ['"36h"', '"15m"', '"1d"', "129600"])
def test_mfa_session_duration_bounds_are_inclusive(tmp_path, value):
    text = BASE.replace('account = "identity"', f"account = \"identity\"\nmfa_session_duration = {value}")
    text = text.replace('theme = "mfa-dark"', 'theme = "mfa-dark"\nwarn_before = "5m"')  # shorter than a 15m session
    assert problems_of(tmp_path, text) == []


@pytest.mark.parametrize("value", ['"14m"', '"13h"'])
def test_role_duration_limits(tmp_path, value):
    text = BASE + f'strategy = "direct"\nduration = {value}\n'
    text = text.replace('theme = "mfa-dark"', f"role_duration = {value}")
    probs = problems_of(tmp_path, text)
    for where in ("settings.role_duration", "profiles.dev-admin.duration"):
        assert "is outside AWS's limits for a role session (AssumeRole): 15m to 12h" in only(probs, where).message


def test_direct_role_may_last_12_hours(tmp_path):
    assert problems_of(tmp_path, BASE + 'strategy = "direct"\nduration = "12h"\n') == []


@pytest.mark.parametrize("strategy", ["", 'strategy = "chained"\n'])
def test_chained_role_above_one_hour(tmp_path, strategy):
    probs = problems_of(tmp_path, BASE + strategy + 'duration = "1h1m"\n')
    msg = only(probs, "profiles.dev-admin.duration").message
    assert "AWS caps chained roles (assumed with an MFA session) at 1 hour" in msg
    assert 'strategy = "direct"' in msg


def test_chained_role_of_exactly_one_hour_is_fine(tmp_path):
    assert problems_of(tmp_path, BASE + "duration = 3600\n") == []


def test_warn_before(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('theme = "mfa-dark"', "warn_before = -1"))
    assert "at least 0" in only(probs, "settings.warn_before").message
    assert problems_of(tmp_path, BASE.replace('theme = "mfa-dark"', 'warn_before = "0s"')) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"1x"', "cannot read duration '1x': use seconds or units d/h/m/s, e.g. \"1h30m\""),
        ('"h"', "cannot read duration 'h': use seconds or units d/h/m/s, e.g. \"1h30m\""),
        ('""', "cannot read duration '': use seconds or units d/h/m/s, e.g. \"1h30m\""),
        ("1.5", 'expected a duration such as 3600, "1h" or "90m"; got 1.5'),
        ("true", 'expected a duration such as 3600, "1h" or "90m"; got true'),
    ],
)
def test_unreadable_durations(tmp_path, value, message):
    probs = problems_of(tmp_path, BASE.replace('theme = "mfa-dark"', f"warn_before = {value}"))
    assert only(probs, "settings.warn_before").message == message


# -- references -----------------------------------------------------------------------------


def test_unknown_identity_reference(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('identity = "alice"\nrole_arn', 'identity = "alcie"\nrole_arn'))
    p = only(probs, "profiles.dev-admin.identity")
    assert p.message == '"alcie" is not one of this registry\'s identities; did you mean "alice"?'
    assert p.line == BASE.splitlines().index('role_arn = "arn:aws:iam::222222222222:role/Admin"')


def test_unknown_account_references(tmp_path):
    text = BASE.replace('account = "identity"', 'account = "identty"') + 'account = "nope"\n'
    probs = problems_of(tmp_path, text)
    assert 'did you mean "identity"?' in only(probs, "identities.alice.account").message
    assert "known: identity, dev" in only(probs, "profiles.dev-admin.account").message


def test_reference_checked_even_when_the_entry_has_other_problems(tmp_path):
    text = BASE.replace('identity = "alice"\nrole_arn', 'identity = "bob"\nrole_arn') + 'duration = "5h"\n'
    probs = problems_of(tmp_path, text)
    assert {"profiles.dev-admin.identity", "profiles.dev-admin.duration"} <= {p.where for p in probs}


def test_role_account_differs_from_account_table(tmp_path):
    probs = problems_of(tmp_path, BASE + 'account = "identity"\n')
    assert only(probs, "profiles.dev-admin.account").message == (
        "accounts.identity has id 111111111111 but role_arn is in account 222222222222"
    )


def test_identity_account_differs_from_mfa_serial(tmp_path):
    probs = problems_of(tmp_path, BASE.replace('account = "identity"', 'account = "dev"'))
    assert "but mfa_serial is in account 111111111111" in only(probs, "identities.alice.account").message


# -- profile names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ('[profiles.""]', "must not be empty or blank"),
        ('[profiles."  "]', "must not be empty or blank"),
        ('[profiles."a]b"]', "cannot hold [, ], a newline"),
        ('[profiles."a\\nb"]', "cannot hold [, ], a newline"),
        ('[profiles." padded"]', "cannot start or end with whitespace"),
        ('[profiles."profile ops"]', 'without the "profile " prefix'),
    ],
)
def test_profile_names_must_be_usable_ini_sections(tmp_path, header, fragment):
    probs = problems_of(tmp_path, BASE + f'\n{header}\nidentity = "alice"\n')
    assert len(probs) == 1 and fragment in probs[0].message, [str(p) for p in probs]
    assert probs[0].where.startswith("profiles.")


def test_profile_named_like_a_long_term_key_profile(tmp_path):
    probs = problems_of(tmp_path, BASE + '\n[profiles.alice-long-term]\nidentity = "alice"\n')
    msg = only(probs, "profiles.alice-long-term").message
    assert "identities.alice.source_profile" in msg and "would overwrite those keys" in msg


def test_profile_shadowed_by_role_arn_in_aws_config(tmp_path, isolated_home):
    config = isolated_home / ".aws" / "config"
    config.parent.mkdir()
    config.write_text(
        "[default]\nregion = us-east-1\n\n"
        "[profile dev-admin]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = x\n\n"
        "[profile alice]\nregion = eu-west-1\n"
    )
    probs = problems_of(tmp_path, BASE)
    [p] = probs
    assert p.where == "profiles.dev-admin"
    assert f"{config} has [profile dev-admin] with role_arn" in p.message
    assert "resolve before the credentials file" in p.message


def test_shadowing_checks_the_given_aws_config(tmp_path):
    other = tmp_path / "aws-config"
    other.write_text('[profile "alice"]\nsso_session = corp\n')
    probs = problems_of(tmp_path, BASE, aws_config_path=other)
    assert "with sso_session" in only(probs, "profiles.alice").message


@pytest.mark.parametrize("content", [b"[profile x\nrole_arn = y\n", b"no section\n", b"\xff\x00binary"])
def test_unparsable_aws_config_is_tolerated(tmp_path, content):
    other = tmp_path / "aws-config"
    other.write_bytes(content)
    assert problems_of(tmp_path, BASE, aws_config_path=other) == []


def test_aws_config_that_is_a_directory_is_refused_with_one_line(tmp_path):
    (tmp_path / "cfgdir").mkdir()
    with pytest.raises(FileError, match=f"^{tmp_path / 'cfgdir'}: is a directory, not a file$"):
        problems_of(tmp_path, BASE, aws_config_path=tmp_path / "cfgdir")


# -- all at once --------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    text = (
        BASE.replace('theme = "mfa-dark"', "refresh_concurrency = 100")
        .replace('"222222222222"', '"2222"')
        .replace(":mfa/alice", ":user/alice")
        .replace('identity = "alice"\nrole_arn', 'identity = "carol"\nrole_arn')
        + 'duration = "3h"\ncolour = "red"\n'
    )
    with pytest.raises(RegistryError) as err:
        registry.load(write(tmp_path, text))
    wheres = [p.where for p in err.value.problems]
    assert wheres == [
        "settings.refresh_concurrency",
        "accounts.dev.id",
        "identities.alice.mfa_serial",
        "profiles.dev-admin.identity",
        "profiles.dev-admin.duration",
        "profiles.dev-admin.colour",
    ]
    assert all(p.line is not None for p in err.value.problems)
    assert "(and 5 more problems)" in str(err.value)


def test_quoted_names_in_where(tmp_path):
    probs = problems_of(tmp_path, BASE + '\n[profiles."a.b"]\nidentity = "zed"\n')
    assert only(probs, 'profiles."a.b".identity').line == BASE.count("\n") + 3
