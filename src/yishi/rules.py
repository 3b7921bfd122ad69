"""Voting rules: whether an agenda item passed, and which threshold decided it.

Pure arithmetic over a voter roll and the votes cast: no I/O, no framework.
Areas are integers in hundredths of a square metre, and every threshold is
compared in integer arithmetic, never in floats (docs/voting-rules.md).
"≥" includes the bound; a majority (过半数) is strictly more than half.

Rules
    ``majority_of_cast``     yes > ½ × ballots cast (abstentions are cast ballots).
    ``two_thirds_of_cast``   yes ≥ ⅔ × ballots cast.
    ``parties_unanimous``    every party on the roll (branch, property company,
                             owners' committee, ...) recorded yes.
    ``civil_code_ordinary``  participation, then ``2·A_yes > A_P and 2·N_yes > N_P``.
    ``civil_code_special``   participation, then ``4·A_yes ≥ 3·A_P and 4·N_yes ≥ 3·N_P``.

    Participation is ``3·A_P ≥ 2·A_total and 3·N_P ≥ 2·N_total``, with A for area,
    N for owners and P for participants; abstainers participate. It is checked
    before approval. With no ballot cast nothing passes, whatever the rule.

Counting (civil code rules only)
    Roll entries are units. Units sharing an ``owner_key`` are one owner (their
    areas added): one buyer's several units, or all the developer's unsold units
    under one key such as ``"developer"``. A unit without an owner key is its
    own owner. An owner casts one opinion: a vote by any of its units counts for
    the owner with the owner's whole area, and a second vote is an error.
    Under the other rules each roll entry is one voter with one ballot, and
    owner keys are ignored; the ``*_owners`` figures then count voters.

Multi-option items (several 方案)
    The choices are the option labels and ``"abstain"``. Participation is
    checked once; the approval threshold is applied to each option's votes in
    place of the yes votes. No two options can both pass (two strict majorities,
    two shares of at least ⅔ or ¾, or two unanimous choices cannot coexist), so
    at most one is adopted. ``yes_*`` and ``no_*`` figures are zero there.

``decided_by`` codes (the closed set ``DECIDED_BY_CODES``, plus ``party:<voter>``)
    ``passed_all``            every threshold of the rule was met.
    ``participation_area``    civil code: voting owners hold less than ⅔ of the area.
    ``participation_owners``  civil code: the area was met, but fewer than ⅔ of
                              the owners voted.
    ``approval_area``         civil code: participation met; the yes area fell short.
    ``approval_owners``       civil code: the yes area was enough; too few yes owners.
    ``approval_cast``         ``*_of_cast`` rules: too few yes ballots (or none cast).
    ``party:<voter>``         parties unanimous: this party did not record yes
                              (missing, no or abstain); when several did not,
                              the first by name, so roll order does not matter.
    ``no_option_adopted``     multi-option item: participation (if any) was met,
                              but no option was approved; each option's own
                              ``decided_by`` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from yishi import areas, labels
from yishi.areas import format_area
from yishi.errors import DomainError
from yishi.i18n import N_

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
YES_NO_CHOICES = (YES, NO, ABSTAIN)

PASSED_ALL = "passed_all"
PARTICIPATION_AREA = "participation_area"
PARTICIPATION_OWNERS = "participation_owners"
APPROVAL_AREA = "approval_area"
APPROVAL_OWNERS = "approval_owners"
APPROVAL_CAST = "approval_cast"
NO_OPTION_ADOPTED = "no_option_adopted"
PARTY_PREFIX = "party:"
DECIDED_BY_CODES = frozenset(
    {
        PASSED_ALL,
        PARTICIPATION_AREA,
        PARTICIPATION_OWNERS,
        APPROVAL_AREA,
        APPROVAL_OWNERS,
        APPROVAL_CAST,
        NO_OPTION_ADOPTED,
    }
)


class Rule(StrEnum):
    MAJORITY_OF_CAST = "majority_of_cast"
    TWO_THIRDS_OF_CAST = "two_thirds_of_cast"
    PARTIES_UNANIMOUS = "parties_unanimous"
    CIVIL_CODE_ORDINARY = "civil_code_ordinary"
    CIVIL_CODE_SPECIAL = "civil_code_special"

    @property
    def counts_owners(self) -> bool:
        """Civil code rules weigh area and count owners; the others count ballots."""
        return self in (Rule.CIVIL_CODE_ORDINARY, Rule.CIVIL_CODE_SPECIAL)


# What each rule is called, wherever it is shown (ballots, agendas, notices, documents).
RULE_LABELS = labels.register(
    "rule",
    {
        Rule.MAJORITY_OF_CAST: N_("Majority of ballots cast"),
        Rule.TWO_THIRDS_OF_CAST: N_("Two thirds of ballots cast"),
        Rule.PARTIES_UNANIMOUS: N_("All three parties agree"),
        Rule.CIVIL_CODE_ORDINARY: N_("Owners' decision, ordinary matter (Civil Code art. 278)"),
        Rule.CIVIL_CODE_SPECIAL: N_("Owners' decision, special matter (Civil Code art. 278)"),
    },
)


@dataclass(frozen=True)
class RollEntry:
    """One line of the voter roll: a unit (household) or a party.

    ``area`` is the exclusive area in hundredths of m²; it may be 0 only under
    rules that do not weigh area (a party has none).
    """

    voter: str
    area: int
    owner_key: str | None = None


@dataclass(frozen=True)
class Vote:
    voter: str
    choice: str


class TallyError(DomainError):
    """The roll, the votes or the options cannot be tallied.

    ``roll_index`` or ``vote_index`` points at the offending entry (0-based), so
    a caller reading a file can report its line.
    """

    def __init__(self, message: str, *, roll_index: int | None = None, vote_index: int | None = None) -> None:
        super().__init__(message)
        self.roll_index = roll_index
        self.vote_index = vote_index


@dataclass(frozen=True)
class OptionResult:
    """How one option of a multi-option item fared."""

    label: str
    passed: bool
    decided_by: str
    area: int
    owners: int
    ballots: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "passed": self.passed,
            "decided_by": self.decided_by,
            "area_m2": format_area(self.area),
            "owners": self.owners,
            "ballots": self.ballots,
        }


@dataclass(frozen=True)
class TallyResult:
    """The outcome of one agenda item and the figures behind it.

    Areas are in hundredths of m². ``quorum_met`` is the civil code
    participation; rules without one report ``True``. One owner casts one
    ballot, so ``cast`` equals ``participating_owners``.
    """

    rule: Rule
    passed: bool
    quorum_met: bool
    decided_by: str
    adopted_option: str | None
    total_area: int
    total_owners: int
    participating_area: int
    participating_owners: int
    yes_area: int
    yes_owners: int
    no_area: int
    no_owners: int
    abstain_area: int
    abstain_owners: int
    cast: int
    yes_ballots: int
    no_ballots: int
    abstain_ballots: int
    options: tuple[OptionResult, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready figures; areas are decimal strings such as ``"1234.56"``."""
        return {
            "rule": self.rule.value,
            "passed": self.passed,
            "quorum_met": self.quorum_met,
            "decided_by": self.decided_by,
            "adopted_option": self.adopted_option,
            "total_area_m2": format_area(self.total_area),
            "total_owners": self.total_owners,
            "participating_area_m2": format_area(self.participating_area),
            "participating_owners": self.participating_owners,
            "yes_area_m2": format_area(self.yes_area),
            "yes_owners": self.yes_owners,
            "no_area_m2": format_area(self.no_area),
            "no_owners": self.no_owners,
            "abstain_area_m2": format_area(self.abstain_area),
            "abstain_owners": self.abstain_owners,
            "ballots_cast": self.cast,
            "yes_ballots": self.yes_ballots,
            "no_ballots": self.no_ballots,
            "abstain_ballots": self.abstain_ballots,
            "options": [option.to_json_dict() for option in self.options],
        }


def parse_area(text: str) -> int:
    """``"88.5"`` → 8850: a positive area in m² with at most two decimals.

    Raises ``ValueError`` with a readable message for anything else
    (``""``, ``"0"``, ``"-1"``, ``"1e3"``, ``"1.234"``, ``"abc"``).
    """
    text = text.strip()
    if not text:
        raise ValueError("the area is empty")
    hundredths = areas.parse_area(text)
    if hundredths is None:
        if areas.AREA_TEXT.fullmatch(text):
            raise ValueError(f"area {text!r} must be more than zero")
        raise ValueError(f"area {text!r} is not a number of m² with at most two decimals")
    return hundredths


def validate_options(options: Iterable[str] | None) -> tuple[str, ...] | None:
    """The option labels of a multi-option item, or ``None`` for a yes/no item."""
    labels = tuple(options or ())
    if not labels:
        return None
    for label in labels:
        if not label or label != label.strip():
            raise TallyError(f"option {label!r} needs a label without surrounding spaces")
        if label == ABSTAIN:
            raise TallyError(f"{ABSTAIN!r} cannot be an option label: it is always a choice")
    if len(set(labels)) != len(labels):
        raise TallyError("option labels must be distinct")
    return labels


# An owner is a group of units (civil code rules) or a single voter.
_OwnerId = tuple[str, str]


@dataclass(frozen=True)
class _Share:
    """Area and headcount of a group of owners (or voters)."""

    area: int = 0
    count: int = 0

    def plus(self, area: int) -> _Share:
        return _Share(self.area + area, self.count + 1)


def tally(
    roll: Iterable[RollEntry],
    votes: Iterable[Vote],
    rule: Rule | str,
    options: Iterable[str] | None = None,
) -> TallyResult:
    """Decide one agenda item by ``rule``; see the module docstring.

    ``options`` lists the labels of a multi-option item; ``None`` or empty
    means a yes/no item. Raises ``TallyError`` for an empty roll, a voter listed
    twice, a bad area, a vote by someone not on the roll, an unknown choice, or
    a second vote by one owner (one voter under rules that do not group units).
    """
    rule = Rule(rule)
    labels = validate_options(options)
    roll = list(roll)
    owner_of, owner_area = _owners(roll, rule)
    choice_of = _choices(list(votes), owner_of, labels)

    total = _Share(sum(owner_area.values()), len(owner_area))
    by_choice: dict[str, _Share] = {}
    participating = _Share()
    for owner, choice in choice_of.items():
        by_choice[choice] = by_choice.get(choice, _Share()).plus(owner_area[owner])
        participating = participating.plus(owner_area[owner])
    choice_by_voter = {voter: choice_of.get(owner) for voter, owner in owner_of.items()}

    quorum_failure = _participation_failure(rule, total, participating)

    def decide(wanted: str) -> str:
        if quorum_failure is not None:
            return quorum_failure
        share = by_choice.get(wanted, _Share())
        failure = _approval_failure(rule, share, participating, choice_by_voter, wanted)
        return failure or PASSED_ALL

    option_results: tuple[OptionResult, ...] = ()
    adopted: str | None = None
    if labels is None:
        decided_by = decide(YES)
    else:
        option_results = tuple(_option_result(label, decide(label), by_choice) for label in labels)
        adopted = next((option.label for option in option_results if option.passed), None)
        decided_by = PASSED_ALL if adopted is not None else (quorum_failure or NO_OPTION_ADOPTED)

    abstain = by_choice.get(ABSTAIN, _Share())
    if labels is None:
        yes, no = by_choice.get(YES, _Share()), by_choice.get(NO, _Share())
    else:  # an option may be labelled "yes"; its figures are in the options
        yes = no = _Share()
    return TallyResult(
        rule=rule,
        passed=decided_by == PASSED_ALL,
        quorum_met=quorum_failure is None,
        decided_by=decided_by,
        adopted_option=adopted,
        total_area=total.area,
        total_owners=total.count,
        participating_area=participating.area,
        participating_owners=participating.count,
        yes_area=yes.area,
        yes_owners=yes.count,
        no_area=no.area,
        no_owners=no.count,
        abstain_area=abstain.area,
        abstain_owners=abstain.count,
        cast=participating.count,
        yes_ballots=yes.count,
        no_ballots=no.count,
        abstain_ballots=abstain.count,
        options=option_results,
    )


def _owners(roll: list[RollEntry], rule: Rule) -> tuple[dict[str, _OwnerId], dict[_OwnerId, int]]:
    """Map each voter to its owner, and each owner to its whole area."""
    if not roll:
        raise TallyError("the roll lists no voter")
    owner_of: dict[str, _OwnerId] = {}
    owner_area: dict[_OwnerId, int] = {}
    for index, entry in enumerate(roll):
        if entry.voter in owner_of:
            raise TallyError(f"voter {entry.voter} is on the roll twice", roll_index=index)
        if entry.area < 0 or (rule.counts_owners and entry.area == 0):
            raise TallyError(f"unit {entry.voter} needs an area of more than zero", roll_index=index)
        if rule.counts_owners and entry.owner_key:
            owner: _OwnerId = ("owner", entry.owner_key)
        else:
            owner = ("voter", entry.voter)
        owner_of[entry.voter] = owner
        owner_area[owner] = owner_area.get(owner, 0) + entry.area
    return owner_of, owner_area


def _choices(
    votes: list[Vote], owner_of: Mapping[str, _OwnerId], labels: tuple[str, ...] | None
) -> dict[_OwnerId, str]:
    """Each voting owner's choice, refusing anything that is not one clean vote."""
    allowed = YES_NO_CHOICES if labels is None else (*labels, ABSTAIN)
    choice_of: dict[_OwnerId, str] = {}
    voter_of: dict[_OwnerId, str] = {}
    for index, vote in enumerate(votes):
        owner = owner_of.get(vote.voter)
        if owner is None:
            raise TallyError(f"voter {vote.voter} is not on the roll", vote_index=index)
        if vote.choice not in allowed:
            raise TallyError(f"unknown choice {vote.choice!r}: expected {_one_of(allowed)}", vote_index=index)
        if owner in choice_of:
            first = voter_of[owner]
            if first == vote.voter:
                message = f"voter {vote.voter} has already voted"
            else:
                message = f"voter {vote.voter} belongs to owner {owner[1]}, who already voted through {first}"
            raise TallyError(message, vote_index=index)
        choice_of[owner] = vote.choice
        voter_of[owner] = vote.voter
    return choice_of


def _one_of(choices: Sequence[str]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


def _participation_failure(rule: Rule, total: _Share, participating: _Share) -> str | None:
    if not rule.counts_owners:
        return None
    if 3 * participating.area < 2 * total.area:
        return PARTICIPATION_AREA
    if 3 * participating.count < 2 * total.count:
        return PARTICIPATION_OWNERS
    return None


def _approval_failure(
    rule: Rule,
    in_favour: _Share,
    participating: _Share,
    choice_by_voter: Mapping[str, str | None],
    wanted: str,
) -> str | None:
    match rule:
        case Rule.MAJORITY_OF_CAST:
            met = 2 * in_favour.count > participating.count
            return None if met else APPROVAL_CAST
        case Rule.TWO_THIRDS_OF_CAST:
            met = participating.count > 0 and 3 * in_favour.count >= 2 * participating.count
            return None if met else APPROVAL_CAST
        case Rule.PARTIES_UNANIMOUS:
            dissenting = sorted(p for p, choice in choice_by_voter.items() if choice != wanted)
            return PARTY_PREFIX + dissenting[0] if dissenting else None
        case Rule.CIVIL_CODE_ORDINARY:
            if not 2 * in_favour.area > participating.area:
                return APPROVAL_AREA
            if not 2 * in_favour.count > participating.count:
                return APPROVAL_OWNERS
            return None
        case Rule.CIVIL_CODE_SPECIAL:
            if not 4 * in_favour.area >= 3 * participating.area:
                return APPROVAL_AREA
            if not 4 * in_favour.count >= 3 * participating.count:
                return APPROVAL_OWNERS
            return None


def _option_result(label: str, decided_by: str, by_choice: Mapping[str, _Share]) -> OptionResult:
    share = by_choice.get(label, _Share())
    return OptionResult(
        label=label,
        passed=decided_by == PASSED_ALL,
        decided_by=decided_by,
        area=share.area,
        owners=share.count,
        ballots=share.count,
    )
