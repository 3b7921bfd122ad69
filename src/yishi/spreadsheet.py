"""Cells of the CSV files Yishi writes, safe to open in a spreadsheet. Pure.

A cell that starts with ``= + - @`` (or a tab or carriage return, which
spreadsheets treat the same way) could run as a formula when the file is
opened in Excel or WPS (CSV injection). Every export writes such a cell with a
leading ``'``, which spreadsheets show as text; every import of our own files
takes it off again, so a file read back gives exactly what was written.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_guarded(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_START)


def guard(value: object) -> str:
    """ "=x" → "'=x". A cell that already looks guarded ("'=x") gets one more
    quote, so that ``unguard`` gives back exactly what was written."""
    text = "" if value is None else str(value)
    return "'" + text if _looks_guarded(text) else text


def unguard(text: str) -> str:
    """Undo ``guard``: "'=x" → "=x"; "'x" and "'" stay as they are."""
    return text[1:] if text.startswith("'") and _looks_guarded(text) else text
