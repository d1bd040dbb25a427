"""A synthetic county: the scan finds every planted conflict and flags nothing else.

5,000 households, 500 officials with 2,500 declared relatives who live
elsewhere, and planted conflicts: one for every relation type at both match
strengths, three households where a declared relative's co-members are kin
through the household, and one official who lives in an applicant household.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import insert, select

from audit.relations import ADDITIONS
from audit.scan import scan
from engine.identity import with_check_digit
from engine.models import (
    Case,
    Household,
    KinRelation,
    KinshipFlag,
    Member,
    Official,
    Person,
    RelativeDeclaration,
)
from engine.services.policy import NewParameter, set_parameter
from tests.support import COUNTY, VILLAGE_A1, World

HOUSEHOLDS = 5000
OFFICIALS = 500
NOISE_PER_OFFICIAL = 5
K = KinRelation


class County:
    """Builds the county with plain inserts and remembers what was planted."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.rng = random.Random(20241101)
        self.now = w.clock.now()
        self.serial = 0
        self.used: set[str] = set()
        self.persons: list[dict[str, object]] = []
        self.households: list[dict[str, object]] = []
        self.members: list[dict[str, object]] = []
        self.cases: list[dict[str, object]] = []
        self.officials: list[dict[str, object]] = []
        self.declarations: list[dict[str, object]] = []
        self.expected: set[tuple[int, int, str, str]] = set()

    def person(self, surname: str) -> dict[str, object]:
        while True:
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(25000))
            self.serial += 1
            number = with_check_digit(f"512022{birth:%Y%m%d}{self.serial % 1000:03d}")
            if number not in self.used:
                break
        self.used.add(number)
        # a name unique within the county, so a name-and-birth match is unambiguous
        row = {
            "id": len(self.persons) + 1,
            "id_number": number,
            "birth_date": birth,
            "name": f"{surname}{self.serial:05d}",
            "sex": "male",
            "created_at": self.now,
        }
        self.persons.append(row)
        return row

    def household(self, relations: list[str]) -> list[dict[str, object]]:
        hid = len(self.households) + 1
        self.households.append(
            {
                "id": hid,
                "village_code": VILLAGE_A1,
                "area_type": "rural",
                "created_at": self.now,
                "income_stable": True,
                "rigid_expenses_fen": 0,
            }
        )
        people = []
        for relation in relations:
            person = self.person("户")
            self.members.append(
                {
                    "household_id": hid,
                    "person_id": person["id"],
                    "relation": relation,
                    "serious_illness": False,
                    "able_to_work": False,
                    "covered": False,
                    "joined_at": self.now,
                }
            )
            people.append(person)
        self.cases.append(
            {
                "id": hid,
                "household_id": hid,
                "category": "dibao",
                "state": "submitted",
                "version": 2,
                "village_code": VILLAGE_A1,
                "area_type": "rural",
                "chain_seq": 0,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        return people

    def official(self, person: dict[str, object] | None = None) -> int:
        person = person or self.person("官")
        oid = len(self.officials) + 1
        self.officials.append(
            {
                "id": oid,
                "person_id": person["id"],
                "position": "village_member",
                "region_code": VILLAGE_A1,
                "created_at": self.now,
            }
        )
        return oid

    def declare(
        self, official_id: int, relative: dict[str, object], relation: K, by_id: bool = True
    ) -> None:
        self.declarations.append(
            {
                "official_id": official_id,
                "source": "official",
                "relative_id_number": relative["id_number"] if by_id else None,
                "relative_name": relative["name"],
                "relative_birth_date": None if by_id else relative["birth_date"],
                "relation": relation.value,
                "declared_at": self.now,
            }
        )

    def expect(
        self, official_id: int, person: dict[str, object], relation: str, strength: str
    ) -> None:
        self.expected.add((official_id, int(person["id"]), relation, strength))  # type: ignore[call-overload]

    def build(self) -> None:
        families = [
            self.household(
                self.rng.choice(
                    [
                        ["self"],
                        ["self", "spouse"],
                        ["self", "spouse", "child"],
                        ["self", "spouse", "child", "child"],
                        ["self", "parent"],
                    ]
                )
            )
            for _ in range(HOUSEHOLDS)
        ]
        officials = [self.official() for _ in range(OFFICIALS)]
        for official_id in officials:  # relatives who live elsewhere: no flag
            for _ in range(NOISE_PER_OFFICIAL):
                relative = self.person("亲")
                self.declare(
                    official_id, relative, self.rng.choice(list(K)), by_id=self.rng.random() < 0.7
                )
        singles = (f[0] for f in families if len(f) == 1)
        # every relation type, at both strengths, on an applicant living alone
        for relation in K:
            for by_id in (True, False):
                official_id = self.rng.choice(officials)
                applicant = next(singles)
                self.declare(official_id, applicant, relation, by_id)
                self.expect(official_id, applicant, relation.value, "id" if by_id else "name_birth")
        # through the household: the declared relative is the applicant of a family of three
        trios = (f for f in families if len(f) == 3)
        for declared, spouse_is, child_is in (
            (K.SIBLING, K.SIBLING_IN_LAW, K.NEPHEW_NIECE),  # a sister's husband and child
            (K.CHILD, K.CHILD_IN_LAW, K.GRANDCHILD),  # a son's wife and child
            (K.PARENT, K.PARENT, K.SIBLING),  # a mother's husband and child
        ):
            applicant, spouse, child = next(trios)
            official_id = self.rng.choice(officials)
            self.declare(official_id, applicant, declared, by_id=True)
            self.expect(official_id, applicant, declared.value, "id")
            self.expect(official_id, spouse, spouse_is.value, "id")
            self.expect(official_id, child, child_is.value, "id")
        # an official living in an applicant household, as the spouse
        applicant, spouse, child = next(trios)
        official_id = self.official(spouse)
        self.expect(official_id, spouse, "self", "id")
        self.expect(official_id, applicant, K.SPOUSE.value, "id")
        self.expect(official_id, child, K.CHILD.value, "id")
        self.insert()

    def insert(self) -> None:
        with self.w.rt.uow() as uow:
            session = uow.session
            for model, rows in (
                (Person, self.persons),
                (Household, self.households),
                (Member, self.members),
                (Case, self.cases),
                (Official, self.officials),
                (RelativeDeclaration, self.declarations),
            ):
                session.execute(insert(model), rows)
            uow.commit()


@pytest.mark.slow
def test_the_scan_finds_every_planted_conflict_and_nothing_else(world: World) -> None:
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(
            COUNTY,
            "kinship_additions",
            ",".join(sorted(a.value for a in ADDITIONS)),
            dt.date(2024, 1, 1),
            "全部扩展（测试）",
        ),
    )
    county = County(world)
    county.build()
    assert (len(county.households), len(county.officials) - 1) == (HOUSEHOLDS, OFFICIALS)
    with world.rt.uow() as uow:
        first = scan(uow, world.actors["admin"])
        uow.commit()
    with world.rt.reader() as uow:
        found = {
            (f.official_id, f.member_person_id, f.relation, str(f.strength))
            for f in uow.session.scalars(select(KinshipFlag))
        }
    assert found == county.expected
    assert first.new == len(county.expected) == 15 * 2 + 3 * 3 + 3
    with world.rt.uow() as uow:
        again = scan(uow, world.actors["admin"])
        uow.commit()
    assert (again.new, again.unchanged, again.vanished) == (0, len(county.expected), 0)
