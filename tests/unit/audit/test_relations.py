"""Kinship relations: inverses, composition, household-derived relations, the close set.

Close relatives, national minimum (《最低生活保障审核确认办法》第二十三条): spouse,
parents, children, siblings, grandparents and grandchildren on both sides.
"""

from __future__ import annotations

import pytest

from audit.relations import (
    ADDITIONS,
    INVERSE,
    NATIONAL_MINIMUM,
    close_relations,
    compose,
    household_relation,
    inverse,
)
from engine.models import KinRelation

K = KinRelation


def test_every_relation_has_an_inverse_that_inverts_back() -> None:
    assert set(INVERSE) == set(KinRelation)
    for relation in KinRelation:
        assert inverse(inverse(relation)) == relation


def test_the_national_minimum_and_the_additions() -> None:
    assert {K.SPOUSE, K.PARENT, K.CHILD, K.SIBLING, K.GRANDPARENT, K.GRANDCHILD} == NATIONAL_MINIMUM
    assert close_relations([]) == NATIONAL_MINIMUM
    assert close_relations(["parent_in_law"]) == NATIONAL_MINIMUM | {K.PARENT_IN_LAW}
    assert ADDITIONS.isdisjoint(NATIONAL_MINIMUM)


@pytest.mark.parametrize(
    ("first", "second", "result"),
    [
        (K.SPOUSE, K.PARENT, K.PARENT_IN_LAW),  # a spouse's parent is a parent-in-law
        (K.CHILD, K.SPOUSE, K.CHILD_IN_LAW),  # a child's spouse
        (K.PARENT, K.PARENT, K.GRANDPARENT),
        (K.CHILD, K.CHILD, K.GRANDCHILD),
        (K.PARENT, K.SIBLING, K.UNCLE_AUNT),
        (K.SIBLING, K.CHILD, K.NEPHEW_NIECE),
        (K.SPOUSE, K.SIBLING, K.SIBLING_IN_LAW),
        (K.PARENT, K.CHILD, K.SIBLING),
    ],
)
def test_relations_compose(first: K, second: K, result: K) -> None:
    assert compose(first, second) == result


def test_far_kin_composes_to_nothing() -> None:
    assert compose(K.UNCLE_AUNT, K.SPOUSE) is None


@pytest.mark.parametrize(
    ("a", "b", "b_is_as"),
    [
        ("self", "spouse", K.SPOUSE),
        ("spouse", "self", K.SPOUSE),
        ("child", "self", K.PARENT),
        ("child", "child", K.SIBLING),
        ("spouse", "child", K.CHILD),
        ("child", "spouse", K.PARENT),
        ("spouse", "parent", K.PARENT_IN_LAW),
        ("parent", "spouse", K.CHILD_IN_LAW),
        ("child", "parent", K.GRANDPARENT),
        ("parent", "child", K.GRANDCHILD),
        ("sibling", "child", K.NEPHEW_NIECE),
        ("child", "sibling", K.UNCLE_AUNT),
        ("self", "other", None),
        ("other", "child", None),
    ],
)
def test_household_members_relate_through_the_applicant(a: str, b: str, b_is_as: K | None) -> None:
    """What member B is to member A, from each one's relation to the applicant."""
    assert household_relation(a, b) == b_is_as
