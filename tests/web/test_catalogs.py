"""Chinese first: every message a person can read has its Chinese text."""

from pathlib import Path

from tests.support import text_of
from tests.voting.support import make_item, make_meeting
from yishi import i18n
from yishi.voting import service

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_in_the_code_and_templates_has_a_chinese_translation():
    found = i18n.extract_messages(ROOT)
    chinese = i18n.translations("zh_CN")
    missing = [
        f"{places[0]}: {msgid!r}"
        for messages in found.values()
        for msgid, places in messages.items()
        if (
            chinese.gettext(msgid) == msgid
            if isinstance(msgid, str)
            else chinese.ngettext(*msgid, 2) == msgid[1] or chinese.ngettext(*msgid, 1) == msgid[0]
        )
    ]
    assert not missing, "run `python -m yishi.i18n update` and translate:\n" + "\n".join(missing)


def test_a_message_reads_in_english_when_english_is_chosen():
    with i18n.language("en"):
        assert i18n.gettext("Staff login") == "Staff login"
    with i18n.language("zh_CN"):
        assert i18n.gettext("Staff login") == "工作人员登录"


def test_a_count_reads_in_chinese_and_in_english_with_its_plural_forms():
    singular = "Voting runs until %(at)s, as announced; it cannot close before then while %(count)d voter on the roll has not voted."
    plural = "Voting runs until %(at)s, as announced; it cannot close before then while %(count)d voters on the roll have not voted."
    with i18n.language("zh_CN"):
        assert i18n.ngettext(singular, plural, 3, at="12-16 14:00", count=3) == (
            "按公告，投票持续到 12-16 14:00；名册上还有 3 人未投票，在此之前不能结束表决。"
        )
    with i18n.language("en"):
        assert i18n.ngettext(singular, plural, 1, at="12-16 14:00", count=1).endswith(
            "1 voter on the roll has not voted."
        )
        assert i18n.ngettext(singular, plural, 2, at="12-16 14:00", count=2).endswith(
            "2 voters on the roll have not voted."
        )


async def test_counts_read_in_the_singular_and_the_plural_in_english(client, world):
    meeting = await make_meeting(world)
    item = await make_item(meeting, "majority_of_cast")
    ballot_id = await service.open_ballot(
        world.compounds["alpha"], item, service.BallotSettings(), actor=world.users["sec_alpha"]
    )
    for unit, choice in (("1-1-101", "yes"), ("1-1-102", "yes"), ("1-1-201", "no")):
        await service.cast_link_vote(ballot_id, world.households[f"alpha:{unit}"], choice)
    await service.close_ballot(ballot_id, actor=world.users["sec_alpha"], reason="三户均已表决")
    client.cookies.set("yishi_lang", "en")
    page = text_of((await client.get(f"/c/alpha/results/{ballot_id}")).text)
    assert "2 ballots" in page and "1 ballot" in page and "1 ballots" not in page
