"""``doudi archives``: which household files have passed their retention period (一户一档)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.support import export_format, log_cli_read, reading_user, require_schema
from admin.exports import write_table
from admin.extensions import runtime
from audit.archives import past_retention
from engine.clock import local_date
from engine.privacy import Disclosure

archives = AppGroup("archives", help="Household files (一户一档) and their retention periods.")

HEADER = ("户编号", "村（社区）", "申请人", "档案类别", "案件编号", "截止日期", "保存至", "条目数")
KIND_LABELS = {"enrolment": "审核确认类", "management": "日常管理类"}


@archives.command("due")
@click.option("--county", required=True, help="County code, e.g. 512022.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="List what has passed its period by this day (default: today).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write FILE.xlsx or FILE.csv instead of printing.",
)
@click.option(
    "--user",
    "username",
    default=None,
    help="Read as this user (their role and region apply and the read is logged); "
    "without it, as the operator (logged as 'system').",
)
def archives_due(
    county: str, as_of: dt.datetime | None, out: Path | None, username: str | None
) -> None:
    """List household files past their retention period (enrolment files N years after the
    household's last case ended, daily-management files N years after they were made; N from
    the county's parameters). Nothing is deleted: the archivist decides, and the audit trail
    is kept for good."""
    require_schema()
    if out is not None:
        export_format(out)
    rt = runtime()
    actor = reading_user(county, username)
    today = as_of.date() if as_of else local_date(rt.clock.now(), rt.clock.tz)
    with rt.reader() as uow:
        items = past_retention(uow.session, county, today, rt.clock.tz, Disclosure(actor))
    log_cli_read(actor, "list_archives_due", sorted({c for i in items for c in i.case_ids}))
    table = [
        (
            i.household_id,
            i.village_code,
            i.applicant,
            KIND_LABELS[i.kind],
            "、".join(str(c) for c in i.case_ids),
            i.dated.isoformat(),
            i.kept_until.isoformat(),
            i.entries or "",
        )
        for i in items
    ]
    if out is not None:
        digest = write_table(out, "到期档案", HEADER, table)
        click.echo(f"{out}: {len(items)} file(s) past their period, sha256 {digest}")
        return
    for row in table:
        click.echo("  ".join(str(v) for v in row))
    click.echo(f"{len(items)} file(s) past their retention period by {today}; nothing was deleted")


COMMANDS = (archives,)
