"""What the meeting pages share: labels, form parsing, the meeting's history lines,
and the console's context."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import FormMultiDict
from litestar.response import Template

from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.forms import whole_number
from yishi.meetings import service
from yishi.meetings.pages import console_context


def form_values(form: FormMultiDict) -> dict[str, str]:
    return {key: form.get(key) or "" for key in form}


def meeting_form(form: FormMultiDict) -> service.MeetingForm:
    return service.MeetingForm(
        values=form_values(form),
        lists={name: form.getall(name) for name in ("building", "party", "staff", "scrutineer") if name in form},
    )


def optional_int(value: str | None) -> int | None:
    return whole_number(value)


async def meeting_in_places(
    principal: Principal, meeting_id: int, capability: Capability = Capability.MEETING_VIEW
) -> dict[str, Any]:
    row = await service.meeting(meeting_id)
    require(principal, capability, row["compound"])
    return row


async def console_with_errors(
    principal: Principal, meeting_id: int, form_name: str, values: dict[str, str], errors: dict[str, str]
) -> Template:
    meeting = await service.meeting(meeting_id)
    context = await console_context(principal, meeting)
    context["forms"] = {form_name: {"values": values, "errors": errors}}
    return Template(template_name="meetings/meeting.html", context=context, status_code=400)
