"""Attachments are told apart by their content, bounded in size and count, named by SHA-256,
and kept only once the record that names them commits."""

from __future__ import annotations

import hashlib

import pytest

from engine.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_NAME_CHARS,
    Upload,
    check_uploads,
    clean_name,
    kept_on_commit,
    sniff,
)
from engine.errors import InvalidData

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 32


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf")],
    ids=["jpeg", "png", "pdf"],
)
def test_the_type_is_read_from_the_first_bytes(data: bytes, media_type: str) -> None:
    assert sniff(data) == media_type


@pytest.mark.parametrize(
    "data",
    [b"GIF89a" + b"\x00" * 10, b"<html><script>", b"PK\x03\x04", b"\xff\xd8", b"%PD", b""],
    ids=["gif", "html", "zip", "short-jpeg", "short-pdf", "empty"],
)
def test_other_content_has_no_accepted_type(data: bytes) -> None:
    assert sniff(data) is None


def test_a_checked_file_is_named_by_its_sha256_with_its_size_type_and_name() -> None:
    [checked] = check_uploads([Upload("签字表.JPG", JPEG)])
    assert checked.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert checked.size == len(JPEG)
    assert checked.media_type == "image/jpeg"
    assert checked.record() == {
        "sha256": checked.sha256,
        "size": len(JPEG),
        "media_type": "image/jpeg",
        "file_name": "签字表.JPG",
    }


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (Upload("scan.gif", b"GIF89a" + b"\x00" * 10), "attachment_type"),
        # a name that promises a photo does not make a page of HTML one
        (Upload("photo.jpg", b"<html><script>alert(1)</script>"), "attachment_type"),
        # the content is a photo, but the name says PDF: refused, not guessed
        (Upload("form.pdf", JPEG), "attachment_type"),
        (Upload("run.exe", PNG), "attachment_type"),
        (Upload("big.jpg", JPEG + b"\x00" * MAX_ATTACHMENT_BYTES), "attachment_too_large"),
        (Upload("empty.png", b""), "invalid"),
    ],
    ids=["gif", "html-named-jpg", "jpeg-named-pdf", "exe", "too-large", "empty"],
)
def test_a_wrong_file_is_refused_naming_its_place(upload: Upload, code: str) -> None:
    with pytest.raises(InvalidData) as refused:
        check_uploads([Upload("ok.png", PNG), upload])
    [problem] = refused.value.problems
    assert problem.field == "attachments.1"
    assert problem.code == code


def test_a_file_of_exactly_the_largest_size_is_accepted() -> None:
    data = PNG + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PNG))
    assert check_uploads([Upload("max.png", data)])[0].size == MAX_ATTACHMENT_BYTES


def test_too_many_files_are_refused_as_a_whole() -> None:
    with pytest.raises(InvalidData) as refused:
        check_uploads([Upload(f"{i}.png", PNG) for i in range(MAX_ATTACHMENTS + 1)])
    assert [p.code for p in refused.value.problems] == ["too_many_attachments"]
    assert len(check_uploads([Upload(f"{i}.png", PNG) for i in range(MAX_ATTACHMENTS)])) == 6


def test_a_file_without_an_extension_is_taken_by_its_content() -> None:
    assert check_uploads([Upload("IMG_0001", PNG)])[0].media_type == "image/png"
    assert check_uploads([Upload("", PDF)])[0].file_name == "attachment.pdf"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\张三\\表.pdf", "表.pdf"),
        ("../../etc/passwd.png", "passwd.png"),
        ("a\x00b\nc.png", "abc.png"),
        ("  照片.png ", "照片.png"),
    ],
)
def test_a_name_keeps_no_folder_and_no_control_characters(sent: str, kept: str) -> None:
    assert clean_name(sent) == kept


def test_a_long_name_is_shortened_keeping_its_extension() -> None:
    name = clean_name("很" * 300 + ".jpeg")
    assert len(name) <= MAX_NAME_CHARS
    assert name.endswith(".jpeg")


class FakeStore:
    """Records what was staged, published and discarded."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.staged: list[str] = []
        self.published: list[str] = []
        self.discarded: list[str] = []
        self.fail_on = fail_on

    def stage(self, sha256: str, data: bytes) -> str:
        if self.fail_on == len(self.staged):
            raise OSError("disk full")
        token = f"tmp-{len(self.staged)}"
        self.staged.append(token)
        return token

    def publish(self, token: str, sha256: str) -> None:
        self.published.append(sha256)

    def discard(self, token: str) -> None:
        self.discarded.append(token)


def test_files_are_published_only_after_the_block_commits() -> None:
    files = check_uploads([Upload("a.png", PNG), Upload("b.pdf", PDF)])
    store = FakeStore()
    with kept_on_commit(store, files):
        assert store.staged == ["tmp-0", "tmp-1"] and store.published == []
    assert store.published == [f.sha256 for f in files]
    assert store.discarded == []


def test_a_block_that_fails_leaves_no_file() -> None:
    files = check_uploads([Upload("a.png", PNG), Upload("b.pdf", PDF)])
    store = FakeStore()
    with pytest.raises(RuntimeError), kept_on_commit(store, files):
        raise RuntimeError("commit failed")
    assert store.published == []
    assert store.discarded == ["tmp-0", "tmp-1"]


def test_a_file_that_cannot_be_staged_removes_those_staged_before_it() -> None:
    files = check_uploads([Upload("a.png", PNG), Upload("b.pdf", PDF)])
    store = FakeStore(fail_on=1)
    ran = False
    with pytest.raises(OSError, match="disk full"), kept_on_commit(store, files):
        ran = True
    assert not ran
    assert store.discarded == ["tmp-0"] and store.published == []
