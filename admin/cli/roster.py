"""``doudi roster``: bring in the cases a county already has (存量数据迁移)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.support import (
    acting_user,
    domain_errors,
    progress_bar,
    require_schema,
    template_out,
    write_template,
)
from admin.extensions import runtime
from admin.imports import read_records
from engine.cells import SourceFile
from engine.clock import local_date
from engine.errors import Problem
from engine.services.roster import RosterReport, import_roster
from engine.services.roster_rows import roster_rows

#: encodings a roster CSV may come in: UTF-8, or GBK from older provincial systems
ROSTER_ENCODINGS = ("utf-8", "gb18030")
#: households whose amount differs from the rules, listed by line in a dry run
SHOWN_DIFFERENCES = 20

roster = AppGroup("roster", help="A county's existing roster of enrolled cases (存量数据迁移).")


def _summary(report: RosterReport, file_name: str) -> str:
    verb = "would import" if report.dry_run else "imported"
    lines = [
        f"{file_name}: {verb} {report.households} households, {report.members} members; "
        f"{report.unchanged} unchanged (imported before)"
    ]
    if report.by_category:
        lines.append(
            "  by category: " + ", ".join(f"{k} {v}" for k, v in sorted(report.by_category.items()))
        )
    if report.by_state:
        lines.append(
            "  by state: " + ", ".join(f"{k} {v}" for k, v in sorted(report.by_state.items()))
        )
    if report.amount_differences:
        lines.append(
            f"  {len(report.amount_differences)} household(s) keep an amount other than the "
            "rules give for their rows' figures (recorded in each case's trail)"
        )
    if not report.dry_run:
        lines.append(f"  kinship flags raised: {report.kinship_flags}")
    return "\n".join(lines)


def _problem_line(problem: Problem) -> str:
    return f"  - {problem.message} / {problem.message_en}"


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--county", "county", required=True, help="The county's 6-digit code.")
@click.option(
    "--user",
    "username",
    required=True,
    help="Import as this user (the county's admin or approver).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check every row and print what would be imported; write nothing.",
)
def roster_import(file: Path, county: str, username: str, dry_run: bool) -> None:
    """Import a county's roster: one row per member, CSV (UTF-8 or GBK) or XLSX.

    Columns: household_no, village_code, area_type, category, id_number, name,
    relation, monthly_income, disability_grade, serious_illness, able_to_work,
    monthly_yuan, approved_on, next_recheck_on, phase_out_started_on (or the
    Chinese headers in the README). Any bad row refuses the whole file, naming
    line and column; importing the same file again changes nothing.
    """
    require_schema()
    actor = acting_user(username)
    rt = runtime()
    data = file.read_bytes()
    with domain_errors():
        header, records = read_records(file.name, data, ROSTER_ENCODINGS)
        today = local_date(rt.clock.now(), rt.clock.tz)
        rows = roster_rows(header, records, today)
        source = SourceFile(file.name, hashlib.sha256(data).hexdigest())
        if dry_run:
            report = import_roster(rt.uow(), actor, county, rows, source, dry_run=True)
        else:
            households = len({r.household_no for r in rows})
            with progress_bar(households, "households") as bar:
                report = import_roster(rt.uow(), actor, county, rows, source, progress=bar.update)
    click.echo(_summary(report, file.name))
    if dry_run:
        for difference in report.amount_differences[:SHOWN_DIFFERENCES]:
            click.echo(
                f"  line {difference.line} household {difference.household_no}: "
                f"{difference.monthly_yuan} yuan, the rules give {difference.rules_yuan}"
            )
        if report.problems:
            click.echo(f"{len(report.problems)} problem(s); the file would be refused:", err=True)
            for problem in report.problems:
                click.echo(_problem_line(problem), err=True)
            raise SystemExit(1)


@roster.command("template")
@template_out
def roster_template(out: Path) -> None:
    """Write the roster import template: Chinese headers, drop-down lists, notes."""
    write_template(out, "roster")


COMMANDS = (roster,)
