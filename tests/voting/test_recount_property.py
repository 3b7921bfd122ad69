"""For random rolls and votes, the result frozen at closing is what `yishi tally`
prints for the exported files (open and secret ballots, deemed votes too)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import World
from tests.voting.support import make_item, make_meeting
from yishi.roster.tables import Building, Compound, Household
from yishi.voting import service
from yishi.voting.cli import tally as tally_command
from yishi.voting.service import AlreadyVoted, BallotSettings
from yishi.voting.tables import Ballot

NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
OPTIONS = ("方案一", "方案二")
_codes = itertools.count(100)

households = st.lists(
    st.tuples(
        st.integers(1, 20000),
        st.sampled_from([None, None, "owner-a", "owner-b", "developer"]),
        st.one_of(st.none(), st.sampled_from(["yes", "no", "abstain", "方案一", "方案二"])),
        st.sampled_from(["link", "paper", "room", "proxy"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


def recount(rule: str, roll_csv: str, votes_csv: str, options: tuple[str, ...]) -> dict:
    with TemporaryDirectory() as folder:
        roll, votes = Path(folder) / "roll.csv", Path(folder) / "votes.csv"
        roll.write_text(roll_csv, encoding="utf-8")
        votes.write_text(votes_csv, encoding="utf-8")
        args = ["--rule", rule, "--roll", str(roll), "--votes", str(votes)]
        for option in options:
            args += ["--option", option]
        result = CliRunner().invoke(tally_command, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=st.sampled_from(["majority_of_cast", "two_thirds_of_cast", "civil_code_ordinary", "civil_code_special"]),
    with_options=st.booleans(),
    secret=st.booleans(),
    deemed=st.booleans(),
    units=households,
)
async def test_the_closing_result_equals_yishi_tally_on_the_exported_files(
    world: World, rule: str, with_options: bool, secret: bool, deemed: bool, units: list
):
    compound_id = world.compounds["alpha"]
    await Compound.update({Compound.deemed_votes_clause: "议事规则第十八条" if deemed else ""}).where(
        Compound.id == compound_id
    )
    code = str(next(_codes))
    rows = await Building.insert(Building(compound=compound_id, code=code, name=code)).returning(Building.id)
    building_id = rows[0]["id"]
    ids = []
    for n, (area, owner_key, _choice, _channel, _served) in enumerate(units):
        created = await Household.insert(
            Household(
                building=building_id,
                unit=f"1-{n + 1:02d}",
                exclusive_area=area,
                owner_key=f"{owner_key}-{code}" if owner_key else None,
                updated_at=NOW,
            )
        ).returning(Household.id)
        ids.append(created[0]["id"])
    meeting = await make_meeting(world, kind="owners_decision", building_ids=[building_id])
    options = OPTIONS if with_options else ()
    item = await make_item(meeting, rule, options=options)
    user = world.users["sec_alpha"]
    ballot_id = await service.open_ballot(compound_id, item, BallotSettings(secret=secret), actor=user, at=NOW)
    for n, (household_id, (_area, _key, choice, channel, served)) in enumerate(zip(ids, units, strict=True)):
        if served and deemed and rule.startswith("civil"):
            await service.mark_served(ballot_id, building_id, actor=user, at=NOW)
        if choice is None or (choice in OPTIONS) != with_options:
            continue
        label = f"{code}-1-{n + 1:02d}"
        try:
            if channel == "link":
                await service.cast_link_vote(ballot_id, household_id, choice, at=NOW)
            elif channel == "paper":
                await service.record_paper_vote(ballot_id, label, choice, f"S{n}", actor=user, at=NOW)
            elif channel == "room":
                await service.record_room_vote(ballot_id, label, choice, actor=user, at=NOW)
            else:
                await service.record_proxy_vote(ballot_id, label, choice, f"代理人{n}", "委托书", actor=user, at=NOW)
        except AlreadyVoted:
            pass  # a second unit of an owner who already voted
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert recount(rule, ballot["roll_csv"], ballot["votes_csv"], options) == result["actual"]
    if result["deemed"] is not None:
        assert recount(rule, ballot["roll_csv"], ballot["deemed_votes_csv"], options) == result["deemed"]
