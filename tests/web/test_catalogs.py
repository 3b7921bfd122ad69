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
        if chinese.gettext(msgid) == msgid
    ]
    assert not missing, "run `python -m yishi.i18n update` and translate:\n" + "\n".join(missing)


def test_a_message_reads_in_english_when_english_is_chosen():
    with i18n.language("en"):
        assert i18n.gettext("Staff login") == "Staff login"
    with i18n.language("zh_CN"):
        assert i18n.gettext("Staff login") == "工作人员登录"
