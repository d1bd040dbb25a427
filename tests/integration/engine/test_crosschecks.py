"""Information checks (信息核对, Art. 17): other departments' records raise flags on the cases
of the people they name, each resolved with a reason; deaths end a membership."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import func, select

from admin.imports import read_records
from audit.models import AuditEntry, LedgerEntry
from engine.cells import SourceFile
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case, CaseClaim, CrosscheckFlag, Member
from engine.services.crosscheck_rows import KINDS, crosscheck_rows
from engine.services.crosschecks import CrosscheckReport, import_crosscheck, resolve_crosscheck
from engine.states import CaseState
from tests.support import (
    RECORDS,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    application,
    department_file,
    id_number,
)


def run(w: World, kind: str, data: bytes, by: str = "approver") -> CrosscheckReport:
    """Import a department's file through the same reading as the command."""
    rows = crosscheck_rows(
        kind, *read_records(f"{kind}.csv", data, ("utf-8", "gb18030")), w.today()
    )
    source = SourceFile(f"{kind}.csv", hashlib.sha256(data).hexdigest())
    return import_crosscheck(w.uow(), w.actors[by], kind, rows, source)


def active_case(
    w: World, members: int = 2, village: str = VILLAGE_A1
) -> tuple[int, list[tuple[str, str]]]:
    """An enrolled case and its members' (ID number, name)."""
    app = application(members, village=village)
    by = "clerk" if village == VILLAGE_A1 else "clerk_b"
    case_id = w.apply(app, by=by)
    if village == VILLAGE_A1:
        w.to_state(case_id, CaseState.ACTIVE)
    return case_id, [(m.id_number, m.name) for m in app.members]


def flags(w: World, case_id: int) -> list[CrosscheckFlag]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(CrosscheckFlag)
                .where(CrosscheckFlag.case_id == case_id)
                .order_by(CrosscheckFlag.id)
            )
        )


def trail(w: World, case_id: int) -> list[str]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.case_id == case_id)
                .order_by(AuditEntry.seq)
            )
        )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_raises_a_flag_on_the_case_once_and_it_is_resolved_with_a_reason(
    world: World, kind: str
) -> None:
    case_id, people = active_case(world)
    outsider = (id_number(dt.date(1981, 1, 1)), "路人")
    data = department_file(kind, [people[1], outsider])
    report = run(world, kind, data)
    assert (report.rows, report.matched, report.raised) == (2, 1, 1)
    (flag,) = flags(world, case_id)
    evidence = json.loads(flag.evidence)
    assert evidence["id_number"] == people[1][0]
    assert all(
        evidence[k] == v or k in ("monthly_salary", "monthly_yuan")
        for k, v in RECORDS[kind].items()
    )
    assert (flag.kind, flag.line, flag.resolved_at) == (kind, 2, None)
    assert "crosscheck_flag" in trail(world, case_id)
    # the same file again, or another file with the same record, raises nothing
    again = run(world, kind, data)
    assert (again.raised, again.already) == (0, 0 if kind == "deaths" else 1)
    assert len(flags(world, case_id)) == 1
    resolve_crosscheck(
        world.uow(), world.actors["clerk"], flag.id, "explained", "已核实：该记录属同名他人"
    )
    (done,) = flags(world, case_id)
    assert (done.outcome, done.resolution) == ("explained", "已核实：该记录属同名他人")
    assert trail(world, case_id)[-1] == "resolve_crosscheck"
    with pytest.raises(Conflict):
        resolve_crosscheck(world.uow(), world.actors["clerk"], flag.id, "explained", "再次")
    with world.rt.reader() as uow:
        ledger = uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.ledger == "crosschecks:512022")
        ).all()
        assert [json.loads(e.payload)["raised"] for e in ledger] == [1, 0]


def test_a_death_ends_the_membership_and_opens_the_reassessment(world: World) -> None:
    case_id, people = active_case(world, 3)
    world.pass_days(3)
    died_on = world.today() - dt.timedelta(days=1)  # after the case was decided
    data = department_file("deaths", [people[2]], died_on=died_on.isoformat())
    report = run(world, "deaths", data)
    assert report.deaths_recorded == 1
    with world.rt.reader() as uow:
        s = uow.session
        case = s.get(Case, case_id)
        assert case is not None and case.reassess_from == died_on
        assert case.due_kind == "death_reassessment"
        left = s.scalar(
            select(func.count())
            .select_from(Member)
            .where(Member.household_id == case.household_id, Member.left_reason == "death")
        )
        assert left == 1
        claims = s.scalar(
            select(func.count())
            .select_from(CaseClaim)
            .where(CaseClaim.case_id == case_id, CaseClaim.released_at.is_(None))
        )
        assert claims == 2
    assert trail(world, case_id)[-2:] == ["crosscheck_flag", "record_death"]
    # the person is no longer a member: the file again matches nobody
    assert run(world, "deaths", data).matched == 0


def test_a_recheck_outcome_makes_the_enrolled_case_due_today(world: World) -> None:
    case_id, people = active_case(world)
    run(world, "vehicles", department_file("vehicles", [people[0]]))
    (flag,) = flags(world, case_id)
    resolve_crosscheck(
        world.uow(), world.actors["reviewer"], flag.id, "recheck", "家庭有车辆，需复核"
    )
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        assert case.next_recheck_on == world.today() and case.due_on == world.today()
        assert case.due_kind == "recheck"


def test_only_cases_in_the_importers_region_are_flagged(world: World) -> None:
    mine, people_a = active_case(world)
    other, people_b = active_case(world, village=VILLAGE_B1)
    report = run(
        world, "vehicles", department_file("vehicles", [people_a[0], people_b[0]]), by="clerk"
    )
    assert report.raised == 1 and report.case_ids == [mine]
    assert flags(world, other) == []


def test_a_bad_row_refuses_the_file_with_nothing_raised(world: World) -> None:
    case_id, people = active_case(world)
    bad = id_number(dt.date(1980, 1, 1))
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    data = department_file("public_employees", [people[0], (bad, "某人")], monthly_salary="很多")
    with pytest.raises(InvalidData) as err:
        run(world, "public_employees", data)
    assert {(p.field, p.code) for p in err.value.problems} == {
        ("line 2.monthly_salary", "invalid"),
        ("line 3.monthly_salary", "invalid"),
        ("line 3.id_number", "id_number_checksum"),
    }
    assert flags(world, case_id) == []


def test_a_file_of_another_kind_is_refused_by_its_columns(world: World) -> None:
    with pytest.raises(InvalidData) as err:
        run(world, "deaths", department_file("vehicles", [(id_number(), "某人")]))
    assert err.value.code == "wrong_kind" and "died_on" in err.value.message_en


def test_roles_that_do_not_run_checks_are_refused(world: World) -> None:
    case_id, people = active_case(world)
    with pytest.raises(Forbidden):
        run(world, "vehicles", department_file("vehicles", [people[0]]), by="inspector")
    run(world, "vehicles", department_file("vehicles", [people[0]]))
    (flag,) = flags(world, case_id)
    with pytest.raises(Forbidden):
        resolve_crosscheck(world.uow(), world.actors["inspector"], flag.id, "explained", "看过")
    with pytest.raises(InvalidData):
        resolve_crosscheck(world.uow(), world.actors["clerk"], flag.id, "ignore", "原因")
    with pytest.raises(InvalidData):
        resolve_crosscheck(world.uow(), world.actors["clerk"], flag.id, "explained", "  ")
    with pytest.raises(Forbidden):  # the flag's case is outside township B's region
        resolve_crosscheck(world.uow(), world.actors["clerk_b"], flag.id, "explained", "原因")


def test_a_record_about_a_monitored_person_in_no_case_raises_a_warning_once(world: World) -> None:
    from engine.models import MonitoringWarning
    from tests.support import person, put_on_register

    watched = person()
    put_on_register(world, [watched])
    data = department_file("vehicles", [(watched["id_number"], watched["name"])])
    report = run(world, "vehicles", data)
    assert (report.raised, report.warnings_raised) == (0, 1)
    assert run(world, "vehicles", data).warnings_raised == 0
    with world.rt.reader() as uow:
        (warning,) = uow.session.scalars(select(MonitoringWarning)).all()
        assert (warning.signal, warning.status) == ("crosscheck", "open")
        assert "川M12345" in warning.detail
