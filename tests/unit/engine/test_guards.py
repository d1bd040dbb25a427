"""Guards: each passes or fails on the facts alone, with a message in plain words."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import notice_may_close_at
from engine.clock import CHINA_TZ
from engine.guards import (
    FACT_GROUPS,
    GUARD_FACTS,
    GUARDS,
    CaseFacts,
    GuardContext,
    InvestigationFact,
    approver_independent,
    check,
    no_open_objection,
    notice_period_elapsed,
    township_investigation_recorded,
)
from engine.ports import Actor
from engine.rulebook import national_rules
from engine.states import Role

CST = dt.timezone(dt.timedelta(hours=8))
APPROVER = Actor(user_id=9, username="approver", role=Role.APPROVER, region_code="512022")


def ctx(now: dt.datetime, actor: Actor = APPROVER, **facts: object) -> GuardContext:
    return GuardContext(
        facts=CaseFacts(case_id=1, state="x", **facts),  # type: ignore[arg-type]
        actor=actor,
        now=now.astimezone(dt.UTC),
        tz=CHINA_TZ,
        rules=national_rules(),
    )


def inv(level: str, ids: set[int], recorded: dt.datetime, id_: int = 1) -> InvestigationFact:
    return InvestigationFact(
        id_, level, recorded.date(), frozenset(ids), recorded.astimezone(dt.UTC)
    )


NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=CST)


class TestTownshipInvestigation:
    """Art. 16: a township investigation by at least two people precedes the proposal."""

    def test_passes_with_two_investigators_this_round(self) -> None:
        c = ctx(
            NOON,
            investigating_since=NOON - dt.timedelta(days=5),
            investigations=(inv("township", {1, 2}, NOON - dt.timedelta(days=1)),),
        )
        assert township_investigation_recorded(c) is None

    def test_fails_with_one_investigator(self) -> None:
        c = ctx(NOON, investigations=(inv("township", {1}, NOON),))
        problem = township_investigation_recorded(c)
        assert problem is not None
        assert problem.code == "township_investigation_missing"
        assert "2" in problem.message

    def test_a_county_visit_does_not_stand_in_for_the_township(self) -> None:
        c = ctx(NOON, investigations=(inv("county", {1, 2}, NOON),))
        assert township_investigation_recorded(c) is not None

    def test_an_investigation_before_an_objection_does_not_count_for_the_new_round(self) -> None:
        c = ctx(
            NOON,
            investigating_since=NOON - dt.timedelta(days=1),
            investigations=(inv("township", {1, 2}, NOON - dt.timedelta(days=9)),),
        )
        assert township_investigation_recorded(c) is not None


class TestNoticePeriod:
    """Art. 19: seven full calendar days; the publication day is not counted (民法典 Art. 201)."""

    published = dt.datetime(2026, 3, 1, 16, 30, tzinfo=CST)

    def test_may_close_from_midnight_after_the_seventh_full_day(self) -> None:
        assert notice_may_close_at(self.published, 7, CHINA_TZ) == dt.datetime(
            2026, 3, 9, 0, 0, tzinfo=CST
        )

    def test_refused_one_second_before(self) -> None:
        now = dt.datetime(2026, 3, 8, 23, 59, 59, tzinfo=CST)
        problem = notice_period_elapsed(ctx(now, notice_started_at=self.published))
        assert problem is not None
        assert problem.code == "notice_period_running"
        assert problem.context["may_close_on"] == "2026-03-09"

    def test_allowed_at_the_boundary(self) -> None:
        now = dt.datetime(2026, 3, 9, 0, 0, tzinfo=CST)
        assert notice_period_elapsed(ctx(now, notice_started_at=self.published)) is None

    def test_the_local_day_counts_not_the_utc_day(self) -> None:
        # 07:30 on 2 March in China is still 1 March in UTC
        published = dt.datetime(2026, 3, 2, 7, 30, tzinfo=CST)
        assert notice_may_close_at(published, 7, CHINA_TZ).astimezone(CST).date() == dt.date(
            2026, 3, 10
        )

    def test_refused_when_no_notice_was_published(self) -> None:
        problem = notice_period_elapsed(ctx(NOON))
        assert problem is not None and problem.code == "notice_not_started"


def test_an_open_objection_blocks_closing() -> None:
    assert no_open_objection(ctx(NOON)) is None
    problem = no_open_objection(ctx(NOON, open_objection_ids=(3, 4)))
    assert problem is not None and problem.context["objection_ids"] == [3, 4]


class TestSeparationOfDuties:
    """The approver neither proposed the case nor investigated it at township level."""

    def test_an_uninvolved_approver_passes(self) -> None:
        c = ctx(NOON, proposer_ids=frozenset({5}), investigations=(inv("township", {1, 2}, NOON),))
        assert approver_independent(c) is None

    def test_the_proposer_is_refused(self) -> None:
        problem = approver_independent(ctx(NOON, proposer_ids=frozenset({9})))
        assert problem is not None and problem.code == "separation_of_duties"

    def test_a_township_investigator_is_refused(self) -> None:
        c = ctx(NOON, investigations=(inv("township", {9, 2}, NOON),))
        problem = approver_independent(c)
        assert problem is not None and "township investigation" in problem.message_en

    def test_taking_part_in_the_county_visit_is_allowed(self) -> None:
        c = ctx(NOON, investigations=(inv("county", {9, 2}, NOON),))
        assert approver_independent(c) is None


def test_check_returns_every_failure_in_table_order() -> None:
    c = ctx(NOON, open_objection_ids=(1,))
    problems = check(("notice_period_elapsed", "no_open_objection"), c)
    assert [p.code for p in problems] == ["notice_not_started", "objection_open"]


@pytest.mark.parametrize("name", ["public_notice_days", "min_investigators"])
def test_rules_the_guards_read_are_dated_data_with_a_source(name: str) -> None:
    rule = national_rules().rule(name, dt.date(2026, 1, 1))
    assert rule.source and rule.effective_from == dt.date(2021, 7, 1)


class _Partial:
    """A case's facts of which only some groups were loaded: reading a fact of another group
    fails the test, as a guard reading what its declaration does not load would decide on
    an empty default."""

    def __init__(self, facts: CaseFacts, loaded: frozenset[str]) -> None:
        self._facts = facts
        self._loaded = loaded

    def __getattr__(self, name: str) -> object:
        for group, names in FACT_GROUPS.items():
            if name in names and group not in self._loaded:
                raise AssertionError(f"reads {name!r} of the undeclared group {group!r}")
        return getattr(self._facts, name)


def _scenarios() -> list[CaseFacts]:
    """Facts that take the guards down their branches: both categories, a notice with an
    objection, investigations of both levels, a termination notice, flags and filings."""
    earlier = NOON - dt.timedelta(days=20)
    busy = {
        "investigating_since": earlier,
        "reinvestigating_since": earlier + dt.timedelta(days=1),
        "proposed_at": earlier + dt.timedelta(days=2),
        "opinion_revised_at": earlier + dt.timedelta(days=9),
        "notice_started_at": earlier + dt.timedelta(days=3),
        "objection_raised_at": earlier + dt.timedelta(days=4),
        "democratic_review_at": earlier + dt.timedelta(days=5),
        "decided_at": earlier + dt.timedelta(days=6),
        "recheck_started_at": earlier + dt.timedelta(days=7),
        "termination_noticed_at": earlier + dt.timedelta(days=8),
        "termination_objection_at": earlier + dt.timedelta(days=9),
        "finding_visit_required_at": earlier + dt.timedelta(days=3),
        "investigations": (
            inv("township", {1, 9}, earlier + dt.timedelta(days=2)),
            inv("county", {9, 3}, earlier + dt.timedelta(days=10), id_=2),
        ),
        "open_objection_ids": (4,),
        "proposer_ids": frozenset({9}),
        "had_objection": True,
        "kinship_flags": 2,
        "kinship_flagged_at": earlier,
        "kinship_filed": True,
        "sampled_for_county_check": True,
        "extension_ground": "complex",
        "last_change_kind": "income",
        "complaint_at": earlier + dt.timedelta(days=6),
    }
    # each fact left out in turn, so that a guard stopping at one fact goes on to the next
    variants = [{}, busy, *({k: v for k, v in busy.items() if k != gone} for gone in busy)]
    return [
        CaseFacts(case_id=1, state=state, category=category, **facts)  # type: ignore[arg-type]
        for state in ("pending_confirmation", "under_recheck", "active", "in_public_notice")
        for category in ("dibao", "tekun")
        for facts in variants
    ]


def test_every_guard_reads_only_the_groups_of_facts_it_declares() -> None:
    """A transition loads only the groups of facts its guards declare (``guard(facts=...)``):
    each guard, down every branch these facts take it, reads no other group's facts."""
    for name, fn in GUARDS.items():
        for facts in _scenarios():
            partial = _Partial(facts, GUARD_FACTS[name])
            c = GuardContext(
                facts=partial,  # type: ignore[arg-type]
                actor=APPROVER,
                now=NOON.astimezone(dt.UTC),
                tz=CHINA_TZ,
                rules=national_rules(),
                data={"ground": "income"},
            )
            try:
                fn(c)
            except AssertionError as err:
                raise AssertionError(f"guard {name}: {err}") from None
            except (AttributeError, TypeError):
                continue  # a means guard without means: it reads no grouped fact first


def test_a_transition_records_only_the_facts_it_loaded() -> None:
    facts = CaseFacts(case_id=1, state="active", kinship_flags=3, loaded=frozenset({"kinship"}))
    payload = facts.as_payload()
    assert payload["kinship_flags"] == 3 and "investigations" not in payload
    assert "open_objection_ids" not in payload and "proposer_ids" not in payload
    assert payload["category"] == "dibao" and "decided_at" in payload
    assert set(CaseFacts(case_id=1, state="active").as_payload()) >= {
        name for names in FACT_GROUPS.values() for name in names
    }
