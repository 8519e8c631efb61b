"""QR codes as lines of text, for scanning an ``otpauth://`` URI straight off the terminal.

segno builds the matrix; we draw it with half-block characters, two matrix rows per
text row, so a 49×49 code with a 2-module quiet zone takes 53 columns × 27 rows and
fits a 100×30 terminal (docs/libraries.md, "A QR code for an AWS seed does not fit 80×24"). The glyphs draw *dark* modules in the
foreground colour, so the caller must show them black on white whatever the theme:
the dashboard styles its QR panel so, the CLI wraps each line in ANSI black-on-white.
Where colours cannot be used, ``invert=True`` draws the *light* modules instead, which
scans correctly on the usual light-text-on-dark terminal.

Nothing here keeps the data it encodes; the caller owns (and drops) the secret.
"""

from __future__ import annotations

from collections.abc import Sequence

# Index: (top module dark, bottom module dark) -> glyph.
_GLYPHS = {
    (False, False): " ",
    (True, False): "\u2580",  # ▀ upper half
    (False, True): "\u2584",  # ▄ lower half
    (True, True): "\u2588",  # █ full block
}

DEFAULT_BORDER = 2
"""Quiet-zone modules around the code. The QR spec asks for 4; phone scanners read 2
reliably when the surrounding panel is also light, and 4 would push a 49-module code
past 30 rows."""

ANSI_BLACK_ON_WHITE = "\x1b[30;107m"
"""Black foreground on bright white, the colours a QR must have to scan."""
ANSI_RESET = "\x1b[0m"


def qr_matrix(data: str, *, border: int = DEFAULT_BORDER) -> list[list[bool]]:
    """The QR matrix of ``data`` (True = dark module), quiet zone included."""
    import segno  # local: only enrolment needs it

    # micro=False: phone authenticator apps read only full QR codes.
    code = segno.make(data, micro=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=border)]


def render_matrix(matrix: Sequence[Sequence[bool]], *, invert: bool = False) -> list[str]:
    """Half-block lines for ``matrix``; an odd last row is paired with a light row."""
    lines: list[str] = []
    width = len(matrix[0]) if matrix else 0
    for top_index in range(0, len(matrix), 2):
        top = matrix[top_index]
        bottom = matrix[top_index + 1] if top_index + 1 < len(matrix) else [False] * width
        if invert:
            # The quiet zone must end up light on a dark terminal: draw light modules, and
            # treat the padding row of an odd matrix as light too (drawn).
            lines.append("".join(_GLYPHS[(not t, not b)] for t, b in zip(top, bottom)))
        else:
            lines.append("".join(_GLYPHS[(t, b)] for t, b in zip(top, bottom)))
    return lines


def qr_lines(data: str, *, border: int = DEFAULT_BORDER, invert: bool = False) -> list[str]:
    """``data`` as a QR code in lines of half-block text (see the module docstring)."""
    return render_matrix(qr_matrix(data, border=border), invert=invert)


def ansi_lines(lines: Sequence[str]) -> list[str]:
    """Wrap each QR line in ANSI black-on-white, resetting at the end of every line."""
    return [f"{ANSI_BLACK_ON_WHITE}{line}{ANSI_RESET}" for line in lines]
