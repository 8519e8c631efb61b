"""The core's list of binding ids (mfa_tui.core.registry.keymap) matches the bindings the dashboard declares."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import mfa_tui.ui
from mfa_tui.core.registry import keymap


def declared() -> dict[str, str]:
    for module in pkgutil.walk_packages(mfa_tui.ui.__path__, "mfa_tui.ui."):
        importlib.import_module(module.name)
    found: dict[str, str] = {}
    seen: set[type] = set()
    stack: list[type] = [DOMNode]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("mfa_tui."):
            continue
        for item in cls.__dict__.get("BINDINGS", ()):
            if isinstance(item, Binding) and item.id:
                found[item.id] = item.key
    return found


def test_the_core_lists_every_binding_id_with_its_default_keys():
    # A new Binding id must be added to mfa_tui.core.registry.keymap.ACTIONS (the registry validation reads it).
    assert declared() == {aid: keys for aid, (_scope, keys) in keymap.ACTIONS.items()}
