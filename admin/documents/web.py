"""Handing a printed document to a browser or an API client."""

from __future__ import annotations

from flask import Response

from admin.documents.issue import IssuedFile
from audit.issued import display_code

PDF = "application/pdf"


def pdf_response(issued: IssuedFile) -> Response:
    """The document as an inline PDF that no cache keeps, with its verification code."""
    response = Response(issued.data, mimetype=PDF)
    response.headers["Content-Disposition"] = f'inline; filename="{issued.filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Doudi-Verification-Code"] = display_code(issued.code)
    return response
