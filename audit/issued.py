"""The record of issued documents: verification codes, the PDFs' hashes, the documents ledger.

Issuing a document stores its kind, scope, the SHA-256 of the PDF's bytes,
who issued it and when, as a row of ``issued_document`` and an entry of the
county's ``documents:`` ledger, in one transaction. The verification code
printed on the document (and carried as its PDF file identifier) finds the
record again; anyone holding the file can check it against the record.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import IssuedDocument
from engine.documents.views import DocumentScope
from engine.ports import Actor, LedgerEvent
from engine.uow import UnitOfWork

#: Crockford's base 32: no I, L, O or U, so a code read aloud or retyped survives
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: not guessable, short enough to type from paper
#: what a reader may have typed for a character of the alphabet
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: the prefix of the PDF file identifier that carries the code
PDF_ID_PREFIX = "doudi:"
_PDF_ID = re.compile(rb"/ID\s*\[\s*\(" + re.escape(PDF_ID_PREFIX.encode()) + rb"([0-9A-Z]{12})\)")


def new_code() -> str:
    """A fresh random verification code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """The code as printed: three groups of four (7KQ2-M9XD-4HTP)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(text: str) -> str | None:
    """The code a reader typed, in canonical form, or None when it cannot be one."""
    code = re.sub(r"[\s-]", "", text).upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_in_pdf(data: bytes) -> str | None:
    """The verification code a doudi PDF carries in its file identifier (/ID), if any.

    The identifier sits in the uncompressed trailer (or cross-reference
    stream dictionary), so it is found even when other bytes have changed.
    """
    found = _PDF_ID.findall(data[-4096:]) or _PDF_ID.findall(data)
    return found[-1].decode("ascii") if found else None


@dataclass(frozen=True)
class IssuedPdf:
    """A rendered document about to be recorded as issued."""

    scope: DocumentScope
    code: str
    sha256: str
    size_bytes: int
    pages: int


def documents_ledger(county: str) -> str:
    """The ledger that records the documents a county issues."""
    return f"documents:{county}"


def record_issued(uow: UnitOfWork, actor: Actor, items: Sequence[IssuedPdf]) -> None:
    """Record every item as issued by ``actor``, all in one transaction or none."""
    with uow:
        session = uow.session
        now = uow.clock.now()
        for item in items:
            scope = item.scope
            seq = uow.audit.record(
                session,
                documents_ledger(scope.county_code),
                LedgerEvent(
                    event="issue_document",
                    actor=actor,
                    at=now,
                    payload={
                        "code": item.code,
                        "kind": str(scope.kind),
                        "region_code": scope.region_code,
                        "case_id": scope.case_id,
                        "decision_seq": scope.decision_seq,
                        "cases": list(scope.cases),
                        "sha256": item.sha256,
                        "size_bytes": item.size_bytes,
                        "pages": item.pages,
                        "issuing_body": scope.issuing_body,
                    },
                ),
            )
            session.add(
                IssuedDocument(
                    code=item.code,
                    kind=str(scope.kind),
                    county_code=scope.county_code,
                    region_code=scope.region_code,
                    case_id=scope.case_id,
                    decision_seq=scope.decision_seq,
                    subject=scope.subject,
                    cases=len(scope.cases),
                    issuing_body=scope.issuing_body,
                    sha256=item.sha256,
                    size_bytes=item.size_bytes,
                    pages=item.pages,
                    issued_by_id=actor.user_id,
                    issued_by=actor.username,
                    role=str(actor.role),
                    issued_at=now,
                    ledger_seq=seq,
                )
            )
        uow.commit()


def find_issued(session: Session, code: str) -> IssuedDocument | None:
    """The issued document with this verification code."""
    return session.scalar(select(IssuedDocument).where(IssuedDocument.code == code))


def issued_with_hash(session: Session, sha256: str) -> IssuedDocument | None:
    """An issued document whose PDF has exactly this SHA-256."""
    return session.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == sha256).limit(1))


def issued_for_case(session: Session, case_id: int) -> Sequence[IssuedDocument]:
    """The documents issued for a case, newest first."""
    return session.scalars(
        select(IssuedDocument)
        .where(IssuedDocument.case_id == case_id)
        .order_by(IssuedDocument.id.desc())
    ).all()
