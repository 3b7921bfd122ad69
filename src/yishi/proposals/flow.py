"""The life of a proposal: its words, its categories and sources, triage, and
where it stands among the five steps. Pure: no I/O, no framework."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from yishi import labels
from yishi.accounts.permissions import Role
from yishi.errors import Conflict, FormErrors
from yishi.i18n import N_
from yishi.i18n import gettext as _

TITLE_MAX = 120
TEXT_MAX = 4000
REASON_MAX = 2000

CATEGORIES: dict[str, str] = labels.register(
    "proposal_category",
    {
        "parking": N_("Parking"),
        "lifts": N_("Lifts"),
        "greening": N_("Greening"),
        "noise": N_("Noise"),
        "fees": N_("Property fees"),
        "safety": N_("Safety"),
        "elderly": N_("Elderly services"),
        "other": N_("Other"),
    },
)

# Who raised it. A grid worker (or the secretary) records a proposal collected
# door to door on behalf of a household; the three parties raise their own.
RESIDENT = "resident"
GRID_WORKER = "grid_worker"
PROPERTY = "property"
BRANCH = "branch"
COMMITTEE = "committee"
SOURCES: dict[str, str] = labels.register(
    "proposal_source",
    {
        RESIDENT: N_("Resident"),
        GRID_WORKER: N_("Collected door to door"),
        PROPERTY: N_("Property company"),
        BRANCH: N_("Party branch"),
        COMMITTEE: N_("Owners' committee"),
    },
)

SUBMITTED = "submitted"
ACCEPTED = "accepted"
MERGED = "merged"
DECLINED = "declined"
STATUSES: dict[str, str] = labels.register(
    "proposal_status",
    {
        SUBMITTED: N_("Gathering seconds"),
        ACCEPTED: N_("Accepted for deliberation"),
        MERGED: N_("Merged"),
        DECLINED: N_("Declined"),
    },
)
OPEN_FOR_SECONDS = frozenset({SUBMITTED, ACCEPTED})

PROPOSE, DELIBERATE, VOTE, IMPLEMENT, SUPERVISE = STAGES = (
    "propose",
    "deliberate",
    "vote",
    "implement",
    "supervise",
)
# The names of the five steps as compounds know them (民主提议 … 群众监督).
STAGE_LABELS: dict[str, str] = labels.register(
    "proposal_stage",
    {
        PROPOSE: N_("Democratic proposal"),
        DELIBERATE: N_("Democratic deliberation"),
        VOTE: N_("Democratic vote"),
        IMPLEMENT: N_("Stronger implementation"),
        SUPERVISE: N_("Public supervision"),
    },
)

# Timeline events written by this package; other packages add their own kinds.
EVENT_SUBMITTED = "submitted"
EVENT_THRESHOLD = "threshold_reached"
EVENT_OBLIGES = "obliges_committee"
EVENT_ACCEPTED = "accepted"
EVENT_MERGED_INTO = "merged_into"
EVENT_MERGED_IN = "merged_in"
EVENT_DECLINED = "declined"
EVENT_OWNERS_MATTER = "owners_matter"
EVENT_NOT_OWNERS_MATTER = "not_owners_matter"
EVENT_LABELS: dict[str, str] = labels.register(
    "proposal_event",
    {
        EVENT_SUBMITTED: N_("Proposed"),
        EVENT_THRESHOLD: N_("Enough seconds: before the secretary"),
        EVENT_OBLIGES: N_("The owners' committee must convene a meeting"),
        EVENT_ACCEPTED: N_("Accepted for deliberation"),
        EVENT_MERGED_INTO: N_("Merged into another proposal"),
        EVENT_MERGED_IN: N_("Another proposal merged into this one"),
        EVENT_DECLINED: N_("Declined"),
        EVENT_OWNERS_MATTER: N_("Marked as a matter for all owners"),
        EVENT_NOT_OWNERS_MATTER: N_("No longer marked as a matter for all owners"),
        # Written by the later steps.
        "on_agenda": N_("Put on a meeting agenda"),
        "off_agenda": N_("Taken off a meeting agenda"),
        "voted": N_("Voted"),
        "action_drafted": N_("Action planned"),
        "action_update": N_("Progress on an action"),
        "action_done": N_("Action done"),
        "action_reopened": N_("Action reopened"),
    },
    default=N_("Update"),
)


# Words -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalText:
    title: str
    problem: str
    suggestion: str
    category: str
    owners_matter: bool


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def check_text(values: Mapping[str, str]) -> ProposalText:
    """What a person typed, cleaned, or every problem at once (field → message)."""
    title = " ".join(_clean(values.get("title")).split())
    problem = _clean(values.get("problem"))
    suggestion = _clean(values.get("suggestion"))
    category = _clean(values.get("category"))
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the proposal a short title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is %(n)d characters long; keep it to %(max)d.", n=len(title), max=TITLE_MAX)
    if not problem:
        errors["problem"] = _("Say what is wrong.")
    elif len(problem) > TEXT_MAX:
        errors["problem"] = _("Keep this to %(max)d characters.", max=TEXT_MAX)
    if len(suggestion) > TEXT_MAX:
        errors["suggestion"] = _("Keep this to %(max)d characters.", max=TEXT_MAX)
    if category not in CATEGORIES:
        errors["category"] = _("Choose one of the categories.")
    if errors:
        raise FormErrors(errors)
    return ProposalText(
        title=title,
        problem=problem,
        suggestion=suggestion,
        category=category,
        owners_matter=values.get("owners_matter") in ("1", "on", "true", "yes"),
    )


def check_decline_reason(text: str | None) -> str:
    reason = _clean(text)
    if not reason:
        raise FormErrors({"reason": _("Write the reason: the proposer and every neighbour will read it.")})
    if len(reason) > REASON_MAX:
        raise FormErrors({"reason": _("Keep this to %(max)d characters.", max=REASON_MAX)})
    return reason


# Who may raise what ---------------------------------------------------------------------

# Recording a proposal for a household is door-to-door work of grid workers and
# building leads, and of the secretary at the service station.
RECORD_FOR_HOUSEHOLD_ROLES = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.COMMUNITY_ADMIN})
PARTY_SOURCE_OF_ROLE = {
    Role.SECRETARY: BRANCH,
    Role.COMMUNITY_ADMIN: BRANCH,
    Role.PROPERTY_MANAGER: PROPERTY,
    Role.COMMITTEE_MEMBER: COMMITTEE,
}


def sources_for(roles: Iterable[Role]) -> list[str]:
    """The sources a staff member may record a proposal under, in a fixed order."""
    roles = set(roles)
    allowed = {PARTY_SOURCE_OF_ROLE[r] for r in roles if r in PARTY_SOURCE_OF_ROLE}
    if roles & RECORD_FOR_HOUSEHOLD_ROLES:
        allowed.add(GRID_WORKER)
    return [s for s in SOURCES if s in allowed and s != RESIDENT]


# Triage and stages ----------------------------------------------------------------------


def check_triage(status: str, number: int) -> None:
    """Only a proposal that waits for triage can be accepted, merged or declined."""
    if status != SUBMITTED:
        raise Conflict(
            _(
                "Proposal #%(n)d is already triaged (%(status)s).",
                n=number,
                status=labels.label("proposal_status", status),
            )
        )


def check_merge_target(source_number: int, target: Mapping[str, object] | None) -> None:
    if target is None:
        raise FormErrors({"target": _("There is no proposal with this number in this compound.")})
    if target["number"] == source_number:
        raise FormErrors({"target": _("A proposal cannot be merged into itself.")})
    if target["status"] not in OPEN_FOR_SECONDS:
        raise FormErrors(
            {
                "target": _(
                    "Proposal #%(n)d is %(status)s; merge into an open proposal.",
                    n=target["number"],
                    status=labels.label("proposal_status", str(target["status"])),
                )
            }
        )


def stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else 0


def furthest(*stages: str) -> str:
    return max(stages, key=stage_rank)


def current_stage(status: str, stored_stage: str, on_agenda: bool = False) -> str:
    """Where the topic stands: derived from its triage, its agenda, and the
    furthest stage the later steps recorded."""
    derived = DELIBERATE if status == ACCEPTED or on_agenda else PROPOSE
    if status in (MERGED, DECLINED):
        return PROPOSE
    return furthest(derived, stored_stage)
