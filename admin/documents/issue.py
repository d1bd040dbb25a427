"""Issuing documents: build the view model, print it, record it, hand back the PDF.

Every entry point (API, UI, CLI) issues through here, so that every printed
document carries a verification code and is recorded (kind, scope, SHA-256,
who, when) in the same way. A document is recorded only after it printed;
if the record cannot be written, no PDF is handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from admin.documents.fonts import FontProblem, ensure_cjk_font, missing_characters
from admin.documents.render import RenderJob, Verification, render_pdf, texts_of
from admin.runtime import Runtime
from audit.checkpoints import latest_checkpoint
from audit.dossier import case_dossier
from audit.issued import IssuedPdf, new_code, record_issued
from audit.letters import decision_letter
from audit.recorder import log_access
from engine.clock import local_date
from engine.documents.notices import village_document, village_documents
from engine.documents.views import DocumentKind, DocumentScope
from engine.errors import InvalidData, Problem
from engine.ports import Actor


@dataclass(frozen=True)
class Prepared:
    """A document ready to print: its view model and what its record will hold."""

    kind: DocumentKind
    document: Any
    scope: DocumentScope


@dataclass(frozen=True)
class IssuedFile:
    """A printed and recorded document."""

    data: bytes
    code: str
    pages: int
    scope: DocumentScope

    @property
    def filename(self) -> str:
        """The file's name: ``<village>-<kind>.pdf``, or ``case-<id>-<kind>.pdf``."""
        if self.scope.case_id is not None:
            return f"case-{self.scope.case_id}-{self.scope.kind.value}.pdf"
        return f"{self.scope.region_code}-{self.scope.kind.value}.pdf"


def verification_url(rt: Runtime, code: str) -> str:
    """The public page that checks a document."""
    return f"{rt.settings.public_url}/verify/{code}"


def jobs_for(rt: Runtime, prepared: Sequence[Prepared]) -> list[RenderJob]:
    """Give each document a fresh verification code; refuse characters no font can print."""
    ensure_printable(prepared)
    issued_at = rt.clock.now().astimezone(rt.clock.tz)
    with rt.reader() as uow:
        latest = latest_checkpoint(uow.session)
    # the document witnesses the latest signed checkpoint: a reader can match its root with
    # the one the inspectors keep
    witnessed = (
        f"第{latest.seq}号 {latest.at.astimezone(rt.clock.tz):%Y-%m-%d %H:%M} 根哈希 {latest.root}"
        if latest is not None
        else None
    )
    jobs = []
    for item in prepared:
        code = new_code()
        jobs.append(
            RenderJob(
                kind=item.kind,
                document=item.document,
                verification=Verification(
                    code, verification_url(rt, code), issued_at, checkpoint=witnessed
                ),
                timezone=str(rt.clock.tz),
            )
        )
    return jobs


def ensure_printable(prepared: Sequence[Prepared]) -> None:
    """Refuse, before anything is printed, text that no installed font has glyphs for."""
    try:
        ensure_cjk_font()
    except FontProblem as err:
        raise InvalidData(str(err), str(err), code="font_missing") from None
    problems = []
    for item in prepared:
        for char in missing_characters(texts_of(item.document)):
            where = item.scope.subject
            problems.append(
                Problem(
                    code="character_unprintable",
                    message=f"{where}：字符“{char}”（U+{ord(char):04X}）没有可用字体，无法印制",
                    message_en=f"{where}: no installed font has the character U+{ord(char):04X}",
                    field="text",
                    context={"character": f"U+{ord(char):04X}", "case_ids": list(item.scope.cases)},
                )
            )
    if problems:
        raise InvalidData(
            "文书中有字符无法印制：请安装含该字的字体（如 fonts-hanazono）或核对姓名",
            "some characters cannot be printed: install a font that has them "
            "(e.g. fonts-hanazono) or check the names",
            code="character_unprintable",
            problems=problems,
        )


def record(
    rt: Runtime, actor: Actor, jobs: Sequence[RenderJob], files: Sequence[IssuedFile]
) -> None:
    """Record the printed documents as issued, all in one transaction."""
    record_issued(
        rt.uow(),
        actor,
        [
            IssuedPdf(
                scope=f.scope,
                code=job.verification.code,
                sha256=hashlib.sha256(f.data).hexdigest(),
                size_bytes=len(f.data),
                pages=f.pages,
            )
            for job, f in zip(jobs, files, strict=True)
        ],
    )


def print_and_record(rt: Runtime, actor: Actor, prepared: Prepared) -> IssuedFile:
    """Print one document in this process and record it as issued."""
    (job,) = jobs_for(rt, [prepared])
    pdf = render_pdf(job)
    issued = IssuedFile(pdf.data, job.verification.code, pdf.pages, prepared.scope)
    record(rt, actor, [job], [issued])
    return issued


def _today(rt: Runtime) -> dt.date:
    return local_date(rt.clock.now(), rt.clock.tz)


def prepare_village_documents(
    rt: Runtime, actor: Actor, region_code: str, kind: str
) -> list[Prepared]:
    """The notices or publications of every village of a region that has such cases."""
    with rt.reader() as uow:
        found = village_documents(
            uow.session,
            actor,
            region_code,
            kind,
            today=_today(rt),
            rules=rt.rules,
            tz=rt.clock.tz,
        )
    return [Prepared(doc.kind, doc, scope) for doc, scope in found]


def issue_village_document(rt: Runtime, actor: Actor, village_code: str, kind: str) -> IssuedFile:
    """The notice (公示) or publication (公布) of one village, printed and recorded."""
    with rt.reader() as uow:
        doc, scope = village_document(
            uow.session,
            actor,
            village_code,
            kind,
            today=_today(rt),
            rules=rt.rules,
            tz=rt.clock.tz,
        )
    return print_and_record(rt, actor, Prepared(doc.kind, doc, scope))


def issue_letter(
    rt: Runtime, actor: Actor, case_id: int, kind: str, channel: str = "api"
) -> IssuedFile:
    """A decision letter of the case, printed and recorded; the read of the applicant's name,
    incomes and amounts it prints is logged like any other."""
    with rt.reader() as uow:
        letter, scope = decision_letter(
            uow.session,
            actor,
            case_id,
            kind,
            today=_today(rt),
            rules=rt.rules,
            tz=rt.clock.tz,
        )
    _log_read(rt, actor, "print_letter", channel, case_id)
    return print_and_record(rt, actor, Prepared(letter.kind, letter, scope))


def _log_read(rt: Runtime, actor: Actor, action: str, channel: str, case_id: int) -> None:
    """Log a read of a case's personal data in a transaction of its own (it stands even if
    printing then fails)."""
    with rt.uow() as uow:
        log_access(
            uow.session, actor, action=action, channel=channel, at=rt.clock.now(), case_id=case_id
        )
        uow.commit()


def issue_dossier(rt: Runtime, actor: Actor, case_id: int, channel: str) -> IssuedFile:
    """The case's whole file for inspectors, printed and recorded.

    The read of personal data is logged as soon as the file is read, whether
    or not printing then succeeds.
    """
    with rt.reader() as uow:
        dossier, scope = case_dossier(uow.session, actor, case_id, rt.clock.now(), rt.clock.tz)
    _log_read(rt, actor, "print_dossier", channel, case_id)
    return print_and_record(rt, actor, Prepared(DocumentKind.DOSSIER, dossier, scope))
