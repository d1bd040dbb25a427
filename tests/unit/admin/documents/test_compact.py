"""Compacted fonts draw exactly what WeasyPrint's own subsets draw, in a fraction of the bytes.

Each document is printed twice, with and without compaction, and every page
is rasterised by two independent PDF engines: PDFium (Chromium's) takes a
glyph code as the glyph's index, Poppler looks CID-keyed CFF glyphs up
through the font's charset. Both must see the same pixels.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from admin.documents.render import RenderJob, render_pdf
from engine.documents.views import DocumentKind
from tests.documents import job, letter, notice, pdf_text

DOCUMENTS = {
    # regular and bold Noto CJK (CFF, CID-keyed) and HanaMin (TrueType) for 𠀀
    "notice": job(DocumentKind.NOTICE, notice(rows=60, name="王*𠀀")),
    "letter": job(DocumentKind.ADJUSTMENT, letter(DocumentKind.ADJUSTMENT, addressee="刘䶮")),
}


def pdfium_pages(data: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.render(scale=1.5).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def poppler_pages(data: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "90", "-png", str(source), str(tmp_path / name)],
        check=True,
        capture_output=True,
    )
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def same(a: list[Image.Image], b: list[Image.Image]) -> bool:
    return len(a) == len(b) and all(
        ImageChops.difference(x, y).getbbox() is None for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_compacted_documents_look_and_read_the_same(name: str, tmp_path: Path) -> None:
    printed: RenderJob = DOCUMENTS[name]
    full = render_pdf(printed, compact=False).data
    small = render_pdf(printed, compact=True).data
    assert len(small) * 3 < len(full)
    assert same(pdfium_pages(full), pdfium_pages(small))
    assert same(poppler_pages(full, tmp_path, "full"), poppler_pages(small, tmp_path, "small"))
    assert pdf_text(small) == pdf_text(full)  # the ToUnicode maps follow the renumbering


def test_a_one_page_notice_weighs_tens_of_kilobytes() -> None:
    data = render_pdf(job(DocumentKind.NOTICE, notice(rows=10))).data
    assert len(data) < 100_000
    assert io.BytesIO(data).read(5) == b"%PDF-"
