"""The public verification page: was this document issued, when, by whom, and is it unchanged?

Anyone holding a printed notice or letter reaches ``/verify/<code>`` through
its QR code. The page shows the record (kind, issuing body, time, SHA-256,
pages) and the village's name or the masked name it was issued for, never
more; a reader may also upload the PDF to compare its bytes with the record.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.documents.labels import label
from admin.extensions import runtime
from audit.issued import display_code, find_issued, normalize_code

bp = Blueprint("verification", __name__)
#: a PDF uploaded for comparison may be larger than an API request body
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@bp.get("/verify")
def lookup() -> ResponseReturnValue:
    """A form to type the code printed on a document."""
    typed = request.args.get("code", "")
    if typed:
        code = normalize_code(typed)
        if code is not None:
            return redirect(url_for(".document", code=code))
        return render_template("verify.html", record=None, typed=typed, invalid=True), 404
    return render_template("verify.html", record=None, typed="", invalid=False)


@bp.route("/verify/<code>", methods=["GET", "POST"])
def document(code: str) -> ResponseReturnValue:
    """What the record says about the document with this code; POST compares a PDF with it."""
    canonical = normalize_code(code)
    rt = runtime()
    record = None
    if canonical is not None:
        with rt.reader() as uow:
            record = find_issued(uow.session, canonical)
    if record is None:
        return render_template("verify.html", record=None, typed=code, invalid=True), 404
    comparison = None
    if request.method == "POST":
        request.max_content_length = MAX_UPLOAD_BYTES
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            digest = hashlib.sha256(upload.read()).hexdigest()
            comparison = {"sha256": digest, "same": digest == record.sha256}
    issued_at = record.issued_at.astimezone(rt.clock.tz)
    return render_template(
        "verify.html",
        record=record,
        code=display_code(record.code),
        kind=label("document", record.kind),
        issued_at=issued_at,
        comparison=comparison,
        typed=code,
        invalid=False,
    )


def register_verification(app: Flask) -> None:
    """Register the public verification page."""
    app.register_blueprint(bp)
