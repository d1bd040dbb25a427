"""Documents printed by WeasyPrint from their view models, read back from the PDF."""

from __future__ import annotations

import dataclasses
import io

import pytest
import segno
from markupsafe import escape
from pypdf import PdfReader

from admin.documents.render import (
    FETCHER,
    date_zh,
    month_zh,
    render_html,
    render_pdf,
    texts_of,
    yuan,
)
from audit.issued import code_in_pdf
from engine.documents.views import LETTER_KINDS, DocumentKind
from tests.documents import job, letter, notice, pages_text, pdf_text


def test_a_notice_shows_what_art_19_asks_and_how_to_object() -> None:
    pdf = render_pdf(job(DocumentKind.NOTICE, notice(rows=2)))
    text = pdf_text(pdf.data)
    assert "社会救助审核意见公示" in text and "乐至县童家镇白塔村" in text
    assert "王*0" in text and "王*1" in text and "低保" in text and "533.00" in text
    assert "公示期为7天，自2026年3月3日至2026年3月9日" in text  # the first day is not counted
    assert "童家镇社会事务办公室" in text and "028-00000121" in text  # where to object
    assert "乐至县民政局" in text and "028-00000100" in text  # and to whom else
    assert text.count("童家镇人民政府") >= 1 and "2026年3月2日" in text  # issuing body, date
    assert "农村最低生活保障标准每人每月533.00元" in text
    assert "7KQ2-M9XD-4HTP" in text and "https://dibao.example.gov.cn/verify/7KQ2M9XD4HTP" in text


def test_the_pdf_identifier_carries_the_verification_code() -> None:
    pdf = render_pdf(job(DocumentKind.NOTICE, notice(rows=1), code="ABCDEFGHJKMN"))
    assert code_in_pdf(pdf.data) == "ABCDEFGHJKMN"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert reader.metadata is not None and "ABCD-EFGH-JKMN" in str(reader.metadata.get("/Keywords"))


def test_the_qr_code_points_at_the_verification_page() -> None:
    printed = job(DocumentKind.NOTICE, notice(rows=1), code="ABCDEFGHJKMN")
    expected = segno.make("https://dibao.example.gov.cn/verify/ABCDEFGHJKMN", error="m")
    assert printed.verification.qr_data_uri() == expected.svg_data_uri(scale=4, border=0)
    html = render_html(printed)
    assert f'src="{escape(expected.svg_data_uri(scale=4, border=0))}"' in html


def test_a_300_row_notice_repeats_its_header_and_numbers_its_pages() -> None:
    pdf = render_pdf(job(DocumentKind.NOTICE, notice(rows=300)))
    pages = pages_text(pdf.data)
    assert pdf.pages == len(pages) > 5
    for number, page in enumerate(pages, start=1):
        flat = "".join(page.split())
        assert "序号申请人保障人数救助类别拟保障金额（元/月）" in flat  # the header on every page
        assert f"第{number}页/共{pdf.pages}页" in flat
        assert "核验码7KQ2-M9XD-4HTP" in flat  # every page names its document
    text = pdf_text(pdf.data)
    assert all(f"王*{i}" in text for i in range(300))


def test_a_notice_with_periods_of_their_own_lists_each() -> None:
    document = notice(rows=2)
    later = dataclasses.replace(
        document.rows[1],
        first_day=document.rows[1].first_day.replace(day=5),  # type: ignore[union-attr]
        last_day=document.rows[1].last_day.replace(day=11),  # type: ignore[union-attr]
    )
    document = dataclasses.replace(document, rows=(document.rows[0], later))
    text = pdf_text(render_pdf(job(DocumentKind.NOTICE, document)).data)
    assert "各户公示期见下表" in text
    assert "2026年3月3日至2026年3月9日" in text and "2026年3月5日至2026年3月11日" in text


def test_a_publication_lists_enrolled_households_with_totals() -> None:
    document = notice(rows=4, kind=DocumentKind.PUBLICATION, monthly_yuan="400.50", members=2)
    text = pdf_text(render_pdf(job(DocumentKind.PUBLICATION, document)).data)
    assert "社会救助对象公布" in text and "第二十四条" in text
    assert "合计4户" in text and "8人" in text and "1602.00" in text
    assert "乐至县民政局" in text and "举报" in text


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_every_letter_names_the_appeal_route_and_its_record(kind: DocumentKind) -> None:
    text = pdf_text(render_pdf(job(kind, letter(kind))).data)
    assert "王建国：" in text  # addressed to the applicant
    assert "60日内向乐至县人民政府申请行政复议" in text
    assert "6个月内向乐至县人民法院提起行政诉讼" in text
    assert "案件17审计链第9条" in text and "ab" * 32 in text
    assert "乐至县民政局" in text and "2026年3月20日" in text


def test_an_approval_states_amount_breakdown_first_month_and_recheck() -> None:
    text = pdf_text(render_pdf(job(DocumentKind.APPROVAL, letter(DocumentKind.APPROVAL))).data)
    assert "最低生活保障审核确认通知书" in text
    assert "决定自2026年4月起按月发放899.00元，保障人数3人" in text
    assert "保障标准533.00元/人·月×3人1599.00元" in text
    assert "减：家庭月计入收入700.00元" in text and "月发放金额899.00元" in text
    assert "2027年3月20日前后" in text and "每12个月核查一次" in text


def test_a_rejection_and_a_termination_give_their_written_reasons() -> None:
    for kind, title in (
        (DocumentKind.REJECTION, "不予确认最低生活保障决定书"),
        (DocumentKind.TERMINATION, "终止最低生活保障决定书"),
    ):
        text = pdf_text(render_pdf(job(kind, letter(kind, reason="家庭存款超过规定"))).data)
        assert title in text and "理由：家庭存款超过规定" in text


def test_an_adjustment_and_a_phase_out_state_old_and_new_amounts() -> None:
    adjusted = pdf_text(
        render_pdf(job(DocumentKind.ADJUSTMENT, letter(DocumentKind.ADJUSTMENT))).data
    )
    assert "由1099.00元调整为899.00元" in adjusted
    phase = letter(DocumentKind.PHASE_OUT, monthly_yuan=letter(DocumentKind.PHASE_OUT).monthly_yuan)
    text = pdf_text(render_pdf(job(DocumentKind.PHASE_OUT, phase)).data)
    assert "给予6个月渐退期（至2026年9月）" in text and "按月发放899.00元" in text


def test_a_tekun_letter_names_its_scheme() -> None:
    tekun = letter(DocumentKind.APPROVAL, category="tekun")
    assert "特困人员救助供养审核确认通知书" in pdf_text(
        render_pdf(job(DocumentKind.APPROVAL, tekun)).data
    )


def test_long_names_and_rare_characters_are_printed() -> None:
    long_name = "阿依古丽" * 10  # 40 characters
    text = pdf_text(
        render_pdf(
            job(DocumentKind.APPROVAL, letter(DocumentKind.APPROVAL, addressee=long_name))
        ).data
    )
    assert long_name in text
    rare = pdf_text(render_pdf(job(DocumentKind.NOTICE, notice(rows=1, name="刘*䶮"))).data)
    assert "刘*䶮" in rare
    rarer = pdf_text(render_pdf(job(DocumentKind.NOTICE, notice(rows=1, name="王*𠀀"))).data)
    assert "王*𠀀" in rarer


def test_markup_in_data_is_printed_as_text_and_nothing_is_fetched() -> None:
    hostile = '<img src="http://example.com/x.png">'
    text = pdf_text(render_pdf(job(DocumentKind.NOTICE, notice(rows=1, name=hostile))).data)
    assert "<img" in text and "example.com/x.png" in text  # printed, not interpreted
    with pytest.raises(ValueError, match="disallowed protocol"):
        FETCHER.fetch("http://example.com/x.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        FETCHER.fetch("file:///etc/passwd")


def test_texts_of_finds_every_string_of_a_view_model() -> None:
    found = list(texts_of(notice(rows=2)))
    assert "白塔村" in found and "王*1" in found and "童家镇社会事务办公室" in found


def test_amounts_and_dates_print_as_chinese_documents_write_them() -> None:
    import datetime as dt
    from decimal import Decimal

    assert yuan(Decimal("533")) == "533.00" and yuan(None) == ""
    assert date_zh(dt.date(2026, 3, 2)) == "2026年3月2日"
    assert month_zh(dt.date(2026, 4, 1)) == "2026年4月"


def test_long_unbroken_runs_get_break_opportunities_and_hashes_stay_whole() -> None:
    """A 10,000-letter run without spaces took seconds to lay out per table cell."""
    from admin.documents.render import SOFT_BREAK_EVERY, soft_breaks

    digest = "a" * 64
    assert soft_breaks(digest) == digest
    assert soft_breaks("调查" * 5000) == "调查" * 5000  # CJK breaks anywhere already
    broken = soft_breaks("x" * 1000)
    assert isinstance(broken, str) and broken.replace("\u200b", "") == "x" * 1000
    assert max(len(part) for part in broken.split("\u200b")) == SOFT_BREAK_EVERY
    assert soft_breaks(7) == 7
