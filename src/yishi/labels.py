"""What codes are called: one registry of label families, one way into templates.

A package registers each of its label dictionaries (code -> untranslated
message) under a family name where it defines them::

    ROLE_LABELS = labels.register("role", {Role.SECRETARY: N_("Secretary"), ...})

Python reads a label with ``labels.label("role", code)``; every template (pages
and PDF documents) with the ``label("role", code)`` global. A code without a
label reads as itself (a multi-option item's option is its own label), and no
code (None) as "".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from yishi import i18n

L = TypeVar("L", bound=Mapping[Any, str])

_FAMILIES: dict[str, Mapping[Any, str]] = {}
_DEFAULTS: dict[str, str] = {}


def register(family: str, labels: L, default: str | None = None) -> L:
    """Make ``labels`` the family's labels (``default``: the message for a code
    without a label, in place of the code); returns them, to keep as a constant."""
    if family in _FAMILIES and _FAMILIES[family] is not labels:
        raise ValueError(f"the label family {family!r} is registered twice")
    _FAMILIES[family] = labels
    if default is not None:
        _DEFAULTS[family] = default
    return labels


def label(family: str, code: Any) -> str:
    """The code's label in the current language, or the code itself."""
    labels = _FAMILIES[family]
    if code not in labels and family in _DEFAULTS:
        return i18n.gettext(_DEFAULTS[family])
    return _label_of(labels, code)


def _label_of(labels: Mapping[Any, str], code: Any) -> str:
    """The translated label of ``code`` in ``labels``, or the code itself ("" for None)."""
    message = labels.get(code)
    return i18n.gettext(message) if message else ("" if code is None else str(code))


def families() -> list[str]:
    return sorted(_FAMILIES)
