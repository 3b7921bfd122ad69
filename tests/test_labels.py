"""The label registry: every family a template or the code asks for exists,
and a code reads as its label, or as itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import yishi.app  # noqa: F401  (imports every package, which registers its labels)
from yishi import i18n, labels
from yishi.settings import PROJECT_ROOT

FAMILY = re.compile(r"""\blabels?\.label\(\s*["']([a-z_]+)["']|(?<![\w.])label\(\s*["']([a-z_]+)["']""")


def _asked_for(paths: list[Path]) -> set[tuple[str, str]]:
    found = set()
    for path in paths:
        for match in FAMILY.finditer(path.read_text(encoding="utf-8")):
            found.add((match.group(1) or match.group(2), str(path.relative_to(PROJECT_ROOT))))
    return found


def test_every_family_asked_for_is_registered():
    paths = [*(PROJECT_ROOT / "templates").rglob("*.html"), *(PROJECT_ROOT / "src").rglob("*.py")]
    asked = _asked_for(paths)
    assert {family for family, _ in asked} >= {"rule", "choice", "meeting_kind", "party", "role"}
    missing = sorted((family, where) for family, where in asked if family not in labels.families())
    assert not missing, f"label families asked for but never registered: {missing}"


def test_a_code_reads_as_its_label_in_the_reader_language():
    with i18n.language("zh_CN"):
        assert labels.label("choice", "yes") == "同意"
    with i18n.language("en"):
        assert labels.label("choice", "yes") == "Agree"


def test_a_code_without_a_label_reads_as_itself_and_none_as_nothing():
    assert labels.label("choice", "方案二") == "方案二"
    assert labels.label("rule", None) == ""
    assert labels.label("owners_matter", 5) != "5"


def test_a_family_can_name_what_an_unknown_code_reads_as():
    with i18n.language("en"):
        assert labels.label("proposal_event", "something_new") == "Update"


def test_one_family_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        labels.register("rule", {"x": "y"})
