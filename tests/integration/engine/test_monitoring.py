"""Low-income monitoring: the register, warnings from risk signals, and their follow-up by a
visit, a referral to an application, or a close with a reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import AuditEntry, LedgerEntry
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import Case, HomeVisit, MonitoringTag, MonitoringWarning
from engine.services.monitoring import Signal, raise_signal
from engine.services.users import NewUser, create_user
from engine.services.warning_follow_up import (
    VisitInput,
    close_warning,
    follow_up_by_visit,
    refer_warning,
)
from engine.states import CaseState
from tests.support import (
    COUNTY,
    PASSWORD,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    id_number,
    load_actors,
    person,
    put_on_register,
)

PHOTO = hashlib.sha256(b"photo").hexdigest()


@pytest.fixture
def coordinator(world: World) -> World:
    """The world with 白塔村's coordinator (救助协理员)."""
    create_user(world.uow(), NewUser("xieliyuan", "coordinator", VILLAGE_A1, PASSWORD))
    world.actors = load_actors(world.rt)
    return world


def test_the_register_keeps_each_tag_with_its_source_and_a_rerun_changes_nothing(
    world: World,
) -> None:
    one = person()
    both = [one, {**one, "tag": "脱贫户", "source": "乡村振兴部门"}]
    report = put_on_register(world, both)
    assert (report.people_added, report.tags_added) == (1, 2)
    again = put_on_register(world, both)
    assert (again.people_added, again.tags_added, again.unchanged) == (0, 0, 2)
    with world.rt.reader() as uow:
        tags = uow.session.execute(select(MonitoringTag.tag, MonitoringTag.source)).all()
        assert sorted(tags) == [
            ("lifted_from_poverty", "乡村振兴部门"),
            ("poverty_return_watch", "防返贫监测信息系统"),
        ]


def test_a_bad_register_row_refuses_the_file(world: World) -> None:
    bad = {**person(), "tag": "富裕户"}
    outside = {**person(), "id_number": id_number(dt.date(1963, 1, 1)), "village_code": VILLAGE_B1}
    with pytest.raises(InvalidData) as err:
        put_on_register(world, [bad, outside])
    assert {(p.field, p.code) for p in err.value.problems} == {
        ("line 2.tag", "invalid"),
        ("line 3.village_code", "invalid"),
    }


def test_a_warning_is_followed_from_signal_to_referral_to_an_active_case(
    coordinator: World,
) -> None:
    w = coordinator
    one = person()
    put_on_register(w, [one])
    raised = raise_signal(
        w.uow(),
        w.actors["xieliyuan"],
        Signal(one["id_number"], "job_loss", w.today(), "外出务工返乡，失去收入"),
    )
    assert raised.raised and raised.warning_id is not None
    # the same signal again raises nothing twice
    again = raise_signal(
        w.uow(), w.actors["xieliyuan"], Signal(one["id_number"], "job_loss", w.today(), "同上")
    )
    assert (again.raised, again.warning_id) == (False, raised.warning_id)
    with w.rt.reader() as uow:
        warning = uow.session.get(MonitoringWarning, raised.warning_id)
        assert warning is not None and warning.status == "open"
        # the county's follow-up time (warning_follow_up_days, default 15)
        assert warning.due_on == w.today() + dt.timedelta(days=15)
    ref = refer_warning(w.uow(), w.actors["xieliyuan"], raised.warning_id, "家庭无收入，转低保申请")
    assert ref.state == CaseState.DRAFT
    with w.rt.reader() as uow:
        warning = uow.session.get(MonitoringWarning, raised.warning_id)
        assert warning is not None and (warning.status, warning.case_id) == ("referred", ref.id)
        case = uow.session.get(Case, ref.id)
        assert case is not None and case.origin == "referral"
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == ref.id).order_by(AuditEntry.seq)
        ).first()
        assert entry is not None and entry.trigger == "create"
        referral = json.loads(entry.payload)["application"]["referral"]
        assert referral["kind"] == "warning" and referral["warning_id"] == raised.warning_id
    # the township clerk submits the draft, and the procedure runs to enrolment
    w.fire(ref.id, "submit", "clerk")
    w.to_state(ref.id, CaseState.ACTIVE)
    with pytest.raises(Conflict):
        close_warning(w.uow(), w.actors["clerk"], raised.warning_id, "重复")


def test_a_warning_followed_up_by_a_visit_or_closed_with_a_reason(coordinator: World) -> None:
    w = coordinator
    a, b = person(), {**person(), "id_number": id_number(dt.date(1964, 2, 2)), "name": "钱二"}
    put_on_register(w, [a, b])
    first = raise_signal(
        w.uow(),
        w.actors["clerk"],
        Signal(a["id_number"], "hospital_bill", w.today(), "住院自付", Decimal("23000")),
    )
    visit_id = follow_up_by_visit(
        w.uow(),
        w.actors["xieliyuan"],
        first.warning_id or 0,
        VisitInput(w.today(), "入户核实：医保报销后仍自付1.2万元", photo_sha256=[PHOTO]),
    )
    second = raise_signal(
        w.uow(), w.actors["clerk"], Signal(b["id_number"], "disability", w.today(), "新评残疾二级")
    )
    with pytest.raises(InvalidData):
        close_warning(w.uow(), w.actors["clerk"], second.warning_id or 0, "")
    close_warning(w.uow(), w.actors["clerk"], second.warning_id or 0, "已纳入残疾人两项补贴")
    with w.rt.reader() as uow:
        visit = uow.session.get(HomeVisit, visit_id)
        assert visit is not None and visit.photo_sha256 == PHOTO and visit.purpose == "warning"
        rows = uow.session.execute(select(MonitoringWarning.id, MonitoringWarning.status)).all()
        statuses = {row.id: row.status for row in rows}
        assert statuses == {first.warning_id: "visited", second.warning_id: "closed"}
        events = uow.session.scalars(
            select(LedgerEntry.event)
            .where(LedgerEntry.ledger == f"monitoring:{COUNTY}")
            .order_by(LedgerEntry.seq)
        ).all()
        assert events == [
            "monitoring_register",
            "warning_raised",
            "warning_visited",
            "warning_raised",
            "warning_closed",
        ]


def test_a_hospital_bill_below_the_threshold_raises_no_warning(world: World) -> None:
    one = person()
    put_on_register(world, [one])
    small = raise_signal(
        world.uow(),
        world.actors["clerk"],
        Signal(one["id_number"], "hospital_bill", world.today(), "门诊", Decimal("800")),
    )
    assert (small.raised, small.warning_id) == (False, None)
    with pytest.raises(NotFound):
        raise_signal(
            world.uow(),
            world.actors["clerk"],
            Signal(id_number(dt.date(1990, 1, 1)), "job_loss", world.today(), "不在名单"),
        )


def test_a_coordinator_registers_drafts_only_and_fires_no_trigger(coordinator: World) -> None:
    from tests.support import application

    w = coordinator
    with pytest.raises(Forbidden):
        w.apply(application(2), by="xieliyuan")
    draft = w.apply(application(2, draft=True), by="xieliyuan")
    with w.rt.reader() as uow:
        case = uow.session.get(Case, draft)
        assert case is not None and (case.state, case.origin) == (CaseState.DRAFT, "outreach")
    with pytest.raises(Forbidden):
        w.fire(draft, "submit", "xieliyuan")
    with pytest.raises(Forbidden):  # another village
        w.apply(application(1, village=VILLAGE_B1, draft=True), by="xieliyuan")
    assert w.fire(draft, "submit", "clerk") == CaseState.SUBMITTED


def test_a_coordinators_region_is_one_village(world: World) -> None:
    with pytest.raises(InvalidData) as err:
        create_user(world.uow(), NewUser("xieli2", "coordinator", "512022101", PASSWORD))
    assert err.value.problems[0].field == "region"


def test_a_person_monitored_elsewhere_cannot_be_tagged_from_another_region(world: World) -> None:
    one = person()
    put_on_register(world, [one])
    with pytest.raises(InvalidData) as err:
        put_on_register(
            world, [{**one, "village_code": VILLAGE_B1, "tag": "disabled"}], by="clerk_b"
        )
    assert [(p.field, p.code) for p in err.value.problems] == [
        ("line 2.village_code", "monitored_elsewhere")
    ]
    assert "512022101201" not in err.value.problems[0].message  # the other region's village
    twice = [{**person(), "name": "甲"}]
    twice.append({**twice[0], "name": "乙", "tag": "disabled"})
    with pytest.raises(InvalidData) as err:
        put_on_register(world, twice)
    assert [(p.field, p.code) for p in err.value.problems] == [
        ("line 3.id_number", "person_differs")
    ]


def test_a_signal_about_someone_outside_the_region_finds_no_one(world: World) -> None:
    one = person()
    put_on_register(world, [one])
    with pytest.raises(NotFound) as err:
        raise_signal(
            world.uow(),
            world.actors["clerk_b"],
            Signal(one["id_number"], "job_loss", world.today(), "失业"),
        )
    assert "512022101201" not in err.value.message
    for bad in (Decimal("NaN"), Decimal("1e30"), Decimal("0.001"), Decimal(-1)):
        with pytest.raises(InvalidData):
            raise_signal(
                world.uow(),
                world.actors["clerk"],
                Signal(one["id_number"], "hospital_bill", world.today(), "住院", bad),
            )


def test_a_visit_cannot_be_dated_before_its_signal(world: World) -> None:
    one = person()
    put_on_register(world, [one])
    raised = raise_signal(
        world.uow(),
        world.actors["clerk"],
        Signal(one["id_number"], "job_loss", world.today(), "失业"),
    )
    with pytest.raises(InvalidData) as err:
        follow_up_by_visit(
            world.uow(),
            world.actors["clerk"],
            raised.warning_id or 0,
            VisitInput(world.today() - dt.timedelta(days=3), "入户"),
        )
    assert err.value.problems[0].field == "visited_on"


def test_the_same_signal_sent_twice_at_once_raises_one_warning(world: World, backend: str) -> None:
    import threading

    one = person()
    put_on_register(world, [one])
    barrier = threading.Barrier(2)
    results = []

    def send() -> None:
        barrier.wait()
        results.append(
            raise_signal(
                world.uow(),
                world.actors["clerk"],
                Signal(one["id_number"], "job_loss", world.today(), "失业"),
            )
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.raised for r in results) == [False, True]
    with world.rt.reader() as uow:
        assert len(uow.session.scalars(select(MonitoringWarning)).all()) == 1
