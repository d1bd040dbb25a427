"""``doudi`` commands for the officials registry and kinship conflicts."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.support import (
    acting_user,
    domain_errors,
    export_format,
    log_cli_read,
    progress_bar,
    reading_user,
    require_schema,
    template_out,
    write_template,
)
from admin.documents.labels import label
from admin.exports import write_table
from admin.extensions import runtime
from admin.imports import read_records
from audit.inspect import enrolled_flagged_cases, kinship_register
from audit.officials import check_header, import_officials, rows_from_records
from audit.scan import apply_scan, plan_scan
from engine.ports import Actor
from engine.privacy import Disclosure
from engine.states import Role

officials = AppGroup("officials", help="The registry of case officers and village cadres.")
kinship = AppGroup(
    "kinship", help="Kinship conflicts (近亲属): scan, the register, enrolled relatives."
)


def operator(username: str | None) -> Actor:
    """The named user, or the operator at this terminal acting as an administrator."""
    if username:
        return acting_user(username)
    return Actor(user_id=None, username=f"cli:{getpass.getuser()}", role=Role.ADMIN, region_code="")


@officials.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--user",
    "username",
    default=None,
    help="Act as this administrator (default: the operator at this terminal).",
)
def officials_import(file: Path, username: str | None) -> None:
    """Import officials and their declared relatives from CSV or XLSX, one relative per row.

    Columns: official_id_number, official_name, position, region_code,
    relative_id_number, relative_name, relative_birth_date, relation (and
    optionally term_start, term_end). Every row is checked first; any bad row
    refuses the file, naming its line. Importing the same file again changes
    nothing.
    """
    require_schema()
    if file.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter("the file must end in .csv or .xlsx", param_hint="FILE")
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with domain_errors():
        header, records = read_records(file.name, data)
        check_header(header)
        report = import_officials(
            runtime().uow(), operator(username), rows_from_records(records), file_sha256=digest
        )
    click.echo(
        f"officials: {report.officials_created} created, {report.officials_updated} updated, "
        f"{report.officials_unchanged} unchanged; "
        f"relatives: {report.relatives_created} created, {report.relatives_unchanged} unchanged; "
        f"flags: {report.flags.new} new, {report.flags.unchanged} unchanged, "
        f"{report.flags.vanished} vanished"
    )


@officials.command("template")
@template_out
def officials_template(out: Path) -> None:
    """Write the registry import template: Chinese headers, drop-down lists, notes."""
    write_template(out, "officials")


@kinship.command("scan")
@click.option(
    "--user",
    "username",
    default=None,
    help="Record the scan as this user (default: the operator at this terminal).",
)
def kinship_scan(username: str | None) -> None:
    """Check every open and active case against the whole registry (idempotent)."""
    require_schema()
    rt = runtime()
    actor = operator(username)
    with domain_errors(), rt.uow() as uow:
        planned = plan_scan(uow, actor)
        with progress_bar(len(planned.changes), "cases to update") as bar:
            changes = apply_scan(uow, actor, planned, progress=bar.update)
        uow.commit()
    click.echo(
        f"kinship flags: {changes.new} new, {changes.unchanged} unchanged, "
        f"{changes.vanished} vanished"
    )


REGISTER_HEADER = (
    "序号",
    "备案日期",
    "案件编号",
    "村（社区）",
    "申请人",
    "类别",
    "案件状态",
    "关联人员",
    "关系",
    "备案人",
    "备案说明",
)


@kinship.command("register")
@click.option("--county", required=True, help="County code, e.g. 512022.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx or FILE.csv",
)
@click.option("--year", type=int, default=None, help="Only filings of this year.")
@click.option(
    "--user",
    "username",
    default=None,
    help="Read as this user (their role and region apply and the read is logged); "
    "without it, as the operator (logged as 'system').",
)
def kinship_register_export(county: str, out: Path, year: int | None, username: str | None) -> None:
    """Export the register of filed cases (近亲属备案登记); the read of it is logged."""
    require_schema()
    export_format(out)
    rt = runtime()
    actor = reading_user(county, username)
    with rt.reader() as uow:
        rows = kinship_register(uow.session, county, Disclosure(actor), year)
    log_cli_read(actor, "export_register", [r.case_id for r in rows])
    table = [
        (
            i,
            r.filed_at.astimezone(rt.clock.tz).date().isoformat(),
            r.case_id,
            r.village_name,
            r.applicant,
            label("category", r.category),
            label("state", r.case_state),
            r.officials,
            r.relations,
            r.filed_by,
            r.note,
        )
        for i, r in enumerate(rows, 1)
    ]
    digest = write_table(out, "近亲属备案", REGISTER_HEADER, table)
    click.echo(f"{out}: {len(rows)} filed case(s), sha256 {digest}")


ENROLLED_HEADER = (
    "案件编号",
    "村（社区）",
    "申请人",
    "案件状态",
    "关联人员",
    "关系",
    "关联发现日期",
    "享受期间新发现",
    "关联后已备案",
    "关联后县级已入户",
    "最近复核日期",
    "下次复核日期",
)


@kinship.command("enrolled")
@click.option("--county", required=True, help="County code, e.g. 512022.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx or FILE.csv",
)
@click.option(
    "--user",
    "username",
    default=None,
    help="Read as this user (their role and region apply and the read is logged); "
    "without it, as the operator (logged as 'system').",
)
def kinship_enrolled_export(county: str, out: Path, username: str | None) -> None:
    """Export the enrolled cases related to officials, with their filing, county visit and
    recheck status (近亲属享受低保复核); the read is logged."""
    require_schema()
    export_format(out)
    rt = runtime()
    actor = reading_user(county, username)
    with rt.reader() as uow:
        rows = enrolled_flagged_cases(uow.session, county, Disclosure(actor))
    log_cli_read(actor, "export_enrolled_flags", [r.case_id for r in rows])
    tz = rt.clock.tz

    def day(value: dt.datetime | None) -> str:
        return value.astimezone(tz).date().isoformat() if value is not None else ""

    table = [
        (
            r.case_id,
            r.village_name,
            r.applicant,
            label("state", r.case_state),
            r.officials,
            r.relations,
            day(r.flagged_at),
            "是" if r.raised_while_enrolled else "否",
            "是" if r.filed else "否",
            "是" if r.county_visited else "否",
            day(r.rechecked_at),
            r.next_recheck_on.isoformat() if r.next_recheck_on else "",
        )
        for r in rows
    ]
    digest = write_table(out, "近亲属享受低保复核", ENROLLED_HEADER, table)
    pending = sum(1 for r in rows if r.raised_while_enrolled and not (r.filed and r.county_visited))
    click.echo(
        f"{out}: {len(rows)} enrolled flagged case(s), {pending} awaiting filing or the county's "
        f"visit, sha256 {digest}"
    )


COMMANDS = (officials, kinship)
