"""Kinship after a filing, and on enrolled cases: a later flag needs its own filing, and a flag
raised while the case is enrolled needs a filing and the county's own visit at the next recheck
(民发〔2022〕83号 §5; 乐至 "全面开展…近亲属享受低保复核")."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.inspect import enrolled_flagged_cases, kinship_register
from audit.officials import import_officials, official_row
from engine.errors import GuardFailed
from engine.privacy import Disclosure
from engine.services import Application
from engine.services.filings import file_kinship
from engine.states import CaseState
from tests.support import COUNTY, VILLAGE_A1, World, flagged_case, id_number, member


def relate(world: World, app: Application, born: dt.date, name: str) -> None:
    """Register an official of the village whose sibling is the applicant (raises a flag)."""
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=id_number(born),
                official_name=name,
                position="village_member",
                region_code=VILLAGE_A1,
                relative_id_number=app.members[0].id_number,
                relative_name=app.members[0].name,
                relation="sibling",
            )
        ],
    )


def codes(err: pytest.ExceptionInfo[GuardFailed]) -> set[str]:
    return {p.code for p in err.value.problems}


def test_a_flag_raised_after_the_filing_needs_its_own_filing_before_the_notice_closes(
    world: World,
) -> None:
    """2022 notice §5: each kinship relation is filed; a second official found after the
    case's filing (备案) is filed again before the notice closes."""
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳")])
    case_id = world.apply(app)
    relate(world, app, dt.date(1976, 4, 4), "王建军")
    file_kinship(world.uow(), world.actors["reviewer"], case_id, "村委委员王建军之兄妹")
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    world.pass_days(1)
    relate(world, app, dt.date(1970, 1, 1), "赵卫国")  # a second official, after the filing
    world.pass_days(8)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "close_notice", "reviewer")
    assert "kinship_filing_missing" in codes(refused)
    file_kinship(world.uow(), world.actors["reviewer"], case_id, "新发现村委委员赵卫国之兄妹关系")
    assert world.fire(case_id, "close_notice", "reviewer") == CaseState.PENDING_CONFIRMATION


def test_a_flag_on_an_enrolled_case_needs_a_filing_and_the_countys_visit_at_the_recheck(
    world: World,
) -> None:
    """2022 notice §5: a relation found while the household receives assistance is filed and
    the county visits the household itself before a recheck keeps paying it; the county
    report lists the case and where its review stands."""
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="周敏")])
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.ACTIVE)
    world.pass_days(30)
    relate(world, app, dt.date(1968, 5, 5), "钱建设")  # found while enrolled
    inspector = Disclosure(world.actors["inspector"])
    with world.rt.reader() as uow:
        (row,) = enrolled_flagged_cases(uow.session, COUNTY, inspector)
    assert (row.case_id, row.raised_while_enrolled, row.filed, row.county_visited) == (
        case_id,
        True,
        False,
        False,
    )
    world.fire(case_id, "start_recheck", "reviewer")
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "confirm_unchanged", "reviewer")
    assert "enrolled_kinship_review_missing" in codes(refused)
    assert "近亲属备案和县级入户调查" in refused.value.problems[0].message
    file_kinship(world.uow(), world.actors["reviewer"], case_id, "复核中发现村委委员之兄妹关系")
    with pytest.raises(GuardFailed) as still:
        world.fire(case_id, "confirm_unchanged", "reviewer")
    assert "县级入户调查" in still.value.problems[0].message
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    assert world.fire(case_id, "confirm_unchanged", "reviewer") == CaseState.ACTIVE
    with world.rt.reader() as uow:
        (row,) = enrolled_flagged_cases(uow.session, COUNTY, inspector)
        register = kinship_register(uow.session, COUNTY, inspector)
    assert (row.filed, row.county_visited, row.rechecked_at is not None) == (True, True, True)
    assert [r.case_id for r in register] == [case_id]  # the filing is in the register
    # the recheck weighed the flag: the next one needs no new visit for it
    world.pass_days(30)
    world.fire(case_id, "start_recheck", "reviewer")
    assert world.fire(case_id, "confirm_unchanged", "reviewer") == CaseState.ACTIVE


def test_a_flag_weighed_at_approval_needs_nothing_more_at_rechecks(world: World) -> None:
    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "approve", "approver")
    world.fire(case_id, "start_recheck", "reviewer")
    assert world.fire(case_id, "confirm_unchanged", "reviewer") == CaseState.ACTIVE
    with world.rt.reader() as uow:
        (row,) = enrolled_flagged_cases(uow.session, COUNTY, Disclosure(world.actors["admin"]))
    assert not row.raised_while_enrolled and "李芳" not in row.applicant  # masked for admins
