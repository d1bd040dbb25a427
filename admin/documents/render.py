"""HTML to PDF: Jinja templates under ``templates/documents/``, printed by WeasyPrint.

Each document kind has its template, all extending one base layout (A4, page
numbers 第 N 页 / 共 M 页, Noto CJK). Templates get the document's view model
and its verification (code, QR code, link) and nothing else. The renderer
fetches nothing: stylesheets are inline and the QR code is a data URI, and
the URL fetcher refuses every other scheme, so no template can reach the
network or the file system. Rendering runs in worker processes for batches,
so it needs no Flask app and no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import segno
from weasyprint import HTML, URLFetcher

from admin.assets import asset_dir
from admin.documents.compact import compact_fonts
from admin.documents.labels import CATEGORY_TITLES, label
from audit.issued import PDF_ID_PREFIX, display_code
from engine.documents.views import DocumentKind

TEMPLATES = asset_dir("templates") / "documents"
#: data: URIs only (the QR code); http, https and file are refused
FETCHER = URLFetcher(allowed_protocols=("data",), timeout=1)


@dataclass(frozen=True)
class Verification:
    """How a reader checks a printed document: its code, and where to look it up."""

    code: str
    url: str
    issued_at: dt.datetime
    #: the latest signed checkpoint (root and time) the document witnesses, once there are any
    checkpoint: str | None = None

    @property
    def display_code(self) -> str:
        """The code as printed (three groups of four)."""
        return display_code(self.code)

    def qr_data_uri(self) -> str:
        """The verification link as a QR code (SVG, as a data URI)."""
        return str(segno.make(self.url, error="m").svg_data_uri(scale=4, border=0))


@dataclass(frozen=True)
class RenderJob:
    """One document to print: its kind, its view model, its verification."""

    kind: DocumentKind
    document: Any
    verification: Verification
    timezone: str


@dataclass(frozen=True)
class RenderedPdf:
    """A printed document."""

    data: bytes
    pages: int


def yuan(value: Decimal | None) -> str:
    """An amount as printed: two decimals, no thousands separator (533.00)."""
    return "" if value is None else f"{value:.2f}"


def date_zh(value: dt.date | None) -> str:
    """A date as Chinese documents write it: 2026年3月2日."""
    return "" if value is None else f"{value.year}年{value.month}月{value.day}日"


def month_zh(value: dt.date | None) -> str:
    """A month: 2026年4月."""
    return "" if value is None else f"{value.year}年{value.month}月"


def time_zh(value: dt.datetime | None, timezone: str) -> str:
    """A moment in the county's time: 2026年3月2日 10:05."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    return f"{date_zh(local.date())} {local:%H:%M}"


#: a run this long with no break opportunity is given some: laying out such a run costs
#: far more than text of the same length (six 10,000-letter findings in a dossier: 24 s
#: without, 7 s with a break every 100 letters)
UNBROKEN_RUN_MIN = 80
UNBROKEN_RUN = re.compile(rf"[^\s\u2e80-\u9fff\uff00-\uffef]{{{UNBROKEN_RUN_MIN},}}")
SOFT_BREAK_EVERY = 100


def soft_breaks(value: object) -> object:
    """Free text as printed (``| soft``): long runs without spaces get zero-width break
    opportunities (SHA-256 hashes, at 64 characters, are left whole)."""
    if not isinstance(value, str) or len(value) < UNBROKEN_RUN_MIN:
        return value
    return UNBROKEN_RUN.sub(
        lambda m: "\u200b".join(
            m.group(0)[i : i + SOFT_BREAK_EVERY]
            for i in range(0, len(m.group(0)), SOFT_BREAK_EVERY)
        ),
        value,
    )


@cache
def environment() -> jinja2.Environment:
    """The documents' template environment (autoescaped, strict about missing names)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        soft=soft_breaks, yuan=yuan, date_zh=date_zh, month_zh=month_zh, time_zh=time_zh
    )
    env.globals.update(label=label, category_title=CATEGORY_TITLES.get)
    return env


def render_html(job: RenderJob) -> str:
    """The document as HTML."""
    template = environment().get_template(f"{job.kind.value}.html")
    return template.render(doc=job.document, verification=job.verification, tz=job.timezone)


def render_pdf(job: RenderJob, compact: bool = True) -> RenderedPdf:
    """Print the document; its PDF file identifier carries the verification code.

    ``compact=False`` keeps WeasyPrint's own font subsets (the tests compare the two).
    """
    html = HTML(string=render_html(job), base_url=TEMPLATES.as_uri() + "/", url_fetcher=FETCHER)
    document = html.render()
    data = document.write_pdf(
        pdf_identifier=(PDF_ID_PREFIX + job.verification.code).encode(),
        finisher=compact_fonts if compact else None,
    )
    return RenderedPdf(data=data, pages=len(document.pages))


def texts_of(value: Any) -> Iterator[str]:
    """Every piece of text a view model holds (to check each character has a font)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from texts_of(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts_of(item)
