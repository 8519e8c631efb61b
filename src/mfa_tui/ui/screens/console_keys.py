"""The main screen's console key and ``mfa-tui serve`` indicator, as the base class of
:class:`~mfa_tui.ui.screens.main.MainScreen` (its bindings and handlers merge with the screen's own).

- ``O`` opens the AWS console as the selected role profile: what ``mfa-tui console PROFILE`` does
  (:mod:`mfa_tui.core.service.console_link`), in a thread worker (group "console"), since it may
  re-mint the role and asks the federation endpoint for a sign-in token. An MFA-session row gets
  AWS's reason in one line. Notifications never show the URL (it holds the token).
- While ``mfa-tui serve`` runs for this registry (its file in the state dir, :mod:`mfa_tui.core.service.serving`),
  the status line says so, with its port; checked every few seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.ui.screens.editing import EditingKeys

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service
    from mfa_tui.core.service.serving import Serving

SERVE_CHECK_EVERY = 3.0
"""Seconds between looks at serve's file."""


class ConsoleKeys(EditingKeys):
    """``O``: the AWS console for the selected row; the "serve runs" part of the status line.

    Over :class:`EditingKeys`, so the main screen takes both as its one base class.
    """

    BINDINGS = [
        Binding("O", "console", "Console", id="console", show=False,
                tooltip="Open the AWS console as the selected role profile (what `mfa-tui console` does), "
                        "re-minting a chained role first if needed"),
    ]

    service: Service
    _serving: Serving | None = None

    def on_mount(self) -> None:
        # Right after the first frame, which does without it (bench figure 4: importing the
        # serving module and reading its file cost ~10 ms of the first frame).
        self.call_after_refresh(self._check_serving)
        self.set_interval(SERVE_CHECK_EVERY, self._check_serving)

    # ── serve indicator ─────────────────────────────────────────────────────
    def serving_parts(self) -> list[str]:
        """The status line's part for a running ``mfa-tui serve`` (none when it does not run)."""
        return [f"serve runs on 127.0.0.1:{self._serving.port}"] if self._serving is not None else []

    def _check_serving(self) -> None:
        from mfa_tui.core.service import serving

        found = serving.read_marker(self.service.registry.path)
        if found != self._serving:
            self._serving = found
            update = getattr(self, "update_status_line", None)
            if update is not None:
                update()

    # ── console ─────────────────────────────────────────────────────────────
    def action_console(self) -> None:
        name = self.table.cursor_profile  # type: ignore[attr-defined]  # a MainScreen
        if name is None:
            self.notify("No profile selected.", severity="warning", markup=False)
            return
        from mfa_tui.core.service.console_link import console_url

        def body() -> None:
            try:
                url = console_url(self.service, name)
            except MfaTuiError as exc:
                self.app.call_from_thread(self.notify, str(exc), title="Console", severity="warning", markup=False)
                return
            import webbrowser

            opened = webbrowser.open(url)
            message = (
                f"Opened the AWS console for {name} in the browser." if opened else
                f"No browser could be opened here: run `mfa-tui console {name} --print` and open its URL."
            )
            self.app.call_from_thread(self.notify, message, title="Console", severity="information" if opened else "warning",
                                      timeout=8, markup=False)

        self.run_in_thread("console", body)  # type: ignore[attr-defined]  # a MainScreen
