"""Use cases of step 1: raise a proposal, second it, triage it, and follow the
topic through the five steps on its public timeline.

Other packages write on a proposal's timeline and move its stage forward only
through :func:`record_event` and :func:`set_stage`.
"""

from __future__ import annotations

from yishi.proposals.service.common import (
    ACTOR_LABEL_MAX,
    KIND_MAX,
    PHOTO_FOLDER,
    decorate,
    household_in,
    household_label_columns,
    not_found,
    owners_behind,
    photo_path,
    proposal_row,
    record_event,
    seconds_by_proposal,
    seconds_count,
    set_stage,
    status_counts,
    supporter_rows,
)
from yishi.proposals.service.raising import NewProposal, record_for, submit_as_household
from yishi.proposals.service.seconding import SecondResult, second, update_marks
from yishi.proposals.service.triage import (
    DeclinePreview,
    MergePreview,
    accept,
    buildings_for,
    decline,
    decline_preview,
    mark_owners_matter,
    merge,
    merge_preview,
    source_choices,
)

__all__ = [
    "ACTOR_LABEL_MAX",
    "KIND_MAX",
    "PHOTO_FOLDER",
    "DeclinePreview",
    "MergePreview",
    "NewProposal",
    "SecondResult",
    "accept",
    "buildings_for",
    "decline",
    "decline_preview",
    "decorate",
    "household_in",
    "household_label_columns",
    "mark_owners_matter",
    "merge",
    "merge_preview",
    "not_found",
    "owners_behind",
    "photo_path",
    "proposal_row",
    "record_event",
    "record_for",
    "second",
    "seconds_by_proposal",
    "seconds_count",
    "set_stage",
    "source_choices",
    "status_counts",
    "submit_as_household",
    "supporter_rows",
    "update_marks",
]
