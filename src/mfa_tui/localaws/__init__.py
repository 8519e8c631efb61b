"""The local AWS: moto's server plus what AWS does and moto lacks (MFA, authentication, authorisation
against IAM policies), and the demo world.

``from mfa_tui.localaws import LocalAWS`` starts nothing and imports moto only when used:
the names below load lazily so that ``mfa-tui demo code`` (which needs only pyotp) stays
fast and works without moto installed. Never imports Textual or Rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfa_tui.localaws.demo import DemoWorld, build_world, demo_paths
    from mfa_tui.localaws.faults import Faults
    from mfa_tui.localaws.server import LocalAWS

_LAZY = {
    "LocalAWS": "mfa_tui.localaws.server",
    "Faults": "mfa_tui.localaws.faults",
    "DemoWorld": "mfa_tui.localaws.demo",
    "build_world": "mfa_tui.localaws.demo",
    "demo_paths": "mfa_tui.localaws.demo",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mfa_tui.localaws' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
