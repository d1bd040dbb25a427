"""County statistics: periods in the county's time zone, late decisions counted in theirs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.clock import CHINA_TZ
from engine.services import decisions
from engine.states import CaseState
from engine.stats import county_stats
from tests.support import COUNTY, World, application

S = CaseState


def figures(world: World, year: int) -> dict[str, object]:
    with world.rt.reader() as uow:
        return county_stats(uow.session, COUNTY, year, world.today(), world.clock.tz)


def test_a_case_decided_after_its_limit_counts_as_late_in_its_year(world: World) -> None:
    """Art. 22 (30 working days from acceptance) and Art. 20 (10 for the county): a case decided
    late is late in the statistics of the period it was decided in, not only while pending."""
    on_time = world.apply()
    world.to_state(on_time, S.ACTIVE)
    late = world.apply()
    world.to_state(late, S.PENDING_CONFIRMATION)
    world.pass_days(60)  # far beyond both limits
    world.fire(late, "approve", "approver")
    assert figures(world, 2026)["decisions_in_year"] == {"decided": 2, "late": 1}
    assert figures(world, 2025)["decisions_in_year"] == {"decided": 0, "late": 0}


def test_the_year_ends_at_midnight_in_the_countys_time_zone(world: World) -> None:
    """A decision at 07:00 on 1 January in China is 23:00 on 31 December in UTC: it belongs
    to the new year of the county's report (DOUDI_TIMEZONE), not to the old one."""
    case_id = world.apply()
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    new_year = dt.datetime(2027, 1, 1, 7, 0, tzinfo=CHINA_TZ)
    world.clock.advance(new_year - world.clock.now())
    world.fire(case_id, "approve", "approver")
    assert figures(world, 2027)["new_enrollments"] == {"dibao": {"households": 1, "people": 2}}
    assert figures(world, 2026)["new_enrollments"] == {}


def test_the_achieved_tekun_sampling_share_is_reported_by_month_against_the_floor(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TK Art. 16: the county checks at least 30 % of tekun files itself. Each file is drawn
    on its own, so the share achieved in each month is reported, and a month below the
    floor is marked."""
    draws = iter([Decimal("0.1"), Decimal("0.9"), Decimal("0.9"), Decimal("0.9"), Decimal("0.2")])
    monkeypatch.setattr(decisions, "sampling_draw", lambda: next(draws))
    march = [world.apply(application(category="tekun")) for _ in range(4)]
    for case_id in march:
        world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(8)
    for case_id in march:  # all four reach the county in March: one is drawn
        world.fire(case_id, "close_notice", "reviewer")
    world.pass_days(31)
    world.to_state(world.apply(application(category="tekun")), S.PENDING_CONFIRMATION)
    sampling = figures(world, 2026)["county_sampling"]["tekun"]  # type: ignore[index]
    assert [
        (m["month"], m["files"], m["sampled"], m["share"], m["below_floor"]) for m in sampling
    ] == [
        ("2026-03", 4, 1, Decimal("0.25"), True),
        ("2026-04", 1, 1, Decimal("1"), False),
    ]
    assert sampling[0]["floor"] == Decimal("0.3")
