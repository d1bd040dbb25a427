"""Signed checkpoints against an attacker with database rights: the red team of the tamper-
evidence issue, on SQLite and PostgreSQL. Each attack drops the append-only triggers first, as
a database administrator could; each is detected, those that leave the database consistent
against a checkpoint kept outside it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text

from audit.chain import GENESIS_HASH, canonical_text, hash_text
from audit.checkpoints import Checkpoint, generate_key, public_key_text, sign
from audit.recorder import log_reads
from engine.db import make_engine
from engine.states import CaseState
from tests.support import World, tamper

Run = Callable[..., Result]


@pytest.fixture
def key(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A checkpoint key named in DOUDI_CHECKPOINT_KEY; returns its public key."""
    path = tmp_path / "checkpoint.pem"
    made = run("audit", "keygen", "--out", str(path))
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("DOUDI_CHECKPOINT_KEY", str(path))
    return made.output.strip().splitlines()[-1]


def busy(world: World) -> list[int]:
    """Three cases with a few entries each (and ledger and read-log entries besides)."""
    ids = []
    for target in (CaseState.ACTIVE, CaseState.IN_PUBLIC_NOTICE, CaseState.INVESTIGATING):
        case_id = world.apply()
        world.to_state(case_id, target)
        ids.append(case_id)
    return ids


def checkpoint(run: Run) -> dict[str, object]:
    result = run("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    return json.loads(line)  # type: ignore[no-any-return]


def sql(world: World, statement: str) -> list[tuple[object, ...]]:
    engine = make_engine(world.rt.settings.database_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(statement))]
    engine.dispose()
    return rows


def test_keygen_writes_a_key_once_and_prints_the_public_key(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    first = run("audit", "keygen", "--out", str(path))
    assert first.exit_code == 0
    public = first.output.strip().splitlines()[-1]
    assert len(base64.b64decode(public)) == 32
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    again = run("audit", "keygen", "--out", str(path))
    assert again.exit_code != 0 and "refusing to overwrite" in again.output


def test_checkpoint_needs_its_key(run: Run, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOUDI_CHECKPOINT_KEY", raising=False)
    missing = run("audit", "checkpoint")
    assert missing.exit_code != 0 and "DOUDI_CHECKPOINT_KEY" in missing.output
    monkeypatch.setenv("DOUDI_CHECKPOINT_KEY", "/nonexistent/key.pem")
    unreadable = run("audit", "checkpoint")
    assert unreadable.exit_code != 0 and "cannot read the checkpoint key" in unreadable.output


def test_checkpoints_are_signed_lines_chained_one_to_the_next(
    run: Run, world: World, key: str
) -> None:
    busy(world)
    first = checkpoint(run)
    assert {"seq", "at", "root", "chains", "prev", "signature", "public_key"} <= set(first)
    assert first["seq"] == 1 and first["prev"] == GENESIS_HASH and first["public_key"] == key
    world.pass_days(1)
    world.apply()
    second = checkpoint(run)
    line = canonical_text(first).encode("utf-8")
    assert second["seq"] == 2 and second["prev"] == hashlib.sha256(line).hexdigest()
    assert second["chains"] > first["chains"]
    verified = run("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "2 checkpoints" in verified.output


def _last_two(world: World, case_id: int) -> list[tuple[object, ...]]:
    return sql(
        world,
        f"SELECT seq, hash, prev_hash FROM audit_entry WHERE case_id = {case_id} ORDER BY seq",
    )


def _rewrite_chain(world: World, case_id: int) -> None:
    """Change entry 1's reason and recompute the whole chain and its head, consistently."""
    from sqlalchemy import select

    from audit.chain import body_text
    from audit.models import AuditEntry
    from audit.recorder import stored_entry

    with world.rt.reader() as uow:
        rows = list(
            uow.session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
            )
        )
        entries = [(r.seq, stored_entry(r), r.payload) for r in rows]
    prev = GENESIS_HASH
    statements = []
    for seq, entry, payload in entries:
        body = entry.body
        if seq == 1:
            body = type(body)(**{**body.__dict__, "reason": "申请材料齐全"})
        digest = hash_text(prev, body_text(body, payload))
        statements.append(
            f"UPDATE audit_entry SET reason = '{body.reason}', prev_hash = '{prev}', "
            f"hash = '{digest}' WHERE case_id = {case_id} AND seq = {seq}"
        )
        prev = digest
    statements.append(f"UPDATE case_file SET chain_head = '{prev}' WHERE id = {case_id}")
    tamper(world.rt.settings.database_url, *statements)


def attack(world: World, kind: str, case_id: int) -> None:
    """One attack by someone with database rights, on the case's chain."""
    url = world.rt.settings.database_url
    entries = _last_two(world, case_id)
    n = len(entries)
    if kind == "edit_field":
        tamper(
            url, f"UPDATE audit_entry SET actor = 'someone' WHERE case_id = {case_id} AND seq = 2"
        )
    elif kind == "delete_middle":
        tamper(url, f"DELETE FROM audit_entry WHERE case_id = {case_id} AND seq = 2")
    elif kind == "delete_tail":
        # the head moved back too: the database alone is consistent again
        seq, _, prev = entries[-1]
        tamper(
            url,
            f"DELETE FROM audit_entry WHERE case_id = {case_id} AND seq = {seq}",
            f"UPDATE case_file SET chain_seq = {n - 1}, chain_head = '{prev}' WHERE id = {case_id}",
        )
    elif kind == "reorder":
        tamper(
            url,
            f"UPDATE audit_entry SET seq = 1000 WHERE case_id = {case_id} AND seq = 2",
            f"UPDATE audit_entry SET seq = 2 WHERE case_id = {case_id} AND seq = 3",
            f"UPDATE audit_entry SET seq = 3 WHERE case_id = {case_id} AND seq = 1000",
        )
    elif kind == "append_forged":
        _, last_hash, _ = entries[-1]
        tamper(
            url,
            "INSERT INTO audit_entry (case_id, seq, trigger, from_state, to_state, actor_id, "
            "actor, role, at, reason, payload, prev_hash, hash) VALUES "
            f"({case_id}, {n + 1}, 'approve', 'active', 'active', 3, 'approver', 'approver', "
            f"'2026-03-20 02:00:00', '伪造', '{{}}', '{last_hash}', '{'f' * 64}')",
        )
    elif kind == "delete_chain":
        tamper(
            url,
            f"DELETE FROM audit_entry WHERE case_id = {case_id}",
            f"UPDATE case_file SET chain_seq = 0, chain_head = NULL WHERE id = {case_id}",
        )
    elif kind == "rewrite_chain":
        _rewrite_chain(world, case_id)


#: the attacks that move a chain's head (the others leave it and break the entries before it)
HEAD_CHANGING = frozenset({"delete_tail", "delete_chain", "rewrite_chain"})
ATTACKS = (
    "edit_field",
    "delete_middle",
    "delete_tail",
    "reorder",
    "append_forged",
    "delete_chain",
    "rewrite_chain",
)


@pytest.mark.parametrize("kind", ATTACKS)
def test_every_attack_on_a_chain_is_found(
    run: Run, world: World, key: str, tmp_path: Path, kind: str
) -> None:
    """Each attack is named by case and entry; a rewrite that keeps the database consistent is
    found against the checkpoint (stored, and kept outside the database)."""
    case_id = busy(world)[0]
    kept = tmp_path / "kept.txt"
    kept.write_text(json.dumps(checkpoint(run)) + "\n", encoding="utf-8")
    assert run("audit", "verify", "--checkpoint", str(kept)).exit_code == 0
    attack(world, kind, case_id)
    result = run("audit", "verify", "--checkpoint", str(kept))
    assert result.exit_code == 1, result.output
    assert f"case {case_id}: entry" in result.output
    if kind in HEAD_CHANGING:
        # a checkpoint never signs over a chain shorter or rewritten since the last one
        refused = run("audit", "checkpoint")
        assert refused.exit_code != 0 and "not signed" in refused.output


def test_a_rewrite_with_re_signed_checkpoints_is_found_against_the_kept_line(
    run: Run, world: World, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full attack: a chain rewritten consistently, the checkpoint's leaves rewritten to
    match and the checkpoint re-signed with the attacker's own key. Without the signer's key
    the database agrees with itself; the line the inspector kept does not."""
    case_id = busy(world)[0]
    kept = tmp_path / "kept.txt"
    original = checkpoint(run)
    kept.write_text(json.dumps(original) + "\n", encoding="utf-8")
    _rewrite_chain(world, case_id)
    (head,) = sql(world, f"SELECT chain_head FROM case_file WHERE id = {case_id}")[0:1]
    tamper(
        world.rt.settings.database_url,
        f"UPDATE checkpoint_leaf SET head = '{head[0]}' WHERE chain = 'case {case_id}'",
        f"UPDATE checkpoint_state SET head = '{head[0]}' WHERE chain = 'case {case_id}'",
    )
    # recompute the root from the rewritten leaves and sign it with another key
    from audit import merkle
    from audit.checkpoints import Head

    leaves = sorted(sql(world, "SELECT position, chain, seq, head FROM checkpoint_leaf"))
    root = merkle.root([merkle.leaf_hash(Head(c, s, h).leaf()) for _, c, s, h in leaves]).hex()  # type: ignore[arg-type]
    forger = generate_key()
    forged = sign(
        Checkpoint(
            seq=1,
            at=dt.datetime.fromisoformat(str(original["at"]).replace("Z", "+00:00")),
            root=root,
            chains=len(leaves),
            prev=GENESIS_HASH,
            public_key=public_key_text(forger),
        ),
        forger,
    )
    tamper(
        world.rt.settings.database_url,
        f"UPDATE audit_checkpoint SET root = '{forged.root}', public_key = '{forged.public_key}', "
        f"signature = '{forged.signature}', hash = '{forged.hash}' WHERE seq = 1",
    )
    monkeypatch.delenv("DOUDI_CHECKPOINT_KEY")
    alone = run("audit", "verify")
    assert alone.exit_code == 0, alone.output  # consistent with itself: why the line is kept
    against = run("audit", "verify", "--checkpoint", str(kept))
    assert against.exit_code == 1
    assert "checkpoint 1: differs from the checkpoint kept outside the database" in against.output
    monkeypatch.setenv("DOUDI_CHECKPOINT_KEY", str(tmp_path / "checkpoint.pem"))
    with_key = run("audit", "verify")
    assert with_key.exit_code == 1 and "signed with another key" in with_key.output


def test_a_replaced_checkpoint_signed_with_another_key_is_found(
    run: Run, world: World, key: str
) -> None:
    busy(world)
    original = checkpoint(run)
    forger = generate_key()
    point = Checkpoint.from_line(json.dumps(original))
    forged = sign(Checkpoint(**{**point.__dict__, "public_key": public_key_text(forger)}), forger)
    tamper(
        world.rt.settings.database_url,
        f"UPDATE audit_checkpoint SET public_key = '{forged.public_key}', "
        f"signature = '{forged.signature}', hash = '{forged.hash}' WHERE seq = 1",
    )
    result = run("audit", "verify")
    assert result.exit_code == 1 and "checkpoint 1: signed with another key" in result.output


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM access_log WHERE seq = 1",
        "UPDATE access_log SET username = 'someone' WHERE seq = 2",
    ],
)
def test_a_read_log_entry_removed_or_changed_is_found(
    run: Run, world: World, key: str, statement: str
) -> None:
    """The personal-data read log is chained per county like a ledger: a read removed or
    changed is named by log and entry."""
    case_ids = busy(world)
    with world.rt.uow() as uow:
        log_reads(
            uow.session,
            world.actors["clerk"],
            action="view_case",
            channel="api",
            at=world.clock.now(),
            case_ids=case_ids,
        )
        uow.commit()
    assert run("audit", "verify").exit_code == 0
    tamper(world.rt.settings.database_url, statement)
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "log reads:512022: entry" in result.output


def test_proofs_hold_offline_and_fail_for_any_altered_byte(
    run: Run, world: World, key: str, tmp_path: Path, backend: str
) -> None:
    """An inclusion proof checks with the public key alone; changing any byte breaks it."""
    from audit.proofs import ProofError, check_proof

    case_id = busy(world)[2]
    checkpoint(run)
    ((last,),) = sql(world, f"SELECT max(seq) FROM audit_entry WHERE case_id = {case_id}")
    proved = run("audit", "prove", str(case_id), str(last))
    assert proved.exit_code == 0, proved.output
    path = tmp_path / "proof.json"
    path.write_text(proved.output, encoding="utf-8")
    checked = run("audit", "check-proof", str(path), "--public-key", key)
    assert checked.exit_code == 0, checked.output
    assert f"entry {last} of case {case_id} is in checkpoint 1" in checked.output
    other = public_key_text(generate_key())
    assert run("audit", "check-proof", str(path), "--public-key", other).exit_code == 1
    key_file = tmp_path / "inspector.pub"
    key_file.write_text(f"the county's checkpoint key:\n{key}\n", encoding="utf-8")
    assert run("audit", "check-proof", str(path), "--public-key", str(key_file)).exit_code == 0
    garbage = run("audit", "check-proof", str(path), "--public-key", "x" * 5000)
    assert garbage.exit_code == 1 and "public key" in garbage.output
    earlier = run("audit", "prove", str(case_id), "1")
    assert earlier.exit_code == 0 and check_proof(earlier.output, key)
    too_new = run("audit", "prove", str(case_id), str(last + 1))
    assert too_new.exit_code != 0 and "not among them" in too_new.output
    if backend != "sqlite":
        return  # the proof is checked without a database: once is enough
    data = proved.output.encode("utf-8")
    for i in range(len(data)):
        altered = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        try:
            check_proof(altered.decode("utf-8"), key)
        except (ProofError, UnicodeDecodeError):
            continue
        pytest.fail(f"a proof with byte {i} altered still holds")


def test_verify_in_workers_names_what_one_process_names(
    run: Run, world: World, key: str, tmp_path: Path
) -> None:
    """`--workers` shares the case chains among processes (on PostgreSQL) without changing the
    findings; a count outside 1..MAX is refused before anything is read."""
    ids = busy(world)
    kept = tmp_path / "kept.txt"
    kept.write_text(json.dumps(checkpoint(run)) + "\n", encoding="utf-8")
    attack(world, "rewrite_chain", ids[0])
    attack(world, "edit_field", ids[2])
    outputs = []
    for workers in ("1", "2"):
        result = run("audit", "verify", "--checkpoint", str(kept), "--workers", workers)
        assert result.exit_code == 1, result.output
        outputs.append([line for line in result.output.splitlines() if line.startswith("case ")])
    assert outputs[0] == outputs[1]
    assert {line.split(":")[0] for line in outputs[0]} == {f"case {ids[0]}", f"case {ids[2]}"}
    refused = run("audit", "verify", "--workers", "0")
    assert refused.exit_code == 2 and "--workers" in refused.output
