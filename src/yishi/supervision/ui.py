"""What supervision templates call besides labels: the verdicts to choose from."""

from __future__ import annotations

from typing import Any

from yishi import labels
from yishi.supervision import rules


def template_globals() -> dict[str, Any]:
    return {
        "verdicts": lambda: [(v.value, labels.label("verdict", v)) for v in rules.Verdict],
    }
