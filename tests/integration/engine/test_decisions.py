"""Amounts inside the procedure: proposal, decision, receipts, rechecks and phase-out.

Rules: Art. 13 and 18-21 of 《最低生活保障审核确认办法》 (income, proposal, decision,
payment from the next month), Art. 31 (recheck intervals), Art. 20 and TK Art. 16
(the county's own visit), the 2022 notice (phase-out), Art. 22 (extension).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from audit.replay import replay_case
from engine.case_view import case_detail
from engine.errors import GuardFailed
from engine.models import BenefitDecision, Case
from engine.services import (
    Application,
    IncomeInput,
    MeansChange,
    MemberChange,
    PropertyInput,
    record_change,
)
from engine.services import decisions as decision_effects
from engine.services.policy import NewParameter, NewStandard, set_parameter, set_standard
from engine.services.self_care import record_self_care_assessment
from engine.states import CaseState
from tests.support import COUNTY, VILLAGE_A1, World, member

S = CaseState


def household(*members: object, category: str = "dibao", **extra: object) -> Application:
    return Application(category, VILLAGE_A1, list(members), **extra)  # type: ignore[arg-type]


def detail(w: World, case_id: int, who: str = "approver"):  # type: ignore[no-untyped-def]
    with w.rt.reader() as uow:
        return case_detail(uow, w.actors[who], case_id)


def decisions(w: World, case_id: int) -> list[BenefitDecision]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(BenefitDecision)
                .where(BenefitDecision.case_id == case_id)
                .order_by(BenefitDecision.id)
            )
        )


def to_confirmation(w: World, app: Application) -> int:
    case_id = w.apply(app)
    w.to_state(case_id, S.PENDING_CONFIRMATION)
    return case_id


def test_the_township_proposes_and_the_county_decides_the_amount(world: World) -> None:
    """Art. 18-21: 2 members, wages 300: (533 × 2 − 300) = 766, paid from next month."""
    case_id = world.apply(household(member("self", "300"), member("spouse")))
    world.to_state(case_id, S.INITIAL_REVIEWED)
    proposed = detail(world, case_id).benefit
    assert (proposed["kind"], proposed["monthly_yuan"]) == ("proposed", Decimal("766.00"))
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    world.fire(case_id, "approve", "approver")
    decided = detail(world, case_id).benefit
    assert decided["kind"] == "decided"
    assert decided["monthly_yuan"] == Decimal("766.00")
    assert decided["standard_yuan"] == Decimal("533.00")
    assert decided["counted_income_yuan"] == Decimal("300.00")
    assert decided["effective_month"] == dt.date(2026, 4, 1)  # approved in March
    assert [line["code"] for line in decided["breakdown"]] == [
        "income.wages",
        "standard.total",
        "base",
    ]


def test_the_receipt_holds_every_input_and_replays(world: World) -> None:
    case_id = world.apply(
        household(
            member(
                "self",
                incomes=[
                    IncomeInput("wages", Decimal(400)),
                    IncomeInput("pension_basic", Decimal(150)),
                ],
            ),
            member("spouse", serious_illness=True),
        )
    )
    world.to_state(case_id, S.ACTIVE)
    with world.rt.reader() as uow:
        approve = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.trigger == "approve")
        ).one()
        receipt = json.loads(approve.payload)["benefit"]
    assert receipt["standard"]["monthly_yuan"] == "533.00"
    assert receipt["parameters"]["classified_supplement_rate"]["value"] == "0"
    assert receipt["inputs"]["members"][0]["incomes"] == [
        {"type": "wages", "monthly_yuan": "400.00"},
        {"type": "pension_basic", "monthly_yuan": "150.00"},
    ]
    assert receipt["result"]["monthly_yuan"] == "666"
    with world.rt.reader() as uow:
        replays = replay_case(uow.session, case_id)
    assert [(r.trigger, r.matches) for r in replays] == [("propose", True), ("approve", True)]


def test_the_standard_in_force_on_the_decision_date_is_used(world: World) -> None:
    """A standard dated after the decision does not change it; one dated before it is refused."""
    case_id = to_confirmation(world, household(member("self", "300")))
    world.fire(case_id, "approve", "approver")
    later = NewStandard(COUNTY, "rural", "dibao", Decimal(560), dt.date(2026, 7, 1), "2026年调标")
    set_standard(world.uow(), world.actors["admin"], later)
    assert detail(world, case_id).benefit["monthly_yuan"] == Decimal("233.00")
    assert decisions(world, case_id)[-1].standard_fen == 53300


def test_a_household_at_or_above_the_standard_cannot_be_approved(world: World) -> None:
    """Art. 13: top-up of zero -> 422 naming the reason."""
    case_id = to_confirmation(world, household(member("self", "600"), member("spouse", "500")))
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert refused.value.problems[0].code == "income_not_below_standard"
    # the county may still reject it, with written reasons
    assert world.fire(case_id, "reject", "approver", "人均收入高于保障标准") == S.REJECTED


def test_property_over_the_local_limit_blocks_approval(world: World) -> None:
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(
            COUNTY, "property_limit_vehicles", "0", dt.date(2024, 1, 1), "县财产规定（测试）"
        ),
    )
    case_id = to_confirmation(world, household(member("self"), property=PropertyInput(vehicles=1)))
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert refused.value.problems[0].code == "property_over_limit"


def test_an_objection_requires_the_countys_own_visit(world: World) -> None:
    """Art. 20: a case with a complaint needs the county's home visit before approval."""
    case_id = world.apply(household(member("self")))
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.fire(case_id, "raise_objection", "reviewer", "群众反映有车辆")
    world.pass_days(1)
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert refused.value.problems[0].code == "county_check_missing"
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    assert world.fire(case_id, "approve", "approver") == S.ACTIVE


def close_notice_sampling(w: World, case_id: int) -> dict[str, object]:
    """The sampling record in the audit entry of the file's arrival at the county."""
    with w.rt.reader() as uow:
        payload = uow.session.scalars(
            select(AuditEntry.payload).where(
                AuditEntry.case_id == case_id, AuditEntry.trigger == "close_notice"
            )
        ).one()
    return json.loads(payload)["sampling"]  # type: ignore[no-any-return]


def test_the_county_samples_tekun_files_by_a_recorded_unpredictable_draw(world: World) -> None:
    """TK Art. 16: at least 30 % of tekun files are checked by the county. The draw is made
    when the file reaches the county, not derived from anything known at submission, and it
    is recorded in the audit entry, where it shows why the case was (not) checked."""
    draws = []
    for _ in range(8):
        case_id = to_confirmation(world, household(member("self"), category="tekun"))
        with world.rt.reader() as uow:
            flag = uow.session.get(Case, case_id).sampled_for_county_check  # type: ignore[union-attr]
        sampling = close_notice_sampling(world, case_id)
        assert Decimal(str(sampling["ratio"])) == Decimal("0.3")
        assert flag == sampling["sampled"] == (Decimal(str(sampling["draw"])) < Decimal("0.3"))
        draws.append(sampling["draw"])
    assert len(set(draws)) > 1


@pytest.mark.parametrize(("draw", "sampled"), [("0.299999", True), ("0.3", False)])
def test_a_draw_below_the_ratio_sends_the_file_to_the_countys_own_check(
    world: World, monkeypatch: pytest.MonkeyPatch, draw: str, sampled: bool
) -> None:
    """TK Art. 16: a draw below the county's ratio (≥ 30 %) means the county visits."""
    monkeypatch.setattr(decision_effects, "sampling_draw", lambda: Decimal(draw))
    case_id = to_confirmation(world, household(member("self"), category="tekun"))
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).sampled_for_county_check is sampled  # type: ignore[union-attr]


def test_tekun_is_paid_the_tekun_standard(world: World) -> None:
    case_id = to_confirmation(
        world, household(member("self", "100"), category="tekun", tekun_supporter="none")
    )
    with world.rt.reader() as uow:
        needs_visit = uow.session.get(Case, case_id).sampled_for_county_check  # type: ignore[union-attr]
    if needs_visit:
        world.investigate(
            case_id, level="county", investigators=("approver", "approver2"), by="approver2"
        )
    with pytest.raises(GuardFailed) as unassessed:
        world.fire(case_id, "approve", "approver")
    assert "self_care_not_assessed" in {p.code for p in unassessed.value.problems}
    person = detail(world, case_id).members[0].id_number
    record_self_care_assessment(
        world.uow(), world.actors["approver2"], case_id, person, world.today(), ["bathing"]
    )
    world.fire(case_id, "approve", "approver")
    assert detail(world, case_id).benefit["monthly_yuan"] == Decimal("693.00")


def test_a_tekun_applicant_with_wages_is_refused_with_the_reasons(world: World) -> None:
    """TK Arts. 4-6: someone earning 3,000 yuan a month has capacity to work and a source of
    livelihood; the county cannot approve, and the refusal names both articles."""
    case_id = to_confirmation(
        world,
        household(
            member("self", "3000", able_to_work=True), category="tekun", tekun_supporter="none"
        ),
    )
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    (problem,) = [p for p in refused.value.problems if p.code == "tekun_able_to_work"]
    assert problem.context["reasons"] == [  # type: ignore[index]
        "tekun_able_to_work",
        "tekun_income_not_below_dibao_standard",
    ]
    assert "第五条" in problem.message and "第六条" in problem.message
    assert world.fire(case_id, "reject", "approver", "有劳动能力且有生活来源") == CaseState.REJECTED


def test_a_tekun_applicant_must_declare_the_legal_supporters(world: World) -> None:
    """TK Arts. 7-8: without the supporters' situation on record the file cannot be approved."""
    case_id = to_confirmation(world, household(member("self", "0"), category="tekun"))
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert "tekun_supporter_not_declared" in {p.code for p in refused.value.problems}


def test_single_person_coverage_for_the_covered_member(world: World) -> None:
    """A marginal family (per capita 550 ≥ 533, < 799.5): the ill member alone, 533."""
    case_id = to_confirmation(
        world,
        household(
            member("self", "1100"),
            member("child", covered=True, disability_grade=1, disability_type="intellectual"),
            category="single_person",
        ),
    )
    world.fire(case_id, "approve", "approver")
    benefit = detail(world, case_id).benefit
    assert (benefit["members"], benefit["monthly_yuan"]) == (1, Decimal("533.00"))


def test_single_person_coverage_phases_out_by_the_covered_persons_rule(world: World) -> None:
    """2022 notice and 单人保: employment in the family starts a phase-out only when the family
    leaves the marginal band (or the covered member's own income reaches the standard) — not
    because household per-capita income is above the standard, which it always is here."""
    app = household(
        member("self", "1100"),
        member("child", covered=True, disability_grade=1, disability_type="intellectual"),
        category="single_person",
    )
    case_id = to_confirmation(world, app)
    world.fire(case_id, "approve", "approver")
    world.fire(case_id, "start_recheck", "reviewer")

    def employment(wages: str) -> None:
        record_change(
            world.uow(),
            world.actors["clerk"],
            case_id,
            MeansChange(
                kind="employment",
                note="户主换了工作",
                members=[
                    MemberChange(
                        app.members[0].id_number, incomes=[IncomeInput("wages", Decimal(wages))]
                    )
                ],
            ),
        )

    employment("1200")  # per capita 600: still a marginal family (533 ≤ 600 < 799.5)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "start_phase_out", "approver", "就业")
    assert refused.value.problems[0].code == "phase_out_not_allowed"
    assert "单人保" in refused.value.problems[0].message
    employment("1700")  # per capita 850: above 1.5 × 533, the family leaves the band
    assert world.fire(case_id, "start_phase_out", "approver", "就业") == S.PHASING_OUT


def test_single_person_outside_a_marginal_family_is_refused(world: World) -> None:
    case_id = to_confirmation(
        world,
        household(
            member("self", "200"),
            member("child", covered=True, serious_illness=True),
            category="single_person",
        ),
    )
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert refused.value.problems[0].context["reasons"] == ["single_person_not_marginal_family"]


def test_approval_schedules_the_recheck_by_household_profile(world: World) -> None:
    """Art. 31: yearly when stable; half-yearly when someone can work and income is unstable."""
    stable = to_confirmation(world, household(member("self", "200")))
    unstable = to_confirmation(
        world, household(member("self", "200", able_to_work=True), income_stable=False)
    )
    for case_id in (stable, unstable):
        world.fire(case_id, "approve", "approver")
    today = world.clock.now().astimezone(world.clock.tz).date()
    first, second = detail(world, stable).recheck, detail(world, unstable).recheck
    assert (first["interval_months"], first["next_recheck_on"]) == (12, today.replace(year=2027))
    assert (second["interval_months"], second["unstable"]) == (6, True)
    assert "半年" in second["reason"]


def test_a_recheck_adjusts_the_amount_after_a_recorded_change(world: World) -> None:
    app = household(member("self", "300"), member("spouse", able_to_work=True))
    case_id = to_confirmation(world, app)
    world.fire(case_id, "approve", "approver")
    world.fire(case_id, "start_recheck", "reviewer")
    record_change(
        world.uow(),
        world.actors["clerk"],
        case_id,
        MeansChange(
            kind="income",
            note="配偶开始打零工",
            members=[
                MemberChange(app.members[1].id_number, incomes=[IncomeInput("wages", Decimal(200))])
            ],
        ),
    )
    assert world.fire(case_id, "adjust", "approver", "收入增加，核减保障金") == S.ACTIVE
    amounts = [d.monthly_fen for d in decisions(world, case_id)]
    assert amounts == [76600, 76600, 56600]  # proposed, approved, adjusted


def test_no_material_change_keeps_the_amount(world: World) -> None:
    case_id = to_confirmation(world, household(member("self", "300")))
    world.fire(case_id, "approve", "approver")
    world.fire(case_id, "start_recheck", "reviewer")
    world.pass_days(30)
    world.fire(case_id, "confirm_unchanged", "reviewer")
    assert detail(world, case_id).benefit["monthly_yuan"] == Decimal("233.00")
    assert len(decisions(world, case_id)) == 2


def test_phase_out_only_after_employment_lifts_income(world: World) -> None:
    """2022 notice: employment, per capita above the standard; amount per the local rule."""
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, "phase_out_amount", "half", dt.date(2024, 1, 1), "县渐退办法（测试）"),
    )
    app = household(member("self", "300"), member("spouse", able_to_work=True))
    case_id = to_confirmation(world, app)
    world.fire(case_id, "approve", "approver")
    world.fire(case_id, "start_recheck", "reviewer")
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "start_phase_out", "approver", "收入增加")
    assert refused.value.problems[0].code == "phase_out_not_allowed"
    record_change(
        world.uow(),
        world.actors["clerk"],
        case_id,
        MeansChange(
            kind="employment",
            note="配偶在县城务工",
            members=[
                MemberChange(app.members[1].id_number, incomes=[IncomeInput("wages", Decimal(900))])
            ],
        ),
    )
    assert world.fire(case_id, "start_phase_out", "approver", "就业") == S.PHASING_OUT
    assert decisions(world, case_id)[-1].monthly_fen == 38300  # half of 766
    # income falls again: full assistance resumes at the recomputed amount
    record_change(
        world.uow(),
        world.actors["clerk"],
        case_id,
        MeansChange(
            kind="employment",
            note="务工结束",
            members=[MemberChange(app.members[1].id_number, incomes=[])],
        ),
    )
    assert world.fire(case_id, "resume", "approver", "失业") == S.ACTIVE
    assert decisions(world, case_id)[-1].monthly_fen == 76600


def test_extension_needs_a_listed_ground_and_moves_the_limit(world: World) -> None:
    """Art. 22: 30 -> 45 working days, once, on a recorded ground."""
    case_id = world.apply(household(member("self")))
    world.to_state(case_id, S.INVESTIGATING)
    with pytest.raises(GuardFailed):
        world.fire(case_id, "extend_deadline", "reviewer", "调查难度大", data={"ground": "busy"})
    world.fire(
        case_id,
        "extend_deadline",
        "reviewer",
        "外出务工人员多，调查难度大",
        data={"ground": "hard_investigation"},
    )
    assert detail(world, case_id).deadlines["case_total"]["limit"] == 45
    with pytest.raises(GuardFailed) as again:
        world.fire(case_id, "extend_deadline", "reviewer", "再次延期", data={"ground": "objection"})
    assert again.value.problems[0].code == "already_extended"


def test_a_missing_standard_blocks_the_proposal(world: World) -> None:
    """The test county's standards start in 2024: a decision dated 2023 has none."""
    case_id = world.apply(household(member("self")))
    world.to_state(case_id, S.INVESTIGATING)
    world.investigate(case_id)
    world.clock.set(dt.datetime(2023, 6, 1, tzinfo=dt.UTC))
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "propose", "reviewer")
    assert "standard_missing" in [p.code for p in refused.value.problems]
