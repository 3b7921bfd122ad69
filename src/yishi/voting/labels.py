"""What ballots' codes read as: rules, thresholds, channels, choices and the
``decided_by`` codes of the rules engine, in the reader's language."""

from __future__ import annotations

from yishi import labels
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.rules import (
    ABSTAIN,
    APPROVAL_AREA,
    APPROVAL_CAST,
    APPROVAL_OWNERS,
    NO,
    NO_OPTION_ADOPTED,
    PARTICIPATION_AREA,
    PARTICIPATION_OWNERS,
    PARTY_PREFIX,
    PASSED_ALL,
    YES,
    Rule,
)

RULE_THRESHOLDS = labels.register(
    "rule_threshold",
    {
        Rule.MAJORITY_OF_CAST: N_(
            "Passes when yes ballots are more than half of the ballots cast (abstentions are cast ballots)."
        ),
        Rule.TWO_THIRDS_OF_CAST: N_(
            "Passes when yes ballots are at least two thirds of the ballots cast (abstentions are cast ballots)."
        ),
        Rule.PARTIES_UNANIMOUS: N_(
            "Passes when the party branch, the property company and the owners' committee each agree."
        ),
        Rule.CIVIL_CODE_ORDINARY: N_(
            "Owners holding at least two thirds of the exclusive area and at least "
            "two thirds of the owners must take part; then it passes when owners "
            "holding more than half of the participating area and more than half "
            "of the participating owners agree."
        ),
        Rule.CIVIL_CODE_SPECIAL: N_(
            "Owners holding at least two thirds of the exclusive area and at least "
            "two thirds of the owners must take part; then it passes when owners "
            "holding at least three quarters of the participating area and at least "
            "three quarters of the participating owners agree."
        ),
    },
)

CHOICE_LABELS = labels.register("choice", {YES: N_("Agree"), NO: N_("Disagree"), ABSTAIN: N_("Abstain")})

CHANNEL_LABELS = labels.register(
    "channel",
    {
        "link": N_("personal link"),
        "paper": N_("paper ballot"),
        "room": N_("in the room"),
        "proxy": N_("proxy"),
        "city": N_("city e-voting system"),
    },
)

ROLL_SOURCE_LABELS = labels.register(
    "roll_source",
    {
        "households": N_("Households of the buildings concerned"),
        "parties": N_("The three parties"),
        "attendees": N_("Households signed in at the meeting"),
    },
)

VISIBILITY_LABELS = labels.register(
    "visibility",
    {
        "live": N_("Live, while voting"),
        "after_voting": N_("To each voter after they have voted"),
        "after_closing": N_("Only after the vote closes"),
    },
)

PHASE_LABELS = labels.register(
    "ballot_phase",
    {
        "scheduled": N_("Scheduled"),
        "open": N_("Voting"),
        "overdue": N_("Voting time over, waiting to be closed"),
        "closed": N_("Closed"),
    },
)

HISTORY_LABELS = labels.register(
    "ballot_history",
    {
        "opened": N_("opened the vote"),
        "vote_link": N_("vote by personal link"),
        "vote_paper": N_("entered a paper ballot"),
        "vote_room": N_("recorded a vote in the room"),
        "vote_proxy": N_("recorded a proxy vote"),
        "vote_city": N_("imported a city result"),
        "vote_changed": N_("vote changed by the household"),
        "vote_voided": N_("voided a vote"),
        "hands_counted": N_("entered a show of hands"),
        "hands_corrected": N_("corrected the show of hands"),
        "extended": N_("extended the vote"),
        "served": N_("recorded service of the ballot"),
        "city_imported": N_("imported the city system's results"),
        "conflict_resolved": N_("resolved a conflict"),
        "closed": N_("closed the vote"),
    },
)


def decided_by_text(rule: str, code: str) -> str:
    """The threshold that decided an item (or an option), in words."""
    rule = Rule(rule)
    if code == PASSED_ALL:
        return _("Every threshold of the rule was met.")
    if code == PARTICIPATION_AREA:
        return _("Too little area took part: the voting owners hold less than two thirds of the total exclusive area.")
    if code == PARTICIPATION_OWNERS:
        return _("The area took part, but fewer than two thirds of the owners voted.")
    if code == APPROVAL_AREA:
        if rule is Rule.CIVIL_CODE_SPECIAL:
            return _("The owners who agree hold less than three quarters of the participating area.")
        return _("The owners who agree hold no more than half of the participating area.")
    if code == APPROVAL_OWNERS:
        if rule is Rule.CIVIL_CODE_SPECIAL:
            return _("The area agrees, but fewer than three quarters of the participating owners agree.")
        return _("The area agrees, but no more than half of the participating owners agree.")
    if code == APPROVAL_CAST:
        if rule is Rule.TWO_THIRDS_OF_CAST:
            return _("Yes ballots are fewer than two thirds of the ballots cast.")
        return _("Yes ballots are no more than half of the ballots cast.")
    if code == NO_OPTION_ADOPTED:
        return _("No option reached the threshold.")
    if code.startswith(PARTY_PREFIX):
        kind = code.removeprefix(PARTY_PREFIX)
        party = labels.label("party", kind)
        return _("%(party)s did not agree.", party=party)
    return code
