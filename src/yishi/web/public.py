"""The compound's public page: no login, phone first."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from yishi import clock
from yishi.accounts.residents import HouseholdIdentity
from yishi.meetings import service as meetings
from yishi.roster import service as roster
from yishi.roster.tables import Party


class CompoundPublicController(Controller):
    @get("/c/{code:str}", name="compound.public")
    async def show(self, code: str, household: HouseholdIdentity | None) -> Template:
        compound = await roster.compound_by_code(code)
        parties = await Party.select().where(Party.compound == compound["id"]).order_by(Party.id)
        if household is not None and household.compound_id != compound["id"]:
            household = None
        return Template(
            template_name="public/compound.html",
            context={
                "compound": compound,
                "household": household,
                "parties": parties,
                "meeting_notices": await meetings.upcoming_public(compound["id"], clock.now()),
            },
        )
