"""The attachment store keeps files under their SHA-256, publishing each only once staged, and
refuses to hand out bytes that no longer match their hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from admin.files import STAGING, AttachmentMissing, FileStore, upload_body_limit
from engine.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS

DATA = b"%PDF-1.7 signed form"
SHA = hashlib.sha256(DATA).hexdigest()


def test_a_published_file_lies_under_its_hash_and_nothing_stays_staged(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    token = store.stage(SHA, DATA)
    assert not store.path_of(SHA).exists()
    store.publish(token, SHA)
    assert store.path_of(SHA) == tmp_path / SHA[:2] / SHA
    assert store.read(SHA) == DATA
    assert list((tmp_path / STAGING).iterdir()) == []


def test_the_same_bytes_attached_twice_are_kept_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.publish(store.stage(SHA, DATA), SHA)
    store.publish(store.stage(SHA, DATA), SHA)
    assert [p.name for p in (tmp_path / SHA[:2]).iterdir()] == [SHA]
    assert list((tmp_path / STAGING).iterdir()) == []


def test_a_discarded_file_leaves_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.discard(store.stage(SHA, DATA))
    assert list((tmp_path / STAGING).iterdir()) == []
    assert not store.path_of(SHA).exists()


def test_a_missing_or_altered_file_is_not_handed_out(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(AttachmentMissing):
        store.read(SHA)
    store.publish(store.stage(SHA, DATA), SHA)
    store.path_of(SHA).write_bytes(DATA + b" altered")
    with pytest.raises(AttachmentMissing):
        store.read(SHA)


@pytest.mark.parametrize("name", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64])
def test_only_a_sha256_names_a_file(tmp_path: Path, name: str) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.path_of(name)
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.stage(name, DATA)


def test_a_token_from_elsewhere_is_refused(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "store")
    victim = tmp_path / "keep.txt"
    victim.write_text("x")
    with pytest.raises(ValueError, match="not a staged file"):
        store.discard(str(victim))
    assert victim.exists()


def test_the_upload_limit_fits_every_file_at_its_largest_in_base64() -> None:
    limit = upload_body_limit(1024 * 1024)
    assert limit > 1024 * 1024 + MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES * 4 // 3
