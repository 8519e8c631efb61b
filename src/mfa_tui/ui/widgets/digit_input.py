"""An Input that takes ASCII digits only and lets other printable keys reach the screen's bindings.

Shared by the MFA code fields and the policy screen's MFA-age field: it owns the one rule for a
digits-only field inside a screen whose bindings are letters or ``+``/``-``.
"""

from __future__ import annotations

from typing import Any

from textual.events import Key
from textual.widgets import Input


class DigitInput(Input):
    """Digits only; with ``keys_to_bindings`` (the default) a letter typed here is not swallowed."""

    def __init__(self, *args: Any, keys_to_bindings: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys_to_bindings = keys_to_bindings

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if self.keys_to_bindings:
            return character is not None and character.isdigit()
        return super().check_consume_key(key, character)

    def on_key(self, event: Key) -> None:
        if self.keys_to_bindings and event.is_printable and not (event.character or "").isdigit():
            # Skip Input's handler (which would stop the event) and let it bubble to bindings.
            event.prevent_default()
