"""Kinship conflicts end to end: flags, filing, the county's visit, recusal, the scan.

Reference: DOMAIN.md "Kinship filing (近亲属备案) and recusal"; Art. 20 (the county's
own home visit for a kinship-filed case).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from audit.models import AuditEntry
from audit.officials import OfficialRow, import_officials
from audit.scan import scan
from engine.case_view import case_detail
from engine.errors import Conflict, GuardFailed, InvalidData, Recused
from engine.models import Case, KinshipFlag, Official
from engine.services import (
    Application,
    InvestigationInput,
    record_death,
    record_investigation,
    record_member_joined,
    record_member_left,
)
from engine.services.bulk import start_due_rechecks
from engine.services.filings import file_kinship
from engine.services.policy import NewParameter, set_parameter
from engine.services.users import NewUser, create_user
from engine.states import CaseState
from engine.stats import county_stats
from tests.support import (
    COUNTY,
    PASSWORD,
    TOWNSHIP_A,
    VILLAGE_A1,
    World,
    id_number,
    load_actors,
    member,
)

S = CaseState
OFFICIAL_ID = id_number(dt.date(1975, 6, 1))


def registry(w: World, *rows: dict[str, str]) -> object:
    base = {
        "official_id_number": OFFICIAL_ID,
        "official_name": "王建军",
        "position": "village_member",
        "region_code": VILLAGE_A1,
    }
    return import_officials(
        w.uow(),
        w.actors["admin"],
        [OfficialRow(line=i + 2, **(base | r)) for i, r in enumerate(rows)],
    )


def household(*extra: object) -> Application:
    return Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳"), *extra])  # type: ignore[list-item]


def flags(w: World, case_id: int) -> list[KinshipFlag]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(KinshipFlag).where(
                    KinshipFlag.case_id == case_id, KinshipFlag.vanished_at.is_(None)
                )
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


def test_a_declared_relative_is_flagged_at_submission(world: World) -> None:
    app = household()
    registry(
        world,
        {
            "relative_id_number": app.members[0].id_number,
            "relative_name": "李芳",
            "relation": "sibling",
        },
    )
    case_id = world.apply(app)
    (flag,) = flags(world, case_id)
    assert (flag.relation, flag.strength) == ("sibling", "id")
    assert trail(world, case_id) == ["create", "submit", "kinship_flags"]
    with world.rt.reader() as uow:
        shown = case_detail(uow, world.actors["clerk"], case_id).flags
    assert shown[0]["kind"] == "kinship"
    assert shown[0]["official_id_number"] != OFFICIAL_ID  # masked for a clerk
    assert (shown[0]["position"], shown[0]["relation"], shown[0]["strength"]) == (
        "village_member",
        "sibling",
        "id",
    )
    assert "兄弟姐妹" in shown[0]["path"]
    with world.rt.reader() as uow:
        inspector = case_detail(uow, world.actors["inspector"], case_id).flags
    assert inspector[0]["official_id_number"] == OFFICIAL_ID


def test_a_registry_change_flags_an_existing_case(world: World) -> None:
    app = household()
    case_id = world.apply(app)
    assert flags(world, case_id) == []
    report = registry(
        world,
        {
            "relative_name": "李芳",
            "relative_birth_date": app.members[0].id_number[6:10]
            + "-"
            + app.members[0].id_number[10:12]
            + "-"
            + app.members[0].id_number[12:14],
            "relation": "sibling",
        },
    )
    assert report.flags.new == 1  # type: ignore[attr-defined]
    assert [f.strength for f in flags(world, case_id)] == ["name_birth"]


def test_a_flagged_case_needs_filing_and_the_countys_visit(world: World) -> None:
    app = household()
    registry(
        world,
        {
            "relative_id_number": app.members[0].id_number,
            "relative_name": "李芳",
            "relation": "child",
        },
    )
    case_id = world.apply(app)
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(8)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "close_notice", "reviewer")
    assert [p.code for p in refused.value.problems] == ["kinship_filing_missing"]
    file_kinship(world.uow(), world.actors["reviewer"], case_id, "申请人系村委会委员子女，单独备案")
    world.fire(case_id, "close_notice", "reviewer")
    with pytest.raises(GuardFailed) as visit:
        world.fire(case_id, "approve", "approver")
    assert visit.value.problems[0].code == "county_check_missing"
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    assert world.fire(case_id, "approve", "approver") == S.ACTIVE
    with world.rt.reader() as uow:
        figures = county_stats(
            uow.session, COUNTY, world.today().year, world.today(), world.clock.tz
        )
    assert (figures["kinship_flagged"], figures["kinship_filed"]) == (1, 1)


def test_filing_needs_a_flag(world: World) -> None:
    case_id = world.apply()
    with pytest.raises(Conflict) as refused:
        file_kinship(world.uow(), world.actors["clerk"], case_id, "备案")
    assert refused.value.code == "no_kinship_flag"


def related_reviewer(w: World, relative_id: str, relation: str = "sibling") -> None:
    """A township reviewer who is an official with a declared relative."""
    number = id_number(dt.date(1972, 3, 3))
    import_officials(
        w.uow(),
        w.actors["admin"],
        [
            OfficialRow(
                line=2,
                official_id_number=number,
                official_name="赵审核",
                position="township_officer",
                region_code=TOWNSHIP_A,
                relative_id_number=relative_id,
                relative_name="某",
                relation=relation,
            )
        ],
    )
    create_user(
        w.uow(), NewUser("reviewer_rel", "reviewer", TOWNSHIP_A, PASSWORD, id_number=number)
    )
    w.actors.update(load_actors(w.rt))


def test_a_related_user_must_recuse_and_the_refusal_is_audited(world: World) -> None:
    app = household()
    case_id = world.apply(app)
    world.to_state(case_id, S.INVESTIGATING)
    world.investigate(case_id)
    related_reviewer(world, app.members[0].id_number)
    with world.rt.reader() as uow:
        version = uow.session.get(Case, case_id).version  # type: ignore[union-attr]
    with pytest.raises(Recused) as refused:
        world.fire(case_id, "propose", "reviewer_rel")
    assert refused.value.code == "recusal"
    assert "回避" in refused.value.message
    assert trail(world, case_id)[-1] == "recusal_refused"
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).version == version  # type: ignore[union-attr]
    assert world.fire(case_id, "propose", "reviewer") == S.INITIAL_REVIEWED


def test_members_joining_and_leaving_are_checked_again(world: World) -> None:
    case_id = world.apply(household())
    cousin = member("other", name="周敏")
    registry(
        world,
        {"relative_id_number": cousin.id_number, "relative_name": "周敏", "relation": "sibling"},
    )
    assert flags(world, case_id) == []
    record_member_joined(
        world.uow(), world.actors["clerk"], case_id, cousin, world.today(), "moved_in"
    )
    (flag,) = flags(world, case_id)
    assert (flag.relation, flag.strength) == ("sibling", "id")
    assert trail(world, case_id)[-2:] == ["kinship_flags", "member_joined"]
    record_member_left(
        world.uow(), world.actors["clerk"], case_id, cousin.id_number, world.today(), "moved_out"
    )
    assert flags(world, case_id) == []
    assert trail(world, case_id)[-2:] == ["kinship_flags", "member_left"]


def test_a_user_may_not_bring_their_own_relative_into_a_case(world: World) -> None:
    case_id = world.apply(household())
    brother = member("other", name="赵强")
    related_reviewer(world, brother.id_number)
    with pytest.raises(Recused):
        record_member_joined(
            world.uow(), world.actors["reviewer_rel"], case_id, brother, world.today(), "moved_in"
        )
    assert trail(world, case_id) == ["create", "submit", "recusal_refused"]  # nothing else
    assert flags(world, case_id) == []
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).version == 2  # type: ignore[union-attr]


def test_a_related_user_may_not_investigate_or_be_assigned(world: World) -> None:
    app = household()
    case_id = world.apply(app)
    world.to_state(case_id, S.INVESTIGATING)
    number = id_number(dt.date(1971, 1, 1))
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            OfficialRow(
                line=2,
                official_id_number=number,
                official_name="钱协理",
                position="township_officer",
                region_code=TOWNSHIP_A,
                relative_id_number=app.members[0].id_number,
                relative_name="李芳",
                relation="parent",
            )
        ],
    )
    create_user(world.uow(), NewUser("clerk_rel", "clerk", TOWNSHIP_A, PASSWORD, id_number=number))
    inv = InvestigationInput(
        date=dt.date(2026, 3, 2),
        method="home_visit",
        investigators=["clerk", "clerk_rel"],
        findings="入户",
    )
    with pytest.raises(Recused) as refused:
        record_investigation(world.uow(), world.actors["clerk"], case_id, inv)
    assert refused.value.details["investigator"] == "clerk_rel"


def test_a_user_never_acts_on_their_own_household(world: World) -> None:
    app = household()
    case_id = world.apply(app)
    create_user(
        world.uow(),
        NewUser("clerk_self", "clerk", TOWNSHIP_A, PASSWORD, id_number=app.members[0].id_number),
    )
    world.actors.update(load_actors(world.rt))
    with pytest.raises(Recused) as refused:
        world.fire(case_id, "accept", "clerk_self")
    assert refused.value.problems[0].code == "own_household"


def test_bulk_rechecks_leave_out_a_related_users_cases(world: World) -> None:
    app = household()
    case_id = world.apply(app)
    other = world.apply()
    for c in (case_id, other):
        world.to_state(c, S.ACTIVE)
    related_reviewer(world, app.members[0].id_number)
    report = start_due_rechecks(world.rt.uow, world.actors["reviewer_rel"], dt.date(2028, 1, 1))
    assert (report.done, report.refused) == (1, [case_id])
    assert trail(world, case_id)[-1] == "recusal_refused"


def test_a_death_makes_the_flag_vanish(world: World) -> None:
    spouse = member("spouse", name="张强")
    app = household(spouse)
    registry(
        world,
        {"relative_id_number": spouse.id_number, "relative_name": "张强", "relation": "sibling"},
    )
    case_id = world.apply(app)
    assert len(flags(world, case_id)) == 1
    world.to_state(case_id, S.INVESTIGATING)
    record_death(world.uow(), world.actors["clerk"], case_id, spouse.id_number, dt.date(2026, 3, 2))
    assert flags(world, case_id) == []
    with world.rt.reader() as uow:
        entry = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.case_id == case_id, AuditEntry.trigger == "kinship_flags")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert entry is not None and len(json.loads(entry.payload)["vanished"]) == 1


def test_the_scan_is_idempotent(world: World) -> None:
    apps = [household() for _ in range(3)]
    ids = [world.apply(a) for a in apps]
    registry(
        world,
        *[
            {
                "relative_id_number": a.members[0].id_number,
                "relative_name": "李芳",
                "relation": "sibling",
            }
            for a in apps[:2]
        ],
    )
    with world.rt.uow() as uow:
        first = scan(uow, world.actors["admin"])
        uow.commit()
    assert (first.new, first.unchanged, first.vanished) == (0, 2, 0)
    assert [len(flags(world, i)) for i in ids] == [1, 1, 0]


def test_the_scan_lets_flags_vanish_when_the_official_leaves_office(world: World) -> None:
    apps = [household() for _ in range(2)]
    ids = [world.apply(a) for a in apps]
    registry(
        world,
        *[
            {
                "relative_id_number": a.members[0].id_number,
                "relative_name": "李芳",
                "relation": "sibling",
            }
            for a in apps
        ],
    )
    assert [len(flags(world, i)) for i in ids] == [1, 1]
    with world.rt.uow() as uow:  # the term ended, as a registry edit outside doudi would leave it
        uow.session.execute(
            update(Official).values(term_end=world.clock.now().date() - dt.timedelta(days=1))
        )
        uow.commit()
    with world.rt.uow() as uow:
        gone = scan(uow, world.actors["admin"])
        uow.commit()
    assert (gone.new, gone.unchanged, gone.vanished) == (0, 0, 2)
    assert [len(flags(world, i)) for i in ids] == [0, 0]
    assert trail(world, ids[0])[-1] == "kinship_flags"
    with world.rt.uow() as uow:
        again = scan(uow, world.actors["admin"])
        uow.commit()
    assert (again.new, again.unchanged, again.vanished) == (0, 0, 0)


def test_in_laws_count_only_where_the_county_adds_them(world: World) -> None:
    spouse = member("spouse", name="张强")
    app = household(spouse)
    with pytest.raises(InvalidData) as refused:
        registry(
            world,
            {
                "relative_id_number": spouse.id_number,
                "relative_name": "张强",
                "relation": "parent_in_law",
            },
        )
    assert "kinship_additions" in refused.value.problems[0].message_en
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(
            COUNTY,
            "kinship_additions",
            "parent_in_law,sibling_in_law",
            dt.date(2024, 1, 1),
            "县近亲属范围扩展（测试）",
        ),
    )
    registry(
        world,
        {
            "relative_id_number": app.members[0].id_number,
            "relative_name": "李芳",
            "relation": "sibling",
        },
    )
    case_id = world.apply(app)
    relations = sorted(f.relation for f in flags(world, case_id))
    assert relations == ["sibling", "sibling_in_law"]  # the sister's husband
