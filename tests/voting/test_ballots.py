"""Ballots through the service: opening, each channel, refusals, voids, closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import World
from tests.voting.support import invite_parties, make_item, make_meeting, set_owner, sign_in
from yishi.audit import service as audit
from yishi.errors import Conflict, DomainError, Forbidden, FormErrors, NotFound
from yishi.i18n import language
from yishi.roster.tables import Compound, Household
from yishi.voting import service
from yishi.voting.recount import load_and_tally
from yishi.voting.service import AlreadyVoted, BallotSettings
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, SecretChoice, SecretTally

NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)  # 14:05 in China


async def open_vote(
    world: World,
    rule: str = "majority_of_cast",
    *,
    compound: str = "alpha",
    settings: BallotSettings | None = None,
    meeting_kind: str = "bench_meeting",
    building_ids: tuple[int, ...] = (),
    options: tuple[str, ...] = (),
    on_notice: bool = True,
    at: datetime = NOW,
) -> int:
    meeting = await make_meeting(world, compound, kind=meeting_kind, building_ids=building_ids)
    item = await make_item(meeting, rule, options=options, on_notice=on_notice)
    return await service.open_ballot(
        world.compounds[compound], item, settings or BallotSettings(), actor=world.users["sec_alpha"], at=at
    )


def hh(world: World, label: str) -> int:
    return world.households[f"alpha:{label}"]


# Opening and the roll ---------------------------------------------------------------


async def test_opening_snapshots_the_households_of_the_concerned_buildings(world: World):
    ballot_id = await open_vote(world, building_ids=(world.buildings[("alpha", "2")],))
    roll = await service.roll(ballot_id)
    assert [e["label"] for e in roll] == ["2-1-101", "2-1-102", "2-1-201"]
    assert [e["area"] for e in roll] == [9000, 10000, 11000]


async def test_an_empty_building_list_puts_the_whole_compound_on_the_roll(world: World):
    roll = await service.roll(await open_vote(world))
    assert len(roll) == 6


async def test_later_roster_edits_do_not_change_an_open_ballots_roll(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    await Household.update({Household.exclusive_area: 55555, Household.owner_key: "new-owner"}).where(
        Household.id == hh(world, "1-1-101")
    )
    entry = next(e for e in await service.roll(ballot_id) if e["label"] == "1-1-101")
    assert entry["area"] == 9000 and entry["owner_key"] is None


async def test_an_in_room_vote_has_the_signed_in_households_as_its_roll(world: World):
    meeting = await make_meeting(world)
    await sign_in(meeting, [hh(world, "1-1-101"), hh(world, "2-1-102")])
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(roll_source="attendees"), actor=None, at=NOW
    )
    assert [e["label"] for e in await service.roll(ballot_id)] == ["1-1-101", "2-1-102"]


async def test_a_parties_item_has_the_invited_parties_as_voters(world: World):
    meeting = await make_meeting(world, kind="tripartite", title="三方联席会")
    await invite_parties(meeting, world.compounds["alpha"])
    item = await make_item(meeting, "parties_unanimous", title="物业费调整方案")
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)
    roll = await service.roll(ballot_id)
    assert sorted(e["party_kind"] for e in roll) == ["branch", "committee", "property"]


async def test_an_item_without_a_rule_cannot_be_opened(world: World):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "", kind="report")
    with pytest.raises(DomainError, match="no voting rule"):
        await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)


async def test_a_withdrawn_item_cannot_be_opened(world: World):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast", withdrawn=True)
    with pytest.raises(DomainError, match="withdrawn"):
        await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)


async def test_an_item_of_another_compound_is_not_found(world: World):
    meeting = await make_meeting(world, "beta")
    item = await make_item(meeting, "majority_of_cast")
    with pytest.raises(NotFound):
        await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)


async def test_an_item_is_opened_only_once(world: World):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)
    with pytest.raises(Conflict):
        await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)


async def test_an_owners_vote_on_an_item_not_on_the_published_notice_is_refused(world: World):
    with pytest.raises(DomainError, match="published notice"):
        await open_vote(world, "civil_code_special", meeting_kind="owners_decision", on_notice=False)
    assert await Ballot.count() == 0


async def test_an_owners_decision_cannot_be_put_only_to_those_in_the_room(world: World):
    with pytest.raises(FormErrors) as error:
        await open_vote(
            world,
            "civil_code_ordinary",
            meeting_kind="owners_decision",
            settings=BallotSettings(roll_source="attendees"),
        )
    assert "roll_source" in error.value.errors


async def test_a_secret_vote_cannot_let_votes_be_changed(world: World):
    with pytest.raises(FormErrors) as error:
        await open_vote(world, settings=BallotSettings(secret=True, changeable=True))
    assert "changeable" in error.value.errors


# Link votes and the second attempt --------------------------------------------------


async def test_a_link_vote_counts_and_gets_a_receipt(world: World):
    ballot_id = await open_vote(world)
    receipt = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    assert len(receipt.receipt_code) == 9 and receipt.receipt_code[4] == "-"
    vote = await BallotVote.select().first()
    assert (vote["choice"], vote["channel"], vote["receipt_code"]) == ("yes", "link", receipt.receipt_code)


async def test_a_second_vote_says_how_and_when_the_first_was_recorded(world: World):
    ballot_id = await open_vote(world)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    with language("zh_CN"), pytest.raises(AlreadyVoted) as error:
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "no", at=NOW + timedelta(minutes=3))
    assert error.value.message == "该户已于 11月23日 14:05 通过专属链接投票。"
    with language("zh_CN"), pytest.raises(AlreadyVoted) as error:
        await service.record_paper_vote(ballot_id, "1-1-101", "no", "A-001", actor=world.users["sec_alpha"], at=NOW)
    assert "通过专属链接投票" in error.value.message
    assert await BallotVote.count() == 1


async def test_a_paper_ballot_first_is_named_with_its_serial_when_a_link_vote_follows(world: World):
    ballot_id = await open_vote(world)
    await service.record_paper_vote(ballot_id, "1-1-101", "no", "A-017", actor=world.users["sec_alpha"], at=NOW)
    with language("zh_CN"), pytest.raises(AlreadyVoted) as error:
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    assert error.value.message == "该户已于 11月23日 14:05 以书面表决票（编号 A-017）投票。"


async def test_a_changeable_ballot_replaces_the_link_choice_and_keeps_the_receipt(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(changeable=True))
    first = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    second = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "no", at=NOW)
    assert second.replaced and second.receipt_code == first.receipt_code
    votes = await BallotVote.select()
    assert [(v["choice"], v["voided_at"]) for v in votes] == [("no", None)]
    actions = [h["action"] for h in await audit.history("ballot", ballot_id)]
    assert actions == ["opened", "vote_link", "vote_changed"]


async def test_a_changeable_ballot_does_not_let_a_link_replace_a_paper_ballot(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(changeable=True))
    await service.record_paper_vote(ballot_id, "1-1-101", "no", "7", actor=world.users["sec_alpha"], at=NOW)
    with pytest.raises(AlreadyVoted):
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)


async def test_a_household_not_on_the_roll_cannot_vote(world: World):
    ballot_id = await open_vote(world, building_ids=(world.buildings[("alpha", "2")],))
    with pytest.raises(Forbidden, match="not on the roll"):
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)


async def test_a_household_of_another_compound_cannot_vote(world: World):
    ballot_id = await open_vote(world)
    with pytest.raises(Forbidden, match="another compound"):
        await service.cast_link_vote(ballot_id, world.households["beta:1-1-101"], "yes", at=NOW)


async def test_a_choice_not_on_the_ballot_is_refused(world: World):
    ballot_id = await open_vote(world, options=("方案一", "方案二"))
    with pytest.raises(FormErrors):
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    receipt = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "方案二", at=NOW)
    assert receipt.choice == "方案二"


async def test_an_owner_of_several_units_votes_once_for_all_of_them(world: World):
    await set_owner(hh(world, "1-1-101"), "owner-zhang")
    await set_owner(hh(world, "2-1-201"), "owner-zhang")
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    await service.cast_link_vote(ballot_id, hh(world, "2-1-201"), "yes", at=NOW)
    with language("zh_CN"), pytest.raises(AlreadyVoted) as error:
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "no", at=NOW)
    assert "2-1-201" in error.value.message


# Time ---------------------------------------------------------------------------------


async def test_a_scheduled_ballot_takes_votes_only_between_its_times(world: World):
    settings = BallotSettings(opens_at=NOW + timedelta(hours=1), closes_at=NOW + timedelta(hours=2))
    ballot_id = await open_vote(world, settings=settings)
    with pytest.raises(DomainError, match="has not started"):
        await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW + timedelta(minutes=90))
    with pytest.raises(DomainError, match="Voting ended"):
        await service.cast_link_vote(ballot_id, hh(world, "1-1-102"), "yes", at=NOW + timedelta(hours=2))


async def test_paper_ballots_may_still_be_entered_after_the_closing_time_until_closed(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(closes_at=NOW + timedelta(hours=1)))
    later = NOW + timedelta(hours=3)
    with pytest.raises(DomainError, match="Voting ended"):
        await service.record_room_vote(ballot_id, "1-1-101", "yes", actor=world.users["sec_alpha"], at=later)
    await service.record_paper_vote(ballot_id, "1-1-101", "yes", "9", actor=world.users["sec_alpha"], at=later)
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    assert service.phase(ballot, later) == service.OVERDUE


async def test_a_closed_ballot_refuses_every_change(world: World):
    ballot_id = await open_vote(world)
    receipt_vote = await service.record_room_vote(ballot_id, "1-1-101", "yes", actor=world.users["sec_alpha"], at=NOW)
    assert receipt_vote.channel == "room"
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    vote_id = (await BallotVote.select(BallotVote.id).first())["id"]
    user = world.users["sec_alpha"]
    attempts = [
        service.cast_link_vote(ballot_id, hh(world, "1-1-102"), "yes", at=NOW),
        service.record_paper_vote(ballot_id, "1-1-102", "yes", "1", actor=user, at=NOW),
        service.record_proxy_vote(ballot_id, "1-1-102", "yes", "王某", "签字委托书", actor=user, at=NOW),
        service.record_hand_count(ballot_id, "1", "0", "0", actor=user, at=NOW),
        service.void_vote(ballot_id, vote_id, "重复", actor=user, at=NOW),
        service.extend_ballot(ballot_id, "2026-12-01T18:00", "参与不足", actor=user, at=NOW),
        service.close_ballot(ballot_id, actor=user, at=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="closed"):
            await attempt


# Voids --------------------------------------------------------------------------------


async def test_a_void_needs_a_written_reason(world: World):
    ballot_id = await open_vote(world)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    vote_id = (await BallotVote.select(BallotVote.id).first())["id"]
    with pytest.raises(FormErrors) as error:
        await service.void_vote(ballot_id, vote_id, "  ", actor=world.users["committee_alpha"])
    assert "reason" in error.value.errors
    assert (await BallotVote.select().first())["voided_at"] is None


async def test_a_voided_vote_is_audited_and_frees_the_voter(world: World):
    ballot_id = await open_vote(world)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    vote_id = (await BallotVote.select(BallotVote.id).first())["id"]
    await service.void_vote(ballot_id, vote_id, "户主称非本人操作", actor=world.users["committee_alpha"])
    again = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "no", at=NOW)
    assert again.choice == "no"
    voided = await audit.history("ballot", ballot_id)
    entry = next(h for h in voided if h["action"] == "vote_voided")
    assert entry["detail"]["reason"] == "户主称非本人操作" and entry["actor"] == world.users["committee_alpha"]


# Proxies ------------------------------------------------------------------------------


async def test_a_proxy_vote_records_the_holder_and_the_authorization(world: World):
    ballot_id = await open_vote(world)
    await service.record_proxy_vote(
        ballot_id,
        "1-1-101",
        "yes",
        " 王  秀英 ",
        "2026-11-20 签字委托书，限本次会议",
        actor=world.users["sec_alpha"],
        at=NOW,
    )
    vote = await BallotVote.select().first()
    assert (vote["proxy_holder"], vote["channel"]) == ("王 秀英", "proxy")
    assert vote["proxy_authorization"].startswith("2026-11-20")


async def test_a_proxy_vote_without_a_written_authorization_is_refused(world: World):
    ballot_id = await open_vote(world)
    with pytest.raises(FormErrors) as error:
        await service.record_proxy_vote(ballot_id, "1-1-101", "yes", "王秀英", "", actor=world.users["sec_alpha"])
    assert "authorization" in error.value.errors


async def test_the_proxy_cap_limits_owners_per_holder_across_the_meetings_items(world: World):
    await Compound.update({Compound.proxy_cap: 2}).where(Compound.id == world.compounds["alpha"])
    meeting = await make_meeting(world)
    first = await make_item(meeting, "majority_of_cast", title="议题一")
    second = await make_item(meeting, "majority_of_cast", title="议题二")
    user = world.users["sec_alpha"]
    b1 = await service.open_ballot(world.compounds["alpha"], first, BallotSettings(), actor=user, at=NOW)
    b2 = await service.open_ballot(world.compounds["alpha"], second, BallotSettings(), actor=user, at=NOW)
    for unit in ("1-1-101", "1-1-102"):
        await service.record_proxy_vote(b1, unit, "yes", "王秀英", "委托书", actor=user, at=NOW)
    await service.record_proxy_vote(b2, "1-1-101", "yes", "王秀英", "委托书", actor=user, at=NOW)
    with pytest.raises(FormErrors) as error:
        await service.record_proxy_vote(b2, "1-1-201", "yes", "王秀英", "委托书", actor=user, at=NOW)
    assert "holder" in error.value.errors
    await service.record_proxy_vote(b2, "1-1-201", "yes", "李桂兰", "委托书", actor=user, at=NOW)


# Grid workers -------------------------------------------------------------------------


async def test_a_grid_worker_enters_paper_ballots_only_for_their_buildings(world: World):
    ballot_id = await open_vote(world)
    limit = frozenset({world.buildings[("alpha", "1")]})
    await service.record_paper_vote(
        ballot_id, "1-1-101", "yes", "1", actor=world.users["grid_alpha1"], allowed_buildings=limit, at=NOW
    )
    with pytest.raises(Forbidden):
        await service.record_paper_vote(
            ballot_id, "2-1-101", "yes", "2", actor=world.users["grid_alpha1"], allowed_buildings=limit, at=NOW
        )


async def test_a_paper_serial_is_entered_once(world: World):
    ballot_id = await open_vote(world)
    await service.record_paper_vote(ballot_id, "1-1-101", "yes", "A-1", actor=world.users["sec_alpha"], at=NOW)
    with pytest.raises(FormErrors) as error:
        await service.record_paper_vote(ballot_id, "1-1-102", "yes", "A-1", actor=world.users["sec_alpha"], at=NOW)
    assert "serial" in error.value.errors


# Show of hands ------------------------------------------------------------------------


async def test_a_show_of_hands_replaces_per_voter_counting(world: World):
    meeting = await make_meeting(world)
    await sign_in(meeting, [hh(world, u) for u in ("1-1-101", "1-1-102", "1-1-201", "2-1-101")])
    item = await make_item(meeting, "majority_of_cast")
    user = world.users["sec_alpha"]
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, BallotSettings(roll_source="attendees"), actor=user, at=NOW
    )
    with pytest.raises(FormErrors):
        await service.record_hand_count(ballot_id, "3", "1", "1", actor=user, at=NOW)  # 5 hands, 4 voters
    await service.record_hand_count(ballot_id, "3", "1", "0", actor=user, at=NOW)
    with pytest.raises(DomainError, match="show of hands"):
        await service.record_room_vote(ballot_id, "1-1-101", "yes", actor=user, at=NOW)
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    assert result["counted_by"] == "show_of_hands" and result["passed"]
    assert (result["actual"]["yes_ballots"], result["actual"]["ballots_cast"]) == (3, 4)
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    recount = load_and_tally("majority_of_cast", ballot["roll_csv"], ballot["votes_csv"])
    assert recount.to_json_dict() == result["actual"]


async def test_a_show_of_hands_is_refused_for_an_owners_decision(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    with pytest.raises(DomainError, match="show of hands"):
        await service.record_hand_count(ballot_id, "3", "1", "0", actor=world.users["sec_alpha"], at=NOW)


async def test_a_show_of_hands_is_refused_once_votes_were_recorded(world: World):
    ballot_id = await open_vote(world)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    with pytest.raises(DomainError, match="one by one"):
        await service.record_hand_count(ballot_id, "3", "1", "0", actor=world.users["sec_alpha"], at=NOW)


# Extension ----------------------------------------------------------------------------


async def test_a_vote_short_of_participation_is_extended_with_its_reason(world: World):
    settings = BallotSettings(closes_at=NOW + timedelta(days=1))
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision", settings=settings)
    with pytest.raises(FormErrors):
        await service.extend_ballot(ballot_id, "2026-11-30T18:00", "", actor=world.users["sec_alpha"], at=NOW)
    await service.extend_ballot(
        ballot_id, "2026-11-30T18:00", "参与表决面积不足三分之二，延长一周", actor=world.users["sec_alpha"], at=NOW
    )
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    assert ballot["closes_at"] == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert ballot["extensions"][0]["reason"] == "参与表决面积不足三分之二，延长一周"


async def test_a_vote_that_reached_participation_is_not_extended(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    for label in ("1-1-101", "1-1-102", "1-1-201", "2-1-101", "2-1-201"):
        await service.cast_link_vote(ballot_id, hh(world, label), "yes", at=NOW)
    with pytest.raises(DomainError, match="already reached"):
        await service.extend_ballot(ballot_id, "2026-11-30T18:00", "再等等", actor=world.users["sec_alpha"], at=NOW)


# Closing ------------------------------------------------------------------------------


async def test_closing_freezes_the_result_and_the_recount_files(world: World):
    await set_owner(hh(world, "1-1-101"), "owner-zhang")
    await set_owner(hh(world, "2-1-201"), "owner-zhang")
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    user = world.users["sec_alpha"]
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    await service.record_paper_vote(ballot_id, "1-1-102", "yes", "P-1", actor=user, at=NOW)
    await service.record_proxy_vote(ballot_id, "1-1-201", "no", "王秀英", "委托书", actor=user, at=NOW)
    await service.record_room_vote(ballot_id, "2-1-101", "abstain", actor=user, at=NOW)
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    ballot = await Ballot.select().where(Ballot.id == ballot_id).output(load_json=True).first()
    assert ballot["status"] == "closed" and ballot["closed_by"] == user and ballot["result"] == result
    assert result["actual"]["total_owners"] == 5  # six units, one owner holds two
    assert result["actual"]["participating_owners"] == 4
    assert "owner-zhang" not in ballot["roll_csv"] and "G1" in ballot["roll_csv"]
    recount = load_and_tally("civil_code_ordinary", ballot["roll_csv"], ballot["votes_csv"])
    assert recount.to_json_dict() == result["actual"]


async def test_the_receipt_list_shows_units_and_areas_but_no_names(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    receipt = await service.cast_link_vote(ballot_id, hh(world, "1-1-102"), "yes", at=NOW)
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    ballot = await service.ballot_in_compound(world.compounds["alpha"], ballot_id)
    lines = await service.receipt_list(ballot)
    assert [(r.receipt_code, r.choice, r.units, r.area) for r in lines] == [
        (receipt.receipt_code, "yes", ("1-1-102",), 10000)
    ]


# Secret ballots -----------------------------------------------------------------------


async def test_a_secret_ballot_keeps_who_took_part_apart_from_what_was_chosen(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(secret=True))
    first = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    await service.record_paper_vote(ballot_id, "1-1-102", "no", "S-2", actor=world.users["sec_alpha"], at=NOW)
    votes = await BallotVote.select()
    assert {(v["choice"], v["receipt_code"]) for v in votes} == {("", "")}
    choices = await SecretChoice.select()
    # Open: the choices are sealed, with nothing in the clear, not even the receipt.
    assert {(c["choice"], c["receipt_code"]) for c in choices} == {("", "")}
    assert len({c["sealed"] for c in choices}) == 2 and len({len(c["sealed"]) for c in choices}) == 1
    assert await SecretTally.count().where(SecretTally.ballot == ballot_id) == 0
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    choices = await SecretChoice.select()
    assert {c["choice"] for c in choices} == {"yes", "no"} and {c["sealed"] for c in choices} == {""}
    assert first.receipt_code[:9] in {c["receipt_code"] for c in choices}
    assert {column._meta.name for column in SecretChoice._meta.columns} == {
        "id",
        "ballot",
        "stream",
        "receipt_code",
        "choice",
        "sealed",
        "tag",
    }
    history = await audit.history("ballot", ballot_id)
    assert all("choice" not in h["detail"] and "receipt_code" not in h["detail"] for h in history)


async def test_a_secret_ballots_choices_are_rewritten_in_receipt_order_at_closing(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(secret=True))
    codes = {}
    for label in ("1-1-101", "1-1-102", "1-1-201", "2-1-101"):
        choice = "yes" if label != "2-1-101" else "no"
        receipt = await service.cast_link_vote(ballot_id, hh(world, label), choice, at=NOW)
        codes[receipt.receipt_code[:9]] = choice
    before = await SecretChoice.select()
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    after = await SecretChoice.select()
    assert {c["id"] for c in before}.isdisjoint({c["id"] for c in after})
    assert {(c["receipt_code"], c["choice"]) for c in after} == set(codes.items())


async def test_a_secret_vote_is_voided_by_its_receipt_code(world: World):
    ballot_id = await open_vote(world, settings=BallotSettings(secret=True))
    receipt = await service.record_paper_vote(ballot_id, "1-1-101", "no", "S-1", actor=world.users["sec_alpha"], at=NOW)
    vote_id = (await BallotVote.select(BallotVote.id).first())["id"]
    with pytest.raises(FormErrors) as error:
        await service.void_vote(
            ballot_id, vote_id, "未签名", actor=world.users["committee_alpha"], receipt_code="K7Q2-M9XD"
        )
    assert "receipt_code" in error.value.errors
    await service.void_vote(
        ballot_id,
        vote_id,
        "未签名",
        actor=world.users["committee_alpha"],
        receipt_code=receipt.receipt_code.lower().replace("-", ""),
    )
    assert await SecretChoice.count() == 0


async def test_a_secret_ballots_export_recounts_without_any_real_area_of_a_participant(world: World):
    ballot_id = await open_vote(
        world, "civil_code_ordinary", meeting_kind="owners_decision", settings=BallotSettings(secret=True)
    )
    for label, choice in (("1-1-101", "yes"), ("1-1-102", "yes"), ("1-1-201", "no"), ("2-1-101", "yes")):
        await service.cast_link_vote(ballot_id, hh(world, label), choice, at=NOW)
    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    recount = load_and_tally("civil_code_ordinary", ballot["roll_csv"], ballot["votes_csv"])
    assert recount.to_json_dict() == result["actual"]
    assert "1-1-101" not in ballot["roll_csv"] and "2-1-102" in ballot["roll_csv"]
    assert "90.00" not in ballot["roll_csv"].split("2-1-102")[0]  # 1-1-101's own area is not shown


# Binding mode, city import, conflicts -----------------------------------------------


async def _non_binding(world: World) -> None:
    await Compound.update({Compound.link_votes_binding: False}).where(Compound.id == world.compounds["alpha"])


async def test_where_links_do_not_bind_link_votes_are_consultation(world: World):
    await _non_binding(world)
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    link = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    assert link.stream == "consultation"
    paper = await service.record_paper_vote(ballot_id, "1-1-101", "no", "P-1", actor=world.users["sec_alpha"], at=NOW)
    assert paper.stream == "count"
    result = await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], at=NOW)
    assert result["actual"]["no_owners"] == 1 and result["actual"]["yes_owners"] == 0
    assert result["consultation"]["yes_owners"] == 1


async def test_links_always_count_for_a_residents_consultation(world: World):
    await _non_binding(world)
    ballot_id = await open_vote(world, "majority_of_cast")
    link = await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    assert link.stream == "count"


CITY = "房号,面积,表决意见\n1-1-101,90.00,同意\n1-1-102,100,反对\n"


async def test_city_results_are_imported_and_conflicts_block_closing_until_resolved(world: World):
    await _non_binding(world)
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    user = world.users["sec_alpha"]
    await service.record_paper_vote(ballot_id, "1-1-102", "yes", "P-9", actor=user, at=NOW)
    imported = await service.import_city_results(ballot_id, CITY.encode("gb18030"), actor=user, at=NOW)
    assert imported.imported == 2 and not imported.errors
    [conflict] = await service.conflicts(ballot_id)
    assert conflict.ours["label"] == "1-1-102" and not conflict.same_choice
    with pytest.raises(DomainError, match="conflict"):
        await service.close_ballot(ballot_id, actor=user, at=NOW)
    with pytest.raises(FormErrors):
        await service.resolve_conflict(ballot_id, conflict.voter_key, "ours", "", actor=user, at=NOW)
    await service.resolve_conflict(ballot_id, conflict.voter_key, "ours", "业主到场确认书面票", actor=user, at=NOW)
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    assert (result["actual"]["yes_owners"], result["actual"]["no_owners"]) == (2, 0)


async def test_a_city_file_with_a_wrong_area_imports_nothing(world: World):
    await _non_binding(world)
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    bad = "房号,面积,表决意见\n1-1-101,90.00,同意\n1-1-102,99.99,反对\n9-9-999,80,同意\n"
    result = await service.import_city_results(ballot_id, bad.encode(), actor=world.users["sec_alpha"], at=NOW)
    assert [e.line for e in result.errors] == [3, 4]
    assert await BallotVote.count() == 0


async def test_city_results_are_refused_where_link_votes_bind(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    with pytest.raises(DomainError, match="do not bind"):
        await service.import_city_results(ballot_id, CITY.encode(), actor=world.users["sec_alpha"], at=NOW)


# Deemed votes -------------------------------------------------------------------------


async def test_served_non_voters_are_counted_with_the_majority_beside_the_actual_figures(world: World):
    await Compound.update({Compound.deemed_votes_clause: "《银河湾小区业主大会议事规则》第十八条"}).where(
        Compound.id == world.compounds["alpha"]
    )
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    user = world.users["sec_alpha"]
    for label, choice in (("1-1-101", "yes"), ("1-1-102", "yes"), ("1-1-201", "no")):
        await service.cast_link_vote(ballot_id, hh(world, label), choice, at=NOW)
    assert await service.mark_served(ballot_id, world.buildings[("alpha", "2")], actor=user, at=NOW) == 3
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    assert not result["actual"]["passed"] and result["actual"]["decided_by"] == "participation_area"
    assert result["deemed"]["passed"] and result["deemed_choice"] == "yes"
    assert result["served_non_voters"] == 3 and result["passed"]
    ballot = await Ballot.select().where(Ballot.id == ballot_id).first()
    recount = load_and_tally("civil_code_ordinary", ballot["roll_csv"], ballot["deemed_votes_csv"])
    assert recount.to_json_dict() == result["deemed"]


async def test_service_is_not_recorded_where_the_compound_has_no_deemed_clause(world: World):
    ballot_id = await open_vote(world, "civil_code_ordinary", meeting_kind="owners_decision")
    with pytest.raises(DomainError, match="does not count served"):
        await service.mark_served(ballot_id, None, actor=world.users["sec_alpha"], at=NOW)


# Proposals ----------------------------------------------------------------------------


async def test_closing_a_passed_item_tells_its_proposal(world: World):
    from yishi.proposals.tables import Proposal, ProposalEvent

    rows = await Proposal.insert(
        Proposal(
            compound=world.compounds["alpha"],
            number=1,
            title="加装充电桩",
            problem="电动车在楼道充电有火灾隐患",
            category="safety",
            source="resident",
            status="accepted",
        )
    ).returning(Proposal.id)
    proposal_id = rows[0]["id"]
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast", proposal=proposal_id)
    user = world.users["sec_alpha"]
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=user, at=NOW)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "yes", at=NOW)
    await service.close_ballot(ballot_id, actor=user, at=NOW)
    events = await ProposalEvent.select().where(ProposalEvent.proposal == proposal_id)
    assert [e["kind"] for e in events] == ["voted"]
    assert (await Proposal.select(Proposal.stage).where(Proposal.id == proposal_id).first())["stage"] == "vote"


async def test_item_result_reports_a_closed_ballot_to_other_steps(world: World):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    assert await service.item_result(item) is None
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=None, at=NOW)
    await service.cast_link_vote(ballot_id, hh(world, "1-1-101"), "no", at=NOW)
    await service.close_ballot(ballot_id, actor=None, at=NOW)
    outcome = await service.item_result(item)
    assert outcome is not None and outcome.closed and outcome.passed is False


async def test_a_parties_item_passes_only_when_every_party_agrees(world: World):
    meeting = await make_meeting(world, kind="tripartite", title="三方联席会")
    await invite_parties(meeting, world.compounds["alpha"])
    item = await make_item(meeting, "parties_unanimous", title="物业费调整方案")
    user = world.users["sec_alpha"]
    ballot_id = await service.open_ballot(world.compounds["alpha"], item, BallotSettings(), actor=user, at=NOW)
    for party in await service.roll(ballot_id):
        choice = "abstain" if party["party_kind"] == "property" else "yes"
        await service.record_room_vote(ballot_id, party["label"], choice, actor=user, at=NOW)
    result = await service.close_ballot(ballot_id, actor=user, at=NOW)
    assert not result["passed"] and result["actual"]["decided_by"] == "party:property"
    roll_entries = await BallotRollEntry.select().where(BallotRollEntry.ballot == ballot_id)
    assert all(e["area"] == 0 for e in roll_entries)
