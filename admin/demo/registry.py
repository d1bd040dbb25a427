"""The demo county's officials registry: cadres and officers, their relatives, planted conflicts.

Every village has a director, a deputy and two committee members; every
township two officers. Each declares two or three relatives who live outside
the demo households. A few demo households are then tied to a cadre of their
own village — a declared sibling, parent or child (by resident ID, or only by
name and birth date), and one household where a committee member lives — so
the demo shows flags, filings (备案) and the county's visit as they happen.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from admin.demo.households import (
    REFERENCE_DATE,
    DemoHousehold,
    birth_between,
    new_id_number,
    person_name,
)
from audit.officials import OfficialRow
from engine.identity import parse_id_number
from engine.models import KinRelation, OfficialPosition

#: village committee posts, in order
VILLAGE_POSTS = (
    OfficialPosition.VILLAGE_DIRECTOR,
    OfficialPosition.VILLAGE_DEPUTY,
    OfficialPosition.VILLAGE_MEMBER,
    OfficialPosition.VILLAGE_MEMBER,
)
TOWNSHIP_OFFICERS = 2
#: households with index ≡ DECLARED_AT (mod PLANTED_EVERY) are declared relatives of a cadre;
#: those ≡ LIVES_AT have a committee member among their members
PLANTED_EVERY = 37
DECLARED_AT = 0
LIVES_AT = 3
#: a generation apart, in years, when guessing how a planted relative relates
GENERATION_YEARS = 18
#: the registry is recorded this long before the demo's present, ahead of every demo case
REGISTRY_LEAD = dt.timedelta(days=4 * 365)


@dataclass(frozen=True)
class Relative:
    """A declared relative: ``relation`` is what the relative is to the official."""

    id_number: str
    name: str
    birth_date: dt.date
    relation: KinRelation
    by_id: bool = True


@dataclass
class DemoOfficial:
    """An official of the demo registry and the relatives they declared."""

    id_number: str
    name: str
    position: OfficialPosition
    region_code: str
    relatives: list[Relative]

    @property
    def birth_date(self) -> dt.date:
        """The birth date the resident ID carries."""
        return parse_id_number(self.id_number, today=REFERENCE_DATE).birth_date


def demo_officials(villages: list[str], townships: list[str], used: set[str]) -> list[DemoOfficial]:
    """The county's cadres and officers with their own relatives (seeded; no household yet)."""
    officials = []
    posts = [(v, post) for v in villages for post in VILLAGE_POSTS] + [
        (t, OfficialPosition.TOWNSHIP_OFFICER) for t in townships for _ in range(TOWNSHIP_OFFICERS)
    ]
    for k, (region, post) in enumerate(posts):
        rng = random.Random(f"doudi-demo-official-{k}")
        serial = 900_000 + k * 8
        male = rng.random() < 0.7
        birth = birth_between(rng, REFERENCE_DATE, 30, 58)
        name = person_name(rng, male)
        spouse_birth = birth_between(rng, REFERENCE_DATE, 28, 58)
        child_birth = birth_between(rng, REFERENCE_DATE, 3, 28)
        relatives = [
            Relative(
                new_id_number(spouse_birth, serial + 1, not male, used),
                person_name(rng, not male),
                spouse_birth,
                KinRelation.SPOUSE,
            ),
            Relative(
                new_id_number(child_birth, serial + 2, rng.random() < 0.5, used),
                name[0] + person_name(rng, True)[1:],
                child_birth,
                KinRelation.CHILD,
            ),
        ]
        if rng.random() < 0.5:  # a sibling elsewhere, declared without an ID number
            sibling_birth = birth_between(rng, REFERENCE_DATE, 30, 60)
            relatives.append(
                Relative(
                    new_id_number(sibling_birth, serial + 3, True, used),
                    name[0] + person_name(rng, True)[1:],
                    sibling_birth,
                    KinRelation.SIBLING,
                    by_id=False,
                )
            )
        officials.append(
            DemoOfficial(new_id_number(birth, serial, male, used), name, post, region, relatives)
        )
    return officials


def _relation_to(official: DemoOfficial, birth: dt.date) -> KinRelation:
    """How a planted relative of this age most plausibly relates to the official."""
    years = (official.birth_date - birth).days // 365
    if years >= GENERATION_YEARS:
        return KinRelation.PARENT
    if years <= -GENERATION_YEARS:
        return KinRelation.CHILD
    return KinRelation.SIBLING


def plant_conflicts(
    officials: list[DemoOfficial], households: list[tuple[str, DemoHousehold]]
) -> list[DemoOfficial]:
    """Tie some households to a cadre of their village; returns the officials, added to."""
    by_village: dict[str, list[DemoOfficial]] = {}
    for official in officials:
        by_village.setdefault(official.region_code, []).append(official)
    extra = []
    for index, (village, household) in enumerate(households):
        rng = random.Random(f"doudi-demo-kinship-{index}")
        applicant = household.members[0]
        if index % PLANTED_EVERY == DECLARED_AT and village in by_village:
            official = rng.choice(by_village[village])
            birth = parse_id_number(applicant.id_number, today=REFERENCE_DATE).birth_date
            official.relatives.append(
                Relative(
                    applicant.id_number,
                    applicant.name,
                    birth,
                    _relation_to(official, birth),
                    by_id=index % 3 != 0,
                )
            )
        elif index % PLANTED_EVERY == LIVES_AT and len(household.members) > 1:
            # a committee member who lives in the household: their own family applies
            cadre = household.members[1]
            extra.append(
                DemoOfficial(
                    cadre.id_number, cadre.name, OfficialPosition.VILLAGE_MEMBER, village, []
                )
            )
    return officials + extra


def registry_rows(officials: list[DemoOfficial]) -> list[OfficialRow]:
    """The registry as import rows: one per declared relative (or one bare row)."""
    rows: list[OfficialRow] = []

    def row(official: DemoOfficial, **relative: str) -> OfficialRow:
        return OfficialRow(
            line=len(rows) + 2,
            official_id_number=official.id_number,
            official_name=official.name,
            position=official.position.value,
            region_code=official.region_code,
            **relative,
        )

    for official in officials:
        if not official.relatives:
            rows.append(row(official))
        for r in official.relatives:
            rows.append(
                row(
                    official,
                    relative_id_number=r.id_number if r.by_id else "",
                    relative_name=r.name,
                    relative_birth_date="" if r.by_id else r.birth_date.isoformat(),
                    relation=r.relation.value,
                )
            )
    return rows
