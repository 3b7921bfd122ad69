"""The rules of step 2, deliberate: pure, no I/O, no framework.

Meeting kinds and their default voting rules, the Civil Code art. 278 matters,
notice periods, the vote options of an agenda item, agenda time and the quorum
figures shown during sign-in. Every figure is an exact integer; percentages are
computed from integers and rounded half up to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from yishi import labels
from yishi.forms import whole_number
from yishi.i18n import N_
from yishi.i18n import gettext as _
from yishi.rules import ABSTAIN, Rule
from yishi.shares import percent_figure


class Kind(StrEnum):
    BENCH_MEETING = "bench_meeting"
    TRIPARTITE = "tripartite"
    COUNCIL = "council"
    OWNERS_DECISION = "owners_decision"


KIND_LABELS: dict[str, str] = labels.register(
    "meeting_kind",
    {
        Kind.BENCH_MEETING: N_("Bench meeting"),
        Kind.TRIPARTITE: N_("Tripartite joint meeting"),
        Kind.COUNCIL: N_("Residents' council"),
        Kind.OWNERS_DECISION: N_("Owners' decision"),
    },
)

KIND_HINTS: dict[str, str] = labels.register(
    "meeting_kind_hint",
    {
        Kind.BENCH_MEETING: N_("Residents of one or a few buildings, with their grid worker."),
        Kind.TRIPARTITE: N_("Party branch, property company and owners' committee, with guests."),
        Kind.COUNCIL: N_("Resident representatives of the compound."),
        Kind.OWNERS_DECISION: N_("All owners of the compound or of the buildings concerned (Civil Code art. 278)."),
    },
)


# Civil Code art. 278: what owners decide together.
OWNERS_MATTERS: dict[int, str] = labels.register(
    "owners_matter",
    {
        1: N_("(1) Rules of procedure of the owners' assembly"),
        2: N_("(2) The management covenant"),
        3: N_("(3) Electing or replacing the owners' committee"),
        4: N_("(4) Hiring or dismissing the property company or another manager"),
        5: N_("(5) Using the maintenance fund"),
        6: N_("(6) Raising the maintenance fund"),
        7: N_("(7) Rebuilding or reconstructing buildings and their facilities"),
        8: N_("(8) Changing the use of common parts, or running a business on them"),
        9: N_("(9) Other major matters of common ownership and management"),
    },
)
SPECIAL_MATTERS = frozenset({6, 7, 8})

DEFAULT_NOTICE_DAYS: dict[str, int] = {
    Kind.BENCH_MEETING: 1,
    Kind.TRIPARTITE: 3,
    Kind.COUNCIL: 3,
    Kind.OWNERS_DECISION: 15,
}
# Property Management Regulations art. 14: owners are told at least 15 days ahead.
LEGAL_NOTICE_DAYS: dict[str, int] = {Kind.OWNERS_DECISION: 15}
MAX_NOTICE_DAYS = 90

ITEM_DECISION = "decision"
ITEM_REPORT = "report"
ITEM_KINDS = (ITEM_DECISION, ITEM_REPORT)
ITEM_KIND_LABELS = labels.register("item_kind", {ITEM_DECISION: N_("For decision"), ITEM_REPORT: N_("For information")})
# How a person's presence was recorded at the door.
ATTENDANCE_METHOD_LABELS = labels.register(
    "attendance_method", {"qr": N_("scanned the QR code"), "staff": N_("marked by staff")}
)

STANCES = ("agree", "disagree", "conditions")
STANCE_LABELS: dict[str, str] = labels.register(
    "stance",
    {
        "agree": N_("Agrees"),
        "disagree": N_("Disagrees"),
        "conditions": N_("Agrees with conditions"),
    },
)

MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_OPTION_LENGTH = 120
MAX_ITEM_MINUTES = 480
MAX_MEETING_MINUTES = 600
COMMENT_MAX_LENGTH = 500
SIGN_IN_OPENS_BEFORE = timedelta(hours=3)
SIGN_IN_STAYS_OPEN_AFTER = timedelta(hours=12)


def kind_of(value: str) -> Kind | None:
    try:
        return Kind(value)
    except ValueError:
        return None


# Rules ---------------------------------------------------------------------------


def rule_for_matter(matter: int) -> Rule:
    """Art. 278: matters (6)–(8) take the special rule, all others the ordinary one."""
    return Rule.CIVIL_CODE_SPECIAL if matter in SPECIAL_MATTERS else Rule.CIVIL_CODE_ORDINARY


def default_rule(kind: str, owners_matter: int | None = None) -> Rule | None:
    """The rule suggested for a decision item of a meeting of ``kind``.

    An owners' decision needs its art. 278 matter first: without it there is
    no suggestion.
    """
    if kind == Kind.OWNERS_DECISION:
        return rule_for_matter(owners_matter) if owners_matter else None
    if kind == Kind.TRIPARTITE:
        return Rule.PARTIES_UNANIMOUS
    return Rule.MAJORITY_OF_CAST


def allowed_rules(kind: str) -> tuple[Rule, ...]:
    if kind == Kind.OWNERS_DECISION:
        return (Rule.CIVIL_CODE_ORDINARY, Rule.CIVIL_CODE_SPECIAL)
    if kind == Kind.TRIPARTITE:
        return (Rule.PARTIES_UNANIMOUS, Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST)
    return (Rule.MAJORITY_OF_CAST, Rule.TWO_THIRDS_OF_CAST)


@dataclass(frozen=True)
class VoteDraft:
    question: str
    options: list[str]
    rule: str
    owners_matter: int | None


def parse_options(text: str) -> list[str]:
    """One 方案 a line; blank lines are ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _options_problem(options: Sequence[str]) -> str | None:
    """What is wrong with a multi-option item's options (none for a yes/no question), if anything."""
    if len(options) == 1:
        return _("Write at least %(min)d options, one a line, or none for a yes/no question.", min=MIN_OPTIONS)
    if len(options) > MAX_OPTIONS:
        return _("At most %(max)d options.", max=MAX_OPTIONS)
    seen: set[str] = set()
    for label in options:
        if len(label) > MAX_OPTION_LENGTH:
            return _("Each option may have at most %(n)d characters.", n=MAX_OPTION_LENGTH)
        if label.lower() == ABSTAIN:
            return _("“%(label)s” cannot be an option: abstaining is always possible.", label=label)
        if label in seen:
            return _("The option “%(label)s” appears twice. Each option needs its own label.", label=label)
        seen.add(label)
    return None


def _rule_problem(kind: str, rule_value: str, matter: int | None) -> str | None:
    """Why the rule cannot decide an item of this kind (and art. 278 matter), if it cannot."""
    if rule_value not in {r.value for r in Rule}:
        return _("Choose the rule that will decide this item.")
    if kind == Kind.OWNERS_DECISION:
        if matter is not None and Rule(rule_value) is not rule_for_matter(matter):
            return art_278_mismatch(matter, Rule(rule_value))
        return None
    if Rule(rule_value) not in allowed_rules(kind):
        return _(
            "The rule “%(rule)s” does not fit a %(kind)s. Choose one of: %(allowed)s.",
            rule=labels.label("rule", rule_value),
            kind=labels.label("meeting_kind", kind),
            allowed="、".join(labels.label("rule", r) for r in allowed_rules(kind)),
        )
    return None


def check_vote_draft(
    kind: str, question: str, options_text: str, rule: str, owners_matter: str
) -> tuple[VoteDraft | None, dict[str, str]]:
    """Validate what will be put to the vote; return the draft or the errors by field."""
    errors: dict[str, str] = {}
    question = question.strip()
    if not question:
        errors["question"] = _("Write the question put to the vote.")
    elif len(question) > 500:
        errors["question"] = _("Keep the question under %(n)d characters.", n=500)

    options = parse_options(options_text)
    if problem := _options_problem(options):
        errors["options"] = problem

    matter: int | None = None
    matter_text = owners_matter.strip()
    if kind == Kind.OWNERS_DECISION:
        matter = whole_number(matter_text, maximum=max(OWNERS_MATTERS))
        if matter not in OWNERS_MATTERS:
            matter = None
            errors["owners_matter"] = _("Choose which matter of Civil Code art. 278 the owners decide (1 to 9).")
    elif matter_text:
        errors["owners_matter"] = _("Only an owners' decision names a matter of Civil Code art. 278.")

    rule_value = rule.strip()
    if problem := _rule_problem(kind, rule_value, matter):
        errors["rule"] = problem
    if errors:
        return None, errors
    return VoteDraft(question=question, options=options, rule=rule_value, owners_matter=matter), {}


def art_278_mismatch(matter: int, rule: Rule) -> str:
    wanted = rule_for_matter(matter)
    if wanted is Rule.CIVIL_CODE_SPECIAL:
        return _(
            "Civil Code art. 278: matter %(matter)s takes the special rule (three quarters of the "
            "participating area and owners), not “%(rule)s”.",
            matter=labels.label("owners_matter", matter),
            rule=labels.label("rule", rule),
        )
    return _(
        "Civil Code art. 278: matter %(matter)s takes the ordinary rule (more than half of the "
        "participating area and owners), not “%(rule)s”; only matters (6) to (8) take the special rule.",
        matter=labels.label("owners_matter", matter),
        rule=labels.label("rule", rule),
    )


# Notice --------------------------------------------------------------------------


def notice_days(configured: Mapping[str, Any] | None, kind: str) -> int:
    """The compound's minimum notice for ``kind``, never less than the law's."""
    value = (configured or {}).get(kind, DEFAULT_NOTICE_DAYS[kind])
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = DEFAULT_NOTICE_DAYS[kind]
    return max(days, LEGAL_NOTICE_DAYS.get(kind, 0))


def check_notice_settings(form: Mapping[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for kind in Kind:
        text = (form.get(kind.value) or "").strip()
        days = whole_number(text, maximum=MAX_NOTICE_DAYS)
        if days is None:
            errors[kind.value] = _("Enter a whole number of days from 0 to %(max)d.", max=MAX_NOTICE_DAYS)
            continue
        legal = LEGAL_NOTICE_DAYS.get(kind, 0)
        if days < legal:
            errors[kind.value] = _(
                "The law asks for at least %(days)d days' notice of an owners' decision "
                "(Property Management Regulations art. 14).",
                days=legal,
            )
            continue
        values[kind.value] = days
    return values, errors


@dataclass(frozen=True)
class NoticeCheck:
    """Whether a notice published at ``now`` is early enough."""

    required_days: int
    legal_days: int
    lead: timedelta
    publish_by: datetime

    @property
    def early_enough(self) -> bool:
        return self.lead >= timedelta(days=self.required_days)

    @property
    def legally_possible(self) -> bool:
        return self.lead >= timedelta(days=self.legal_days)

    @property
    def lead_days(self) -> int:
        """Whole days between now and the start (rounded down)."""
        return max(self.lead.days, 0)


def check_notice(kind: str, configured: Mapping[str, Any] | None, starts_at: datetime, now: datetime) -> NoticeCheck:
    required = notice_days(configured, kind)
    return NoticeCheck(
        required_days=required,
        legal_days=LEGAL_NOTICE_DAYS.get(kind, 0),
        lead=starts_at - now,
        publish_by=starts_at - timedelta(days=required),
    )


def sign_in_open(starts_at: datetime, duration_minutes: int, now: datetime) -> bool:
    """Residents sign in by QR from three hours before the start until half a day after the end."""
    end = starts_at + timedelta(minutes=duration_minutes)
    return starts_at - SIGN_IN_OPENS_BEFORE <= now <= end + SIGN_IN_STAYS_OPEN_AFTER


# Agenda --------------------------------------------------------------------------


def parse_minutes(text: str, *, maximum: int = MAX_ITEM_MINUTES) -> int | None:
    value = whole_number(text, maximum=maximum)
    return value if value else None


@dataclass(frozen=True)
class AgendaTime:
    planned: int
    available: int

    @property
    def over(self) -> int:
        return max(self.planned - self.available, 0)

    @property
    def is_over(self) -> bool:
        return self.planned > self.available


def agenda_time(items: Iterable[Mapping[str, Any]], duration_minutes: int) -> AgendaTime:
    planned = sum(i["minutes"] for i in items if not i.get("withdrawn_at"))
    return AgendaTime(planned=planned, available=duration_minutes)


def moved(order: Sequence[int], item_id: int, direction: str) -> list[int]:
    """``order`` with ``item_id`` one place up or down (unchanged at either end)."""
    result = list(order)
    index = result.index(item_id)
    other = index - 1 if direction == "up" else index + 1
    if direction in ("up", "down") and 0 <= other < len(result):
        result[index], result[other] = result[other], result[index]
    return result


# Guests --------------------------------------------------------------------------

GUEST_SEPARATORS = (",", "，", "、", "；", ";", "（", "(", "\t")


def parse_guests(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """One guest a line, "name, role" (a Chinese comma or 、 works too)."""
    guests: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        cut = min((line.find(s) for s in GUEST_SEPARATORS if s in line), default=-1)
        name, role = (line[:cut], line[cut + 1 :]) if cut > 0 else (line, "")
        name, role = name.strip(), role.strip().rstrip("）)").strip()
        if not name or not role:
            return guests, _(
                "Line %(n)d: write the guest's name and role, separated by a comma, for example 王警官，社区民警.",
                n=number,
            )
        if len(name) > 100 or len(role) > 100:
            return guests, _("Line %(n)d: name and role may have at most 100 characters each.", n=number)
        guests.append((name, role))
    return guests, None


# Quorum --------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    present: int
    total: int

    @property
    def percent(self) -> str:
        return percent_figure(self.present, self.total)

    @property
    def reaches_two_thirds(self) -> bool:
        return 3 * self.present >= 2 * self.total and self.total > 0


@dataclass(frozen=True)
class Quorum:
    households: Share
    area: Share
    owners: Share
    parties_present: tuple[int, ...]
    parties_invited: tuple[int, ...]

    @property
    def all_parties_present(self) -> bool:
        return bool(self.parties_invited) and set(self.parties_invited) <= set(self.parties_present)

    @property
    def owners_participation_reached(self) -> bool:
        """Civil Code participation: ⅔ of the area and ⅔ of the owners."""
        return self.area.reaches_two_thirds and self.owners.reaches_two_thirds


def quorum(
    households: Sequence[Mapping[str, Any]],
    present_household_ids: Iterable[int],
    parties_invited: Iterable[int],
    parties_present: Iterable[int],
) -> Quorum:
    """Figures of the households concerned (``households``: id, exclusive_area, owner_key).

    Owners are counted as the Civil Code rules count them: households sharing an
    ``owner_key`` are one owner with their areas added; an owner is present when
    any of its households signed in, and then counts with its whole area.
    """
    present = set(present_household_ids)
    owners: dict[str, int] = {}
    owners_present: set[str] = set()
    for household in households:
        key = household.get("owner_key") or f"household:{household['id']}"
        owners[key] = owners.get(key, 0) + household["exclusive_area"]
        if household["id"] in present:
            owners_present.add(key)
    concerned = {h["id"] for h in households}
    invited = tuple(dict.fromkeys(parties_invited))
    return Quorum(
        households=Share(len(present & concerned), len(households)),
        area=Share(sum(owners[k] for k in owners_present), sum(owners.values())),
        owners=Share(len(owners_present), len(owners)),
        parties_present=tuple(p for p in dict.fromkeys(parties_present) if p in invited),
        parties_invited=invited,
    )


# Local time ----------------------------------------------------------------------


def duration_text(delta: timedelta) -> str:
    """ "3 days 4 hours" / "5 hours 10 minutes" for a notice lead time."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _("%(days)d days %(hours)d hours", days=days, hours=hours)
    return _("%(hours)d hours %(minutes)d minutes", hours=hours, minutes=rest // 60)
