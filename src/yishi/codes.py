"""Unit and building codes as people sort and type them. Pure.

One natural sort for every list of codes: "2" before "10", "1-201" before
"1-1501", and lettered or named codes ("A座", "东区3号楼") among numbered
ones without ever comparing a number with a word.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PARTS = re.compile(r"[0-9]+|[^0-9]+")


@lru_cache(maxsize=16384)
def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """The sort key of a code: its runs of ASCII digits compare as numbers,
    every other run as text; a number sorts before text at the same place."""
    return tuple((0, int(part), "") if part[0].isdigit() else (1, 0, part) for part in _PARTS.findall(text or ""))
