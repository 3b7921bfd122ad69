"""Words the documents print for the codes stored in other packages' tables.

Meeting kinds, art. 278 matters and stances read as the meetings package
words them; rules, thresholds, choices and what decided a vote as the voting
package does, so a document and the page it comes from agree. Looked up at
render time, in the document's language; an unknown code prints as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yishi.actions.flow import STATUS_LABELS as ACTION_STATUS_LABELS
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.meetings.flow import KIND_LABELS, OWNERS_MATTERS, STANCE_LABELS
from yishi.roster.tables import PARTY_LABELS
from yishi.voting import labels as voting_labels
from yishi.voting.rules import PARTY_PREFIX, Rule

ATTENDANCE_METHOD_LABELS = {
    "qr": N_("scanned the QR code"),
    "staff": N_("marked by staff"),
}

ITEM_KIND_LABELS = {
    "decision": N_("For decision"),
    "report": N_("For information"),
}

RESPONSIBLE_LABELS = {**PARTY_LABELS, "community": N_("Community")}


def _lookup(labels: Mapping[Any, str], code: Any) -> str:
    label = labels.get(code)
    return _(label) if label else ("" if code is None else str(code))


def _is_rule(code: str) -> bool:
    return code in {rule.value for rule in Rule}


def meeting_kind_label(code: str) -> str:
    return _lookup(KIND_LABELS, code)


def rule_label(code: str) -> str:
    return voting_labels.rule_label(code) if _is_rule(code) else code


def rule_explanation(code: str) -> str:
    return voting_labels.rule_threshold(code) if _is_rule(code) else ""


def owners_matter_label(number: int | None) -> str:
    return _lookup(OWNERS_MATTERS, number) if number in OWNERS_MATTERS else ""


def stance_label(code: str) -> str:
    return _lookup(STANCE_LABELS, code)


def attendance_method_label(code: str) -> str:
    return _lookup(ATTENDANCE_METHOD_LABELS, code)


def item_kind_label(code: str) -> str:
    return _lookup(ITEM_KIND_LABELS, code)


def choice_label(code: str) -> str:
    return voting_labels.choice_label(code)


def decided_by_text(rule: str, code: str, party: str = "") -> str:
    """What decided a vote; a party that did not agree is named."""
    if code.startswith(PARTY_PREFIX) and party:
        return _("%(party)s did not agree.", party=party)
    return voting_labels.decided_by_text(rule, code) if _is_rule(rule) else ""


def responsible_label(kind: str) -> str:
    return _lookup(RESPONSIBLE_LABELS, kind)


def action_status_label(code: str) -> str:
    return _lookup(ACTION_STATUS_LABELS, code)


TEMPLATE_GLOBALS = {
    "meeting_kind_label": meeting_kind_label,
    "rule_label": rule_label,
    "rule_explanation": rule_explanation,
    "owners_matter_label": owners_matter_label,
    "stance_label": stance_label,
    "attendance_method_label": attendance_method_label,
    "item_kind_label": item_kind_label,
    "choice_label": choice_label,
    "decided_by_text": decided_by_text,
    "responsible_label": responsible_label,
    "action_status_label": action_status_label,
}
