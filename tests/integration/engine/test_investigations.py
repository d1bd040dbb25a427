"""record_investigation(): who, when and how an investigation may be recorded (Art. 15-17)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, OperationalError

from audit.models import AuditEntry
from engine.attachments import MAX_ATTACHMENTS, Upload
from engine.db import make_engine
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import (
    Case,
    Investigation,
    InvestigationAttachment,
    InvestigationPresence,
    Member,
)
from engine.services import InvestigationInput, record_investigation
from engine.states import CaseState
from engine.uow import UnitOfWork
from tests.support import World

S = CaseState
TODAY = dt.date(2026, 3, 2)
GOOD = InvestigationInput(
    date=TODAY, method="home_visit", investigators=["clerk", "clerk2"], findings="核实无误"
)


def record(w: World, case_id: int, inv: InvestigationInput = GOOD, by: str = "clerk") -> int:
    return record_investigation(w.uow(), w.actors[by], case_id, inv).id


@pytest.fixture
def investigating(world: World) -> int:
    case_id = world.apply()
    world.to_state(case_id, S.INVESTIGATING)
    return case_id


def test_an_investigation_is_recorded_and_audited(world: World, investigating: int) -> None:
    inv_id = record(world, investigating)
    with world.rt.reader() as uow:
        saved = uow.session.get(Investigation, inv_id)
        assert saved is not None
        assert sorted(u.username for u in saved.investigators) == ["clerk", "clerk2"]
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.trigger == "record_investigation"
    assert last.from_state == last.to_state == "investigating"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"investigators": ["clerk"]}, "investigators"),
        ({"investigators": ["clerk", "clerk"]}, "investigators"),
        ({"investigators": ["clerk", "nobody"]}, "investigators.1"),
        ({"investigators": ["clerk", "inspector"]}, "investigators.1"),
        ({"investigators": ["clerk", "clerk_b"]}, "investigators.1"),
        ({"method": "phone_call"}, "method"),
        ({"level": "province"}, "level"),
        ({"findings": "  "}, "findings"),
        ({"date": TODAY + dt.timedelta(days=1)}, "date"),
        ({"date": TODAY - dt.timedelta(days=30)}, "date"),
    ],
)
def test_bad_records_name_the_field_and_write_nothing(
    world: World, investigating: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        record(world, investigating, dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert field in [p.field for p in refused.value.problems]
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation)).all() == []


def test_a_county_investigation_needs_county_staff(world: World, investigating: int) -> None:
    county = dataclasses.replace(GOOD, level="county")
    with pytest.raises(InvalidData):
        record(world, investigating, county)
    record(
        world,
        investigating,
        dataclasses.replace(county, investigators=["approver", "approver2"]),
        by="approver",
    )


def test_no_township_investigation_before_the_investigation_starts(world: World) -> None:
    case_id = world.apply()
    with pytest.raises(Conflict) as refused:
        record(world, case_id)
    assert refused.value.code == "invalid_state"


def test_inspectors_and_other_regions_may_not_record(world: World, investigating: int) -> None:
    with pytest.raises(Forbidden):
        record(world, investigating, by="inspector")
    with pytest.raises(Forbidden):
        record(world, investigating, by="clerk_b")


# --- the household members present, and photos or scans attached --------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"signed form, page 1" * 20
PDF = b"%PDF-1.7\n" + b"scanned declaration" * 20


def member_ids(w: World, case_id: int) -> list[int]:
    """The case's current members' ids, the applicant first."""
    with w.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return list(
            uow.session.scalars(
                select(Member.id)
                .where(Member.household_id == case.household_id, Member.left_at.is_(None))
                .order_by(Member.id)
            )
        )


def kept_files(w: World) -> list[Path]:
    """Every file under the attachment store, staged ones included."""
    root = w.rt.settings.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def record_with_files(w: World, case_id: int, inv: InvestigationInput) -> int:
    return record_investigation(w.uow(), w.actors["clerk"], case_id, inv, store=w.rt.attachments).id


def test_the_members_present_and_the_files_attached_are_kept_and_audited(
    world: World, investigating: int
) -> None:
    applicant, spouse = member_ids(world, investigating)
    inv = dataclasses.replace(
        GOOD,
        present=[spouse, applicant, spouse],
        attachments=[Upload("签字表.jpg", JPEG), Upload("申报表.pdf", PDF)],
    )
    inv_id = record_with_files(world, investigating, inv)
    jpeg, pdf = hashlib.sha256(JPEG).hexdigest(), hashlib.sha256(PDF).hexdigest()
    # the files lie in the store named by their hash, and nothing is left staged
    store = world.rt.settings.attachments_dir
    assert kept_files(world) == sorted([store / jpeg[:2] / jpeg, store / pdf[:2] / pdf])
    assert (store / jpeg[:2] / jpeg).read_bytes() == JPEG
    with world.rt.reader() as uow:
        present = uow.session.scalars(
            select(InvestigationPresence.member_id).where(
                InvestigationPresence.investigation_id == inv_id
            )
        ).all()
        rows = uow.session.scalars(
            select(InvestigationAttachment).order_by(InvestigationAttachment.position)
        ).all()
        entry = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert sorted(present) == [applicant, spouse]
    assert [(r.sha256, r.size_bytes, r.media_type, r.file_name) for r in rows] == [
        (jpeg, len(JPEG), "image/jpeg", "签字表.jpg"),
        (pdf, len(PDF), "application/pdf", "申报表.pdf"),
    ]
    # the trail proves which bytes were attached
    assert entry is not None and entry.trigger == "record_investigation"
    payload = json.loads(entry.payload)
    assert payload["present_member_ids"] == [applicant, spouse]
    assert payload["attachments"] == [
        {"sha256": jpeg, "size": len(JPEG), "media_type": "image/jpeg", "file_name": "签字表.jpg"},
        {
            "sha256": pdf,
            "size": len(PDF),
            "media_type": "application/pdf",
            "file_name": "申报表.pdf",
        },
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"attachments": [Upload("ok.jpg", JPEG), Upload("virus.jpg", b"MZ\x90\x00")]},
            "attachments.1",
        ),
        (
            {"attachments": [Upload(f"{i}.jpg", JPEG) for i in range(MAX_ATTACHMENTS + 1)]},
            "attachments",
        ),
        ({"attachments": [Upload("ok.jpg", JPEG)], "present": [999_999]}, "present.0"),
        ({"attachments": [Upload("ok.jpg", JPEG)], "investigators": ["clerk"]}, "investigators"),
    ],
    ids=["wrong-type", "too-many", "not-a-member", "one-investigator"],
)
def test_a_refused_record_keeps_no_file_and_no_row(
    world: World, investigating: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        record_with_files(world, investigating, dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert field in [p.field for p in refused.value.problems]
    assert kept_files(world) == []
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation)).all() == []
        assert uow.session.scalars(select(InvestigationAttachment)).all() == []


def test_a_member_of_another_household_or_one_who_left_is_not_present(
    world: World, investigating: int
) -> None:
    other = world.apply()
    [stranger, _] = member_ids(world, other)
    with pytest.raises(InvalidData) as refused:
        record_with_files(world, investigating, dataclasses.replace(GOOD, present=[stranger]))
    assert refused.value.problems[0].code == "not_a_member"


def test_a_commit_that_fails_leaves_no_file(
    world: World, investigating: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: UnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, Exception("the disk is gone"))

    monkeypatch.setattr(UnitOfWork, "commit", fail)
    with pytest.raises(OperationalError):
        record_with_files(
            world, investigating, dataclasses.replace(GOOD, attachments=[Upload("a.pdf", PDF)])
        )
    monkeypatch.undo()
    assert kept_files(world) == []
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation)).all() == []


def test_the_same_file_attached_twice_is_kept_once_and_recorded_twice(
    world: World, investigating: int
) -> None:
    inv = dataclasses.replace(GOOD, attachments=[Upload("a.jpg", JPEG)])
    record_with_files(world, investigating, inv)
    record_with_files(world, investigating, dataclasses.replace(inv, findings="复核"))
    assert len(kept_files(world)) == 1
    with world.rt.reader() as uow:
        assert len(uow.session.scalars(select(InvestigationAttachment)).all()) == 2


def test_the_record_of_an_attached_file_cannot_be_changed(world: World, investigating: int) -> None:
    record_with_files(
        world, investigating, dataclasses.replace(GOOD, attachments=[Upload("a.jpg", JPEG)])
    )
    engine = make_engine(world.rt.settings.database_url)
    for statement in (
        "UPDATE investigation_attachment SET sha256 = 'forged'",
        "DELETE FROM investigation_attachment",
    ):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
