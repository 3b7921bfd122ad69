"""``yishi tally``: recount exported files from the command line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from tests.voting.test_rules import OPTION_CHOICES, OPTION_LABELS, ballots
from yishi.rules import RollEntry, Rule, Vote, tally
from yishi.voting.cli import tally as tally_command
from yishi.voting.recount import write_roll_csv, write_votes_csv

ROLL = "voter,area_m2,owner_key\n3-1-101,88.50,\n3-1-102,90,developer\n3-1-103,75.25,developer\n"


def run(directory: Path, rule: str, roll: str | bytes, votes: str | bytes, *options: str) -> Result:
    """Write roll.csv and votes.csv into ``directory`` and run the command on them."""
    files = {"roll.csv": roll, "votes.csv": votes}
    for name, content in files.items():
        (directory / name).write_bytes(content.encode() if isinstance(content, str) else content)
    args = ["--rule", rule, "--roll", str(directory / "roll.csv")]
    args += ["--votes", str(directory / "votes.csv")]
    for option in options:
        args += ["--option", option]
    return CliRunner().invoke(tally_command, args)


def run_in_fresh_directory(rule: str, roll: str, votes: str, *options: str) -> Result:
    with tempfile.TemporaryDirectory() as directory:
        return run(Path(directory), rule, roll, votes, *options)


def test_result_is_printed_as_json_and_exits_0(tmp_path: Path) -> None:
    result = run(tmp_path, "civil_code_ordinary", ROLL, "voter,choice\n3-1-101,yes\n3-1-102,yes\n")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["passed"] is True
    assert printed["decided_by"] == "passed_all"
    assert printed["total_area_m2"] == "253.75"
    assert printed["yes_owners"] == 2
    assert result.stderr == ""


def test_chinese_labels_are_printed_as_they_are(tmp_path: Path) -> None:
    votes = "voter,choice\n3-1-101,方案一\n"
    result = run(tmp_path, "majority_of_cast", ROLL, votes, "方案一", "方案二")
    assert result.exit_code == 0, result.output
    assert '"adopted_option": "方案一"' in result.stdout


def test_repeated_option_flags_make_a_multi_option_item(tmp_path: Path) -> None:
    votes = "voter,choice\n3-1-101,A\n3-1-102,B\n3-1-103,B\n"
    result = run(tmp_path, "majority_of_cast", ROLL, votes, "A", "B")
    printed = json.loads(result.stdout)
    assert printed["adopted_option"] == "B"
    assert [option["ballots"] for option in printed["options"]] == [1, 2]


def test_bad_vote_is_reported_with_its_file_and_line_and_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "majority_of_cast", ROLL, "voter,choice\n3-1-101,yes\n3-2-502,no\n")
    assert result.exit_code == 2
    votes_path = tmp_path / "votes.csv"
    assert result.stderr == f"{votes_path} line 3: voter 3-2-502 is not on the roll\n"
    assert result.stdout == ""


def test_bad_roll_line_is_reported_with_its_file_and_line_and_exits_2(tmp_path: Path) -> None:
    roll = "voter,area_m2,owner_key\n3-1-101,88.50,\n3-1-102,1e3,\n"
    result = run(tmp_path, "civil_code_special", roll, "voter,choice\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'roll.csv'} line 3: area '1e3' ")


def test_file_that_is_not_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    votes = b"voter,choice\n3-1-101," + "同意".encode("gb18030") + b"\n"
    result = run(tmp_path, "majority_of_cast", ROLL, votes)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'votes.csv'} line 2: the file is not UTF-8 text\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--rule", "simple_majority", "--roll", "roll.csv", "--votes", "votes.csv"],
        ["--rule", "majority_of_cast", "--roll", "missing.csv", "--votes", "votes.csv"],
        [
            "--rule",
            "majority_of_cast",
            "--roll",
            "roll.csv",
            "--votes",
            "votes.csv",
            "--option",
            "A",
            "--option",
            "A",
        ],
    ],
    ids=["unknown rule", "missing file", "repeated option"],
)
def test_bad_arguments_are_a_usage_error(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("roll.csv").write_text(ROLL, encoding="utf-8")
    Path("votes.csv").write_text("voter,choice\n", encoding="utf-8")
    result = CliRunner().invoke(tally_command, args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


@given(ballots(), st.booleans())
def test_printed_json_equals_the_engine_result(
    ballot: tuple[Rule, list[RollEntry], list[Vote]], with_bom: bool
) -> None:
    rule, roll, votes = ballot
    bom = "\ufeff" if with_bom else ""
    roll_text, votes_text = bom + write_roll_csv(roll), bom + write_votes_csv(votes)
    result = run_in_fresh_directory(rule.value, roll_text, votes_text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == tally(roll, votes, rule).to_json_dict()


@given(ballots(choices=OPTION_CHOICES))
def test_printed_json_equals_the_engine_result_for_multi_option_items(
    ballot: tuple[Rule, list[RollEntry], list[Vote]],
) -> None:
    rule, roll, votes = ballot
    roll_text, votes_text = write_roll_csv(roll), write_votes_csv(votes)
    result = run_in_fresh_directory(rule.value, roll_text, votes_text, *OPTION_LABELS)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == tally(roll, votes, rule, OPTION_LABELS).to_json_dict()
