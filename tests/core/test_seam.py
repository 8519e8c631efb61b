"""The core/UI seam: no core module pulls in Textual or Rich, even through deferred imports.

A static import graph (import-linter, also run here) misses imports done inside functions
at import time, so each module is also imported in a fresh interpreter and sys.modules is
checked. The fast paths (status, credential-process) must not load boto3 either.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import mfa_tui.core
import mfa_tui.localaws

ROOT = Path(__file__).resolve().parents[2]


def _modules(package) -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."))


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", _modules(mfa_tui.core) + _modules(mfa_tui.localaws))
def test_core_module_imports_no_ui(module):
    loaded = _loaded_after(f"import {module}")
    ui = sorted(m for m in loaded if m.split(".")[0] in ("textual", "rich") or m.startswith("mfa_tui.ui"))
    assert ui == [], f"{module} imports {ui[:5]}"


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout


def test_credential_process_cached_path_stays_lean(demo_world, frozen_clock):
    from refresh_support import Codes, make_service

    service = make_service(demo_world, frozen_clock)
    assert not service.refresh(service.select(["alice", "dev-admin"]), Codes(demo_world)).failed
    # The fast path must have served (exit 0), or this would only measure an early failure.
    loaded = _loaded_after(
        "from mfa_tui.cli import credential_process_cmd\n"
        "assert credential_process_cmd.fast(['dev-admin']) == 0"
    )
    heavy = sorted(m for m in loaded if m.split(".")[0] in ("boto3", "botocore", "textual", "rich", "filelock", "configupdater"))
    assert heavy == []


def test_status_command_does_not_import_boto3():
    loaded = _loaded_after("import mfa_tui.cli.status_cmd, mfa_tui.core.service.facade")
    assert not any(m.split(".")[0] in ("boto3", "botocore", "textual") for m in loaded)


def _import_cycles() -> list[list[str]]:
    """Groups of mfa_tui modules that import each other, counting imports inside functions."""
    import grimp

    graph = grimp.build_graph("mfa_tui")
    imports = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i.startswith("mfa_tui")} for m in graph.modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in imports[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_through_others():
    assert _import_cycles() == []


def test_no_source_file_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "src").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
