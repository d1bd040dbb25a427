"""Audit tables: the per-case hash chains, the ledgers, the personal-data read log and the
signed checkpoints over all of them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime

#: SQLite only auto-increments an INTEGER PRIMARY KEY
BIGID = BigInteger().with_variant(Integer, "sqlite")

#: the tables that hold evidence: rows are only ever added (the application's
#: database role may INSERT and SELECT them, nothing more)
EVIDENCE_TABLES = (
    "audit_entry",
    "ledger_entry",
    "access_log",
    "sign_in_event",
    "issued_document",
    "audit_checkpoint",
    "checkpoint_leaf",
    "investigation_attachment",
)


class AuditEntry(Base):
    """One link of a case's chain. Never updated or deleted (a database trigger refuses)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_audit_entry_case_seq"),
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    seq: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    # canonical JSON text, so the bytes hashed are the bytes stored
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLog(Base):
    """Who read whose personal data, and when (PIPL Art. 28 sensitive data).

    Each reader's county keeps its reads in one hash chain (``log``, e.g.
    ``reads:512022``), like a ledger: a row removed or changed breaks it.
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "at"),
        UniqueConstraint("log", "seq", name="uq_access_log_log_seq"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    household_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    log: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogHead(Base):
    """The head of each county's read log, advanced under its row lock."""

    __tablename__ = "access_log_head"

    log: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))


class LedgerEntry(Base):
    """One link of a ledger: events outside any case (policy changes, payment rolls)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (UniqueConstraint("ledger", "seq", name="uq_ledger_entry_ledger_seq"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    ledger: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """The head of each ledger, advanced under its row lock (as a case row heads its chain)."""

    __tablename__ = "ledger_head"

    ledger: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))


class SignInEvent(Base):
    """One sign-in attempt, successful or not (UI or API). Never updated or deleted."""

    __tablename__ = "sign_in_event"
    __table_args__ = (
        Index("ix_sign_in_event_username_at", "username", "at"),
        Index("ix_sign_in_event_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: as typed, so that attempts on unknown names are counted and shown too
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    #: ok | bad_credentials | locked_user | awaiting_approval | throttled_user |
    #: throttled_address | signed_out
    outcome: Mapped[str] = mapped_column(String(20))


class IssuedDocument(Base):
    """A printed document doudi issued: what it was, for whom, and the SHA-256 of its PDF.

    Each row is also an entry of its county's ``documents:`` ledger; the
    verification code printed on the document finds the row. Never updated
    or deleted (a database trigger refuses).
    """

    __tablename__ = "issued_document"
    __table_args__ = (
        Index("ix_issued_document_sha256", "sha256"),
        Index("ix_issued_document_case_id", "case_id"),
        Index("ix_issued_document_county_code_issued_at", "county_code", "issued_at"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    #: the verification code printed on the document (12 characters, Crockford base 32)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: notice | publication | approval | rejection | termination | adjustment | phase_out | dossier
    kind: Mapped[str] = mapped_column(String(20))
    county_code: Mapped[str] = mapped_column(String(6))
    #: the village a notice is posted in, or the case's village
    region_code: Mapped[str] = mapped_column(String(12))
    case_id: Mapped[int | None] = mapped_column(Integer)
    #: the audit entry (its seq in the case's chain) whose decision a letter states
    decision_seq: Mapped[int | None] = mapped_column(Integer)
    #: what the public verification page may show: the village's name or a masked name
    subject: Mapped[str] = mapped_column(String(100))
    #: how many cases the document lists
    cases: Mapped[int] = mapped_column(Integer)
    issuing_body: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    issued_by_id: Mapped[int | None] = mapped_column(Integer)
    issued_by: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: the entry of the county's documents ledger that records the issue
    ledger_seq: Mapped[int] = mapped_column(Integer)


class AuditCheckpoint(Base):
    """A signed checkpoint: the Merkle root over every chain head at one moment, chained to
    the checkpoint before it (``audit.checkpoints``). Never updated or deleted."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    root: Mapped[str] = mapped_column(String(64))
    chains: Mapped[int] = mapped_column(Integer)
    #: the hash of the previous checkpoint's line (a run of zeros for the first)
    prev: Mapped[str] = mapped_column(String(64))
    #: the signer's Ed25519 public key and the signature, base64
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    #: SHA-256 of the checkpoint's line, as printed
    hash: Mapped[str] = mapped_column(String(64))


class CheckpointLeaf(Base):
    """A chain head as a checkpoint recorded it, written only when it changed: a chain's
    first head gets the next leaf position, later heads keep it. Never updated or deleted."""

    __tablename__ = "checkpoint_leaf"
    __table_args__ = (Index("ix_checkpoint_leaf_checkpoint_seq", "checkpoint_seq"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    checkpoint_seq: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    chain: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))


class CheckpointState(Base):
    """Every chain's head as of the latest checkpoint: a working copy of the leaves that
    makes the next checkpoint cheap. Verification never trusts it."""

    __tablename__ = "checkpoint_state"

    chain: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    #: the leaf's hash, kept so that an unchanged chain is not hashed again
    leaf: Mapped[str] = mapped_column(String(64))
