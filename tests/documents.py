"""Builders for document tests: view models without a database, and reading PDFs back."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from pypdf import PdfReader

from admin.documents.render import RenderJob, Verification
from engine.documents.views import (
    AmountLine,
    AppealRoute,
    DecisionLetter,
    DocumentKind,
    Issuer,
    NoticeRow,
    StandardLine,
    VillageDocument,
)

TOWNSHIP = Issuer("童家镇人民政府", "童家镇社会事务办公室", "028-0000 0121")
COUNTY = Issuer("乐至县民政局", "乐至县民政局社会救助股", "028-0000 0100")
APPEAL = AppealRoute("乐至县人民政府", 60, "乐至县人民法院", 6)
ISSUED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def notice(
    rows: int = 3, kind: DocumentKind = DocumentKind.NOTICE, **row: object
) -> VillageDocument:
    """A village notice (or publication) listing ``rows`` households."""
    first, last = dt.date(2026, 3, 3), dt.date(2026, 3, 9)
    listed = tuple(
        NoticeRow(
            name=str(row.get("name", f"王*{i}")),
            members=int(row.get("members", 3)),  # type: ignore[call-overload]
            category=str(row.get("category", "dibao")),
            monthly_yuan=Decimal(str(row.get("monthly_yuan", "533.00"))),
            first_day=first if kind == DocumentKind.NOTICE else None,
            last_day=last if kind == DocumentKind.NOTICE else None,
        )
        for i in range(rows)
    )
    return VillageDocument(
        kind=kind,
        county_name="乐至县",
        township_name="童家镇",
        village_code="512022101201",
        village_name="白塔村",
        rows=listed,
        standards=(StandardLine("dibao", "rural", Decimal("533.00"), dt.date(2024, 1, 1)),),
        issuer=TOWNSHIP if kind == DocumentKind.NOTICE else COUNTY,
        supervisor=COUNTY,
        issued_on=dt.date(2026, 3, 2),
        notice_days=7,
        full_names=False,
    )


def letter(kind: DocumentKind, **changes: object) -> DecisionLetter:
    """A decision letter of ``kind`` for a household of three."""
    values: dict[str, object] = {
        "kind": kind,
        "category": "dibao",
        "case_id": 17,
        "decision_seq": 9,
        "decision_hash": "ab" * 32,
        "decided_on": dt.date(2026, 3, 20),
        "addressee": "王建国",
        "county_name": "乐至县",
        "township_name": "童家镇",
        "village_name": "白塔村",
        "applied_on": dt.date(2026, 2, 2),
        "reason": "家庭人均收入超过当地保障标准",
        "monthly_yuan": Decimal("899.00"),
        "previous_monthly_yuan": Decimal("1099.00"),
        "members": 3,
        "lines": (
            AmountLine("standard_total", Decimal("1599.00"), Decimal("533.00"), 3),
            AmountLine("counted_income", Decimal("700.00")),
            AmountLine("base", Decimal("899.00")),
            AmountLine("monthly", Decimal("899.00")),
        ),
        "first_month": dt.date(2026, 4, 1),
        "next_recheck_on": dt.date(2027, 3, 20),
        "recheck_months": 12,
        "phase_out_months": 6,
        "phase_out_last_month": dt.date(2026, 9, 1),
        "document_number": "512022-2026-000017",
        "appeal": APPEAL,
        "issuer": COUNTY,
        "township_issuer": TOWNSHIP,
        "issued_on": dt.date(2026, 3, 21),
    }
    values.update(changes)
    return DecisionLetter(**values)  # type: ignore[arg-type]


def job(kind: DocumentKind, document: object, code: str = "7KQ2M9XD4HTP") -> RenderJob:
    """A render job with a fixed verification code."""
    return RenderJob(
        kind=kind,
        document=document,
        verification=Verification(code, f"https://dibao.example.gov.cn/verify/{code}", ISSUED_AT),
        timezone="Asia/Shanghai",
    )


def pages_text(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The text of a whole PDF, with line breaks and spaces removed (CJK text wraps anywhere)."""
    return "".join("".join(pages_text(data)).split())
