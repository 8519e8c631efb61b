"""Root writing another user's files (``sudo mfa-tui …`` keeping HOME) leaves them that user's.

Each test makes a home owned by an unused uid (:data:`USER`, no passwd entry needed), lets root
write in it through the real code, and then runs the user's own later run as that uid: a forked
child that drops to it (the interpreter may live under root's 0700 home, so a fresh ``python``
run as the user could not even start). The child inherits what the parent imported, so each
test first runs the same code as root. Skipped only when the tests do not run as root.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mfa_tui.cli import main
from mfa_tui.core import logfile
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.errors import FileError
from mfa_tui.core.fileio import atomic_write
from mfa_tui.core.models import Credentials
from mfa_tui.core.session.state import StateStore
from mfa_tui.localaws.demo import build_world

from unprivileged import USER, run_as

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root can write another user's files")


def not_users(top: Path) -> list[str]:
    """Everything under ``top`` (itself included) not owned by USER:USER."""
    found = []
    for path in [top, *top.rglob("*")]:
        info = path.lstat()
        if (info.st_uid, info.st_gid) != (USER, USER):
            found.append(f"{path.relative_to(top)} {info.st_uid}:{info.st_gid}")
    return found


def give_to_user(top: Path) -> None:
    for path in [top, *top.rglob("*")]:
        os.chown(path, USER, USER, follow_symlinks=False)


@pytest.fixture
def home(monkeypatch, isolated_home) -> Path:
    """A home owned by USER, in a directory USER can reach (pytest's own tmp dirs are root's 0700)."""
    top = Path(tempfile.mkdtemp(prefix="mfa-tui-owners-", dir="/tmp"))
    os.chmod(top, 0o711)
    home = top / "home"
    home.mkdir(mode=0o700)
    os.chown(home, USER, USER)
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    yield home
    shutil.rmtree(top)


def creds(n: int) -> Credentials:
    return Credentials(f"ASIA{n:016d}", "secret", "token",
                       expiration=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))


def test_root_keeps_a_users_credentials_file_and_its_lock_theirs(home):
    aws = home / ".aws"
    aws.mkdir(mode=0o700)
    path = aws / "credentials"
    path.write_bytes(b"[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n")
    os.chmod(path, 0o640)
    give_to_user(aws)

    CredentialsFile(path).write([ProfileCredentials("dev", creds(1))])

    assert not_users(aws) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # narrowed to owner-only, as for anyone
    # The user's own next run reads the file and takes the lock.
    run_as(USER, lambda: CredentialsFile(path).write([ProfileCredentials("prod", creds(2))]))
    assert set(CredentialsFile(path).read()) == {"alice", "dev", "prod"}
    assert not_users(aws) == []


def test_root_creates_the_credentials_file_and_its_directory_for_the_homes_owner(home):
    path = home / ".aws" / "credentials"

    CredentialsFile(path).write([ProfileCredentials("dev", creds(1))])

    assert not_users(home) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    run_as(USER, lambda: CredentialsFile(path).write([ProfileCredentials("prod", creds(2))]))
    assert set(CredentialsFile(path).read()) == {"dev", "prod"}


def test_root_creates_the_users_state_dir_and_state_for_them(home):
    def note(text):
        def apply(state):
            state.profile("dev").last_error = text

        return apply

    store = StateStore(home / ".local" / "state" / "mfa-tui")
    store.update(note("as root"))

    assert not_users(home) == []
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    run_as(USER, lambda: store.update(note("as the user")))
    assert store.load().profiles["dev"].last_error == "as the user"
    assert not_users(home) == []


def test_root_editing_a_users_registry_keeps_it_its_backup_and_its_lock_theirs(home):
    path = home / ".config" / "mfa-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[settings]\ntheme = "mfa-dark"\n')
    give_to_user(home)

    registry_edit.set_value(path, ("settings",), "theme", "mfa-light")

    assert not_users(home) == []
    run_as(USER, lambda: registry_edit.set_value(path, ("settings",), "theme", "mfa-dark"))
    assert path.read_text() == '[settings]\ntheme = "mfa-dark"\n'


def test_root_writing_the_users_log_leaves_it_theirs(home):
    logfile.record(ValueError("as root"), "test")
    assert not_users(home) == []
    run_as(USER, lambda: logfile.record(ValueError("as the user"), "test"))
    text = logfile.log_path().read_text()
    assert "as root" in text and "as the user" in text


def test_a_writer_that_cannot_keep_the_files_owner_refuses_and_leaves_it(home):
    # The user's directory holds a file root owns (say, from `sudo aws configure`): the user may
    # replace it, but the new file would be theirs, so mfa-tui refuses instead.
    directory = home / "dir"
    directory.mkdir()
    give_to_user(directory)
    path = directory / "credentials"
    path.write_bytes(b"[root]\n")
    os.chmod(path, 0o644)

    def write() -> str:
        try:
            atomic_write(path, b"[user]\n")
        except FileError as exc:
            return str(exc)
        return "written"

    said = run_as(USER, write)
    assert said == repr(
        f"{path}: must belong to uid 0 (gid 0), and mfa-tui running as uid {USER} cannot give it that owner "
        "(Operation not permitted)"
    )
    assert path.read_bytes() == b"[root]\n" and path.stat().st_uid == 0
    assert sorted(p.name for p in directory.iterdir()) == ["credentials"]


def test_sudo_refresh_then_the_users_own_refresh_and_status(local_aws, home):
    world = build_world(local_aws, home)
    give_to_user(home)

    assert main(["refresh", "dev-admin", "--code", world.code()]) == 0
    assert main(["status"]) == 0  # as root too: the user's runs below inherit what these imported

    assert not_users(home) == [], not_users(home)
    code = world.next_code()
    assert run_as(USER, lambda: main(["refresh", "dev-readonly", "--code", code])) == "0"
    assert run_as(USER, lambda: main(["status"])) == "0"
    assert not_users(home) == []
