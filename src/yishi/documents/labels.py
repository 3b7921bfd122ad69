"""Sentences the documents print about votes: a rule's threshold in words, and
what decided a vote. Labels of codes come from the registry (``yishi.labels``,
the ``label`` global), so a document and the page it comes from agree. Looked
up at render time, in the document's language.
"""

from __future__ import annotations

from yishi import labels
from yishi.i18n import gettext as _
from yishi.rules import PARTY_PREFIX, Rule
from yishi.voting import labels as voting_labels


def _is_rule(code: str) -> bool:
    return code in {rule.value for rule in Rule}


def rule_explanation(code: str) -> str:
    return labels.label("rule_threshold", code) if _is_rule(code) else ""


def decided_by_text(rule: str, code: str, party: str = "") -> str:
    """What decided a vote; a party that did not agree is named."""
    if code.startswith(PARTY_PREFIX) and party:
        return _("%(party)s did not agree.", party=party)
    return voting_labels.decided_by_text(rule, code) if _is_rule(rule) else ""


TEMPLATE_GLOBALS = {
    "rule_explanation": rule_explanation,
    "decided_by_text": decided_by_text,
}
