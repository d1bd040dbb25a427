"""Reads shared by the API and the UI: a case as a user sees it, and its verified trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from admin.extensions import runtime
from admin.files import AttachmentMissing, StoredFile
from audit.chain import ChainBreak, StoredEntry, verify_chain
from audit.recorder import case_entries, log_access, log_reads, stored_entry
from engine import case_view, queries
from engine.case_view import CaseDetail
from engine.errors import Conflict
from engine.models import KinshipFiling, User
from engine.next_step import NextStep, case_next_step
from engine.ports import Actor
from engine.privacy import Disclosure
from engine.queries import StaffName
from engine.search import PER_PAGE, SearchPage, case_ids, search_cases
from engine.services.case_deadlines import deadlines_of


def read_case(actor: Actor, case_id: int, channel: str) -> CaseDetail:
    """Read the case as ``actor`` sees it; log the read when it shows personal data."""
    rt = runtime()
    with rt.reader() as uow:
        detail = case_view.case_detail(uow, actor, case_id)
    if detail.personal_data_shown:
        with rt.uow() as uow:
            log_access(
                uow.session,
                actor,
                action="view_case",
                channel=channel,
                at=rt.clock.now(),
                case_id=case_id,
                household_id=detail.household_id,
            )
            uow.commit()
    return detail


def read_attachment(actor: Actor, case_id: int, attachment_id: int, channel: str) -> StoredFile:
    """A file attached to the case's investigation, checked against its SHA-256; the read is
    logged (only readers who see personal data may have it)."""
    rt = runtime()
    with rt.reader() as uow:
        row, household_id = case_view.attachment_of(uow.session, actor, case_id, attachment_id)
    try:
        data = rt.attachments.read(row.sha256)
    except AttachmentMissing:
        raise Conflict(
            "附件文件缺失或与存档的哈希值不符，请联系系统管理员",
            "the attached file is missing or no longer matches its recorded hash; "
            "tell the administrator",
            code="attachment_unavailable",
            details={"sha256": row.sha256},
        ) from None
    with rt.uow() as uow:
        log_access(
            uow.session,
            actor,
            action="download_attachment",
            channel=channel,
            at=rt.clock.now(),
            case_id=case_id,
            household_id=household_id,
        )
        uow.commit()
    return StoredFile(row.sha256, row.media_type, row.file_name, data)


def case_trail(
    actor: Actor, case_id: int, log_as: tuple[str, str] | None = None
) -> tuple[list[StoredEntry], ChainBreak | None]:
    """The case's audit entries in order, and the first break of its chain (None: intact).

    ``log_as`` (action, channel) records the read when the reader sees personal data
    (the case page leaves it out: its read of the case is logged already).
    """
    with runtime().reader() as uow:
        case = queries.visible_case(uow.session, actor, case_id)
        stored = [stored_entry(r) for r in case_entries(uow.session, case_id)]
        head_seq, head_hash = case.chain_seq, case.chain_head
    if log_as is not None:
        record_reads(actor, log_as[0], log_as[1], [case_id])
    return stored, verify_chain(f"case {case_id}", stored, head_seq, head_hash)


def next_step(actor: Actor, case_id: int) -> NextStep:
    """What happens next on the case, who does it and by when (as after a step just taken)."""
    with runtime().reader() as uow:
        case = queries.visible_case(uow.session, actor, case_id)
        return case_next_step(uow, case, actor, deadlines_of(uow, case))


def staff_names(usernames: Collection[str]) -> dict[str, StaffName]:
    """User name -> display name and role for the staff a page names (one query)."""
    with runtime().reader() as uow:
        return queries.staff_names(uow.session, usernames)


def search(
    actor: Actor, q: str | None, channel: str, page: int = 1, per_page: int = PER_PAGE
) -> SearchPage:
    """Search the actor's region for cases by ID number, its tail or a name (API and UI alike);
    a page of results is logged as a read of its cases, masked or not: a hit on a known ID
    number tells even a masked reader that the person is on assistance."""
    with runtime().reader() as uow:
        found = search_cases(uow.session, actor, q, page=page, per_page=per_page)
    record_reads(actor, "search_cases", channel, case_ids(found), masked_too=True)
    return found


def record_reads(
    actor: Actor,
    action: str,
    channel: str,
    case_ids: Collection[int | None],
    masked_too: bool = False,
) -> None:
    """Log a read of these cases' personal data, when the reader sees it unmasked (or, with
    ``masked_too``, whenever what they see tells them something about the people)."""
    if (not Disclosure(actor).full and not masked_too) or not case_ids:
        return
    rt = runtime()
    with rt.uow() as uow:
        log_reads(
            uow.session, actor, action=action, channel=channel, at=rt.clock.now(), case_ids=case_ids
        )
        uow.commit()


@dataclass(frozen=True)
class FilingRow:
    """A kinship filing of the case as the case page lists it."""

    filed_at: dt.datetime
    filed_by: str
    note: str


def case_filings(actor: Actor, case_id: int) -> list[FilingRow]:
    """The case's kinship filings (备案), oldest first."""
    with runtime().reader() as uow:
        queries.visible_case(uow.session, actor, case_id)
        rows = uow.session.execute(
            select(KinshipFiling.filed_at, User.username, KinshipFiling.note)
            .join(User, User.id == KinshipFiling.filed_by_id)
            .where(KinshipFiling.case_id == case_id)
            .order_by(KinshipFiling.id)
        ).all()
    return [FilingRow(at, by, note) for at, by, note in rows]
