"""Inclusion proofs: one entry, its chain up to the head a signed checkpoint recorded, and the
Merkle path from that head to the checkpoint's root; checked with no database.

The format (``doudi-proof/1``) is in docs/audit-format.md: a third party can
check a proof with SHA-256 and Ed25519 alone.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import merkle
from audit.chain import body_text, canonical_text, hash_text
from audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    Head,
    latest_checkpoint,
    parse_public_key,
)
from audit.models import AuditEntry, CheckpointLeaf
from audit.recorder import stored_entry

FORMAT = "doudi-proof/1"


class ProofError(Exception):
    """A proof cannot be made, or does not hold (the message says why)."""


def _leaves_at(
    session: Session, checkpoint_seq: int
) -> tuple[list[bytes], dict[str, tuple[int, Head]]]:
    """The leaf hashes of a checkpoint's tree, and each chain's position and recorded head."""
    leaves: list[bytes] = []
    heads: dict[str, tuple[int, Head]] = {}
    rows = session.scalars(
        select(CheckpointLeaf)
        .where(CheckpointLeaf.checkpoint_seq <= checkpoint_seq)
        .order_by(CheckpointLeaf.checkpoint_seq, CheckpointLeaf.id)
        .execution_options(yield_per=5000)
    )
    for row in rows:
        head = Head(row.chain, row.seq, row.head)
        if row.position == len(leaves):
            leaves.append(b"")
        leaves[row.position] = merkle.leaf_hash(head.leaf())
        heads[row.chain] = (row.position, head)
    return leaves, heads


def build_proof(session: Session, chain: str, seq: int) -> dict[str, Any]:
    """The proof that entry ``seq`` of a case chain ("case 17") is in the latest checkpoint."""
    checkpoint = latest_checkpoint(session)
    if checkpoint is None:
        raise ProofError("there is no checkpoint yet: run `doudi audit checkpoint` first")
    leaves, heads = _leaves_at(session, checkpoint.seq)
    if merkle.root(leaves).hex() != checkpoint.root:
        raise ProofError(
            f"the stored leaves do not give checkpoint {checkpoint.seq}'s root: "
            "run `doudi audit verify`"
        )
    if chain not in heads:
        raise ProofError(f"{chain} is not in checkpoint {checkpoint.seq}")
    index, head = heads[chain]
    if not 1 <= seq <= head.seq:
        raise ProofError(
            f"checkpoint {checkpoint.seq} recorded entries 1-{head.seq} of {chain}: "
            f"entry {seq} is not among them (take a new checkpoint for newer entries)"
        )
    case_id = int(chain.partition(" ")[2])
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.case_id == case_id, AuditEntry.seq >= seq, AuditEntry.seq <= head.seq)
        .order_by(AuditEntry.seq)
    ).all()
    entries = [
        {
            "body": body_text(stored_entry(r).body, r.payload),
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in rows
    ]
    return {
        "format": FORMAT,
        "chain": chain,
        "seq": seq,
        "entries": entries,
        "head": {"chain": head.chain, "seq": head.seq, "head": head.head},
        "leaf_index": index,
        "tree_size": len(leaves),
        "path": [h.hex() for h in merkle.inclusion_path(leaves, index)],
        "checkpoint": json.loads(checkpoint.line()),
    }


def check_proof(text: str, public_key: str) -> str:
    """Check a proof against the signer's public key; return what it proves, or raise."""
    try:
        key_text = base64.b64encode(base64.b64decode(public_key.strip(), validate=True)).decode(
            "ascii"
        )
        parse_public_key(key_text)
    except (ValueError, CheckpointError):
        raise ProofError("the public key is not base64 of an Ed25519 key") from None
    try:
        proof = json.loads(text)
        # one canonical line (and its newline): no byte of a proof is without meaning
        if text not in (canonical_text(proof), canonical_text(proof) + "\n"):
            raise ProofError("the proof is not in its canonical form (was it edited?)")
        if proof.get("format") != FORMAT:
            raise ProofError(f"not a {FORMAT} proof")
        checkpoint = Checkpoint.from_line(json.dumps(proof["checkpoint"]))
        chain, seq = str(proof["chain"]), int(proof["seq"])
        entries = list(proof["entries"])
        head = Head(
            str(proof["head"]["chain"]), int(proof["head"]["seq"]), str(proof["head"]["head"])
        )
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        path = [bytes.fromhex(h) for h in proof["path"]]
        if [p.hex() for p in path] != proof["path"]:
            raise ProofError("the Merkle path is not lower-case hex")
    except ProofError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, CheckpointError):
        raise ProofError("the file is not a proof as `doudi audit prove` prints it") from None
    if checkpoint.public_key != key_text:
        raise ProofError("the checkpoint was signed with another key")
    problem = checkpoint.signature_problem()
    if problem:
        raise ProofError(f"checkpoint {checkpoint.seq}: {problem}")
    if head.chain != chain or not entries:
        raise ProofError("the proof's head is not its chain's")
    kind, _, name = chain.partition(" ")
    expected_seq, prev = seq, None
    try:
        for item in entries:
            body = json.loads(item["body"])
            if kind != "case" or str(body["case_id"]) != name or body["seq"] != expected_seq:
                raise ProofError(f"entry {expected_seq} is not entry {expected_seq} of {chain}")
            if prev is not None and item["prev_hash"] != prev:
                raise ProofError(f"entry {expected_seq} does not link to the entry before it")
            if hash_text(str(item["prev_hash"]), str(item["body"])) != item["hash"]:
                raise ProofError(f"entry {expected_seq} does not match its hash")
            prev = item["hash"]
            expected_seq += 1
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ProofError("an entry of the proof is malformed") from None
    if expected_seq - 1 != head.seq or prev != head.head:
        raise ProofError("the entries do not lead to the head the checkpoint recorded")
    computed = merkle.root_from_path(merkle.leaf_hash(head.leaf()), index, size, path)
    if size != checkpoint.chains or computed is None or computed.hex() != checkpoint.root:
        raise ProofError("the Merkle path does not lead to the checkpoint's root")
    return (
        f"entry {seq} of {chain} is in checkpoint {checkpoint.seq} "
        f"(root {checkpoint.root}, {checkpoint.chains} chains, signed by {key_text})"
    )
