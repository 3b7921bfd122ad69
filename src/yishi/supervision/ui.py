"""What supervision templates call: labels of verdicts, objections, escalations."""

from __future__ import annotations

from typing import Any

from yishi.i18n import gettext
from yishi.supervision import rules


def _label(labels: dict[Any, str]) -> Any:
    def label(value: str) -> str:
        text = labels.get(value)
        return gettext(text) if text else value

    return label


def template_globals() -> dict[str, Any]:
    return {
        "verdict_label": _label(rules.VERDICT_LABELS),
        "verdicts": lambda: [(v.value, gettext(rules.VERDICT_LABELS[v])) for v in rules.Verdict],
        "objection_label": _label(rules.OBJECTION_LABELS),
        "level_label": _label(rules.LEVEL_LABELS),
        "cause_label": _label(rules.CAUSE_LABELS),
    }
