"""Chinese first: every message a person can read has its Chinese text."""

from pathlib import Path

from yishi import i18n

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
