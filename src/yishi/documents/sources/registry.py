"""The document kinds this package issues, registered with their loaders."""

from __future__ import annotations

from yishi.documents.kinds import DocumentKind, register
from yishi.documents.sources.common import load_proposal_poster
from yishi.documents.sources.ledger import ledger_period, load_action_ledger
from yishi.documents.sources.meetings import is_published, load_meeting_notice, load_sign_in_sheet
from yishi.documents.sources.minutes import load_minutes
from yishi.i18n import N_

register(
    DocumentKind(
        name="proposal_poster",
        label=N_("Proposal poster"),
        template="pdf/proposal_poster.html",
        subject_type="compound",
        load=load_proposal_poster,
        filename=N_("proposal-poster"),
        public=True,
        order=10,
    )
)


register(
    DocumentKind(
        name="meeting_notice",
        label=N_("Meeting notice"),
        template="pdf/meeting_notice.html",
        subject_type="meeting",
        load=load_meeting_notice,
        filename=N_("meeting-notice"),
        public=True,
        available=is_published,
        order=20,
    )
)


register(
    DocumentKind(
        name="sign_in_sheet",
        label=N_("Sign-in sheet"),
        template="pdf/sign_in_sheet.html",
        subject_type="meeting",
        load=load_sign_in_sheet,
        filename=N_("sign-in-sheet"),
        available=is_published,
        order=30,
    )
)


register(
    DocumentKind(
        name="minutes",
        label=N_("Minutes"),
        template="pdf/minutes.html",
        subject_type="meeting",
        load=load_minutes,
        filename=N_("minutes"),
        available=is_published,
        order=40,
    )
)


register(
    DocumentKind(
        name="action_ledger",
        label=N_("Action ledger"),
        template="pdf/action_ledger.html",
        subject_type="compound",
        load=load_action_ledger,
        filename=N_("action-ledger"),
        variant=ledger_period,
        order=60,
    )
)
