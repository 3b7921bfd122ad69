"""What the built-in documents show: each loader reads other packages'
tables (read-only) and returns a :class:`~yishi.documents.kinds.Source`.

Documents: the proposal poster, the meeting notice (会议通知), the sign-in
sheet (签到表), the minutes (会议纪要) and the action ledger (落实台账).
"""

from __future__ import annotations

from yishi.documents.sources.common import (
    CLOSED,
    HOUSEHOLD_MEETINGS,
    PUBLISHED,
    compound_facts,
    load_proposal_poster,
    parties_of,
)
from yishi.documents.sources.ledger import ledger_csv, ledger_period, ledger_rows, load_action_ledger, parse_period
from yishi.documents.sources.meetings import (
    attendance_of,
    households_of,
    invitations_of,
    is_published,
    load_meeting_notice,
    load_sign_in_sheet,
    local_moment,
    meeting_facts,
    meeting_title,
    sign_in_facts,
)
from yishi.documents.sources.minutes import load_minutes, vote_results

__all__ = [
    "CLOSED",
    "HOUSEHOLD_MEETINGS",
    "PUBLISHED",
    "attendance_of",
    "compound_facts",
    "households_of",
    "invitations_of",
    "is_published",
    "ledger_csv",
    "ledger_period",
    "ledger_rows",
    "load_action_ledger",
    "load_meeting_notice",
    "load_minutes",
    "load_proposal_poster",
    "load_sign_in_sheet",
    "local_moment",
    "meeting_facts",
    "meeting_title",
    "parse_period",
    "parties_of",
    "sign_in_facts",
    "vote_results",
]
