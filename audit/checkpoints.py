"""Signed checkpoints over every chain head, as Certificate Transparency signs tree heads.

A checkpoint is the Merkle root (``audit.merkle``) over the heads of every
chain — each case's, each ledger's, each county's read log — signed with an
Ed25519 key kept outside the database, and chained to the checkpoint before
it. An inspector who keeps one checkpoint's line can later prove that no
entry recorded before it was changed, removed or reordered, even by someone
who rewrote the chains and their hashes inside the database.

Leaves. Each chain has a fixed leaf position, given when a checkpoint first
sees it (new chains in ``chain_order``); its leaf is the canonical JSON of
``{"chain", "head", "seq"}``. A checkpoint stores only the leaves that
changed since the one before (``checkpoint_leaf``), so that every
checkpoint's tree can be rebuilt from the stored leaves and checked against
its signed root. The format is in docs/audit-format.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from audit import merkle
from audit.chain import GENESIS_HASH, canonical_json, canonical_text
from audit.models import (
    AccessLog,
    AccessLogHead,
    AuditCheckpoint,
    AuditEntry,
    CheckpointLeaf,
    CheckpointState,
    LedgerEntry,
    LedgerHead,
)
from engine.models import Case

#: names the format of the signed text, so that a signature means nothing elsewhere
FORMAT = "doudi-checkpoint/1"
#: the order of chain kinds among the new leaves of a checkpoint
KIND_ORDER = {"case": 0, "ledger": 1, "log": 2}
BATCH = 500


class CheckpointError(Exception):
    """A checkpoint cannot be taken, read or checked (a clear message, no traceback)."""


# keys


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The key as unencrypted PKCS #8 PEM (the file's permissions protect it)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read the signing key from its PEM file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CheckpointError(f"cannot read the checkpoint key {path}: {err.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise CheckpointError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} holds a key of another kind; doudi signs with Ed25519")
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes (what inspectors keep and compare)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from its base64 text."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        if base64.b64encode(raw).decode("ascii") != text.strip():
            raise ValueError("not canonical base64")
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise CheckpointError("not an Ed25519 public key (base64 of 32 bytes)") from None


# checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint, as stored and as printed."""

    seq: int
    at: dt.datetime
    root: str
    chains: int
    prev: str
    public_key: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        """What is signed."""
        return {
            "format": FORMAT,
            "seq": self.seq,
            "at": self.at,
            "root": self.root,
            "chains": self.chains,
            "prev": self.prev,
            "public_key": self.public_key,
        }

    def line(self) -> str:
        """The checkpoint as one line of canonical JSON (what an inspector keeps)."""
        return canonical_text({**self.body(), "signature": self.signature})

    @property
    def hash(self) -> str:
        """SHA-256 of the line: the next checkpoint's ``prev``."""
        return hashlib.sha256(self.line().encode("utf-8")).hexdigest()

    def signature_problem(self) -> str | None:
        """Why the signature fails with the checkpoint's own public key (None: it holds)."""
        try:
            key = parse_public_key(self.public_key)
            signature = base64.b64decode(self.signature, validate=True)
            key.verify(signature, canonical_json(self.body()))
        except (CheckpointError, InvalidSignature, ValueError):
            return "the signature does not verify"
        if base64.b64encode(signature).decode("ascii") != self.signature:
            return "the signature is not in canonical base64"
        return None

    @classmethod
    def from_row(cls, row: AuditCheckpoint) -> Checkpoint:
        """The checkpoint a stored row holds."""
        return cls(row.seq, row.at, row.root, row.chains, row.prev, row.public_key, row.signature)

    @classmethod
    def from_line(cls, text: str) -> Checkpoint:
        """Parse a kept line; a clear error for anything else."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise CheckpointError(f"not a {FORMAT} line")
            at = dt.datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
            point = cls(
                seq=int(data["seq"]),
                at=at,
                root=str(data["root"]),
                chains=int(data["chains"]),
                prev=str(data["prev"]),
                public_key=str(data["public_key"]),
                signature=str(data["signature"]),
            )
            same = json.loads(point.line()) == data
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CheckpointError(
                "not a checkpoint line (JSON as `doudi audit checkpoint` prints it)"
            ) from None
        if not same:
            # every field exactly as the signer wrote it, not merely parsed to the same value
            raise CheckpointError(
                "the checkpoint line is not as `doudi audit checkpoint` prints it"
            )
        return point


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Checkpoint:
    """The checkpoint with its signature."""
    signature = key.sign(canonical_json(checkpoint.body()))
    return Checkpoint(
        **{**checkpoint.__dict__, "signature": base64.b64encode(signature).decode("ascii")}
    )


@dataclass(frozen=True)
class Head:
    """A chain's head: its name, its number of entries and its last hash."""

    chain: str
    seq: int
    head: str

    def leaf(self) -> bytes:
        """The leaf's bytes (hashed into the tree with ``merkle.leaf_hash``)."""
        return canonical_json({"chain": self.chain, "head": self.head, "seq": self.seq})


def chain_order(chain: str) -> tuple[int, int, str]:
    """Cases by number, then ledgers, then read logs by name."""
    kind, _, name = chain.partition(" ")
    return (KIND_ORDER.get(kind, 9), int(name) if kind == "case" else 0, name)


#: a chain's head as the database holds it now: (its number of entries, its last hash)
HeadNow = tuple[int, str]


def current_heads(session: Session) -> dict[str, HeadNow]:
    """Every non-empty chain's head as the database holds it now (plain tuples: a county
    has tens of thousands of chains, and a checkpoint is taken every few minutes)."""
    heads: dict[str, HeadNow] = {
        f"case {case_id}": (seq, head or "")
        for case_id, seq, head in session.execute(
            select(Case.id, Case.chain_seq, Case.chain_head).where(Case.chain_seq > 0)
        )
    }
    for name, seq, head in session.execute(
        select(LedgerHead.ledger, LedgerHead.seq, LedgerHead.head).where(LedgerHead.seq > 0)
    ):
        heads[f"ledger {name}"] = (seq, head)
    for name, seq, head in session.execute(
        select(AccessLogHead.log, AccessLogHead.seq, AccessLogHead.head).where(
            AccessLogHead.seq > 0
        )
    ):
        heads[f"log {name}"] = (seq, head)
    return heads


@dataclass(frozen=True)
class Finding:
    """Something that does not hold: which chain or checkpoint, which entry, what."""

    subject: str
    seq: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.subject}: entry {self.seq}" if self.seq is not None else self.subject
        return f"{where}: {self.message} [{self.kind}]"


def stored_hashes(
    session: Session, wanted: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The stored hash of each (chain, seq) asked for that exists, in batched queries."""
    by_kind: dict[str, list[tuple[str, int]]] = {}
    for chain, seq in wanted:
        by_kind.setdefault(chain.partition(" ")[0], []).append((chain, seq))
    found: dict[tuple[str, int], str] = {}
    for kind, items in by_kind.items():
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            keys: list[tuple[Any, int]]
            if kind == "case":
                keys = [(int(c.partition(" ")[2]), s) for c, s in batch]
                rows = session.execute(
                    select(AuditEntry.case_id, AuditEntry.seq, AuditEntry.hash).where(
                        tuple_(AuditEntry.case_id, AuditEntry.seq).in_(keys)
                    )
                )
                found.update({(f"case {c}", s): h for c, s, h in rows})
            elif kind == "ledger":
                keys = [(c.partition(" ")[2], s) for c, s in batch]
                rows = session.execute(
                    select(LedgerEntry.ledger, LedgerEntry.seq, LedgerEntry.hash).where(
                        tuple_(LedgerEntry.ledger, LedgerEntry.seq).in_(keys)
                    )
                )
                found.update({(f"ledger {c}", s): h for c, s, h in rows})
            elif kind == "log":
                keys = [(c.partition(" ")[2], s) for c, s in batch]
                rows = session.execute(
                    select(AccessLog.log, AccessLog.seq, AccessLog.hash).where(
                        tuple_(AccessLog.log, AccessLog.seq).in_(keys)
                    )
                )
                found.update({(f"log {c}", s): h for c, s, h in rows})
    return found


#: what the last checkpoint recorded of a chain: (leaf position, seq, head, leaf hash in hex)
Kept = tuple[int, int, str, str]


def _grown(
    session: Session, state: Mapping[str, Kept], heads: Mapping[str, HeadNow]
) -> list[Finding]:
    """Every chain of the last checkpoint still holds the entry it recorded, unchanged."""
    findings = [
        Finding(chain, None, "chain_gone", "the chain recorded by the last checkpoint is gone")
        for chain in state
        if chain not in heads
    ]
    findings += [
        Finding(chain, kept[1], "shrunk", f"the chain now ends at entry {heads[chain][0]}")
        for chain, kept in state.items()
        if chain in heads and heads[chain][0] < kept[1]
    ]
    changed = [
        (chain, kept[1])
        for chain, kept in state.items()
        if chain in heads and heads[chain] != (kept[1], kept[2])
    ]
    hashes = stored_hashes(session, changed)
    findings += [
        Finding(
            chain, seq, "rewritten", "the entry differs from the one the last checkpoint recorded"
        )
        for chain, seq in changed
        if hashes.get((chain, seq)) != state[chain][2]
    ]
    return findings


def latest_checkpoint(session: Session) -> Checkpoint | None:
    """The newest stored checkpoint, if any."""
    row = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))
    return Checkpoint.from_row(row) if row is not None else None


def take_checkpoint(session: Session, key: Ed25519PrivateKey, at: dt.datetime) -> Checkpoint:
    """Sign a checkpoint over every chain head and store it (the caller commits).

    Refuses, naming each, when a chain recorded by the last checkpoint is gone,
    shorter, or no longer holds the entry it recorded: a checkpoint never
    signs over a rewritten history.
    """
    last = latest_checkpoint(session)
    heads = current_heads(session)
    state: dict[str, Kept] = {
        chain: (position, seq, head, leaf)
        for chain, position, seq, head, leaf in session.execute(
            select(
                CheckpointState.chain,
                CheckpointState.position,
                CheckpointState.seq,
                CheckpointState.head,
                CheckpointState.leaf,
            )
        )
    }
    findings = _grown(session, state, heads)
    if findings:
        raise CheckpointError(
            "not signed: the chains no longer hold what the last checkpoint recorded:\n"
            + "\n".join(str(f) for f in findings)
        )
    seq = 1 if last is None else last.seq + 1
    # the leaf hashes kept from the last checkpoint; only changed chains are hashed again
    leaves: list[bytes] = [b""] * len(state)
    for position, _, _, leaf in state.values():
        leaves[position] = bytes.fromhex(leaf)
    changed = [
        chain
        for chain, now in heads.items()
        if (known := state.get(chain)) is None or (known[1], known[2]) != now
    ]
    added: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    recorded: list[dict[str, Any]] = []
    # new chains take the next positions in chain order
    for chain in sorted(changed, key=chain_order):
        head = Head(chain, *heads[chain])
        digest = merkle.leaf_hash(head.leaf())
        fields = {"chain": chain, "seq": head.seq, "head": head.head}
        known = state.get(chain)
        if known is None:
            position = len(leaves)
            leaves.append(b"")
            added.append({**fields, "position": position, "leaf": digest.hex()})
        else:
            position = known[0]
            moved.append({**fields, "leaf": digest.hex()})
        leaves[position] = digest
        recorded.append({**fields, "position": position, "checkpoint_seq": seq})
    # plain multi-row statements: a county's first checkpoint writes every chain
    if added:
        session.execute(insert(CheckpointState), added)
    if moved:
        session.execute(update(CheckpointState), moved)
    if recorded:
        session.execute(insert(CheckpointLeaf), recorded)
    checkpoint = sign(
        Checkpoint(
            seq=seq,
            at=at,
            root=merkle.root(leaves).hex(),
            chains=len(leaves),
            prev=last.hash if last is not None else GENESIS_HASH,
            public_key=public_key_text(key),
        ),
        key,
    )
    session.add(
        AuditCheckpoint(
            seq=checkpoint.seq,
            at=checkpoint.at,
            root=checkpoint.root,
            chains=checkpoint.chains,
            prev=checkpoint.prev,
            public_key=checkpoint.public_key,
            signature=checkpoint.signature,
            hash=checkpoint.hash,
        )
    )
    session.flush()
    return checkpoint


# verification


#: chain -> seq -> (the head a checkpoint recorded there, that checkpoint's number)
Recorded = dict[str, dict[int, tuple[str, int]]]


@dataclass
class Replay:
    """The checkpoints rebuilt from their stored leaves, and what did not hold."""

    checkpoints: int = 0
    latest: Checkpoint | None = None
    findings: list[Finding] = field(default_factory=list)
    #: every head a checkpoint recorded, for the chains' verification to compare with
    recorded: Recorded = field(default_factory=dict)


def _leaves_by_checkpoint(session: Session) -> Iterator[tuple[int, list[CheckpointLeaf]]]:
    rows = session.scalars(
        select(CheckpointLeaf)
        .order_by(CheckpointLeaf.checkpoint_seq, CheckpointLeaf.id)
        .execution_options(yield_per=5000)
    )
    current: list[CheckpointLeaf] = []
    seq = None
    for row in rows:
        if row.checkpoint_seq != seq:
            if seq is not None:
                yield seq, current
            seq, current = row.checkpoint_seq, []
        current.append(row)
    if seq is not None:
        yield seq, current


def replay_checkpoints(
    session: Session, trusted_key: str | None = None, kept: Checkpoint | None = None
) -> Replay:
    """Rebuild every stored checkpoint's tree from its leaves and check its root, signature,
    key and link to the one before; and, given a ``kept`` line, that the database's
    checkpoint of that number is the one kept."""
    replay = Replay()
    tree = merkle.Tree()
    positions: dict[str, tuple[int, int]] = {}
    leaf_groups = _leaves_by_checkpoint(session)
    pending = next(leaf_groups, None)
    prev = GENESIS_HASH
    first_key: str | None = None
    kept_found = False
    for row in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
        point = Checkpoint.from_row(row)
        name = f"checkpoint {point.seq}"
        replay.checkpoints += 1
        expected = replay.checkpoints
        if point.seq != expected:
            replay.findings.append(
                Finding(name, None, "missing", f"checkpoint {expected} is missing")
            )
        while pending is not None and pending[0] < point.seq:
            replay.findings.append(
                Finding(
                    f"checkpoint {pending[0]}",
                    None,
                    "orphan_leaves",
                    "leaves of a checkpoint that is not stored",
                )
            )
            pending = next(leaf_groups, None)
        if pending is not None and pending[0] == point.seq:
            for leaf in pending[1]:
                known = positions.get(leaf.chain)
                if known is None and leaf.position != len(tree):
                    replay.findings.append(
                        Finding(
                            name, None, "bad_position", f"{leaf.chain} placed at {leaf.position}"
                        )
                    )
                    continue
                if known is not None and (known[0] != leaf.position or leaf.seq < known[1]):
                    replay.findings.append(
                        Finding(
                            leaf.chain,
                            leaf.seq,
                            "not_grown",
                            f"{name} records the chain shorter or moved",
                        )
                    )
                    continue
                tree.set(
                    leaf.position, merkle.leaf_hash(Head(leaf.chain, leaf.seq, leaf.head).leaf())
                )
                positions[leaf.chain] = (leaf.position, leaf.seq)
                replay.recorded.setdefault(leaf.chain, {})[leaf.seq] = (leaf.head, point.seq)
            pending = next(leaf_groups, None)
        if tree.root().hex() != point.root or len(tree) != point.chains:
            replay.findings.append(
                Finding(
                    name, None, "root_mismatch", "the stored leaves do not give the signed root"
                )
            )
        problem = point.signature_problem()
        if problem:
            replay.findings.append(Finding(name, None, "bad_signature", problem))
        first_key = first_key or point.public_key
        if point.public_key != (trusted_key or first_key):
            replay.findings.append(
                Finding(name, None, "wrong_key", "signed with another key than the trusted one")
            )
        if point.prev != prev:
            replay.findings.append(
                Finding(name, None, "broken_link", "does not link to the checkpoint before it")
            )
        if row.hash != point.hash:
            replay.findings.append(Finding(name, None, "hash_mismatch", "its stored hash is wrong"))
        prev = point.hash
        if kept is not None and point.seq == kept.seq:
            kept_found = True
            if point.line() != kept.line():
                replay.findings.append(
                    Finding(
                        name,
                        None,
                        "differs_from_kept",
                        "differs from the checkpoint kept outside the database",
                    )
                )
            if tree.root().hex() != kept.root:
                replay.findings.append(
                    Finding(
                        name,
                        None,
                        "kept_root_mismatch",
                        "the stored leaves do not give the kept checkpoint's root",
                    )
                )
        replay.latest = point
    if kept is not None:
        if kept.signature_problem():
            replay.findings.append(
                Finding(
                    f"kept checkpoint {kept.seq}",
                    None,
                    "bad_signature",
                    "the kept line's signature does not verify",
                )
            )
        if not kept_found:
            replay.findings.append(
                Finding(
                    f"checkpoint {kept.seq}",
                    None,
                    "missing",
                    "the kept checkpoint is not in the database",
                )
            )
    return replay
