"""The pages of step 2: the secretary's meeting console and agenda, the item page
with notes, positions and vote options, sign-in (staff list and the door QR),
and the public notice where residents comment.

URL scheme
    /compounds/{code}/meetings                      meetings of a compound (staff)
    /compounds/{code}/meetings/new?kind=…           convene
    /compounds/{code}/meetings/notice-days          the compound's notice periods
    /meetings/{id}                                  the meeting console
    /meetings/{id}/edit | /publish | /close | /addenda
    /meetings/{id}/agenda/order                     drag reordering (list of item ids)
    /meetings/{id}/items/{item_id}                  an agenda item: notes, positions, vote options
    /meetings/{id}/items/{item_id}/move | /edit | /withdraw | /notes | /positions | /vote
    /meetings/{id}/sign-in                          staff sign-in (search households, mark people)
    /meetings/{id}/sign-in/list                     the live list fragment (polled)
    /meetings/{id}/door                             the door poster with the QR code
    /c/{code}/meetings/{id}                         the public notice (residents comment here)
    /c/{code}/meetings/{id}/sign-in/{key}           where the door QR leads
"""

from __future__ import annotations

from yishi.meetings.views.agenda import AgendaController
from yishi.meetings.views.closing import ClosingController
from yishi.meetings.views.convening import ConveningController
from yishi.meetings.views.item import AgendaItemController
from yishi.meetings.views.notice import NoticeController
from yishi.meetings.views.public import MeetingPublicController
from yishi.meetings.views.sign_in import SignInController

CONTROLLERS = (
    ConveningController,
    AgendaController,
    NoticeController,
    ClosingController,
    AgendaItemController,
    SignInController,
    MeetingPublicController,
)

__all__ = [
    "CONTROLLERS",
    "AgendaController",
    "AgendaItemController",
    "ClosingController",
    "ConveningController",
    "MeetingPublicController",
    "NoticeController",
    "SignInController",
]
