"""The core's list of binding ids (mfa_tui.core.registry.keymap) matches the bindings the dashboard declares."""

from __future__ import annotations

from app_support import declared_bindings as declared

from mfa_tui.core.registry import keymap


def test_the_core_lists_every_binding_id_with_its_default_keys():
    # A new Binding id must be added to mfa_tui.core.registry.keymap.ACTIONS (the registry validation reads it).
    assert declared() == {aid: keys for aid, (_scope, keys) in keymap.ACTIONS.items()}
