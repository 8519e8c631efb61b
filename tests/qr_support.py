"""Reading a QR code printed as half-block text back into its module matrix, for tests.

The inverse of :func:`mfa_tui.core.enroll.qr.render_matrix`: a test checks a printed code
structurally (its size and every module) by comparing the result with ``qr_matrix``.
"""

from __future__ import annotations

from collections.abc import Sequence

_BITS = {" ": (False, False), "\u2580": (True, False), "\u2584": (False, True), "\u2588": (True, True)}
"""Glyph -> (top module dark, bottom module dark)."""


def parse_lines(lines: Sequence[str], *, invert: bool = False) -> list[list[bool]]:
    """The module matrix of half-block ``lines`` (two rows per line).

    A trailing all-light padding row from an odd-height matrix comes back as a row.
    """
    matrix: list[list[bool]] = []
    for line in lines:
        top, bottom = [], []
        for ch in line:
            if ch not in _BITS:
                raise ValueError(f"not a half-block QR character: {ch!r}")
            t, b = _BITS[ch]
            if invert:
                t, b = not t, not b
            top.append(t)
            bottom.append(b)
        matrix.append(top)
        matrix.append(bottom)
    return matrix
