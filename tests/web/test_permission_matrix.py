"""Every route, every kind of person: the permission matrix.

The app's routes are enumerated; each one's path ids are filled from the demo
data of both compounds (银河湾小区 and 人保小区), and every GET and POST is
sent by an anonymous visitor, a resident of each compound and each demo staff
member. What comes back is sorted into ok / login (sent to the login page) /
identify (sent to the household identification) / forbidden (403) / hidden
(404), and compared with what README's rules say: outside one's places 404,
inside them without the capability 403, and a grid worker's ballot lists and
actions stop at its buildings.

``RULES`` names the rule of every route; a route added without an entry fails
the first test here, so nobody forgets to decide who may use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.support import browser, csrf
from yishi import demo
from yishi.accounts.permissions import ROLE_CAPABILITIES, Capability, Role
from yishi.accounts.service import issue_household_link
from yishi.actions.tables import Action, Evidence
from yishi.meetings.pages import door_key
from yishi.meetings.tables import AgendaItem, Comment, Meeting
from yishi.proposals.tables import Proposal, ProposalPhoto
from yishi.roster.tables import Building, Community, Compound
from yishi.roster.tables import Household as HouseholdRow
from yishi.supervision.tables import Escalation, Objection, ObjectionPhoto
from yishi.voting.tables import Ballot, BallotVote

COMPOUNDS = (demo.NEW_COMPOUND, demo.OLD_COMPOUND)
STAFF = ("admin", "secretary", "secretary2", "manager", "manager2", "committee", "grid")
PRINCIPALS = ("anonymous", *(f"resident:{code}" for code in COMPOUNDS), *STAFF)
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# What each staff member is, in the terms of the rules below (see demo.STAFF).
STAFF_ROLES: dict[str, tuple[Role, frozenset[str]]] = {
    "admin": (Role.COMMUNITY_ADMIN, frozenset(COMPOUNDS)),
    "secretary": (Role.SECRETARY, frozenset({demo.NEW_COMPOUND})),
    "secretary2": (Role.SECRETARY, frozenset({demo.OLD_COMPOUND})),
    "manager": (Role.PROPERTY_MANAGER, frozenset({demo.NEW_COMPOUND})),
    "manager2": (Role.PROPERTY_MANAGER, frozenset({demo.OLD_COMPOUND})),
    "committee": (Role.COMMITTEE_MEMBER, frozenset({demo.NEW_COMPOUND})),
    "grid": (Role.GRID_WORKER, frozenset({demo.NEW_COMPOUND})),
}


# --- Rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Public:
    """Anyone, signed in or not."""


@dataclass(frozen=True)
class SignedIn:
    """Any staff member."""


@dataclass(frozen=True)
class SignedOut:
    """Anyone; it ends the session and leads to the login page."""


@dataclass(frozen=True)
class Staff:
    """Staff holding ``capability`` in the compound of the address; with
    ``buildings``, a grid worker only for its buildings (the filled ids are
    from a building outside them: it is refused); with ``also``, a second
    capability is needed too."""

    capability: Capability
    buildings: bool = False
    also: Capability | None = None


@dataclass(frozen=True)
class CommunityStaff:
    """Staff holding ``capability`` over the whole community (its
    administrator); to everyone else on the staff the community is not one of
    their places."""

    capability: Capability


@dataclass(frozen=True)
class Household:
    """A resident of the compound of the address; anyone else is asked to say
    which household they are."""


Rule = Public | SignedIn | SignedOut | Staff | CommunityStaff | Household
C = Capability

RULES: dict[str, Rule] = {
    # The site, signing in and out.
    "GET /healthz": Public(),
    "GET /": SignedIn(),
    "GET /favicon.ico": Public(),
    "GET /apple-touch-icon.png": Public(),
    "GET /apple-touch-icon-precomposed.png": Public(),
    "GET /static/{file_path:path}": Public(),
    "HEAD /static/{file_path:path}": Public(),
    "POST /language": Public(),
    "GET /login": Public(),
    "POST /login": Public(),
    "POST /logout": SignedOut(),
    "GET /account/password": SignedIn(),
    "POST /account/password": SignedIn(),
    # Households.
    "GET /c/{code:str}/me": Public(),
    "POST /c/{code:str}/me": Public(),
    "POST /c/{code:str}/me/leave": Public(),
    "GET /h/{token:str}": Public(),
    "GET /c/{code:str}": Public(),
    # Roster.
    "GET /compounds/{code:str}/roster": Staff(C.ROSTER_VIEW),
    "GET /compounds/{code:str}/roster/export.csv": Staff(C.ROSTER_EDIT),  # phones and names of all
    "POST /compounds/{code:str}/roster/import": Staff(C.ROSTER_EDIT),
    "POST /compounds/{code:str}/roster/import/confirm": Staff(C.ROSTER_EDIT),
    # Ballots, staff side.
    "GET /compounds/{code:str}/ballots": Staff(C.MEETING_VIEW),
    "POST /compounds/{code:str}/ballots": Staff(C.BALLOT_MANAGE),
    "GET /compounds/{code:str}/ballots/new": Staff(C.BALLOT_MANAGE),
    "GET /compounds/{code:str}/ballots/{ballot_id:int}": Staff(C.MEETING_VIEW),
    "GET /compounds/{code:str}/ballots/{ballot_id:int}/stream": Staff(C.MEETING_VIEW),
    "GET /compounds/{code:str}/ballots/{ballot_id:int}/roll": Staff(C.MEETING_VIEW),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/city": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/close": Staff(C.BALLOT_MANAGE),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/extend": Staff(C.BALLOT_MANAGE),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/hands": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/paper": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/proxy": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/conflicts": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/room": Staff(C.BALLOT_SCRUTINY),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/served": Staff(C.BALLOT_SCRUTINY),
    "GET /compounds/{code:str}/ballots/{ballot_id:int}/votes/{vote_id:int}/void": Staff(
        C.BALLOT_SCRUTINY, buildings=True
    ),
    "POST /compounds/{code:str}/ballots/{ballot_id:int}/votes/{vote_id:int}/void": Staff(
        C.BALLOT_SCRUTINY, buildings=True
    ),
    "GET /meetings/{meeting_id:int}/screen": Staff(C.MEETING_VIEW),
    "GET /meetings/{meeting_id:int}/screen/stream": Staff(C.MEETING_VIEW),
    # Ballots, residents' side.
    "GET /c/{code:str}/ballots": Public(),
    "GET /c/{code:str}/ballots/section": Public(),
    "GET /c/{code:str}/ballots/{ballot_id:int}": Public(),  # voting from it needs the household
    "GET /c/{code:str}/ballots/{ballot_id:int}/stream": Public(),
    "POST /c/{code:str}/ballots/{ballot_id:int}/vote": Household(),
    "GET /c/{code:str}/results/{ballot_id:int}": Public(),
    "GET /c/{code:str}/results/{ballot_id:int}/{file_name:str}": Public(),
    # Meetings.
    "GET /compounds/{code:str}/meetings": Staff(C.MEETING_VIEW),
    "GET /compounds/{code:str}/meetings/new": Staff(C.MEETING_MANAGE),
    "POST /compounds/{code:str}/meetings/new": Staff(C.MEETING_MANAGE),
    "GET /compounds/{code:str}/meetings/notice-days": Staff(C.MEETING_MANAGE),
    "POST /compounds/{code:str}/meetings/notice-days": Staff(C.MEETING_MANAGE),
    "GET /meetings/{meeting_id:int}": Staff(C.MEETING_VIEW),
    "GET /meetings/{meeting_id:int}/edit": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/edit": Staff(C.MEETING_MANAGE),
    "GET /meetings/{meeting_id:int}/publish": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/publish": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/close": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/addenda": Staff(C.MEETING_RECORD),
    "POST /meetings/{meeting_id:int}/items": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/agenda/order": Staff(C.MEETING_MANAGE),
    "GET /meetings/{meeting_id:int}/door": Staff(C.MEETING_RECORD),
    "GET /meetings/{meeting_id:int}/sign-in": Staff(C.MEETING_VIEW),
    "GET /meetings/{meeting_id:int}/sign-in/list": Staff(C.MEETING_VIEW),
    "POST /meetings/{meeting_id:int}/sign-in/household": Staff(C.MEETING_RECORD, buildings=True),
    "POST /meetings/{meeting_id:int}/sign-in/person": Staff(C.MEETING_RECORD),
    "GET /meetings/{meeting_id:int}/items/{item_id:int}": Staff(C.MEETING_VIEW),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/edit": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/move": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/withdraw": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/vote": Staff(C.MEETING_MANAGE),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/notes": Staff(C.MEETING_RECORD),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/positions": Staff(C.POSITION_STATE),
    "POST /meetings/{meeting_id:int}/items/{item_id:int}/comments/{comment_id:int}/hide": Staff(C.MEETING_MANAGE),
    "GET /c/{code:str}/meetings/{meeting_id:int}": Public(),
    "POST /c/{code:str}/meetings/{meeting_id:int}/items/{item_id:int}/comments": Household(),
    "GET /c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}": Public(),  # the door poster's page
    "POST /c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}": Household(),
    # Proposals.
    "GET /c/{code:str}/proposals": Public(),
    "POST /c/{code:str}/proposals": Household(),
    "GET /c/{code:str}/proposals/new": Household(),
    "GET /c/{code:str}/proposals/mine": Household(),
    "GET /c/{code:str}/proposals/qr.svg": Public(),
    "GET /c/{code:str}/proposals/{number:int}": Public(),
    "GET /c/{code:str}/proposals/{number:int}/photos/{photo_id:int}": Public(),
    "POST /c/{code:str}/proposals/{number:int}/second": Household(),
    "GET /p/{code:str}": Public(),
    "GET /compounds/{code:str}/proposals": Staff(C.PROPOSAL_RECORD),
    "POST /compounds/{code:str}/proposals": Staff(C.PROPOSAL_RECORD),
    "GET /compounds/{code:str}/proposals/new": Staff(C.PROPOSAL_RECORD),
    "GET /compounds/{code:str}/proposals/{number:int}": Staff(C.PROPOSAL_RECORD),
    "POST /compounds/{code:str}/proposals/{number:int}/accept": Staff(C.PROPOSAL_TRIAGE),
    "POST /compounds/{code:str}/proposals/{number:int}/decline": Staff(C.PROPOSAL_TRIAGE),
    "POST /compounds/{code:str}/proposals/{number:int}/merge": Staff(C.PROPOSAL_TRIAGE),
    "POST /compounds/{code:str}/proposals/{number:int}/owners-matter": Staff(C.PROPOSAL_TRIAGE),
    # Documents.
    "GET /compounds/{code:str}/documents": Staff(C.MEETING_VIEW),
    "POST /compounds/{code:str}/documents/pdf/{kind_name:str}": Staff(C.DOCUMENT_ISSUE),
    "POST /compounds/{code:str}/documents/pdf/{kind_name:str}/{subject_id:int}": Staff(C.DOCUMENT_ISSUE),
    "GET /compounds/{code:str}/documents/issued/{doc_code:str}": Staff(C.MEETING_VIEW),
    "GET /compounds/{code:str}/documents/action-ledger.csv": Staff(C.DOCUMENT_ISSUE),
    "POST /compounds/{code:str}/documents/action-ledger.csv": Staff(C.DOCUMENT_ISSUE),
    "GET /compounds/{code:str}/documents/voter-slips": Staff(C.HOUSEHOLD_LINKS, also=C.DOCUMENT_ISSUE),
    "POST /compounds/{code:str}/documents/voter-slips": Staff(C.HOUSEHOLD_LINKS, also=C.DOCUMENT_ISSUE),
    "GET /verify": Public(),
    "GET /verify/{doc_code:str}": Public(),
    "POST /verify/{doc_code:str}": Public(),
    "GET /verify/{doc_code:str}/pdf": Public(),
    # Actions and supervision.
    "GET /compounds/{code:str}/actions": Staff(C.MEETING_VIEW),
    "POST /compounds/{code:str}/actions": Staff(C.ACTION_DRAFT),
    "GET /compounds/{code:str}/actions/new": Staff(C.ACTION_DRAFT),
    "GET /compounds/{code:str}/actions/resolutions": Staff(C.ACTION_DRAFT),
    "GET /compounds/{code:str}/actions/{number:int}": Staff(C.MEETING_VIEW),
    "POST /compounds/{code:str}/actions/{number:int}/updates": Staff(C.ACTION_UPDATE),
    "POST /compounds/{code:str}/actions/{number:int}/objections/{objection_id:int}": Staff(C.ACTION_DRAFT),
    "GET /compounds/{code:str}/actions/{number:int}/objection-photos/{photo_id:int}": Staff(C.MEETING_VIEW),
    "GET /actions/mine/stream": SignedIn(),
    "GET /c/{code:str}/board": Public(),
    "GET /c/{code:str}/board/actions/{number:int}": Public(),
    "GET /c/{code:str}/evidence/{evidence_id:int}": Public(),
    "POST /c/{code:str}/board/actions/{number:int}/rating": Household(),
    "POST /c/{code:str}/board/actions/{number:int}/objection": Household(),
    "GET /compounds/{code:str}/figures": Staff(C.FIGURES_VIEW),
    "GET /communities/{code:str}/figures": CommunityStaff(C.FIGURES_VIEW),
    "GET /communities/{code:str}/escalations": CommunityStaff(C.ESCALATION_HANDLE),
    "POST /communities/{code:str}/escalations/{escalation_id:int}/close": CommunityStaff(C.ESCALATION_HANDLE),
    "GET /streets/{street:str}/escalations": CommunityStaff(C.ESCALATION_HANDLE),
}


def route_keys(app: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every route a person can call (OPTIONS aside)."""
    keys = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                keys += [(method, route.path) for method in handler.http_methods if method != "OPTIONS"]
    return sorted(keys)


# --- Filling the ids -----------------------------------------------------------


async def _first(query: Any) -> dict[str, Any]:
    row = await query.first()
    assert row is not None, query
    return row


async def ids_of(code: str, var_dir: Any) -> dict[str, Any]:
    """Ids of real rows of the compound ``code`` for every path parameter."""
    compound = await _first(Compound.select().where(Compound.code == code))
    cid = compound["id"]
    community = await _first(Community.select().where(Community.id == compound["community"]))
    household = await _first(
        HouseholdRow.select(HouseholdRow.id).where(HouseholdRow.building.compound == cid).order_by(HouseholdRow.id)
    )
    comment = (
        await Comment.select(Comment.id, Comment.agenda_item).where(Comment.agenda_item.meeting.compound == cid).first()
    )
    if comment is None:  # a comment to hide
        item = await _first(AgendaItem.select(AgendaItem.id).where(AgendaItem.meeting.compound == cid))
        comment = (
            await Comment.insert(Comment(agenda_item=item["id"], household=household["id"], text="同意")).returning(
                Comment.id, Comment.agenda_item
            )
        )[0]
    item = await _first(AgendaItem.select().where(AgendaItem.id == comment["agenda_item"]))
    meeting_buildings = (
        await _first(Meeting.select(Meeting.building_ids).where(Meeting.id == item["meeting"]).output(load_json=True))
    )["building_ids"]
    concerned = await _first(
        HouseholdRow.select(HouseholdRow.id)
        .where(HouseholdRow.building.compound == cid)
        .where(HouseholdRow.building.is_in(meeting_buildings) if meeting_buildings else HouseholdRow.id > 0)
    )
    ballot = await Ballot.select().where((Ballot.compound == cid) & (Ballot.status == "open")).first() or await _first(
        Ballot.select().where(Ballot.compound == cid)
    )
    closed = await _first(Ballot.select().where((Ballot.compound == cid) & (Ballot.status == "closed")))
    # A vote from the compound's last building: outside the demo grid worker's buildings 1 and 2.
    last_building = await _first(
        Building.select(Building.id).where(Building.compound == cid).order_by(Building.id, ascending=False)
    )
    vote = await BallotVote.select(BallotVote.id, BallotVote.ballot).where(
        BallotVote.roll_entry.ballot.compound == cid
    ).where(BallotVote.roll_entry.building == last_building["id"]).first() or await _first(
        BallotVote.select(BallotVote.id, BallotVote.ballot).where(BallotVote.roll_entry.ballot.compound == cid)
    )
    proposal = await _first(Proposal.select().where(Proposal.compound == cid).order_by(Proposal.number))
    photo_file = var_dir / "uploads" / "matrix" / "photo.jpg"
    photo_file.parent.mkdir(parents=True, exist_ok=True)
    photo_file.write_bytes(_TINY_JPEG)
    photo = (
        await ProposalPhoto.insert(
            ProposalPhoto(proposal=proposal["id"], path="matrix/photo.jpg", width=1, height=1)
        ).returning(ProposalPhoto.id)
    )[0]
    action = await _first(Action.select().where(Action.compound == cid).order_by(Action.number))
    evidence = await Evidence.select(Evidence.id).where(Evidence.update.action.compound == cid).first()
    objection = await Objection.select(Objection.id, Objection.action).where(Objection.action.compound == cid).first()
    objection_action = (
        await Action.select(Action.number).where(Action.id == objection["action"]).first() if objection else None
    )
    objection_photo = (
        await ObjectionPhoto.select(ObjectionPhoto.id).where(ObjectionPhoto.objection == objection["id"]).first()
        if objection
        else None
    )
    escalation = await Escalation.select(Escalation.id).where(Escalation.compound == cid).first()
    return {
        "compound": cid,
        "code": code,
        "community": community["code"],
        "street": community["street"],
        "meeting_id": item["meeting"],
        "item_id": item["id"],
        "comment_id": comment["id"],
        "ballot_id": ballot["id"],
        "closed_ballot_id": closed["id"],
        "vote_id": vote["id"],
        "vote_ballot_id": vote["ballot"],
        "name": "votes.csv",
        "proposal_number": proposal["number"],
        "photo_id": photo["id"],
        "action_number": action["number"],
        "objection_action_number": objection_action["number"] if objection_action else 0,
        "objection_id": objection["id"] if objection else 0,
        "objection_photo_id": objection_photo["id"] if objection_photo else 0,
        "evidence_id": evidence["id"] if evidence else 0,
        "escalation_id": escalation["id"] if escalation else 0,
        "household": household["id"],
        "concerned_household": concerned["id"],
        "key": door_key("test-secret-key", item["meeting"]),
    }


_TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100"
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000"
    "017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
    "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596"
    "9798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00fbfcffd9"
)


# Fields without which a permitted person's empty form would name no row (404).
FORMS = {
    "POST /compounds/{code:str}/ballots": {"item": "{item_id}"},
    "POST /meetings/{meeting_id:int}/sign-in/household": {"household": "{concerned_household}"},
}
QUERIES = {"/compounds/{code:str}/ballots/new": "?item={item_id}"}


def fill(path: str, ids: dict[str, Any]) -> str | None:
    """The path with its parameters replaced by the compound's ids (None when
    the compound has no such row)."""
    values = dict(ids)
    if path.startswith("/compounds/{code:str}/actions") or "/board/actions/" in path:
        values["number"] = ids["objection_action_number"] if "objection" in path else ids["action_number"]
        values["photo_id"] = ids["objection_photo_id"]
    else:
        values["number"] = ids["proposal_number"]
    if "/results/" in path:
        values["ballot_id"] = ids["closed_ballot_id"]
    if "/votes/{vote_id" in path:
        values["ballot_id"] = ids["vote_ballot_id"]
    if path.startswith("/communities/"):
        values["code"] = ids["community"]
    values.update(
        {
            "kind_name": "proposal_poster",
            "subject_id": ids["meeting_id"],
            "file_path": "css/yishi.css",
            "token": "not-a-token",
        }
    )
    if "/pdf/{kind_name:str}/{subject_id" in path:
        values["kind_name"] = "meeting_notice"
    names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
    if any(not values.get(name) for name in names):
        return None
    filled = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)
    return filled + QUERIES.get(path, "").format(**values)


def targets(path: str) -> tuple[str | None, ...]:
    """The compounds an address is tried in (None: it names no compound)."""
    scoped = "{code" in path or "{meeting_id" in path or "{street" in path
    return COMPOUNDS if scoped else (None,)


# --- Asking ---------------------------------------------------------------------


def outcome(response: httpx.Response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.headers["location"]
        if location == "/login" or location.startswith("/login?"):
            return "login"
        if re.match(r"^/c/[^/]+/me(\?|$)", location):
            return "identify"
        return "ok"
    if status == 401:
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "hidden"
    if status >= 500:
        return f"error {status}"
    return "ok"  # 200, or 400/409 for a form a permitted person sent empty


async def browser_for(app: Litestar, principal: str, ids: dict[str | None, dict[str, Any]]) -> httpx.AsyncClient:
    client = browser(app)
    if principal.startswith("resident:"):
        code = principal.split(":", 1)[1]
        token = await issue_household_link(ids[code]["household"], None)
        assert (await client.get(f"/h/{token}")).status_code in (302, 303)
    elif principal != "anonymous":
        response = await client.post(
            "/login",
            data={"username": principal, "password": demo.DEMO_PASSWORD},
            headers={"x-csrftoken": await csrf(client)},
        )
        assert response.status_code in (302, 303), principal
    await csrf(client)
    return client


async def ask(client: httpx.AsyncClient, method: str, url: str, data: dict[str, str]) -> httpx.Response:
    if method in WRITES:
        return await client.request(method, url, data=data, headers={"x-csrftoken": client.cookies["yishi_csrf"]})
    if url.endswith("/stream"):
        return await stream_start(client, url)
    return await client.request(method, url)


async def stream_start(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """How a live stream answers, without reading it: httpx's ASGI transport
    waits for the whole body, which a stream never ends."""
    app = client._transport.app  # type: ignore[attr-defined]
    started: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and not started.done():
            started.set_result(message)

    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"accept", b"text/event-stream"), (b"cookie", cookies.encode())],
        "server": ("testserver.local", 80),
        "client": ("127.0.0.1", 50000),
    }
    task = asyncio.create_task(app(scope, receive, send))
    try:
        message = await asyncio.wait_for(started, 10)
    finally:
        gone.set()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
    headers = [(k.decode(), v.decode()) for k, v in message.get("headers", [])]
    return httpx.Response(message["status"], headers=headers)


ENDINGS = ("/c/{code:str}/me/leave", "/logout")  # they end the person's session: asked last


def order(key: tuple[str, str]) -> tuple[int, tuple[str, str]]:
    method, path = key
    return (2 + ENDINGS.index(path) if path in ENDINGS else int(method in WRITES)), key


async def observe(app: Litestar, principal: str, ids: dict[str | None, dict[str, Any]]) -> dict[str, str]:
    client = await browser_for(app, principal, ids)
    seen = {}
    try:
        for method, path in sorted(route_keys(app), key=order):
            for target in targets(path):
                url = fill(path, ids[target or COMPOUNDS[0]])
                if url is None:
                    continue
                data = {
                    k: v.format(**ids[target or COMPOUNDS[0]]) for k, v in FORMS.get(f"{method} {path}", {}).items()
                }
                seen[f"{method} {path} @{target or '-'}"] = outcome(await ask(client, method, url, data))
    finally:
        await client.aclose()
    return seen


# --- What the rules say -------------------------------------------------------------


def expected(rule: Rule, principal: str, target: str | None) -> str:
    staff = STAFF_ROLES.get(principal)
    if isinstance(rule, Public):
        return "ok"
    if isinstance(rule, SignedOut):
        return "login"
    if isinstance(rule, SignedIn):
        return "ok" if staff else "login"
    if isinstance(rule, Household):
        return "ok" if principal == f"resident:{target}" else "identify"
    if staff is None:
        return "login"
    role, places = staff
    if isinstance(rule, CommunityStaff):
        if role is not Role.COMMUNITY_ADMIN:
            return "hidden"
        return "ok" if rule.capability in ROLE_CAPABILITIES[role] else "forbidden"
    if target not in places:
        return "hidden"
    needed = {rule.capability} | ({rule.also} if rule.also else set())
    if not needed <= ROLE_CAPABILITIES[role]:
        return "forbidden"
    if rule.buildings and role is Role.GRID_WORKER:
        return "forbidden"
    return "ok"


# Answers that depend on the row, not the role: the ids come from rows these
# people may not act on for a reason of the domain, which other tests cover.
BY_THE_ROW = {
    # The demo action is the property company's: a committee member updates its own only.
    ("POST /compounds/{code:str}/actions/{number:int}/updates", "committee", "yinhewan"): "forbidden",
    # The objection's action concerns buildings other than the household's.
    ("POST /c/{code:str}/board/actions/{number:int}/objection", "resident:yinhewan", "yinhewan"): "forbidden",
    # The meeting is closed: the door no longer signs anyone in.
    ("POST /c/{code:str}/meetings/{meeting_id:int}/sign-in/{key:str}", "resident:yinhewan", "yinhewan"): "forbidden",
    # The demo grid worker records that meeting, and a recorder states any invited party's position.
    ("POST /meetings/{meeting_id:int}/items/{item_id:int}/positions", "grid", "yinhewan"): "ok",
}


async def demo_ids(app: Litestar, var_dir: Any) -> dict[str | None, dict[str, Any]]:
    await demo.load(var_dir)
    ids: dict[str | None, dict[str, Any]] = {code: await ids_of(code, var_dir) for code in COMPOUNDS}
    admin = await browser_for(app, "admin", ids)
    for code in COMPOUNDS:
        issued = await admin.post(
            f"/compounds/{code}/documents/pdf/proposal_poster", headers={"x-csrftoken": admin.cookies["yishi_csrf"]}
        )
        ids[code]["doc_code"] = issued.headers["location"].rsplit("/", 1)[1]
    await admin.aclose()
    return ids


# --- Tests ----------------------------------------------------------------------------


def test_every_route_has_a_rule(app: Litestar):
    keys = {f"{method} {path}" for method, path in route_keys(app)}
    assert sorted(keys - RULES.keys()) == [], "a route without a rule: add it to RULES"
    assert sorted(RULES.keys() - keys) == [], "a rule without a route: remove it from RULES"


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_each_route_answers_each_person_as_the_rules_say(
    app: Litestar, client: httpx.AsyncClient, settings: Any, principal: str
):
    ids = await demo_ids(app, settings.var_dir)
    seen = await observe(app, principal, ids)
    wrong = {}
    for key, got in seen.items():
        method_path, target = key.rsplit(" @", 1)
        want = BY_THE_ROW.get((method_path, principal, target)) or expected(
            RULES[method_path], principal, None if target == "-" else target
        )
        if got != want:
            wrong[key] = f"{got} (rule: {want})"
    assert wrong == {}


async def test_no_description_of_the_api_is_published(client: httpx.AsyncClient):
    """The pages are the interface: no /schema lists every staff address and its fields."""
    for path in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        assert (await client.get(path)).status_code == 404, path
