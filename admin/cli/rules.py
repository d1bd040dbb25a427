"""``doudi`` commands for local policy, bulk rechecks, phase-outs, payment rolls and statistics."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from admin.cli.support import (
    acting_user,
    domain_errors,
    export_format,
    progress_bar,
    require_schema,
)
from admin.exports import write_table
from admin.extensions import runtime
from audit.replay import replay_case
from engine.access import county_of
from engine.clock import local_date
from engine.parameters import SPECS
from engine.services.bulk import (
    DEFAULT_BATCH,
    count_due_phase_outs,
    count_due_rechecks,
    end_due_phase_outs,
    start_due_rechecks,
)
from engine.services.payments import parse_month, payment_lines, record_roll
from engine.services.policy import (
    NewCalendarDay,
    NewParameter,
    NewStandard,
    set_calendar_day,
    set_parameter,
    set_standard,
)
from engine.services.policy_queries import list_parameters, list_standards
from engine.stats import county_stats

standards = AppGroup("standards", help="保障标准: yuan per person per month, dated.")
parameters = AppGroup("parameters", help="Local policy parameters, dated.")
calendar = AppGroup("calendar", help="Working-day calendar: national adjustments, local days off.")
rechecks = AppGroup("rechecks", help="Periodic rechecks (Art. 31).")
phase_out = AppGroup("phase-out", help="Phase-out after employment (2022 notice).")
payments = AppGroup("payments", help="Monthly payment rolls.")

USER = click.option(
    "--user",
    "username",
    required=True,
    help="Act as this user (their role and region apply; recorded in the trail).",
)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


@standards.command("set")
@click.option("--county", required=True, help="County code, e.g. 512022.")
@click.option("--area-type", type=click.Choice(["rural", "urban"]), required=True)
@click.option("--category", type=click.Choice(["dibao", "tekun"]), required=True)
@click.option("--monthly-yuan", required=True, help="Yuan per person per month.")
@click.option("--effective-from", required=True, help="YYYY-MM-DD")
@click.option("--source", required=True, help="The policy document (name and number).")
@USER
def standards_set(
    county: str,
    area_type: str,
    category: str,
    monthly_yuan: str,
    effective_from: str,
    source: str,
    username: str,
) -> None:
    """Add a dated standard version (refused if it would rewrite a past decision)."""
    require_schema()
    try:
        amount = Decimal(monthly_yuan)
    except InvalidOperation:
        raise click.BadParameter(
            f"{monthly_yuan!r} is not an amount", param_hint="--monthly-yuan"
        ) from None
    with domain_errors():
        new_id = set_standard(
            runtime().uow(),
            acting_user(username),
            NewStandard(
                county,
                area_type,
                category,
                amount,
                _date(effective_from, "--effective-from"),
                source,
            ),
        )
    click.echo(
        f"standard {new_id}: {county} {area_type} {category} {amount} yuan from {effective_from}"
    )


@standards.command("list")
@click.option("--county", default=None, help="Only this county.")
def standards_list(county: str | None) -> None:
    """List standard versions."""
    require_schema()
    with runtime().reader() as uow:
        for s in list_standards(uow.session, county):
            click.echo(
                f"{s.id:>4} {s.county_code} {s.area_type:<5} {s.category:<6} "
                f"{s.monthly_yuan:>9} from {s.effective_from}  {s.source}"
            )


@parameters.command("set")
@click.option("--county", required=True, help="County code.")
@click.option("--name", required=True, type=click.Choice(sorted(SPECS)))
@click.option("--value", required=True, help="A decimal, whole number, choice or 'none'.")
@click.option("--effective-from", required=True, help="YYYY-MM-DD")
@click.option("--source", required=True, help="The policy document.")
@USER
def parameters_set(
    county: str, name: str, value: str, effective_from: str, source: str, username: str
) -> None:
    """Add a dated version of a local policy parameter."""
    require_schema()
    with domain_errors():
        new_id = set_parameter(
            runtime().uow(),
            acting_user(username),
            NewParameter(county, name, value, _date(effective_from, "--effective-from"), source),
        )
    click.echo(f"parameter {new_id}: {county} {name} = {value} from {effective_from}")


@parameters.command("list")
@click.option("--county", default=None, help="Only this county (and the national defaults).")
def parameters_list(county: str | None) -> None:
    """List national defaults and county versions."""
    require_schema()
    with runtime().reader() as uow:
        for p in list_parameters(uow.session, county):
            where = p.county_code or "national"
            click.echo(f"{p.name:<42} {p.value:>10} {where:<8} from {p.effective_from}  {p.label}")


@calendar.command("set-day")
@click.argument("day")
@click.option("--working/--off", required=True, help="A working day or a day off.")
@click.option("--note", required=True, help="What the day is.")
@click.option("--source", required=True, help="The notice that set it.")
@click.option("--county", default=None, help="A county's own day; omit for a national one.")
@USER
def calendar_set_day(
    day: str, working: bool, note: str, source: str, county: str | None, username: str
) -> None:
    """Record a day that differs from the national calendar package (DAY is YYYY-MM-DD)."""
    require_schema()
    with domain_errors():
        set_calendar_day(
            runtime().uow(),
            acting_user(username),
            NewCalendarDay(_date(day, "DAY"), working, note, source, county),
        )
    click.echo(f"{day}: {'working day' if working else 'day off'} ({county or 'national'})")


def _as_of(value: str | None) -> dt.date:
    rt = runtime()
    return _date(value, "--as-of") if value else local_date(rt.clock.now(), rt.clock.tz)


@rechecks.command("start-due")
@click.option("--as-of", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--batch", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1, 50_000))
@USER
def rechecks_start_due(as_of: str | None, batch: int, username: str) -> None:
    """Start every periodic recheck due by a date (resumable: rerun does the rest)."""
    require_schema()
    rt, day = runtime(), _as_of(as_of)
    actor = acting_user(username)
    total = count_due_rechecks(rt.uow(), actor, day)
    with domain_errors(), progress_bar(total, "rechecks") as bar:
        report = start_due_rechecks(rt.uow, actor, day, batch, progress=bar.update)
    click.echo(
        f"rechecks started: {report.done} case(s) in {report.batches} batch(es), due by {day}"
    )


@phase_out.command("end-due")
@click.option("--as-of", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--batch", default=DEFAULT_BATCH, show_default=True, type=click.IntRange(1, 50_000))
@USER
def phase_out_end_due(as_of: str | None, batch: int, username: str) -> None:
    """End every phase-out that has run its months (resumable: rerun does the rest)."""
    require_schema()
    rt, day = runtime(), _as_of(as_of)
    actor = acting_user(username)
    total = count_due_phase_outs(rt.uow, actor, day)
    with domain_errors(), progress_bar(total, "phase-outs") as bar:
        report = end_due_phase_outs(rt.uow, actor, day, batch, progress=bar.update)
    click.echo(
        f"phase-outs ended: {report.done} case(s) in {report.batches} batch(es), as of {day}"
    )


ROLL_HEADER = (
    "序号",
    "案件编号",
    "村（社区）代码",
    "村（社区）",
    "领款人",
    "账号（脱敏）",
    "类别",
    "保障人数",
    "月保障金（元）",
    "案件状态",
)


@payments.command("roll")
@click.argument("month")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx or FILE.csv",
)
@click.option("--county", default=None, help="County code (default: the user's county).")
@USER
def payments_roll(month: str, out: Path, county: str | None, username: str) -> None:
    """Write the payment roll for MONTH (YYYY-MM); the generation is audited with its SHA-256."""
    require_schema()
    fmt = export_format(out)
    rt = runtime()
    actor = acting_user(username)
    county = county or county_of(actor.region_code)
    with domain_errors():
        first = parse_month(month)
        with rt.reader() as uow:
            lines = payment_lines(uow.session, county, first, rt.clock.tz)
        rows = [
            (
                i,
                line.case_id,
                line.village_code,
                line.village_name,
                line.payee,
                line.account,
                line.category,
                line.people,
                line.monthly_yuan,
                line.state,
            )
            for i, line in enumerate(lines, 1)
        ]
        # write beside the target first: the roll is recorded before the file appears
        handle, temp = tempfile.mkstemp(suffix=f".{fmt}", dir=out.resolve().parent)
        os.close(handle)
        try:
            digest = write_table(Path(temp), f"{first:%Y-%m}", ROLL_HEADER, rows)
            record_roll(rt.uow(), actor, county, first, lines, digest, out.name, fmt)
            Path(temp).replace(out)
        finally:
            Path(temp).unlink(missing_ok=True)
    total = sum((line.monthly_yuan for line in lines), Decimal(0))
    click.echo(f"{out}: {len(lines)} payments, {total} yuan, sha256 {digest}")


@click.command("stats")
@with_appcontext
@click.option("--county", default=None, help="County code (default: the user's county).")
@click.option("--year", default=None, type=int, help="Year of new enrolments (default: this).")
@USER
def stats(county: str | None, year: int | None, username: str) -> None:
    """Print the county's figures (JSON): people, households, coverage, amounts, overdue."""
    require_schema()
    rt = runtime()
    actor = acting_user(username)
    county = county or county_of(actor.region_code)
    today = local_date(rt.clock.now(), rt.clock.tz)
    with rt.reader() as uow:
        figures = county_stats(uow.session, county, year or today.year, today, rt.clock.tz)
    click.echo(
        json.dumps(
            {"county": county, "year": year or today.year, "as_of": str(today), "figures": figures},
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )


@click.command("replay")
@with_appcontext
@click.argument("case_id", type=int)
def audit_replay(case_id: int) -> None:
    """Recompute each decision receipt of CASE_ID from its stored inputs; exit 1 on a difference."""
    require_schema()
    with runtime().reader() as uow:
        results = replay_case(uow.session, case_id)
    if not results:
        click.echo(f"case {case_id}: no decision receipts")
        return
    bad = 0
    for r in results:
        if r.matches:
            click.echo(f"entry {r.seq} {r.trigger}: {r.recorded['monthly_yuan']} yuan, matches")
        else:
            bad += 1
            click.echo(f"entry {r.seq} {r.trigger}: DIFFERS")
            for line in r.differences():
                click.echo(f"  {line}")
    if bad:
        raise click.ClickException(f"{bad} receipt(s) of case {case_id} do not replay")


COMMANDS = (standards, parameters, calendar, rechecks, phase_out, payments, stats)
