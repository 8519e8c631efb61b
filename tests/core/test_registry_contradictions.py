"""Registries that parse and pass each key's own check, yet cannot work: refused by ``config check``.

- a profile named ``DEFAULT``: configparser's default section, which the credentials writer refuses
  (and botocore would read as defaults for every profile);
- ``credentials_file`` pointing at the registry, the AWS config file or mfa-tui's state;
- ``warn_before`` as long as a session lasts, so the session is "expiring" from the moment it is made;
- numbers written with digits other than ASCII 0-9 (``"²h"``, ``"٣٦٠٠"``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mfa_tui.cli import main
from mfa_tui.core.registry import load as registry
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.errors import CredentialsFileError, Problem, RegistryError
from mfa_tui.core.models import Credentials

from test_registry import BASE, only

HEAD, _, _role = BASE.partition("\n[profiles.dev-admin]\n")
ROLE = "\n[profiles.dev-admin]\n" + _role
"""BASE's chained role profile; HEAD is BASE without it."""


def check(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return registry.check(path)


def settings(**values: str) -> str:
    """HEAD with ``values`` (TOML text) added to [settings]."""
    lines = "".join(f"{key} = {value}\n" for key, value in values.items())
    return HEAD.replace('theme = "mfa-dark"\n', 'theme = "mfa-dark"\n' + lines)


# -- a profile named DEFAULT ------------------------------------------------------------------


def test_a_profile_named_DEFAULT_is_refused_naming_configparser(tmp_path):
    problem = only(check(tmp_path, HEAD + '\n[profiles.DEFAULT]\nidentity = "alice"\n'), "profiles.DEFAULT")
    assert "configparser's default section" in problem.message
    assert problem.line == (HEAD + "\n").count("\n") + 1


@pytest.mark.parametrize("name", ["DEFAULT", "default", "Default", "dEFAULT", "DEFAULTS"])
def test_the_registry_accepts_exactly_the_names_the_credentials_writer_writes(tmp_path, name):
    accepted = check(tmp_path, HEAD + f'\n[profiles.{name}]\nidentity = "alice"\n') == []
    creds = Credentials("ASIATEST0001", "secret", "token", datetime(2030, 1, 1, tzinfo=UTC))
    target = CredentialsFile(tmp_path / "credentials")
    try:
        target.write([ProfileCredentials(name, creds)])
        written = name in target.read()
    except CredentialsFileError:
        written = False
    assert accepted == written


# -- credentials_file pointing at a file mfa-tui or the AWS CLI already uses -------------------


def _registry_link(tmp_path: Path) -> str:
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "config.toml")
    return str(link)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (lambda tmp, home: str(tmp / "config.toml"), "is the registry itself"),
        (lambda tmp, home: str(tmp / "sub" / ".." / "config.toml"), "is the registry itself"),
        (lambda tmp, home: _registry_link(tmp), "is the registry itself"),
        (lambda tmp, home: "~/.aws/config", "is the AWS config file"),
        (lambda tmp, home: "~/.local/state/mfa-tui", "mfa-tui's state dir"),
        (lambda tmp, home: "~/.local/state/mfa-tui/state.json", "mfa-tui's state dir"),
    ],
    ids=["registry", "registry-dotdot", "registry-symlink", "aws-config", "state-dir", "state-file"],
)
def test_credentials_file_on_a_file_in_use_is_refused(tmp_path, isolated_home, target, reason):
    (tmp_path / "sub").mkdir()
    (tmp_path / "config.toml").write_text("")
    value = target(tmp_path, isolated_home)
    problem = only(check(tmp_path, settings(credentials_file=f'"{value}"')), "settings.credentials_file")
    assert reason in problem.message and "secret keys" in problem.message


def test_credentials_file_of_aws_config_file_variable_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    problem = only(check(tmp_path, settings(credentials_file=f'"{tmp_path / "aws-config"}"')), "settings.credentials_file")
    assert "is the AWS config file" in problem.message


def test_credentials_file_elsewhere_is_fine(tmp_path):
    assert check(tmp_path, settings(credentials_file='"~/.aws/credentials"')) == []
    assert check(tmp_path, settings(credentials_file=f'"{tmp_path / "credentials"}"')) == []


def test_a_kept_copy_is_not_used_once_the_credentials_file_turns_into_the_registry(tmp_path):
    path = tmp_path / "config.toml"
    link = tmp_path / "credentials"
    link.symlink_to(tmp_path / "elsewhere")
    path.write_text(settings(credentials_file=f'"{link}"'))
    registry.load(path)  # valid: kept
    link.unlink()
    link.symlink_to(path)
    with pytest.raises(RegistryError) as caught:
        registry.load(path)
    assert [p.where for p in caught.value.problems] == ["settings.credentials_file"]


def test_config_check_lists_the_problem_and_exits_2(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(settings(credentials_file=f'"{path}"'))
    assert main(["config", "check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}:3:1: settings.credentials_file: ") and "is the registry itself" in out
    assert f"{path}: 1 problem" in err


# -- warn_before against the sessions it watches ----------------------------------------------------


def test_warn_before_as_long_as_a_chained_role_is_refused(tmp_path):
    message = only(check(tmp_path, settings(warn_before='"1h"') + ROLE), "settings.warn_before").message
    assert '"1h" (3600 s)' in message and "chained role" in message and "1h" in message
    assert "every 30 s" in message and "profiles.dev-admin" in message


def test_warn_before_against_chained_roles_counts_the_one_hour_cap(tmp_path):
    text = settings(warn_before='"2h"', role_duration='"8h"') + ROLE
    message = only(check(tmp_path, text), "settings.warn_before").message
    assert "1-hour cap" in message and "chained role" in message


def test_a_short_chained_duration_is_refused_where_it_is_set(tmp_path):
    problems = check(tmp_path, settings(warn_before='"20m"') + ROLE + 'duration = "20m"\n')
    message = only(problems, "profiles.dev-admin.duration").message
    assert '"20m"' in message and "settings.warn_before" in message and "20m" in message
    assert [p.where for p in problems] == ["profiles.dev-admin.duration"]


def test_the_default_warn_before_counts_too(tmp_path):
    message = only(check(tmp_path, HEAD + ROLE + 'duration = "15m"\n'), "profiles.dev-admin.duration").message
    assert "15m, the default" in message


def test_a_direct_role_as_short_as_warn_before_is_refused(tmp_path):
    text = settings(warn_before='"2h"') + ROLE + 'strategy = "direct"\nduration = "2h"\n'
    message = only(check(tmp_path, text), "profiles.dev-admin.duration").message
    assert "asks for a code" in message


def test_warn_before_as_long_as_the_mfa_session_is_refused(tmp_path):
    message = only(check(tmp_path, settings(warn_before='"12h"')), "settings.warn_before").message
    assert "MFA session" in message and "12h" in message and "settings.mfa_session_duration" in message
    assert "ask for a code" in message


def test_an_identity_session_as_short_as_warn_before_is_refused_where_it_is_set(tmp_path):
    text = settings(warn_before='"30m"').replace('account = "identity"\n', 'account = "identity"\nmfa_session_duration = "30m"\n')
    message = only(check(tmp_path, text), "identities.alice.mfa_session_duration").message
    assert "MFA session" in message and "settings.warn_before" in message


def test_many_profiles_on_the_settings_default_give_one_problem(tmp_path):
    roles = "".join(ROLE.replace("dev-admin", f"role-{n}") for n in range(5))
    problems = check(tmp_path, settings(warn_before='"1h"') + roles)
    assert [p.where for p in problems] == ["settings.warn_before"]
    assert "and 4 more" in problems[0].message


@pytest.mark.parametrize("text", [settings(warn_before='"59m"') + ROLE, settings(warn_before='"11h"')])
def test_warn_before_shorter_than_every_session_is_fine(tmp_path, text):
    assert check(tmp_path, text) == []


def test_warn_before_only_meets_the_sessions_in_use(tmp_path):
    # Only a direct role of 8h: no MFA session or chained role is made, so 2h hurts nothing.
    text = settings(warn_before='"2h"', mfa_session_duration='"1h"').replace("\n[profiles.alice]\nidentity = \"alice\"\n", "")
    assert check(tmp_path, text + ROLE.replace("[profiles.dev-admin]", "[profiles.ops]") + 'strategy = "direct"\nduration = "8h"\n') == []


# -- numbers: ASCII digits only -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["²h", "٣٦٠٠", "３６００", "1h３0m"])
def test_durations_take_ascii_digits_only(tmp_path, value):
    message = only(check(tmp_path, settings(warn_before=f'"{value}"')), "settings.warn_before").message
    assert repr(value) in message and "0-9" in message
    assert "invalid literal" not in message


@pytest.mark.parametrize("value", ["3600", "1h30m", " 2h ", "90M"])
def test_ascii_durations_still_read(tmp_path, value):
    assert check(tmp_path, settings(mfa_session_duration=f'"{value}"')) == []


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('id = "111111111111"', 'id = "١١١١١١١١١١١١"', "accounts.identity.id"),
        (":111111111111:mfa/alice", ":١١١١١١١١١١١١:mfa/alice", "identities.alice.mfa_serial"),
        ("::222222222222:role", "::２２２２２２２２２２２２:role", "profiles.dev-admin.role_arn"),
    ],
)
def test_account_ids_take_ascii_digits_only(tmp_path, old, new, where):
    only(check(tmp_path, (HEAD + ROLE).replace(old, new)), where)


def test_no_traceback_text_for_any_duration(tmp_path):
    for value in ("²", "¹²h", "৩m"):
        for problem in check(tmp_path, settings(role_duration=f'"{value}"')):
            assert "int()" not in problem.message, problem


def test_example_still_valid():
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    assert registry.check(example) == [], os.fspath(example)
