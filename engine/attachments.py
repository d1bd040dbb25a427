"""Photos and scans attached to an investigation (signed forms, the household's papers).

The engine receives each file as bytes with the name it was sent under; it
decides the type from the file's first bytes (its magic number), never from
the name alone, bounds the size and the count, and names each file by its
SHA-256. Where the bytes are kept is the ``AttachmentStore`` port's business:
the store stages them before the transaction commits and publishes them only
after it has, so a refused or failed record leaves no file behind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Problem, invalid_field, raise_invalid
from engine.ports import AttachmentStore

#: at most this many files to one investigation
MAX_ATTACHMENTS = 6
#: at most this many bytes a file (a phone's photo is 2-6 MB, a scanned page less)
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
#: an original file name is kept up to this many characters
MAX_NAME_CHARS = 120

#: the accepted types, with the first bytes that identify each and the names they go by
MEDIA_TYPES: dict[str, tuple[bytes, frozenset[str]]] = {
    "image/jpeg": (b"\xff\xd8\xff", frozenset({".jpg", ".jpeg", ".jpe"})),
    "image/png": (b"\x89PNG\r\n\x1a\n", frozenset({".png"})),
    "application/pdf": (b"%PDF-", frozenset({".pdf"})),
}
#: the extension a file is given when it came without a name
DEFAULT_EXTENSION = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
#: what the refusals call the accepted types
ACCEPTED = "JPEG、PNG、PDF"

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Upload:
    """A file as it was received: the name it was sent under and its bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Attachment:
    """A checked file: its SHA-256 (its name in the store), size, type and original name."""

    sha256: str
    size: int
    media_type: str
    file_name: str
    data: bytes = field(repr=False)

    def record(self) -> dict[str, Any]:
        """What the audit entry keeps of the file (the trail proves which bytes were attached)."""
        return {
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "file_name": self.file_name,
        }


def sniff(data: bytes) -> str | None:
    """The file's type by its first bytes (None: not a type that is accepted)."""
    for media_type, (magic, _) in MEDIA_TYPES.items():
        if data.startswith(magic):
            return media_type
    return None


def clean_name(name: str) -> str:
    """The name without any folder, control characters or surrounding blanks, shortened."""
    base = re.split(r"[/\\]", name)[-1]
    base = _UNSAFE_NAME.sub("", unicodedata.normalize("NFC", base)).strip()
    if len(base) > MAX_NAME_CHARS:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 5 else ""
        base = base[: MAX_NAME_CHARS - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return base


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def _file_problem(upload: Upload, where: str) -> Problem | None:
    label = clean_name(upload.name) or "?"
    if not upload.data:
        return invalid_field(where, f"文件{label}是空的", f"file {label!r} is empty")
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        mib = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        return invalid_field(
            where,
            f"文件{label}超过{mib}MB",
            f"file {label!r} is larger than {mib} MB",
            code="attachment_too_large",
        )
    media_type = sniff(upload.data)
    extension = _extension(label)
    if media_type is None or (extension and extension not in MEDIA_TYPES[media_type][1]):
        return invalid_field(
            where,
            f"文件{label}不是{ACCEPTED}格式的照片或扫描件"
            + ("（文件名与内容不符）" if media_type else ""),
            f"file {label!r} is not a JPEG, PNG or PDF photo or scan"
            + (" (its name does not match its content)" if media_type else ""),
            code="attachment_type",
        )
    return None


def check_uploads(uploads: Sequence[Upload], field_name: str = "attachments") -> list[Attachment]:
    """Check the files' count, sizes and types (by content); return them named by SHA-256.

    Raises InvalidData naming each refused file (``attachments.<i>``), or the list as a
    whole when there are too many.
    """
    if len(uploads) > MAX_ATTACHMENTS:
        raise_invalid(
            [
                invalid_field(
                    field_name,
                    f"一次最多附{MAX_ATTACHMENTS}个文件，收到{len(uploads)}个",
                    f"at most {MAX_ATTACHMENTS} files at a time, got {len(uploads)}",
                    code="too_many_attachments",
                )
            ]
        )
    problems = [_file_problem(u, f"{field_name}.{i}") for i, u in enumerate(uploads)]
    raise_invalid([p for p in problems if p is not None])
    checked: list[Attachment] = []
    for upload in uploads:
        media_type = sniff(upload.data)
        assert media_type is not None  # checked above
        name = clean_name(upload.name) or f"attachment{DEFAULT_EXTENSION[media_type]}"
        checked.append(
            Attachment(
                sha256=hashlib.sha256(upload.data).hexdigest(),
                size=len(upload.data),
                media_type=media_type,
                file_name=name,
                data=upload.data,
            )
        )
    return checked


@contextmanager
def kept_on_commit(store: AttachmentStore | None, files: Sequence[Attachment]) -> Iterator[None]:
    """Stage the files before the block (which commits), publish them after it; a block that
    raises leaves none of them behind (those already stored by an earlier record stay)."""
    if not files:
        yield
        return
    if store is None:
        raise RuntimeError("attachments need a store to keep them in")
    staged: list[str] = []
    try:
        for f in files:
            staged.append(store.stage(f.sha256, f.data))
        yield
    except BaseException:
        for token in staged:
            store.discard(token)
        raise
    for token, f in zip(staged, files, strict=True):
        store.publish(token, f.sha256)
