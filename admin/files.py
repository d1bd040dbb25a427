"""The attachment store: investigation photos and scans in a folder, named by their SHA-256.

``<root>/<first two hex digits>/<sha256>``. A file is first written under
``<root>/.staging/`` (same file system, so publishing is one atomic rename)
while the record that names it is committed; a record that fails discards it.
A file already kept (the same bytes attached before) is left as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, request

from engine.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS

_SHA256 = re.compile(r"[0-9a-f]{64}")
STAGING = ".staging"


class AttachmentMissing(Exception):
    """The file the record names is not in the store, or its bytes no longer match its hash."""


@dataclass(frozen=True)
class StoredFile:
    """A kept file with what its record says of it."""

    sha256: str
    media_type: str
    file_name: str
    data: bytes = field(repr=False)


def attachment_response(f: StoredFile) -> Response:
    """The file for a browser or client: a photo shown, a PDF saved; no cache keeps it."""
    response = Response(f.data, mimetype=f.media_type)
    disposition = "inline" if f.media_type.startswith("image/") else "attachment"
    response.headers.set("Content-Disposition", disposition, filename=f.file_name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["ETag"] = f'"{f.sha256}"'
    return response


class FileStore:
    """Attachments kept in a folder (``DOUDI_ATTACHMENTS_PATH``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the file with this SHA-256 is kept."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def stage(self, sha256: str, data: bytes) -> str:
        """Write the bytes to the staging folder (flushed to disk); return the token."""
        self.path_of(sha256)  # refuse a malformed name before writing anything
        staging = self.root / STAGING
        staging.mkdir(parents=True, exist_ok=True)
        path = staging / f"{sha256}.{secrets.token_hex(8)}"
        with path.open("xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return str(path)

    def publish(self, token: str, sha256: str) -> None:
        """Move the staged file to its place (or drop it when the same bytes are kept there)."""
        staged = self._staged(token)
        final = self.path_of(sha256)
        if final.exists():
            staged.unlink(missing_ok=True)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)

    def discard(self, token: str) -> None:
        """Remove a staged file."""
        self._staged(token).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        """The kept file's bytes, checked against their SHA-256."""
        try:
            data = self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            raise AttachmentMissing(f"attachment {sha256} is not in the store") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise AttachmentMissing(f"attachment {sha256} no longer matches its hash")
        return data

    def _staged(self, token: str) -> Path:
        path = Path(token)
        if path.parent != self.root / STAGING:
            raise ValueError(f"not a staged file of this store: {token!r}")
        return path


#: the views that take attachments (endpoint names): their bodies may be larger
UPLOAD_ENDPOINTS = frozenset({"case.investigate", "api.create_investigation"})


def upload_body_limit(max_body_bytes: int) -> int:
    """The largest body a view that takes attachments reads: the form (or JSON) as any other,
    and every file allowed at its largest, base64-encoded (a third larger) as the API sends it."""
    files = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES
    return max_body_bytes + files * 4 // 3 + 64 * 1024


def register_uploads(app: Flask) -> None:
    """Let the views that take attachments read bodies up to ``upload_body_limit``; every other
    request keeps ``DOUDI_MAX_BODY_BYTES``. Registered before any hook that reads a form."""
    limit = upload_body_limit(int(app.config["MAX_CONTENT_LENGTH"]))

    @app.before_request
    def allow_uploads() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = limit
