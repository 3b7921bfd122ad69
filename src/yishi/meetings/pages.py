"""What the meeting pages show: one read model per screen (the console, an agenda
item, sign-in, the public notice and the door), the history lines of a meeting
and its items, and the labels of its codes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Request

from yishi import clock, labels
from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.residents import HouseholdIdentity, own_household
from yishi.errors import NotFound
from yishi.i18n import N_
from yishi.meetings import flow, service, topics
from yishi.meetings.flow import ITEM_DECISION, Kind
from yishi.roster import service as roster
from yishi.rules import Rule
from yishi.web import links

ACTION_LABELS: dict[Any, str] = labels.register(
    "meeting_history",
    {
        ("meeting", "create"): N_("convened the meeting"),
        ("agenda_item", "create"): N_("put the item on the agenda"),
        ("compound", "notice_days"): N_("changed the notice periods"),
        "create": N_("created"),
        "edit": N_("edited"),
        "publish": N_("published the notice"),
        "reorder": N_("reordered the agenda"),
        "add_after_notice": N_("added the item after the notice was published"),
        "withdraw": N_("withdrew the item"),
        "notes": N_("changed the notes"),
        "position": N_("recorded a party's position"),
        "vote_options": N_("drafted the vote"),
        "hide_comment": N_("hid a comment"),
        "sign_in": N_("signed in"),
        "close": N_("closed the meeting"),
        "addendum": N_("added an addendum"),
    },
)


FIELD_LABELS = labels.register(
    "meeting_field",
    {
        "kind": N_("Kind"),
        "title": N_("Title"),
        "starts_at": N_("Time"),
        "duration_minutes": N_("Length (minutes)"),
        "place": N_("Place"),
        "building_ids": N_("Buildings"),
        "host": N_("Host"),
        "recorder": N_("Recorder"),
        "scrutineer_ids": N_("Scrutineers"),
        "voting_method": N_("Voting method"),
        "parties": N_("Invited parties"),
        "staff": N_("Invited staff"),
        "guests": N_("Guests"),
        "status": N_("Status"),
        "published_at": N_("Published"),
        "urgent_reason": N_("Urgent reason"),
        "committee_informed_at": N_("Residents' committee told"),
        "closed_at": N_("Closed"),
        "closed_by": N_("Closed by"),
        "early_close_reason": N_("Why it closed before its start"),
        "full_text": N_("Full text"),
        "minutes": N_("Time allotted (minutes)"),
        "notes": N_("Notes"),
        "stance": N_("Position"),
        "text": N_("Text"),
        "question": N_("Question"),
        "options": N_("Options"),
        "rule": N_("Rule"),
        "owners_matter": N_("Civil Code art. 278 matter"),
        "order": N_("Order"),
        "bench_meeting": N_("Bench meeting"),
        "tripartite": N_("Tripartite joint meeting"),
        "council": N_("Residents' council"),
        "owners_decision": N_("Owners' decision"),
    },
)


STATUS_LABELS = labels.register(
    "meeting_status",
    {
        service.DRAFT: N_("Draft"),
        service.PUBLISHED: N_("Notice published"),
        service.CLOSED: N_("Closed"),
    },
)


def page_helpers() -> dict[str, Any]:
    """What every meetings template uses besides labels: local time, and the
    kinds, rules, matters and stances to choose from."""
    return {
        "local": clock.local_text,
        "kinds": list(Kind),
        "rules": list(Rule),
        "matters": flow.OWNERS_MATTERS,
        "stances": flow.STANCES,
    }


def _local_text(value: Any) -> str:
    if not isinstance(value, str):
        return str(value)
    try:
        return clock.local_text(datetime.fromisoformat(value))
    except ValueError:
        return value


def _joined(value: Any) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _ordered(value: Any) -> str:
    return " ".join(f"{n}. {v}" for n, v in enumerate(value, start=1)) if isinstance(value, list) else str(value)


# How an audited field's value reads: (value, names of people and buildings, party names) -> text.
_DESCRIBE: dict[str, Callable[[Any, dict[Any, str], dict[int, str]], str]] = {
    **dict.fromkeys(("host", "recorder", "closed_by"), lambda v, names, _p: names.get(v, str(v))),
    **dict.fromkeys(("scrutineer_ids", "staff"), lambda v, names, _p: "、".join(names.get(x, str(x)) for x in v)),
    "parties": lambda v, _n, parties: "、".join(parties.get(x, str(x)) for x in v),
    "building_ids": lambda v, names, _p: "、".join(names.get(("building", x), str(x)) for x in v),
    **dict.fromkeys(
        ("starts_at", "published_at", "closed_at", "committee_informed_at"), lambda v, _n, _p: _local_text(v)
    ),
    "kind": lambda v, _n, _p: labels.label("meeting_kind", v),
    "rule": lambda v, _n, _p: labels.label("rule", v),
    "owners_matter": lambda v, _n, _p: labels.label("owners_matter", v),
    "stance": lambda v, _n, _p: labels.label("stance", v),
    "status": lambda v, _n, _p: labels.label("meeting_status", v),
    "order": lambda v, _n, _p: _ordered(v),
}


def describe(field: str, value: Any, names: dict[Any, str], party_names: dict[int, str]) -> str:
    """An audited field's value as a person reads it ("—" for none)."""
    if value is None or value == "" or value == []:
        return "—"
    return _DESCRIBE.get(field, lambda v, _n, _p: _joined(v))(value, names, party_names)


async def history_rows(entries: list[dict[str, Any]], compound_id: int) -> list[dict[str, Any]]:
    """Audit entries as lines a person reads: who, when, what, and each field's before → after."""
    names: dict[Any, str] = dict(await service.staff_names(_people_named(entries)))
    names.update({("building", b["id"]): b["name"] for b in await service.buildings(compound_id)})
    party_names = {p["id"]: p["name"] for p in await service.parties(compound_id)}
    return [_history_line(entry, names, party_names) for entry in entries]


def _people_named(entries: list[dict[str, Any]]) -> set[int]:
    """The staff ids the entries' changes name (host, recorder, scrutineers, ...)."""
    ids: set[int] = set()
    for entry in entries:
        for field, pair in (entry["detail"].get("changes") or {}).items():
            if field in ("host", "recorder", "closed_by", "scrutineer_ids", "staff"):
                for value in pair:
                    ids.update(value if isinstance(value, list) else [value] if isinstance(value, int) else [])
    return ids


def _history_line(entry: dict[str, Any], names: dict[Any, str], party_names: dict[int, str]) -> dict[str, Any]:
    detail = entry["detail"]
    fields = [
        {
            "label": labels.label("meeting_field", field),
            "before": describe(field, before, names, party_names),
            "after": describe(field, after, names, party_names),
        }
        for field, (before, after) in (detail.get("changes") or {}).items()
    ]
    key = (entry["subject"], entry["action"])
    return {
        "at": entry["at"],
        "who": entry.get("actor_name") or entry.get("actor_label") or "",
        "action": labels.label("meeting_history", key if key in ACTION_LABELS else entry["action"]),
        "item_title": entry.get("item_title", ""),
        "fields": fields,
        "notes": [str(detail[k]) for k in ("reason", "party", "household", "person", "text") if detail.get(k)],
    }


def json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _console_permissions(principal: Principal, meeting: dict[str, Any]) -> dict[str, bool]:
    """What the console lets this person do with the meeting."""
    compound_id = meeting["compound"]
    can_manage = principal.can(Capability.MEETING_MANAGE, compound_id)
    is_open = meeting["status"] != service.CLOSED
    return {
        "can_manage": can_manage,
        "is_open": is_open,
        "can_record": principal.can(Capability.MEETING_RECORD, compound_id),
        "can_reorder": can_manage and is_open,
        "can_add": can_manage
        and is_open
        and not (meeting["status"] == service.PUBLISHED and meeting["kind"] == Kind.OWNERS_DECISION),
    }


async def console_context(principal: Principal, meeting: dict[str, Any]) -> dict[str, Any]:
    compound_id = meeting["compound"]
    items = await service.agenda(meeting["id"])
    invited = await service.invitations(meeting["id"])
    compound_row = await service.compound(compound_id)
    building_names = {b["id"]: b["name"] for b in await service.buildings(compound_id)}
    return {
        "principal": principal,
        "meeting": meeting,
        "items": items,
        "time": flow.agenda_time(items, meeting["duration_minutes"]),
        "invited_parties": [i for i in invited if i["party"]],
        "invited_staff": [i for i in invited if i["user"]],
        "invited_guests": [i for i in invited if i["guest_name"]],
        "building_names": [building_names.get(b, str(b)) for b in meeting["building_ids"]],
        "scrutineers": list((await service.staff_names(meeting["scrutineer_ids"])).values()),
        **_console_permissions(principal, meeting),
        "proposals": [
            p
            for p in await topics.accepted_proposals(compound_id)
            if p["id"] not in {i["proposal"] for i in items if not i["withdrawn_at"]}
        ],
        "notice": flow.check_notice(meeting["kind"], compound_row["notice_days"], meeting["starts_at"], clock.now()),
        "sheet": await service.sign_in_sheet(meeting),
        "addenda": await service.addenda(meeting["id"]),
        "history": await history_rows(await service.meeting_history(meeting["id"]), compound_id),
        "forms": {},
        **page_helpers(),
    }


def _number_of(items: list[dict[str, Any]], item_id: int) -> int:
    """The item's number on the agenda (1-based; 0 if it is not there)."""
    return next((n for n, i in enumerate(items, start=1) if i["id"] == item_id), 0)


async def item_context(principal: Principal, meeting: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    compound_id = meeting["compound"]
    invited = [i["party"] for i in await service.invitations(meeting["id"]) if i["party"]]
    party_rows = [p for p in await service.parties(compound_id) if p["id"] in invited]
    is_open = meeting["status"] != service.CLOSED
    tripartite_decision = (
        meeting["kind"] == Kind.TRIPARTITE and item["kind"] == ITEM_DECISION and not item["withdrawn_at"]
    )
    statable = service.parties_statable(principal, meeting, party_rows) if tripartite_decision and is_open else []
    items = await service.agenda(meeting["id"])
    suggested = flow.default_rule(meeting["kind"], item["owners_matter"])
    return {
        "principal": principal,
        "meeting": meeting,
        "item": item,
        "number": _number_of(items, item["id"]),
        "parties": party_rows,
        "positions": await service.positions(item["id"]),
        "statable": statable,
        "show_positions": tripartite_decision,
        "comments": (await service.comments([item["id"]])).get(item["id"], []),
        "addenda": [a for a in await service.addenda(meeting["id"]) if a["agenda_item"] == item["id"]],
        "history": await history_rows(await service.item_history(item["id"]), compound_id),
        "can_manage": is_open and principal.can(Capability.MEETING_MANAGE, compound_id),
        "can_record": is_open and principal.can(Capability.MEETING_RECORD, compound_id),
        "is_open": is_open,
        "allowed_rules": list(flow.allowed_rules(meeting["kind"])),
        "suggested_rule": suggested.value if suggested else "",
        "forms": {},
        **page_helpers(),
    }


def _signed(sheet: service.SignInSheet) -> dict[str, set[Any]]:
    """Who is signed in already: staff accounts, names of guests, households."""
    people = [row for _party, rows in sheet.by_party for row in rows] + sheet.guests
    return {
        "signed_users": {r["user"] for r in people if r["user"]},
        "signed_names": {r["name"] for r in sheet.guests},
        "signed_households": {r["household"] for r in sheet.households},
    }


async def sign_in_context(
    principal: Principal, meeting: dict[str, Any], query: str = "", **extra: Any
) -> dict[str, Any]:
    compound_id = meeting["compound"]
    invited = await service.invitations(meeting["id"])
    party_ids = {i["party"] for i in invited if i["party"]}
    members = await service.party_members(compound_id)
    sheet = await service.sign_in_sheet(meeting)
    return {
        "principal": principal,
        "meeting": meeting,
        "query": query,
        "found": await service.find_households(meeting, principal, query) if query else [],
        "parties": [p for p in await service.parties(compound_id) if p["id"] in party_ids],
        "members": members,
        "invited_people": [i for i in invited if i["user"] or i["guest_name"]],
        **_signed(sheet),
        "sheet": sheet,
        "can_record": principal.can(Capability.MEETING_RECORD, compound_id) and meeting["status"] == service.PUBLISHED,
        "poll_seconds": POLL_SECONDS,
        "forms": {},
        **page_helpers(),
        **extra,
    }


POLL_SECONDS = 4


def door_key(secret: str, meeting_id: int) -> str:
    """The key in the door QR's address: only the printed poster leads to sign-in."""
    return hmac.new(secret.encode(), f"door:{meeting_id}".encode(), hashlib.sha256).hexdigest()[:20]


async def notice_context(code: str, meeting_id: int, household: HouseholdIdentity | None) -> dict[str, Any]:
    compound = await roster.compound_by_code(code)
    meeting = await service.public_meeting(compound["id"], meeting_id)
    household = own_household(household, compound)
    items = await service.agenda(meeting_id)
    invited = await service.invitations(meeting_id)
    building_names = {b["id"]: b["name"] for b in await service.buildings(compound["id"])}
    now = clock.now()
    return {
        "compound": compound,
        "meeting": meeting,
        "items": items,
        "household": household,
        "comments": await service.comments([i["id"] for i in items]),
        "comments_open": service.comments_open(meeting, now),
        "invited_parties": [i for i in invited if i["party"]],
        "invited_guests": [i for i in invited if i["guest_name"]],
        "building_names": [building_names.get(b, str(b)) for b in meeting["building_ids"]],
        "time": flow.agenda_time(items, meeting["duration_minutes"]),
        "forms": {},
        **page_helpers(),
    }


async def door_context(
    request: Request[Any, Any, Any], code: str, meeting_id: int, key: str, household: HouseholdIdentity | None
) -> dict[str, Any]:
    compound = await roster.compound_by_code(code)
    meeting = await service.public_meeting(compound["id"], meeting_id)
    if not hmac.compare_digest(key, door_key(request.app.state.settings.secret_key, meeting_id)):
        raise NotFound()
    household = own_household(household, compound)
    signed = await service.household_attendance(meeting_id, household.household_id) if household else None
    return {
        "compound": compound,
        "meeting": meeting,
        "household": household,
        "signed": signed,
        "here": links.path("meetings.door_sign_in", code=code, meeting_id=meeting_id, key=key),
        "error": "",
        **page_helpers(),
    }
