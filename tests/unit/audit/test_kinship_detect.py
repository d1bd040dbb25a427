"""Detection as a pure function: declared relatives, their co-members, the official's household."""

from __future__ import annotations

import datetime as dt

from audit.kinship import Declaration, MemberNode, OfficialNode, detect
from audit.relations import close_relations
from engine.models import KinRelation, MatchStrength

K = KinRelation
OFFICIAL = OfficialNode(1, 100, "512022197001010015", "王建军", "village_member", "512022101201")
APPLICANT = MemberNode(10, "512022198001010011", "李芳", dt.date(1980, 1, 1), "self")
SPOUSE = MemberNode(11, "512022198102020022", "张强", dt.date(1981, 2, 2), "spouse")
CHILD = MemberNode(12, "512022200503030033", "张小明", dt.date(2005, 3, 3), "child")
HOUSEHOLD = [APPLICANT, SPOUSE, CHILD]
NATIONAL = close_relations([])
WITH_ADDITIONS = close_relations(["nephew_niece", "sibling_in_law", "parent_in_law"])


def declared(
    relation: K, id_number: str | None = None, name: str = "", birth: dt.date | None = None
) -> Declaration:
    return Declaration(7, OFFICIAL, relation, "official", id_number, name, birth)


def test_a_declared_sibling_is_found_by_id() -> None:
    found = detect(HOUSEHOLD, [declared(K.SIBLING, APPLICANT.id_number, "李芳")], [], NATIONAL)
    (flag,) = found.values()
    assert (flag.member, flag.relation, flag.strength) == (APPLICANT, K.SIBLING, MatchStrength.ID)
    assert "村（居）委会委员 王*军" in flag.path and "兄弟姐妹" in flag.path
    assert "李*" in flag.path and "李芳" not in flag.path  # names are masked in the path


def test_without_an_id_a_name_and_birth_date_match_is_weaker() -> None:
    found = detect(
        HOUSEHOLD, [declared(K.SIBLING, None, "李芳", dt.date(1980, 1, 1))], [], NATIONAL
    )
    assert [f.strength for f in found.values()] == [MatchStrength.NAME_BIRTH]
    assert (
        detect(HOUSEHOLD, [declared(K.SIBLING, None, "李芳", dt.date(1980, 1, 2))], [], NATIONAL)
        == {}
    )


def test_through_the_household_only_when_the_relation_counts() -> None:
    """The official's sister's child: a nephew, counted only where nephews are added."""
    sister = declared(K.SIBLING, APPLICANT.id_number, "李芳")
    national = detect(HOUSEHOLD, [sister], [], NATIONAL)
    assert {f.member.person_id for f in national.values()} == {APPLICANT.person_id}
    local = detect(HOUSEHOLD, [sister], [], WITH_ADDITIONS)
    relations = {f.member.person_id: f.relation for f in local.values()}
    assert relations == {
        APPLICANT.person_id: K.SIBLING,
        CHILD.person_id: K.NEPHEW_NIECE,
        SPOUSE.person_id: K.SIBLING_IN_LAW,
    }
    assert local[(1, CHILD.person_id)].hops == 2


def test_the_officials_own_household() -> None:
    official_in_household = OfficialNode(
        1, SPOUSE.person_id, SPOUSE.id_number, "张强", "township_officer", "512022101"
    )
    found = detect(HOUSEHOLD, [], [official_in_household], NATIONAL)
    relations = {f.member.person_id: f.relation for f in found.values()}
    assert relations == {
        SPOUSE.person_id: "self",
        APPLICANT.person_id: K.SPOUSE,
        CHILD.person_id: K.CHILD,
    }


def test_the_strongest_shortest_explanation_wins() -> None:
    by_id = declared(K.CHILD, CHILD.id_number, "张小明")
    by_name = declared(K.CHILD, None, "张小明", dt.date(2005, 3, 3))
    found = detect(HOUSEHOLD, [by_name, by_id], [], NATIONAL)
    assert found[(1, CHILD.person_id)].strength == MatchStrength.ID


def test_an_unrelated_household_gives_nothing() -> None:
    stranger = declared(K.SIBLING, "110105194912310021", "陌生人")
    assert detect(HOUSEHOLD, [stranger], [], WITH_ADDITIONS) == {}
