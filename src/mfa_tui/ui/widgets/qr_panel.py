"""The enrolment screen's QR panel: a new device's QR code, or its Base32 secret and URI.

It owns how the seed is shown and hidden: the QR code is black on white whatever the theme (the
only hard-coded colours: a QR code in theme colours may not scan), the secret is shown only when
toggled, ``mask_secrets`` replaces both with same-size placeholders (screen sharing, snapshot
tests), and :meth:`QrPanel.drop_secret` forgets everything derived from the seed. When the
terminal is too small for the whole code (a cut QR code does not scan) it says so instead: enlarge
the terminal, or press ``s`` for the secret and the otpauth URI; :meth:`QrPanel.fit` re-checks on
every resize.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from mfa_tui.core.enroll.device import Enrolment


class QrPanel(VerticalScroll):
    """Shows ``flow``'s QR code (``#qr``) or, toggled, its secret and URI (``#secret``)."""

    DEFAULT_CSS = """
    QrPanel { width: auto; height: 1fr; min-width: 24; }
    /* A QR code scans only dark-on-light: the one place with fixed colours. */
    QrPanel #qr { width: auto; height: auto; padding: 0 1; background: #ffffff; color: #000000; }
    QrPanel #qr.-empty { background: $panel; color: $text-muted; padding: 1 2; width: 34; }
    QrPanel #secret { width: 54; height: auto; padding: 1 2; background: $panel; color: $text; display: none; }
    QrPanel.-secret #secret { display: block; }
    QrPanel.-secret #qr { display: none; }
    """

    def __init__(self, flow: Enrolment, *, mask_secrets: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.flow = flow
        self.mask_secrets = mask_secrets
        self._lines: list[str] = []
        """The QR code's lines (placeholders when masked) while there is a seed; never logged."""

    def compose(self) -> ComposeResult:
        yield Static("No new device yet.\n\nPress c to create one.", id="qr", classes="-empty", markup=False)
        yield Static("", id="secret", markup=False)

    def show_qr(self) -> None:
        """Draw the new device's QR code and fill in (still hidden) its secret and URI."""
        qr = self.query_one("#qr", Static)
        secret = self.query_one("#secret", Static)
        if not self.flow.has_secret:
            qr.update("")
            secret.update("")
            return
        lines = self.flow.qr_lines()
        if self.mask_secrets:
            # Same size as the real code, so the layout matches what users see.
            lines = ["░" * len(lines[0])] * len(lines)
            middle = len(lines) // 2
            label = " QR masked "
            lines[middle] = label.center(len(lines[0]), "░")
            secret.update("Secret: (masked)\n\nURI: (masked)")
        else:
            secret.update(f"Secret (Base32):\n{self.flow.secret()}\n\nURI:\n{self.flow.uri()}")
        self._lines = lines
        self.fit()

    def needed(self) -> tuple[int, int]:
        """Columns and rows the whole QR code takes (0, 0 when there is none)."""
        return (len(self._lines[0]) + 2, len(self._lines)) if self._lines else (0, 0)

    def fits(self) -> bool:
        """Whether the whole QR code is visible: the panel is tall enough and the terminal wide enough."""
        width, height = self.needed()
        return self.size.height >= height and self.app.size.width >= width

    def fit(self) -> None:
        """Show the QR code if it fits, else say how to scan it (called after a resize too)."""
        if not self._lines or not self.flow.has_secret:
            return
        qr = self.query_one("#qr", Static)
        if self.fits():
            qr.remove_class("-empty")
            qr.update("\n".join(self._lines))
            return
        width, height = self.needed()
        size = self.app.size
        qr.add_class("-empty")
        qr.update(
            f"The QR code needs {width}×{height};\nthe terminal is {size.width}×{size.height}.\n\n"
            "Enlarge the terminal to scan,\nor press s for the secret\nand the otpauth URI to type\n"
            "or paste into your app."
        )

    def on_resize(self) -> None:
        self.fit()

    def toggle_secret(self) -> None:
        """Switch between the QR code and the secret, while there is a seed."""
        if self.flow.has_secret:
            self.toggle_class("-secret")

    def drop_secret(self, text: str) -> None:
        """Forget everything derived from the seed (the core has dropped the seed itself); show ``text``."""
        qr = self.query_one("#qr", Static)
        self._lines = []
        qr.add_class("-empty")
        self.query_one("#secret", Static).update("")
        self.remove_class("-secret")
        qr.update(text)
