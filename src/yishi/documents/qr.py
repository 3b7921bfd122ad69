"""Verification codes and QR codes (inline SVG, made by segno: no image library)."""

from __future__ import annotations

import secrets

import segno
from markupsafe import Markup

# No 0/O, no 1/I: a code read off paper cannot be mistyped between look-alikes.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 32**8 = 2**40 codes


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """What a person typed (any case, with spaces or dashes) → the code, or None."""
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """ "ABCD2345" → "ABCD 2345", easier to read aloud and to type."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def qr_svg(data: str, *, css_class: str = "qr", error: str = "m") -> Markup:
    """``data`` as an inline SVG QR code sized by CSS (``css_class``).

    A quiet zone of two modules is kept inside the SVG, so a scanner finds the
    code even when the layout puts a line or a border right next to it.
    """
    code = segno.make(data, error=error, micro=False)
    svg = code.svg_inline(border=2, omitsize=True, dark="#000", svgclass=css_class, lineclass=None)
    return Markup(svg)
