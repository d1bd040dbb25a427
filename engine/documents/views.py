"""What a printed document shows: plain, whitelisted data built for that document alone.

Templates render these and nothing else. A public document (公示, 公布) is
built from its view model only, never from ORM objects, so that no field a
notice must not show (ID numbers, phones, bank accounts, illnesses, other
members' names) can reach a template by accident. ``DocumentScope`` says what
the issuance record needs to know about a document and is never rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class DocumentKind(StrEnum):
    """Every kind of document doudi prints."""

    NOTICE = "notice"  # 公示 (Art. 19; TK Art. 15)
    PUBLICATION = "publication"  # 公布 (Art. 24)
    APPROVAL = "approval"  # 审核确认通知书 (Art. 21)
    REJECTION = "rejection"  # 不予确认决定书 (Art. 21, 38)
    TERMINATION = "termination"  # 终止决定书 (Art. 33, 38)
    ADJUSTMENT = "adjustment"  # 调整决定书 (Art. 32)
    PHASE_OUT = "phase_out"  # 渐退通知书 (2022 notice)
    DOSSIER = "dossier"  # 案卷 for inspectors


#: documents posted in the village for anyone to read
PUBLIC_KINDS = frozenset({DocumentKind.NOTICE, DocumentKind.PUBLICATION})
#: decision letters to the applicant
LETTER_KINDS = (
    DocumentKind.APPROVAL,
    DocumentKind.REJECTION,
    DocumentKind.TERMINATION,
    DocumentKind.ADJUSTMENT,
    DocumentKind.PHASE_OUT,
)


@dataclass(frozen=True)
class Issuer:
    """The body that signs a document, and where people turn to it."""

    authority: str
    office: str
    phone: str


@dataclass(frozen=True)
class AppealRoute:
    """Where and within how long a decision can be challenged (Art. 38)."""

    reconsideration_body: str
    reconsideration_days: int
    court: str
    litigation_months: int


@dataclass(frozen=True)
class StandardLine:
    """A standard in force, printed on a notice for reference."""

    category: str  # dibao | tekun (single-person coverage uses dibao's)
    area_type: str
    monthly_yuan: Decimal
    effective_from: dt.date


@dataclass(frozen=True)
class NoticeRow:
    """One household on a notice or publication: nothing but what Art. 24 allows."""

    name: str
    members: int
    category: str
    monthly_yuan: Decimal
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@dataclass(frozen=True)
class VillageDocument:
    """A public notice (公示) or standing publication (公布) for one village."""

    kind: DocumentKind
    county_name: str
    township_name: str
    village_code: str
    village_name: str
    rows: tuple[NoticeRow, ...]
    standards: tuple[StandardLine, ...]
    #: the signer: the township for a notice, the county for a publication
    issuer: Issuer
    #: the county civil-affairs office people may also turn to (监督)
    supervisor: Issuer
    issued_on: dt.date
    notice_days: int
    full_names: bool


@dataclass(frozen=True)
class AmountLine:
    """One line of how a monthly amount was reached, at household level.

    ``code`` is one of standard_total, tekun_standard_total, counted_income,
    base, sanction, supplement, rounding, monthly; the letter's template words it.
    Each figure is to the fen and the lines add up to the monthly amount.
    """

    code: str
    amount_yuan: Decimal
    standard_yuan: Decimal | None = None
    members: int | None = None
    #: the rounding rule of a ``rounding`` line (yuan, jiao, fen; None: not known)
    rule: str | None = None


@dataclass(frozen=True)
class DecisionLetter:
    """A decision letter to the applicant, stating one decision of record."""

    kind: DocumentKind
    category: str
    case_id: int
    #: the audit entry that records the decision: its place in the case's chain and hash
    decision_seq: int
    decision_hash: str
    decided_on: dt.date
    addressee: str
    county_name: str
    township_name: str
    village_name: str
    applied_on: dt.date | None
    reason: str
    monthly_yuan: Decimal | None
    previous_monthly_yuan: Decimal | None
    members: int | None
    lines: tuple[AmountLine, ...]
    first_month: dt.date | None
    next_recheck_on: dt.date | None
    recheck_months: int | None
    phase_out_months: int | None
    phase_out_last_month: dt.date | None
    #: the county's number of the decision (None for decisions recorded before numbering)
    document_number: str | None
    appeal: AppealRoute
    issuer: Issuer
    township_issuer: Issuer
    issued_on: dt.date


@dataclass(frozen=True)
class DocumentScope:
    """What the issuance record keeps about a document (never rendered)."""

    kind: DocumentKind
    county_code: str
    region_code: str
    #: what the public verification page may show: a village's name or a masked name
    subject: str
    issuing_body: str
    cases: tuple[int, ...] = ()
    case_id: int | None = None
    decision_seq: int | None = None
