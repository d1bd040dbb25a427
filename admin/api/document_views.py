"""API v1: printed documents (decision letters, dossiers, village notices) as PDFs.

Each request issues a new document: it is printed, recorded (its SHA-256 in
the county's documents ledger) and answered with its verification code in
``X-Doudi-Verification-Code``.
"""

from __future__ import annotations

from flask import Response

from admin.api.common import route, signed_in
from admin.documents.issue import issue_dossier, issue_letter, issue_village_document
from admin.documents.web import PDF, pdf_response
from admin.extensions import runtime

DOCUMENT_ERRORS = (403, 404, 409, 422)


@route(
    "/cases/<int:case_id>/letters/<kind>.pdf",
    "GET",
    summary="Print a decision letter",
    tag="documents",
    responses={200: None},
    errors=DOCUMENT_ERRORS,
    media_type=PDF,
)
def case_letter(case_id: int, kind: str) -> tuple[Response, int]:
    """The letter stating the case's latest decision of ``kind``: approval, rejection,
    termination, adjustment or phase_out (staff and inspectors of the case's region).
    409 when the case has no such decision; 404 for an unknown kind."""
    return pdf_response(issue_letter(runtime(), signed_in(), case_id, kind)), 200


@route(
    "/cases/<int:case_id>/dossier.pdf",
    "GET",
    summary="Print a case's dossier",
    tag="documents",
    responses={200: None},
    errors=DOCUMENT_ERRORS,
    media_type=PDF,
)
def case_dossier(case_id: int) -> tuple[Response, int]:
    """The case's whole file with its audit trail and the chain's verification (inspectors and
    staff of the case's region); the read of personal data is logged."""
    return pdf_response(issue_dossier(runtime(), signed_in(), case_id, "api")), 200


@route(
    "/villages/<code>/notice.pdf",
    "GET",
    summary="Print a village's public notice",
    tag="documents",
    responses={200: None},
    errors=DOCUMENT_ERRORS,
    media_type=PDF,
)
def village_notice(code: str) -> tuple[Response, int]:
    """The 7-day public notice (公示) of every case of the village now in notice, names masked.
    409 when none is in notice."""
    return pdf_response(issue_village_document(runtime(), signed_in(), code, "notice")), 200


@route(
    "/villages/<code>/publication.pdf",
    "GET",
    summary="Print a village's publication",
    tag="documents",
    responses={200: None},
    errors=DOCUMENT_ERRORS,
    media_type=PDF,
)
def village_publication(code: str) -> tuple[Response, int]:
    """The standing publication (公布) of the village's enrolled cases, names masked.
    409 when none is enrolled."""
    return pdf_response(issue_village_document(runtime(), signed_in(), code, "publication")), 200
