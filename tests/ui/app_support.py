"""Helpers shared by the dashboard's Pilot tests (the ``service`` fixture is in ``conftest.py``).

The app is built with an injected :class:`Service` on the demo world's registry and the
``frozen_clock`` the local AWS uses, so codes, expiries and countdowns all agree. Background
re-mint is off (tests call it explicitly) and notifications are collected through
``run_test(message_hook=...)``.
"""

from __future__ import annotations

from pilot_support import enter_code, settle, token_dialog, wait_for  # noqa: F401 - re-exported
from textual.notifications import Notify

from mfa_tui.core.service.facade import Service
from mfa_tui.ui.app import MfaTuiApp
from mfa_tui.ui.screens.main import MainScreen

SIZE = (120, 40)


class Recorder:
    """Collects the messages the app processes; ``notes`` are the notification texts."""

    def __init__(self) -> None:
        self.messages: list = []

    def __call__(self, message) -> None:
        self.messages.append(message)

    @property
    def notes(self) -> list[str]:
        return [m.notification.message for m in self.messages if isinstance(m, Notify)]

    def notes_titled(self, title: str) -> list[str]:
        return [m.notification.message for m in self.messages if isinstance(m, Notify) and m.notification.title == title]


def make_app(service: Service, **kwargs) -> MfaTuiApp:
    kwargs.setdefault("remint_every", None)
    return MfaTuiApp(service, **kwargs)


def main_screen(app: MfaTuiApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None, f"no main screen; showing {app.screen!r}"
    return screen


async def move_to(pilot, profile: str) -> None:
    screen = main_screen(pilot.app)
    assert screen.table.move_cursor(profile), f"{profile} is not shown"
    await pilot.pause()


async def refresh_one(pilot, profile: str, code: str) -> None:
    """``r`` on ``profile`` with ``code``, and wait for the run to end."""
    await move_to(pilot, profile)
    await pilot.press("r")
    await enter_code(pilot, code)
    await settle(pilot)


def wrong_code(local_aws, serial: str) -> str:
    """Six digits that are not a valid code in the current step or either neighbour."""
    valid = {local_aws.current_code(serial, offset_steps=n) for n in (-1, 0, 1)}
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def declared_bindings() -> dict[str, str]:
    """Every binding id the dashboard's own classes declare, with its default keys."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import mfa_tui.ui

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


def known_binding_ids() -> set[str]:
    return set(declared_bindings())
