"""Use cases of actions (落实事项): draft, progress updates with evidence, moves,
the lists by urgency; and the look-ups the other steps need.

Permissions are checked here too, so a view cannot forget them: drafting needs
``ACTION_DRAFT`` in the compound (the secretary); an update or a move needs to
be the responsible person, staff of the responsible party in the compound with
``ACTION_UPDATE``, or the secretary.
"""

from __future__ import annotations

from yishi.actions.service.adopted import Resolution, adopted_item, resolutions
from yishi.actions.service.common import (
    COMMUNITY,
    DECISION,
    MAX_FILES,
    MAX_TEXT,
    MAX_TITLE,
    MEETING_CLOSED,
    PARTY_KINDS,
    PARTY_ROLES,
    RESPONSIBLE_LABELS,
    check_may_update,
    home_topic,
    may_update,
    notify_changed,
    party_name,
    responsible_candidates,
    topics_for,
)
from yishi.actions.service.drafting import DRAFT_FIELDS, draft_action
from yishi.actions.service.progress import check_uploads, post_update, reopen
from yishi.actions.service.reading import (
    ACTION_COLUMNS,
    UrgencyGroups,
    action_by_id,
    compound_actions,
    evidence_file,
    get_action,
    group_by_urgency,
    history,
    my_open_actions,
    shows_action_list,
    updates,
)

__all__ = [
    "ACTION_COLUMNS",
    "COMMUNITY",
    "DECISION",
    "DRAFT_FIELDS",
    "MAX_FILES",
    "MAX_TEXT",
    "MAX_TITLE",
    "MEETING_CLOSED",
    "PARTY_KINDS",
    "PARTY_ROLES",
    "RESPONSIBLE_LABELS",
    "Resolution",
    "UrgencyGroups",
    "action_by_id",
    "adopted_item",
    "check_may_update",
    "check_uploads",
    "compound_actions",
    "draft_action",
    "evidence_file",
    "get_action",
    "group_by_urgency",
    "history",
    "home_topic",
    "may_update",
    "my_open_actions",
    "notify_changed",
    "party_name",
    "post_update",
    "reopen",
    "resolutions",
    "responsible_candidates",
    "shows_action_list",
    "topics_for",
    "updates",
]
