"""Code-source test helpers: stub ``ykman``/``op``/``pass`` on PATH, and giving a demo identity a source.

``code_stubs`` (import it into a test module to use it) writes one executable per tool into a
temp dir put first on PATH; each runs tests/stubs/otp_stub.py with this interpreter (so pyotp
is there). The stubs compute codes at the ``frozen_clock``'s time: the fixture keeps a file
holding it, rewritten whenever the clock moves, and gives the clock a ``sleep`` (advancing it),
so a source's wait for the next step passes at once.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from mfa_tui.core.registry.edit import set_value

STUB = Path(__file__).parent / "stubs" / "otp_stub.py"
TOOLS = ("ykman", "op", "pass")


class Stubs:
    def __init__(self, bin_dir: Path, log: Path, monkeypatch) -> None:
        self.bin_dir = bin_dir
        self.log = log
        self._monkeypatch = monkeypatch

    def mode(self, mode: str) -> None:
        """``code`` (default), ``hang``, ``junk``, ``fail`` or ``empty``."""
        self._monkeypatch.setenv("MFA_TUI_STUB_MODE", mode)

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def code_stubs(tmp_path, monkeypatch, frozen_clock) -> Stubs:
    bin_dir = tmp_path / "stub-bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        exe = bin_dir / tool
        exe.write_text(f"#!{sys.executable}\nimport runpy, sys\nsys.argv[1:1] = [{tool!r}]\n"
                       f"runpy.run_path({str(STUB)!r}, run_name='__main__')\n")
        exe.chmod(0o755)
    now_file = tmp_path / "stub-now"
    log = tmp_path / "stub-calls.jsonl"

    def write_now() -> None:
        now_file.write_text(str(frozen_clock.now().timestamp()))

    advance, set_ = frozen_clock.advance, frozen_clock.set

    def advanced(seconds: float):
        result = advance(seconds)
        write_now()
        return result

    def set_to(when) -> None:
        set_(when)
        write_now()

    monkeypatch.setattr(frozen_clock, "advance", advanced, raising=False)
    monkeypatch.setattr(frozen_clock, "set", set_to, raising=False)
    monkeypatch.setattr(frozen_clock, "sleep", advanced, raising=False)
    write_now()
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ.get('PATH', '')}")
    monkeypatch.setenv("MFA_TUI_STUB_NOW", str(now_file))
    monkeypatch.setenv("MFA_TUI_STUB_LOG", str(log))
    monkeypatch.delenv("MFA_TUI_STUB_MODE", raising=False)
    return Stubs(bin_dir, log, monkeypatch)


def set_source(world, identity: str = "alice", **keys) -> None:
    """Give ``identity`` of the demo world these code-source keys (None removes one), through the exact editor.

    The whole table is set at once: a source and its keys are only valid together.
    """
    raw = tomllib.loads(world.config_path.read_text())
    table = {k: v for k, v in {**raw["identities"][identity], **keys}.items() if v is not None}
    set_value(world.config_path, ("identities",), identity, table, aws_config_path=world.aws_config_path)
