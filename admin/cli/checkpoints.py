"""``doudi audit keygen | checkpoint | prove | check-proof``: signed checkpoints over every
chain, and inclusion proofs an inspector checks without the database (docs/audit-format.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from admin.cli.support import require_schema
from admin.extensions import runtime
from audit.chain import canonical_text
from audit.checkpoints import (
    CheckpointError,
    generate_key,
    load_private_key,
    private_key_pem,
    public_key_text,
    take_checkpoint,
)
from audit.proofs import ProofError, build_proof, check_proof


def _signing_key() -> Path:
    path = runtime().settings.checkpoint_key
    if path is None:
        raise click.ClickException(
            "DOUDI_CHECKPOINT_KEY is not set: name the key file `doudi audit keygen` wrote"
        )
    return path


@click.command("keygen")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the private key here (refuses an existing file).",
)
def audit_keygen(out: Path) -> None:
    """Write a new Ed25519 checkpoint key to OUT (mode 0600) and print its public key last.

    Keep the file outside the database and its backups, name it in
    DOUDI_CHECKPOINT_KEY, and give the printed public key to the inspectors.
    """
    key = generate_key()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{out} exists: refusing to overwrite a key") from None
    except OSError as err:
        raise click.ClickException(f"cannot write {out}: {err.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_key_pem(key))
    click.echo(f"private key written to {out}; public key:")
    click.echo(public_key_text(key))


@click.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Sign a checkpoint over every chain head and print it as one line of JSON.

    Runs as the system (no --user), e.g. from cron every few minutes. Refuses,
    naming each chain, when a chain no longer holds what the last checkpoint
    recorded. Keep the printed lines: `doudi audit verify --checkpoint FILE`
    checks the database against any of them.
    """
    require_schema()
    rt = runtime()
    try:
        key = load_private_key(_signing_key())
        with rt.uow() as uow:
            checkpoint = take_checkpoint(uow.session, key, rt.clock.now())
            uow.commit()
    except CheckpointError as err:
        raise click.ClickException(str(err)) from None
    click.echo(checkpoint.line())


@click.command("prove")
@click.argument("case_id", type=int)
@click.argument("seq", type=int)
@with_appcontext
def audit_prove(case_id: int, seq: int) -> None:
    """Print a JSON proof that entry SEQ of case CASE_ID is in the latest checkpoint.

    The proof holds the entry and the rest of its chain up to the head that the
    checkpoint recorded, the Merkle path to the checkpoint's root, and the
    signed checkpoint: `doudi audit check-proof` verifies it with no database.
    """
    require_schema()
    try:
        with runtime().reader() as uow:
            proof = build_proof(uow.session, f"case {case_id}", seq)
    except ProofError as err:
        raise click.ClickException(str(err)) from None
    # one canonical line: every byte of it is checked
    click.echo(canonical_text(proof))


@click.command("check-proof")
@click.argument("proof_file", type=click.File("rb"))
@click.option(
    "--public-key",
    "public_key",
    required=True,
    help="The signer's public key as printed by keygen, or a file holding it.",
)
def audit_check_proof(proof_file: click.utils.LazyFile, public_key: str) -> None:
    """Verify an inclusion proof offline: exit 0 when it holds, 1 naming what does not."""
    try:
        candidate = Path(public_key)
        if candidate.is_file():
            lines = candidate.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            public_key = lines[-1] if lines else ""
    except OSError:
        pass  # not a readable file: the text is the key itself
    try:
        try:
            text = proof_file.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ProofError("the file is not UTF-8 text") from None
        result = check_proof(text, public_key)
    except ProofError as err:
        raise click.ClickException(f"the proof does not hold: {err}") from None
    click.echo(result)


COMMANDS = (audit_keygen, audit_checkpoint, audit_prove, audit_check_proof)
