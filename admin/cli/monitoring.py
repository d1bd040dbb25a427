"""``doudi monitoring``: the low-income monitoring register, risk signals and warnings."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.support import (
    YuanType,
    acting_user,
    domain_errors,
    log_cli_read,
    require_schema,
)
from admin.extensions import runtime
from admin.imports import read_records
from engine.cells import SourceFile
from engine.clock import local_date
from engine.monitoring_reads import STATUSES, list_warnings
from engine.privacy import Disclosure
from engine.services.monitoring import MANUAL_SIGNALS, TAGS, Signal, raise_signal, register
from engine.services.monitoring_rows import monitoring_rows

#: encodings a register CSV may come in: UTF-8, or GBK from older systems
ENCODINGS = ("utf-8", "gb18030")

monitoring = AppGroup("monitoring", help="Low-income population monitoring (低收入人口动态监测).")


@monitoring.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Import as this user.")
def monitoring_import(file: Path, username: str) -> None:
    """Put people on the register with their tags: id_number, name, village_code, tag,
    source, tagged_on (or 身份证号码, 姓名, 村社区代码, 监测类别, 数据来源, 纳入日期).

    Tags: marginal, rigid_expense, poverty_return_watch, lifted_from_poverty,
    single_parent, serious_illness, disabled (or their Chinese names). Any bad row
    refuses the file, naming line and column; a tag already held is left as it is.
    """
    require_schema()
    actor = acting_user(username)
    rt = runtime()
    data = file.read_bytes()
    with domain_errors():
        header, records = read_records(file.name, data, ENCODINGS)
        rows = monitoring_rows(header, records, local_date(rt.clock.now(), rt.clock.tz), TAGS)
        report = register(
            rt.uow(), actor, rows, SourceFile(file.name, hashlib.sha256(data).hexdigest())
        )
    click.echo(
        f"{file.name}: {report.people_added} people added, {report.tags_added} tags added, "
        f"{report.unchanged} unchanged"
    )


@monitoring.command("signal")
@click.argument("id_number")
@click.option("--signal", "kind", required=True, type=click.Choice(list(MANUAL_SIGNALS)))
@click.option("--on", "signal_on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--detail", required=True, help="What happened, in a sentence.")
@click.option("--amount-yuan", type=YuanType(), default=None, help="A hospital bill's amount.")
@click.option("--user", "username", required=True, help="Record as this user.")
def monitoring_signal(
    id_number: str,
    kind: str,
    signal_on: dt.datetime,
    detail: str,
    amount_yuan: Decimal | None,
    username: str,
) -> None:
    """Record a risk signal about a person on the register; it raises a warning to follow up."""
    require_schema()
    actor = acting_user(username)
    with domain_errors():
        found = raise_signal(
            runtime().uow(), actor, Signal(id_number, kind, signal_on.date(), detail, amount_yuan)
        )
    if found.raised:
        click.echo(f"warning {found.warning_id} raised")
    else:
        click.echo(f"no new warning: {found.reason}")


@monitoring.command("warnings")
@click.option("--status", type=click.Choice(STATUSES), default="open", show_default=True)
@click.option("--user", "username", required=True, help="List as this user (their region).")
def monitoring_warnings(status: str, username: str) -> None:
    """List the warnings of the user's region, soonest due first."""
    require_schema()
    actor = acting_user(username)
    rt = runtime()
    with rt.reader() as uow:
        rows, total = list_warnings(
            uow.session, actor, local_date(rt.clock.now(), rt.clock.tz), status, 1, 1000
        )
    if Disclosure(actor).full:
        log_cli_read(actor, "list_warnings", [w.case_id for w in rows])
    for w in rows:
        late = " OVERDUE" if w.overdue else ""
        click.echo(
            f"{w.id:>6} {w.village_code} {w.name:<8} {w.signal:<14} due {w.due_on} {w.status}{late}"
        )
    click.echo(f"{total} warning(s)")


COMMANDS = (monitoring,)
