"""``doudi crosscheck``: other departments' records checked against the people doudi serves."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.kinship import operator
from admin.cli.support import acting_user, domain_errors, require_schema
from admin.extensions import runtime
from admin.imports import read_records
from engine.cells import SourceFile
from engine.clock import local_date
from engine.db import DB_INT_MAX
from engine.services.crosscheck_rows import KINDS, crosscheck_rows
from engine.services.crosschecks import OUTCOMES, import_crosscheck, resolve_crosscheck

#: encodings a department's CSV may come in: UTF-8, or GBK from older systems
ENCODINGS = ("utf-8", "gb18030")

crosscheck = AppGroup(
    "crosscheck", help="Information checks against other departments' records (信息核对)."
)


@crosscheck.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--user",
    "username",
    default=None,
    help="Import as this user (county staff; default: the operator at this terminal, "
    "every county).",
)
def crosscheck_import(kind: str, file: Path, username: str | None) -> None:
    """Raise a flag on each open or enrolled case a record of FILE names a member of.

    KIND is the data the file holds (columns in the README): vehicles,
    businesses, real_estate, deaths, public_employees, subsidies. CSV (UTF-8 or
    GBK) or XLSX, keyed by id_number. Any bad row refuses the file, naming line
    and column; a record raises its flag once, so importing a file again raises
    nothing. A death also ends the person's membership and opens the
    reassessment.
    """
    require_schema()
    actor = operator(username)
    rt = runtime()
    data = file.read_bytes()
    with domain_errors():
        header, records = read_records(file.name, data, ENCODINGS)
        today = local_date(rt.clock.now(), rt.clock.tz)
        rows = crosscheck_rows(kind, header, records, today)
        source = SourceFile(file.name, hashlib.sha256(data).hexdigest())
        report = import_crosscheck(rt.uow(), actor, kind, rows, source)
    click.echo(
        f"{file.name} ({kind}): {report.rows} records, {report.matched} about members of open "
        f"or enrolled cases; {report.raised} flags raised on {len(report.case_ids)} cases, "
        f"{report.already} raised before"
        + (f"; {report.deaths_recorded} deaths recorded" if kind == "deaths" else "")
    )


@crosscheck.command("resolve")
@click.argument("flag_id", type=click.IntRange(1, DB_INT_MAX))
@click.option("--outcome", required=True, type=click.Choice(list(OUTCOMES)))
@click.option("--reason", required=True, help="Why: what explains the record, or the recheck.")
@click.option("--user", "username", required=True, help="Resolve as this user.")
def crosscheck_resolve(flag_id: int, outcome: str, reason: str, username: str) -> None:
    """Resolve a flag: the record is explained, or the case is rechecked."""
    require_schema()
    actor = acting_user(username)
    with domain_errors():
        ref = resolve_crosscheck(runtime().uow(), actor, flag_id, outcome, reason)
    click.echo(f"flag {flag_id} resolved ({outcome}); case {ref.id} is {ref.state}")


COMMANDS = (crosscheck,)
