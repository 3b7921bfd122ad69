"""From a ballot's roll and votes to its result and its recount files. Pure:
no I/O, no framework; the rules engine (``rules.tally``) does the arithmetic.

What is counted together
    The binding result counts the votes of the ``count`` and ``city``
    streams; link votes that do not bind (``consultation``) are tallied apart,
    over the same roll, as 意向. A show of hands replaces per-voter counting for
    its ballot: the tally then runs over anonymous voters ``hand-001`` … with
    the entered numbers of yes, no and abstain (majority or two-thirds rules,
    where only the numbers matter).

Deemed votes (a compound's clause, civil code rules only)
    Owners who did not vote but were served the ballot are counted with the
    majority: the choice most voting owners made (ties: by area; still tied:
    no majority, nothing is deemed). The deemed result is always reported next
    to the actual one, never in its place.

Recount files (``yishi tally`` format, see ``recount.py``)
    Open ballot: the roll lists every unit (or party, by its kind) with its
    area and an opaque owner group (``G1``, ``G2``, …, the same for units of
    one owner; empty for a unit that is its own owner); the votes list the
    unit through which each owner voted and the choice.

    Secret ballot: the roll lists each participant under its receipt code, and
    each non-participant under its unit label; the votes list receipt codes and
    choices. The participants' areas are equalised within each choice (the
    choice's total area shared out evenly in hundredths, the remainder to the
    first lines), so per choice the headcount and the area are exact and the
    files recount to the same result, but no line carries a real unit's area
    that could single out a voter. Non-participants keep their real areas.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yishi.rules import ABSTAIN, NO, YES, RollEntry, Rule, TallyResult, Vote, tally
from yishi.voting.recount import write_roll_csv, write_votes_csv

STREAM_COUNT = "count"
STREAM_CONSULTATION = "consultation"
STREAM_CITY = "city"
BINDING_STREAMS = (STREAM_COUNT, STREAM_CITY)

COUNTED_BY_BALLOTS = "ballots"
COUNTED_BY_HANDS = "show_of_hands"


@dataclass(frozen=True)
class RollLine:
    """One roll entry: ``voter`` is its name in the tally and the files (a unit
    label, or a party's kind); ``voter_key`` groups the units of one owner."""

    voter: str
    voter_key: str
    area: int
    owner_key: str | None = None
    served: bool = False


@dataclass(frozen=True)
class CastVote:
    """A counted vote of an open ballot: ``voter`` is the roll line it came through."""

    voter: str
    voter_key: str
    choice: str
    stream: str = STREAM_COUNT


@dataclass(frozen=True)
class SecretSum:
    """A secret ballot's running sum for one choice of one stream: how many
    owners chose it and their exclusive area. The choices themselves are
    ``(receipt_code, choice, stream)`` triples, with no weight."""

    stream: str
    choice: str
    owners: int
    area: int


@dataclass(frozen=True)
class Hands:
    yes: int
    no: int
    abstain: int

    @property
    def total(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Exports:
    roll_csv: str
    votes_csv: str
    deemed_votes_csv: str = ""


@dataclass(frozen=True)
class Count:
    actual: TallyResult
    counted_by: str = COUNTED_BY_BALLOTS
    deemed: TallyResult | None = None
    deemed_choice: str | None = None
    served_non_voters: int = 0
    consultation: TallyResult | None = None
    exports: Exports | None = None

    @property
    def passed(self) -> bool:
        """The decision: the deemed result where the clause applies, else the actual one."""
        return (self.deemed or self.actual).passed

    @property
    def adopted_option(self) -> str | None:
        return (self.deemed or self.actual).adopted_option


@dataclass(frozen=True)
class _Inputs:
    """What one tally runs on, and the same as the recount files will say it."""

    roll: list[RollEntry]
    votes: list[Vote]
    export_roll: list[RollEntry]
    export_votes: list[Vote]
    non_voters: dict[str, str] = field(default_factory=dict)  # voter_key → first voter name


def count_open(
    rule: Rule,
    options: Sequence[str] | None,
    roll: Sequence[RollLine],
    votes: Iterable[CastVote],
    *,
    deemed: bool = False,
) -> Count:
    """Count an open ballot (the voters' choices are on their votes)."""
    votes = list(votes)
    binding = _open_inputs(rule, roll, [v for v in votes if v.stream in BINDING_STREAMS])
    consultation_votes = [v for v in votes if v.stream == STREAM_CONSULTATION]
    consultation = None
    if consultation_votes:
        inputs = _open_inputs(rule, roll, consultation_votes)
        consultation = tally(inputs.roll, inputs.votes, rule, options)
    return _finish(rule, options, roll, binding, consultation, deemed)


def count_secret(
    rule: Rule,
    options: Sequence[str] | None,
    roll: Sequence[RollLine],
    participants: Iterable[tuple[str, str]],
    choices: Iterable[tuple[str, str, str]],
    sums: Iterable[SecretSum],
    *,
    deemed: bool = False,
) -> Count:
    """Count a secret ballot from who took part (``(voter_key, stream)`` pairs),
    the choices kept apart under receipt codes (``(receipt_code, choice,
    stream)``) and the running sums of each choice's area."""
    participants = list(participants)
    choices = list(choices)
    sums = list(sums)

    def inputs_of(streams: tuple[str, ...]) -> _Inputs:
        return _secret_inputs(
            rule,
            roll,
            {k for k, s in participants if s in streams},
            [(code, choice) for code, choice, s in choices if s in streams],
            [line for line in sums if line.stream in streams],
        )

    binding = inputs_of(BINDING_STREAMS)
    consultation = None
    if any(s == STREAM_CONSULTATION for _k, s in participants):
        inputs = inputs_of((STREAM_CONSULTATION,))
        consultation = tally(inputs.roll, inputs.votes, rule, options)
    return _finish(rule, options, roll, binding, consultation, deemed)


def count_hands(rule: Rule, roll: Sequence[RollLine], hands: Hands) -> Count:
    """Count a show of hands over the roll's number of voters."""
    if rule not in (Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST):
        raise ValueError("a show of hands decides only majority or two-thirds items")
    voters = len({line.voter_key for line in roll})
    if hands.total > voters:
        raise ValueError("more hands than voters on the roll")
    names = [f"hand-{n:03d}" for n in range(1, voters + 1)]
    choices = [YES] * hands.yes + [NO] * hands.no + [ABSTAIN] * hands.abstain
    entries = [RollEntry(name, 0) for name in names]
    votes = [Vote(name, choice) for name, choice in zip(names, choices, strict=False)]
    result = tally(entries, votes, rule)
    return Count(
        actual=result,
        counted_by=COUNTED_BY_HANDS,
        exports=Exports(write_roll_csv(entries), write_votes_csv(votes)),
    )


def equal_shares(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` integers differing by at most one, largest first."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + 1] * extra + [base] * (parts - extra)


def _finish(
    rule: Rule,
    options: Sequence[str] | None,
    roll: Sequence[RollLine],
    binding: _Inputs,
    consultation: TallyResult | None,
    deemed_on: bool,
) -> Count:
    actual = tally(binding.roll, binding.votes, rule, options)
    deemed_result = None
    deemed_choice = None
    served = 0
    deemed_votes_csv = ""
    if deemed_on and rule.counts_owners:
        served_keys = {line.voter_key for line in roll if line.served}
        served_non_voters = [key for key in binding.non_voters if key in served_keys]
        served = len(served_non_voters)
        deemed_choice = _majority_choice(actual, options)
        extra: list[Vote] = []
        if deemed_choice is not None:
            extra = [Vote(binding.non_voters[key], deemed_choice) for key in served_non_voters]
        deemed_result = tally(binding.roll, [*binding.votes, *extra], rule, options)
        deemed_votes_csv = write_votes_csv([*binding.export_votes, *extra])
    return Count(
        actual=actual,
        deemed=deemed_result,
        deemed_choice=deemed_choice,
        served_non_voters=served,
        consultation=consultation,
        exports=Exports(
            write_roll_csv(binding.export_roll),
            write_votes_csv(binding.export_votes),
            deemed_votes_csv,
        ),
    )


def _majority_choice(actual: TallyResult, options: Sequence[str] | None) -> str | None:
    if options:
        shares = [(o.label, o.owners, o.area) for o in actual.options]
        shares.append((ABSTAIN, actual.abstain_owners, actual.abstain_area))
    else:
        shares = [
            (YES, actual.yes_owners, actual.yes_area),
            (NO, actual.no_owners, actual.no_area),
            (ABSTAIN, actual.abstain_owners, actual.abstain_area),
        ]
    ranked = sorted(shares, key=lambda s: (s[1], s[2]), reverse=True)
    if ranked[0][1] == 0 or (ranked[0][1], ranked[0][2]) == (ranked[1][1], ranked[1][2]):
        return None
    return ranked[0][0]


def _groups(rule: Rule, roll: Sequence[RollLine]) -> dict[str, str]:
    """Opaque owner groups (``G1``, ``G2``, …) for owner keys, in roll order."""
    groups: dict[str, str] = {}
    if rule.counts_owners:
        for line in roll:
            if line.owner_key and line.owner_key not in groups:
                groups[line.owner_key] = f"G{len(groups) + 1}"
    return groups


def _entry(rule: Rule, line: RollLine, groups: dict[str, str], *, real_key: bool) -> RollEntry:
    if not rule.counts_owners or not line.owner_key:
        return RollEntry(line.voter, line.area, None)
    return RollEntry(line.voter, line.area, line.owner_key if real_key else groups[line.owner_key])


def _non_voters(roll: Sequence[RollLine], voted: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in roll:
        if line.voter_key not in voted:
            found.setdefault(line.voter_key, line.voter)
    return found


def _open_inputs(rule: Rule, roll: Sequence[RollLine], votes: Sequence[CastVote]) -> _Inputs:
    groups = _groups(rule, roll)
    tally_votes = [Vote(v.voter, v.choice) for v in votes]
    return _Inputs(
        roll=[_entry(rule, line, groups, real_key=True) for line in roll],
        votes=tally_votes,
        export_roll=[_entry(rule, line, groups, real_key=False) for line in roll],
        export_votes=tally_votes,
        non_voters=_non_voters(roll, {v.voter_key for v in votes}),
    )


def _checked_sums(
    roll: Sequence[RollLine],
    participants: set[str],
    choices: Sequence[tuple[str, str]],
    sums: Sequence[SecretSum],
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The receipt codes of each choice and each choice's area, once the sums are
    shown to agree with the choices recorded and the participants' areas."""
    if len(participants) != len(choices):
        raise ValueError(f"{len(participants)} voters took part but {len(choices)} choices are recorded")
    chosen: dict[str, list[str]] = {}
    for code, choice in sorted(choices):
        chosen.setdefault(choice, []).append(code)
    area: dict[str, int] = {}
    for line in sums:
        if line.owners:
            area[line.choice] = area.get(line.choice, 0) + line.area
    if {c: len(codes) for c, codes in chosen.items()} != {
        c: sum(s.owners for s in sums if s.choice == c) for c in area
    }:
        raise ValueError("the choices' sums do not match the choices recorded")
    weight = sum(line.area for line in roll if line.voter_key in participants)
    if weight != sum(area.values()):
        raise ValueError("the choices' weights do not add up to the participants' areas")
    return chosen, area


def _secret_inputs(
    rule: Rule,
    roll: Sequence[RollLine],
    participants: set[str],
    choices: Sequence[tuple[str, str]],
    sums: Sequence[SecretSum],
) -> _Inputs:
    """Each participant is a receipt code; the area of each choice (its running
    sum) is shared out evenly among the codes that chose it, so per choice the
    headcount and the area are exact while no line carries an owner's own area."""
    chosen, area = _checked_sums(roll, participants, choices, sums)
    groups = _groups(rule, roll)
    absent = [line for line in roll if line.voter_key not in participants]
    shares = {choice: iter(equal_shares(area[choice], len(codes))) for choice, codes in chosen.items()}
    ordered = sorted((code, choice) for choice, codes in chosen.items() for code in codes)
    shared = [RollEntry(code, next(shares[choice])) for code, choice in ordered]
    votes = [Vote(code, choice) for code, choice in ordered]
    return _Inputs(
        roll=[*shared, *(_entry(rule, line, groups, real_key=True) for line in absent)],
        votes=votes,
        export_roll=[*shared, *(_entry(rule, line, groups, real_key=False) for line in absent)],
        export_votes=votes,
        non_voters=_non_voters(roll, participants),
    )


PARTICIPATION_KEYS = (
    "rule",
    "quorum_met",
    "total_area_m2",
    "total_owners",
    "participating_area_m2",
    "participating_owners",
    "ballots_cast",
)


def participation(rule: Rule, roll: Sequence[RollLine], participants: Iterable[str]) -> dict[str, object]:
    """Who took part, and nothing of what they chose: the figures an open
    secret ballot shows (``participants``: voter keys of the binding streams).
    The rules engine counts it, every participant as abstaining, and only
    its participation figures are kept."""
    voted = set(participants)
    groups = _groups(rule, roll)
    names: dict[str, str] = {}
    for line in roll:
        if line.voter_key in voted:
            names.setdefault(line.voter_key, line.voter)
    figures = tally(
        [_entry(rule, line, groups, real_key=True) for line in roll],
        [Vote(name, ABSTAIN) for name in names.values()],
        rule,
    ).to_json_dict()
    return {**{key: figures[key] for key in PARTICIPATION_KEYS}, "sealed": True}
