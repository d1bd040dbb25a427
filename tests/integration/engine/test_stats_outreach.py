"""The county report's outreach and monitoring figures (乐至 2024 quotes each of them)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from admin.demo.roster import roster_csv
from admin.demo.roster import roster_rows as generated_roster
from admin.imports import read_records
from engine.cells import SourceFile
from engine.services.monitoring import Signal, raise_signal
from engine.services.regions import import_regions, parse_region_csv
from engine.services.roster import import_roster
from engine.services.roster_rows import roster_rows
from engine.services.users import NewUser, create_user
from engine.services.visits import record_outreach_visit
from engine.services.warning_follow_up import close_warning
from engine.states import CaseState
from engine.stats import county_stats
from tests.support import (
    COUNTY,
    PASSWORD,
    STANDARDS,
    TOWNSHIP_A,
    VILLAGE_A1,
    VILLAGE_A2,
    World,
    application,
    load_actors,
    person,
    put_on_register,
)

RURAL = {k: Decimal(STANDARDS[("rural", k)]) for k in ("dibao", "tekun")}
POPULATION = 1000


def figures(w: World) -> dict[str, Any]:
    with w.rt.reader() as uow:
        return county_stats(uow.session, COUNTY, 2026, w.today(), w.clock.tz)


def test_monitoring_outreach_origins_and_coverage_are_counted(world: World) -> None:
    w = world
    import_regions(
        w.uow(),
        parse_region_csv(
            "code,name,parent_code,level,area_type,population\n"
            f"{VILLAGE_A1},白塔村,{TOWNSHIP_A},village,rural,{POPULATION}\n"
        ),
    )
    rows = generated_roster(COUNTY, [VILLAGE_A1], 6, RURAL, dt.date(2025, 5, 1))
    data = roster_csv(rows)
    import_roster(
        w.uow(),
        w.actors["admin"],
        COUNTY,
        roster_rows(*read_records("r.csv", data), w.today()),
        SourceFile("r.csv", hashlib.sha256(data).hexdigest()),
    )
    enrolled = rows[0]
    lifted = {**person("lifted_from_poverty"), "id_number": enrolled["id_number"]}
    lifted["name"] = enrolled["name"]
    watched = person("poverty_return_watch", village=VILLAGE_A2)
    put_on_register(w, [lifted, {**lifted, "tag": "disabled"}, watched])
    late = raise_signal(
        w.uow(), w.actors["clerk"], Signal(watched["id_number"], "job_loss", w.today(), "失业")
    )
    done = raise_signal(
        w.uow(), w.actors["clerk"], Signal(lifted["id_number"], "income_drop", w.today(), "减收")
    )
    close_warning(w.uow(), w.actors["clerk"], done.warning_id or 0, "已在保，无需另行救助")
    create_user(w.uow(), NewUser("xieliyuan", "coordinator", VILLAGE_A1, PASSWORD))
    w.actors = load_actors(w.rt)
    record_outreach_visit(
        w.uow(), w.actors["xieliyuan"], VILLAGE_A1, w.today(), "孙家", "独居老人，无固定收入"
    )
    found = w.apply(application(1, draft=True), by="xieliyuan")
    w.fire(found, "submit", "clerk")
    w.to_state(found, CaseState.ACTIVE)
    w.pass_days(20)  # the job-loss warning is now past its 15 days
    got = figures(w)
    monitoring = got["monitoring"]
    assert monitoring["people_by_tag"] == {
        "lifted_from_poverty": 1,
        "disabled": 1,
        "poverty_return_watch": 1,
    }
    assert monitoring["tagged_enrolled"] == {
        "lifted_from_poverty": {"dibao": 1, "tekun": 0},
        "poverty_return_watch": {"dibao": 0, "tekun": 0},
    }
    assert monitoring["warnings_by_township"] == {
        TOWNSHIP_A: {"name": "童家镇", "opened": 2, "handled": 1, "overdue": 1}
    }
    assert late.warning_id is not None
    outreach = got["outreach"]
    month = f"{w.today() - dt.timedelta(days=20):%Y-%m}"
    assert outreach["visits_by_village_month"] == {VILLAGE_A1: {month: 1}}
    # approved in the year: found by outreach here, or in the earlier system (its roster)
    in_year = [r for r in rows if r["approved_on"] >= "2026-01-01"]
    by_origin = {"outreach": {"households": 1, "people": 1}}
    if in_year:
        by_origin["roster"] = {
            "households": len({r["household_no"] for r in in_year}),
            "people": len(in_year),
        }
    assert outreach["new_enrollments_by_origin"] == by_origin
    assert in_year  # the generated roster has approvals on both sides of 1 January
    coverage = got["rural_coverage_change"]
    before = sum(1 for r in rows if r["approved_on"] < "2026-01-01" and r["category"] != "tekun")
    after = sum(1 for r in rows if r["category"] != "tekun") + 1  # and the case found by outreach
    assert coverage["before"]["assisted_people"] == before
    assert coverage["after"]["assisted_people"] == after
    assert coverage["after"]["rate"] == Decimal(after) / POPULATION
