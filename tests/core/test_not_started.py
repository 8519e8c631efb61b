"""One wording for a program that would not start: a code source and ``exec``'s command share it."""

from __future__ import annotations

import os
import stat

import pytest

from mfa_tui.core.codes.sources import CodeSource, CodeSourceError, read_code
from mfa_tui.core.errors import ConfigError, not_started
from mfa_tui.endpoint.runner import run_child


@pytest.fixture
def not_executable(tmp_path):
    path = tmp_path / "tool"
    path.write_text("#!/bin/sh\necho 123456\n")
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return str(path)


def test_each_reason_is_one_line_naming_the_program():
    assert not_started("op", FileNotFoundError(2, "No such file")) == "`op` not found (is it installed and on PATH?)"
    assert not_started("op", PermissionError(13, "Permission denied")) == "`op` cannot be run (not executable)"
    assert not_started("op", OSError(8, "Exec format error")) == "`op` cannot be started: Exec format error"


def test_a_code_source_and_exec_say_the_same(not_executable):
    with pytest.raises(CodeSourceError) as from_source:
        read_code(CodeSource(kind="command", argv=(not_executable,), timeout=5))
    with pytest.raises(ConfigError) as from_exec:
        run_child([not_executable], dict(os.environ))
    assert str(from_source.value) == str(from_exec.value) == f"`{not_executable}` cannot be run (not executable)"
