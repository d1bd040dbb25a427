"""Issued documents: recorded with their hash in the county's documents ledger, never changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from audit.issued import IssuedPdf, documents_ledger, find_issued, issued_with_hash, record_issued
from audit.models import IssuedDocument, LedgerEntry
from audit.verify import verify_all
from engine.documents.views import DocumentKind, DocumentScope
from tests.support import COUNTY, VILLAGE_A1, World

SCOPE = DocumentScope(
    kind=DocumentKind.NOTICE,
    county_code=COUNTY,
    region_code=VILLAGE_A1,
    subject="童家镇白塔村",
    issuing_body="童家镇人民政府",
    cases=(3, 5),
)


def issue(w: World, code: str, sha: str = "a" * 64) -> None:
    record_issued(w.uow(), w.actors["reviewer"], [IssuedPdf(SCOPE, code, sha, 1234, 2)])


def test_an_issued_document_is_recorded_and_ledgered(world: World) -> None:
    issue(world, "ABCDEFGHJKMN")
    issue(world, "BBCDEFGHJKMN", sha="b" * 64)
    with world.rt.reader() as uow:
        row = find_issued(uow.session, "ABCDEFGHJKMN")
        assert row is not None and row.kind == "notice" and row.cases == 2
        assert (row.issued_by, row.role, row.pages, row.size_bytes) == (
            "reviewer",
            "reviewer",
            2,
            1234,
        )
        assert issued_with_hash(uow.session, "b" * 64).code == "BBCDEFGHJKMN"  # type: ignore[union-attr]
        entries = uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.ledger == documents_ledger(COUNTY))
        ).all()
        assert [e.seq for e in entries] == [row.ledger_seq, row.ledger_seq + 1]
        assert (
            '"cases":[3,5]' in entries[0].payload and '"sha256":"' + "a" * 64 in entries[0].payload
        )
        assert verify_all(uow.session).ok


def test_a_batch_is_recorded_whole_or_not_at_all(world: World) -> None:
    issue(world, "ABCDEFGHJKMN")
    with pytest.raises(DatabaseError):  # the second code is taken: nothing of the batch stays
        record_issued(
            world.uow(),
            world.actors["reviewer"],
            [
                IssuedPdf(SCOPE, "CCCCCCCCCCCC", "c" * 64, 1, 1),
                IssuedPdf(SCOPE, "ABCDEFGHJKMN", "d" * 64, 1, 1),
            ],
        )
    with world.rt.reader() as uow:
        assert find_issued(uow.session, "CCCCCCCCCCCC") is None
        assert len(uow.session.scalars(select(IssuedDocument)).all()) == 1


@pytest.mark.parametrize(
    "statement", ["UPDATE issued_document SET sha256 = 'x'", "DELETE FROM issued_document"]
)
def test_the_record_of_issued_documents_is_append_only(world: World, statement: str) -> None:
    issue(world, "ABCDEFGHJKMN")
    with world.rt.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text(statement))
