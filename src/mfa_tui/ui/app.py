"""The dashboard application: themes, keys, and which screen opens first.

:class:`MfaTuiApp` is handed a ready :class:`~mfa_tui.core.service.facade.Service` (tests inject one
built on the local AWS with a frozen clock) or, when the registry could not be loaded, the
:class:`~mfa_tui.core.errors.RegistryError`, in which case it shows the problems screen and
exits with code 2, or, on a first run with no registry file, ``welcome=True``: the welcome screen
(:mod:`mfa_tui.ui.screens.welcome`), which creates a registry and then opens it
(:meth:`MfaTuiApp.open_registry`), or exits with ``"demo"`` to have the caller run the demo. Everything AWS-related lives on the main screen
(:mod:`mfa_tui.ui.screens.main`); the app owns what is global:

- themes loaded from ``themes/`` and the user's themes folder (a broken file is one warning),
  ``t`` to step through them, and the choice saved to the registry's ``settings.theme``;
- the key map: every binding has an id and the registry's ``[settings.keys]`` rebinds it through
  :meth:`App.set_keymap` (the registry's validation refuses unknown ids and clashes);
- ``q`` quit (a pane binds ``q`` to close itself first), ``?`` the help of the screen in front,
  ``ctrl+p`` the command palette (every action, see :mod:`mfa_tui.ui.commands`).

Nothing here imports boto3: the service imports it on its first AWS call.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input

from mfa_tui.core.errors import MfaTuiError, RegistryError
from mfa_tui.ui.activity import ActivityLog
from mfa_tui.ui.bridge import BridgeControl
from mfa_tui.ui.commands import DashboardCommands, binding_entries
# The confirm dialog and the help screen are imported with the app, not on first use: each costs
# about 1 ms of a 324 ms first frame, under the 0.5 % a deferred import must save to be kept
# (bench/fastpaths.py, check 6).
from mfa_tui.ui.dialogs.confirm import ConfirmDialog
from mfa_tui.ui.screens.help import HelpScreen
from mfa_tui.ui.screens.main import MainScreen
from mfa_tui.ui.theming import ThemeVariablesMixin, choose_theme, load_themes, theme_dirs
from mfa_tui.ui.textual_private import start_with_theme
from mfa_tui.ui.widgets.status_table import StatusTable

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service
    from mfa_tui.ui.widgets.demo_code import DemoInfo


class MfaTuiApp(ThemeVariablesMixin, App[str | None]):
    """The ``mfa-tui`` dashboard."""

    CSS_PATH = "app.tcss"
    TITLE = "mfa-tui"
    COMMANDS = App.COMMANDS | {DashboardCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help", tooltip="List every key and its binding id"),
        Binding("t", "next_theme", "Theme", id="theme", tooltip="Next theme (saved in the registry)"),
        # show=False: the footer already shows the palette key at its right end.
        Binding("ctrl+p", "command_palette", "Palette", id="command_palette", priority=True, show=False,
                tooltip="Every action, searchable"),
        # Textual's own Tab is a screen binding: it runs once the focused field has passed the key
        # up, and every key queued behind it (typed fast, or a paste without bracketed paste) went to
        # the field being left ("alice<Tab>Admin" gave "aliceAdmin"). As priority bindings the app
        # moves the focus before it hands on the next key. No widget of the dashboard takes Tab itself.
        Binding("tab", "focus_next", "Next field", id="focus_next", priority=True, show=False),
        Binding("shift+tab", "focus_previous", "Previous field", id="focus_previous", priority=True, show=False),
    ]

    def __init__(
        self,
        service: Service | None = None,
        *,
        registry_error: RegistryError | None = None,
        registry_path: Path | str | None = None,
        welcome: bool = False,
        demo: DemoInfo | None = None,
        demo_home: Path | str | None = None,
        themes_from: list[Path] | None = None,
        remint_every: float | None = 30.0,
        save_theme: bool = True,
        gc_paused: bool = False,
    ) -> None:
        """``service`` opens the dashboard; ``registry_error`` (with no service) the problems screen;
        ``welcome`` (no registry file at ``registry_path`` yet) the first-run screen.

        ``themes_from`` replaces the theme folders (tests); ``remint_every`` is the background
        re-mint period in seconds (None: off); ``save_theme`` writes ``t``'s choice to the registry.
        ``gc_paused``: the caller paused the cyclic collector for the start-up and hands the pause
        over; the app ends it with its own (see :meth:`on_load`).
        """
        if service is None and registry_error is None and not (welcome and registry_path):
            raise ValueError("MfaTuiApp needs a service, a registry error, or welcome and a registry path")
        super().__init__()
        self._gc_paused = gc_paused
        """Whether the cyclic collector is paused until the first frame, by ``on_load`` or by the
        caller that handed its pause over (``gc_paused``; see ``on_load``)."""
        self.service = service
        self.registry_error = registry_error
        self.registry_path = str(registry_path) if registry_path else None
        self.welcome = welcome and service is None
        """Whether the first-run screen opens (no registry file yet)."""
        self.demo = demo
        self.demo_home = str(demo_home) if demo_home else None
        """The demo's throw-away HOME, shown in the title so the AWS CLI can be pointed at it."""
        self.remint_every = remint_every
        self.save_theme = save_theme
        self.activity = ActivityLog()
        """This session's refreshes, re-mints, who-am-I, enrolments, edits and errors (``l`` shows them)."""
        self.bridge = BridgeControl(self)
        """Answers ``credential-process`` when it needs a code (listens from just after the first frame)."""
        self.keymap_overrides: dict[str, str] = dict(service.registry.settings.keys) if service else {}
        """``[settings.keys]``: binding id -> comma-separated keys (also read by help and the palette)."""
        themes, self.startup_warnings = load_themes(theme_dirs() if themes_from is None else themes_from)
        for theme in themes:
            self.register_theme(theme)
        self.theme_names: list[str] = [t.name for t in themes]
        """The themes ``t`` steps through (the theme files), in load order."""
        wanted = service.registry.settings.theme if service else None
        chosen, warning = choose_theme(wanted, self.available_themes)
        if warning:
            self.startup_warnings.append(warning)
        self._start_with_theme(chosen)
        self._saved_theme = wanted or chosen

    def _resume_gc(self) -> None:
        """Let the cyclic collector run again (paused by ``on_load`` until the first frame)."""
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def _start_with_theme(self, name: str) -> None:
        """Make ``name`` the theme before the stylesheet is first parsed.

        Assigning ``self.theme`` here would run Textual's theme watcher, which queues a full
        re-parse and re-application of every stylesheet (``refresh_css``) and throws away the
        parse cache, so the first frame would pay for three parses instead of one (issue 8).
        Nothing is parsed or styled yet, so it is enough to do the watcher's other work: the
        theme's classes on the app, the ANSI filter, and the CSS variables the first parse uses.
        Later changes (``t``) go through ``self.theme`` as usual.
        """
        start_with_theme(self, name)

    # ── screens ───────────────────────────────────────────────────────────────────────────────

    def get_default_screen(self) -> Screen:
        if self.service is None and self.welcome:
            from mfa_tui.ui.screens.welcome import WelcomeScreen

            assert self.registry_path is not None
            return WelcomeScreen(Path(self.registry_path))
        if self.service is None:
            from mfa_tui.ui.screens.problems import ProblemsScreen

            assert self.registry_error is not None
            return ProblemsScreen(self.registry_error, self.registry_path)
        return MainScreen(self.service, demo=self.demo, remint_every=self.remint_every)

    def open_registry(self, path: Path, *, note: str = "") -> None:
        """Open the dashboard on the registry the welcome screen just created (its keys and theme too)."""
        from mfa_tui.core.service.facade import Service

        try:
            service = Service.open(path)
        except MfaTuiError as exc:
            self.notify(str(exc), title="Registry", severity="error", timeout=15, markup=False)
            return
        self.service, self.welcome = service, False
        self.keymap_overrides = dict(service.registry.settings.keys)
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        wanted = service.registry.settings.theme
        chosen, warning = choose_theme(wanted, self.available_themes)
        self._saved_theme = wanted or chosen
        if chosen != self.theme:
            self.theme = chosen
        # Pushed over the welcome screen (Textual cannot switch away from the first screen); nothing
        # pops the main screen, so the welcome screen is never seen again.
        self.push_screen(MainScreen(service, demo=self.demo, remint_every=self.remint_every))
        self.bridge.start()
        if warning:
            self.notify(warning, title="Warning", severity="warning", timeout=15, markup=False)
        if note:
            self.notify(note, timeout=10, markup=False)

    @property
    def main_screen(self) -> MainScreen | None:
        """The main screen, when the registry loaded."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def on_load(self) -> None:
        # Start-up creates some fifty thousand objects the cyclic collector tracks (Textual's
        # widgets and styles, the state, the rows), nearly all of which live as long as the app.
        # Each time the young generations fill, the collector scans and promotes them, and once
        # enough have piled up it rescans the whole heap: with 1000 profiles that was 40-60 ms of
        # the first frame (issue 8). Like Textual during a scroll (PAUSE_GC_ON_SCROLL), the
        # collector is paused from here until the first frame is on screen (`on_mount` resumes it
        # right after that frame, `on_unmount` at the latest); its first pass then sees each
        # start-up object once instead of several times. Reference counting frees everything
        # else as usual meanwhile. The dashboard command pauses it earlier still, before its imports,
        # and hands that pause over (``gc_paused``); a pause someone else made is left to them.
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def on_unmount(self) -> None:
        self._resume_gc()
        self.bridge.stop()

    def on_mount(self) -> None:
        if self.demo is not None:
            self.title = f"mfa-tui demo · HOME={self.demo_home}" if self.demo_home else "mfa-tui demo"
        if self.keymap_overrides:
            # Unknown ids and clashes never get here: the registry's validation refuses them.
            self.set_keymap(self.keymap_overrides)
        for warning in self.startup_warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=15, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._resume_gc)  # see on_load
        self.call_after_refresh(self.bridge.start)

    # ── keys ──────────────────────────────────────────────────────────────────────────────────

    def binding_nodes(self, screen: Screen) -> list[DOMNode]:
        """Where the actions listed for ``screen`` live: its status table, the screen, then the app."""
        nodes: list[DOMNode] = list(screen.query(StatusTable)) if isinstance(screen, MainScreen) else []
        return [*nodes, screen, self]

    def action_quit(self) -> None:
        """Quit; while a refresh runs, ask first (its profiles would keep their old credentials)."""
        if not isinstance(self.screen, ConfirmDialog):
            for screen in self.screen_stack:  # a pane with unfinished work (the enrolment's new device) asks first
                if getattr(screen, "confirm_quit", lambda: False)():
                    return
        main = self.main_screen
        if main is not None and main.is_busy("refresh") and not isinstance(self.screen, ConfirmDialog):
            question = "A refresh is running. Quit anyway? Profiles not written yet keep their old credentials."
            self.push_screen(ConfirmDialog(question, yes="Quit"), lambda yes: self.exit() if yes else None)
            return
        self.exit()

    def on_key(self, event: events.Key) -> None:
        """A printable key meant for a text field that took focus after the key was queued.

        Textual hands each key to the widget focused when the key arrives, so in "/prod" typed in
        one burst, "prod" is queued for the table before "/" focuses the filter. Those keys bubble
        up here unhandled: no binding ran (the field now claims printable keys) and the field never
        saw them. A key the field would consume is given to it (its ``restrict`` still applies).
        """
        focused = self.focused
        if (
            isinstance(focused, Input)
            and event.is_printable
            and event.character is not None
            and focused.check_consume_key(event.key, event.character)
        ):
            event.stop()
            focused.insert_text_at_cursor(event.character)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        # The keys of the screen in front (a pane has its own, and its q closes it), not the main screen's.
        self.push_screen(HelpScreen(binding_entries(self, self.binding_nodes(screen), self.keymap_overrides)))

    def action_next_theme(self) -> None:
        names = self.theme_names or [self.theme]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme {self.theme}", timeout=2, markup=False)

    # ── themes ────────────────────────────────────────────────────────────────────────────────

    def _theme_changed(self, theme: Theme) -> None:
        main = self.main_screen
        if main is not None:
            main.restyle()
        if self.save_theme and self.service is not None and theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self._save_theme_worker(self.service.registry.path, theme.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save-theme")
    def _save_theme_worker(self, path: Path, name: str) -> None:
        """Write ``settings.theme`` (a one-line, comment-keeping edit of the registry)."""
        from mfa_tui.core.registry import edit as registry_edit

        try:
            registry_edit.set_value(Path(path), ("settings",), "theme", name)
        except MfaTuiError as exc:
            self.notify(f"theme not saved: {exc}", title="Theme", severity="warning", timeout=10, markup=False)
