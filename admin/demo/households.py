"""Demo households: seeded people with plausible incomes, shaped to the story each will live."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from admin.demo.county import COUNTY_CODE, GIVEN_FEMALE, GIVEN_MALE, STATE_WEIGHTS, SURNAMES
from engine.identity import with_check_digit
from engine.services.applications import IncomeInput, MemberInput
from engine.states import CaseState

#: ages are counted from this fixed date so that reruns on later days produce the same people
REFERENCE_DATE = dt.date(2024, 11, 1)


def new_id_number(birth: dt.date, serial: int, male: bool, used: set[str]) -> str:
    """Return an unused ID number for the birth date; the sequence digit's parity is the sex."""
    sequence = serial % 500 * 2 + (1 if male else 0)
    while True:
        number = with_check_digit(f"{COUNTY_CODE}{birth:%Y%m%d}{sequence:03d}")
        if number not in used:
            used.add(number)
            return number
        sequence = (sequence + 2) % 1000


def person_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    """Return a plausible Chinese name (the surname given or drawn)."""
    surname = surname or rng.choice(SURNAMES)
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def birth_between(rng: random.Random, today: dt.date, age_from: int, age_to: int) -> dt.date:
    """Return a birth date giving an age between the bounds on ``today``."""
    age_days = rng.randint(age_from * 365, age_to * 365)
    return today - dt.timedelta(days=age_days)


@dataclass(frozen=True)
class DemoHousehold:
    """One generated household: its category, members and profile."""

    category: str
    members: list[MemberInput]
    income_stable: bool
    bank_account: str
    rigid_expenses_yuan: Decimal
    #: tekun: the legal supporters' situation (TK Arts. 7-8)
    tekun_supporter: str | None = None


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """Split an amount into ``parts`` random shares rounded to 10 yuan."""
    if parts == 0:
        return []
    weights = [rng.random() + 0.2 for _ in range(parts)]
    shares = [total * Decimal(str(w / sum(weights))) for w in weights]
    return [(x / 10).quantize(Decimal(1)) * 10 for x in shares]


def _with_incomes(m: MemberInput, items: list[IncomeInput]) -> MemberInput:
    return replace(m, monthly_income=Decimal(0), incomes=tuple(i for i in items if i.monthly_yuan))


#: years between a parent's age and a child's in the demo households
GENERATION_GAP = 20


def age_of(member: MemberInput, today: dt.date) -> int:
    """A member's age in whole years, from the birth date in their ID number."""
    born = dt.date(
        int(member.id_number[6:10]), int(member.id_number[10:12]), int(member.id_number[12:14])
    )
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def household_members(
    index: int, urban: bool, used: set[str], target: CaseState, standard: Decimal
) -> DemoHousehold:
    """Return demo household ``index``, its incomes shaped to the story it will live.

    Deterministic when households are generated in index order with one shared
    ``used`` set of ID numbers, as ``load_demo`` does on every run.
    """
    today = REFERENCE_DATE
    rng = random.Random(f"doudi-demo-household-{index}")
    serial = index * 8
    roll = rng.random()
    members: list[MemberInput] = []

    def person(
        relation: str, age_from: int, age_to: int, male: bool, surname: str | None = None
    ) -> MemberInput:
        nonlocal serial
        serial += 1
        birth = birth_between(rng, today, age_from, age_to)
        return MemberInput(
            id_number=new_id_number(birth, serial, male, used),
            name=person_name(rng, male, surname),
            relation=relation,
            able_to_work=18 <= (today - birth).days // 365 <= 60,
        )

    category = "tekun" if roll < 0.10 else "single_person" if roll < 0.18 else "dibao"
    if target in (CaseState.PHASING_OUT, CaseState.TERMINATED):
        category = "dibao"  # phase-out follows employment in a dibao household
    if target == CaseState.TERMINATION_NOTICE:
        category = "tekun"  # only the end of tekun support is noticed first (TK Art. 26)
    if category == "tekun":
        # an elderly person living alone without support (特困供养)
        members.append(person("self", 62, 88, rng.random() < 0.6))
    else:
        male = rng.random() < 0.55
        applicant = person("self", 28, 80, male)
        members.append(applicant)
        surname = applicant.name[0] if male else None
        age = age_of(applicant, today)
        if rng.random() < 0.7 or category == "single_person":
            members.append(person("spouse", 28, 78, not male))
        # children and parents a generation away from the applicant
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            members.append(
                person("child", 3, min(25, age - GENERATION_GAP), rng.random() < 0.5, surname)
            )
        if rng.random() < 0.25:
            eldest = max(70, age + GENERATION_GAP)
            members.append(person("parent", eldest, max(92, eldest), rng.random() < 0.4, surname))
    if category != "tekun" and (category == "single_person" or rng.random() < 0.12):
        # a seriously ill or severely disabled member (covered alone for 单人保)
        target_index = (
            rng.randrange(1, len(members))
            if category == "single_person"
            else (rng.randrange(len(members)))
        )
        sick = members[target_index]
        if rng.random() < 0.6:
            grade = rng.choice((1, 2))
            kind = rng.choice(("physical", "intellectual", "mental", "visual", "multiple"))
            sick = replace(sick, disability_grade=grade, disability_type=kind)
        else:
            sick = replace(sick, serious_illness=True)
        members[target_index] = replace(
            sick, able_to_work=False, covered=category == "single_person"
        )

    n = len(members)
    if category == "tekun":
        total = Decimal(0)
    elif category == "single_person":
        total = standard * n * Decimal(str(rng.uniform(1.1, 1.4)))
    elif target == CaseState.REJECTED:
        total = standard * n * Decimal(str(rng.uniform(1.05, 1.5)))
    else:
        total = standard * n * Decimal(str(rng.uniform(0.0, 0.8)))
    earners = [i for i, m in enumerate(members) if m.able_to_work and not m.covered] or [0]
    shares = dict(zip(earners, _split(rng, total, len(earners)), strict=True))
    shaped = []
    for i, m in enumerate(members):
        items = [IncomeInput("wages", shares.get(i, Decimal(0)))]
        if age_of(m, today) >= 60:
            # the basic resident pension, which Art. 13 keeps out of the means test
            items.append(IncomeInput("pension_basic", Decimal(rng.randrange(100, 190, 10))))
        shaped.append(_with_incomes(m, items))
    unstable = any(m.able_to_work for m in shaped) and rng.random() < 0.4
    ill = any(m.serious_illness or m.disability_grade for m in shaped)
    return DemoHousehold(
        category=category,
        members=shaped,
        income_stable=not unstable,
        bank_account="6214" + "".join(str(rng.randrange(10)) for _ in range(15)),
        rigid_expenses_yuan=Decimal(rng.randrange(100, 600, 10)) if ill else Decimal(0),
        tekun_supporter=rng.choice(("none", "none", "supporter_tekun", "supporter_dibao_elderly"))
        if category == "tekun"
        else None,
    )


def pick_state(index: int) -> CaseState:
    """Return the state demo household ``index`` is carried to (every state among the first)."""
    rng = random.Random(f"doudi-demo-state-{index}")
    states = list(STATE_WEIGHTS)
    # guarantee every state appears among the first households
    if index < len(states):
        return states[index]
    return rng.choices(states, weights=[STATE_WEIGHTS[s] for s in states])[0]
