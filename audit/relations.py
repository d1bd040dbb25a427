"""Kinship relations: inverses, composition along a path, and which count as close.

A relation reads "B is A's <relation>". Close relatives, national minimum
(《最低生活保障审核确认办法》第二十三条 and DOMAIN.md): spouse, parents,
children, siblings, grandparents and grandchildren on both sides. Localities
may add in-laws, children's spouses, uncles and aunts, step and adoptive
relations (the ``kinship_additions`` parameter).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.models import KinRelation

K = KinRelation

NATIONAL_MINIMUM: frozenset[KinRelation] = frozenset(
    {K.SPOUSE, K.PARENT, K.CHILD, K.SIBLING, K.GRANDPARENT, K.GRANDCHILD}
)
ADDITIONS: frozenset[KinRelation] = frozenset(set(KinRelation) - NATIONAL_MINIMUM)
#: the flag relation when the official is the member
SELF = "self"

INVERSE: dict[KinRelation, KinRelation] = {
    K.SPOUSE: K.SPOUSE,
    K.PARENT: K.CHILD,
    K.CHILD: K.PARENT,
    K.SIBLING: K.SIBLING,
    K.GRANDPARENT: K.GRANDCHILD,
    K.GRANDCHILD: K.GRANDPARENT,
    K.PARENT_IN_LAW: K.CHILD_IN_LAW,
    K.CHILD_IN_LAW: K.PARENT_IN_LAW,
    K.SIBLING_IN_LAW: K.SIBLING_IN_LAW,
    K.UNCLE_AUNT: K.NEPHEW_NIECE,
    K.NEPHEW_NIECE: K.UNCLE_AUNT,
    K.STEP_PARENT: K.STEP_CHILD,
    K.STEP_CHILD: K.STEP_PARENT,
    K.ADOPTIVE_PARENT: K.ADOPTIVE_CHILD,
    K.ADOPTIVE_CHILD: K.ADOPTIVE_PARENT,
}

#: (a, b) -> c: "X is A's a and Y is X's b" means "Y is A's c". Where family usage is
#: ambiguous (a parent's spouse) the household reading is taken (a parent).
COMPOSE: dict[tuple[KinRelation, KinRelation], KinRelation] = {
    (K.PARENT, K.PARENT): K.GRANDPARENT,
    (K.PARENT, K.CHILD): K.SIBLING,
    (K.PARENT, K.SIBLING): K.UNCLE_AUNT,
    (K.PARENT, K.SPOUSE): K.PARENT,
    (K.CHILD, K.CHILD): K.GRANDCHILD,
    (K.CHILD, K.SPOUSE): K.CHILD_IN_LAW,
    (K.CHILD, K.PARENT): K.SPOUSE,
    (K.CHILD, K.SIBLING): K.CHILD,
    (K.SPOUSE, K.PARENT): K.PARENT_IN_LAW,
    (K.SPOUSE, K.CHILD): K.CHILD,
    (K.SPOUSE, K.SIBLING): K.SIBLING_IN_LAW,
    (K.SPOUSE, K.GRANDCHILD): K.GRANDCHILD,
    (K.SIBLING, K.PARENT): K.PARENT,
    (K.SIBLING, K.CHILD): K.NEPHEW_NIECE,
    (K.SIBLING, K.SIBLING): K.SIBLING,
    (K.SIBLING, K.SPOUSE): K.SIBLING_IN_LAW,
    (K.SIBLING, K.GRANDPARENT): K.GRANDPARENT,
    (K.GRANDPARENT, K.CHILD): K.UNCLE_AUNT,
    (K.GRANDPARENT, K.SPOUSE): K.GRANDPARENT,
    (K.GRANDCHILD, K.PARENT): K.CHILD,
    (K.GRANDCHILD, K.SIBLING): K.GRANDCHILD,
    (K.CHILD, K.GRANDCHILD): K.GRANDCHILD,
    (K.CHILD_IN_LAW, K.CHILD): K.GRANDCHILD,
    (K.PARENT_IN_LAW, K.CHILD): K.SIBLING_IN_LAW,
    (K.UNCLE_AUNT, K.CHILD): K.NEPHEW_NIECE,
    (K.STEP_PARENT, K.CHILD): K.SIBLING,
    (K.ADOPTIVE_PARENT, K.CHILD): K.SIBLING,
    (K.STEP_CHILD, K.CHILD): K.GRANDCHILD,
    (K.ADOPTIVE_CHILD, K.CHILD): K.GRANDCHILD,
}

#: relation to the applicant (household form) -> kinship relation
FROM_HOUSEHOLD: dict[str, KinRelation] = {
    "spouse": K.SPOUSE,
    "child": K.CHILD,
    "parent": K.PARENT,
    "sibling": K.SIBLING,
    "grandparent": K.GRANDPARENT,
    "grandchild": K.GRANDCHILD,
}

LABELS: dict[str, tuple[str, str]] = {
    SELF: ("本人", "the official themself"),
    K.SPOUSE: ("配偶", "spouse"),
    K.PARENT: ("父母", "parent"),
    K.CHILD: ("子女", "child"),
    K.SIBLING: ("兄弟姐妹", "sibling"),
    K.GRANDPARENT: ("祖父母、外祖父母", "grandparent"),
    K.GRANDCHILD: ("孙子女、外孙子女", "grandchild"),
    K.PARENT_IN_LAW: ("公婆、岳父母", "parent-in-law"),
    K.CHILD_IN_LAW: ("儿媳、女婿", "child-in-law"),
    K.SIBLING_IN_LAW: ("姻亲兄弟姐妹", "sibling-in-law"),
    K.UNCLE_AUNT: ("伯叔姑舅姨", "uncle or aunt"),
    K.NEPHEW_NIECE: ("侄子女、外甥子女", "nephew or niece"),
    K.STEP_PARENT: ("继父母", "step-parent"),
    K.STEP_CHILD: ("继子女", "step-child"),
    K.ADOPTIVE_PARENT: ("养父母", "adoptive parent"),
    K.ADOPTIVE_CHILD: ("养子女", "adoptive child"),
}


def inverse(relation: KinRelation) -> KinRelation:
    """If B is A's ``relation``, A is B's ``inverse(relation)``."""
    return INVERSE[relation]


def compose(first: KinRelation, second: KinRelation) -> KinRelation | None:
    """If X is A's ``first`` and Y is X's ``second``, Y is A's result (None: not kin we track)."""
    return COMPOSE.get((first, second))


def household_relation(a_to_applicant: str, b_to_applicant: str) -> KinRelation | None:
    """What member B is to member A, from each one's relation to the applicant."""
    if a_to_applicant == b_to_applicant == "self":
        return None
    if a_to_applicant == "self":
        return FROM_HOUSEHOLD.get(b_to_applicant)
    a = FROM_HOUSEHOLD.get(a_to_applicant)
    if a is None:
        return None
    if b_to_applicant == "self":
        return inverse(a)
    b = FROM_HOUSEHOLD.get(b_to_applicant)
    return None if b is None else compose(inverse(a), b)


def close_relations(additions: Iterable[str]) -> frozenset[KinRelation]:
    """The relations counted as close: the national minimum plus the local additions."""
    return NATIONAL_MINIMUM | frozenset(KinRelation(a) for a in additions)
