"""The ``doudi`` command line: a FlaskGroup whose commands each make one service call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import func, select

from admin import demo as demo_data
from admin.app import create_app
from admin.cli.archives import COMMANDS as ARCHIVE_COMMANDS
from admin.cli.checkpoints import COMMANDS as CHECKPOINT_COMMANDS
from admin.cli.crosscheck import COMMANDS as CROSSCHECK_COMMANDS
from admin.cli.kinship import COMMANDS as KINSHIP_COMMANDS
from admin.cli.monitoring import COMMANDS as MONITORING_COMMANDS
from admin.cli.notices import notices
from admin.cli.roster import COMMANDS as ROSTER_COMMANDS
from admin.cli.rules import COMMANDS as RULE_COMMANDS
from admin.cli.rules import audit_replay
from admin.cli.support import (
    acting_user,
    domain_errors,
    progress_bar,
    require_schema,
    template_out,
    write_template,
)
from admin.config import ConfigError
from admin.demo.monitoring import COORDINATOR
from admin.documents.fonts import document_warnings
from admin.extensions import runtime
from admin.grants import GrantError, apply_grants, grant_statements
from admin.imports import read_records
from admin.migrate import current_revision, head_revision, upgrade
from audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    load_private_key,
    public_key_text,
    replay_checkpoints,
)
from audit.verify import (
    MAX_VERIFY_WORKERS,
    count_entries,
    snapshot_reads,
    verify_all,
)
from engine.models import Base, Case, Region, User
from engine.services import advance as advance_case
from engine.services.regions import import_regions, region_rows
from engine.services.users import NewUser, approve_user, create_user
from engine.states import Role


def _create_app() -> Flask:
    try:
        app = create_app()
    except ConfigError as err:
        raise click.ClickException(f"configuration: {err}") from None
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        # release database connections when the command ends
        ctx.find_root().call_on_close(app.extensions["doudi"].close)
    return app


cli = FlaskGroup(
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="""doudi (兜底): case workflow and audit engine for 低保, 特困 and 单人保.

    Configuration comes from DOUDI_DATABASE_URL, DOUDI_ENV, DOUDI_SECRET_KEY,
    DOUDI_NOW (tests only) and DOUDI_TIMEZONE; see the README.""",
)

db = AppGroup("db", help="Database schema migrations.")
regions = AppGroup("regions", help="Administrative regions (county, township, village).")
users = AppGroup("users", help="User accounts.")
audit = AppGroup("audit", help="The tamper-evident audit trail.")
cases = AppGroup("cases", help="Work on cases from the command line (same service as the API).")


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option(
    "--grant-to",
    "grant_to",
    default=None,
    metavar="ROLE",
    help="Then give this PostgreSQL role the application's rights (see `doudi db grant`).",
)
def db_upgrade(revision: str, grant_to: str | None) -> None:
    """Create or migrate the database schema (Alembic)."""
    rt = runtime()
    if grant_to is not None:
        _checked_role(rt.engine, grant_to)
    before = current_revision(rt.engine)
    upgrade(rt.engine, revision)
    after = current_revision(rt.engine)
    if before == after:
        click.echo(f"database already at revision {after}")
    else:
        click.echo(f"database migrated from {before or 'empty'} to {after}")
    if grant_to is not None:
        _grant(rt.engine, grant_to)


@db.command("grant")
@click.argument("role")
@click.option("--print", "print_only", is_flag=True, help="Print the SQL instead of running it.")
def db_grant(role: str, print_only: bool) -> None:
    """Give ROLE the application's rights: evidence tables INSERT and SELECT only.

    Run as the role that owns the schema (the one that runs `doudi db upgrade`),
    again after every upgrade. PostgreSQL only.
    """
    rt = runtime()
    if print_only:
        try:
            statements = grant_statements(Base.metadata, role)
        except GrantError as err:
            raise click.BadParameter(str(err), param_hint="ROLE") from None
        click.echo(";\n".join(statements) + ";")
        return
    _checked_role(rt.engine, role)
    _grant(rt.engine, role)


def _checked_role(engine: Any, role: str) -> None:
    try:
        grant_statements(Base.metadata, role)
    except GrantError as err:
        raise click.BadParameter(str(err), param_hint="ROLE") from None
    if engine.dialect.name != "postgresql":
        raise click.ClickException("database roles exist only on PostgreSQL; SQLite has no grants")


def _grant(engine: Any, role: str) -> None:
    try:
        statements = apply_grants(engine, Base.metadata, role)
    except GrantError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{role}: {len(statements)} grants applied (evidence tables: INSERT and SELECT)")


@db.command("current")
@click.option("--check", is_flag=True, help="Exit 1 unless the database is at the code's revision.")
def db_current(check: bool) -> None:
    """Show the database's schema revision and the code's."""
    rt = runtime()
    database, code = current_revision(rt.engine), head_revision(rt.engine)
    click.echo(f"database: {database or 'empty'}")
    click.echo(f"code:     {code}")
    if check and database != code:
        raise click.ClickException("the database is not at the code's revision: doudi db upgrade")


@regions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def regions_import(file: Path) -> None:
    """Import regions from a CSV or XLSX file (code,name,parent_code,level,area_type).

    Optional columns: population, and the contacts printed on documents:
    authority, office, phone (townships and counties), reconsideration_body
    and court (counties). The template's Chinese headers and words are accepted
    too (`doudi regions template`). All rows are checked first; any invalid row
    refuses the whole file. Importing the same file again changes nothing.
    """
    require_schema()
    with domain_errors():
        rows = region_rows(*read_records(file.name, file.read_bytes()))
        report = import_regions(runtime().uow(), rows)
    click.echo(
        f"regions: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    )


@regions.command("template")
@template_out
def regions_template(out: Path) -> None:
    """Write the region import template: Chinese headers, drop-down lists, notes."""
    write_template(out, "regions")


@users.command("create")
@click.option("--username", required=True, help="Sign-in name (letters, digits, _ . -).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--region", "region_code", required=True, help="Region code the user works in.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Password (prompted when omitted).",
)
@click.option("--display-name", default="", help="Name shown in the UI.")
@click.option("--id-number", default=None, help="Resident ID linking the user to a person.")
def users_create(
    username: str,
    role: str,
    region_code: str,
    password: str,
    display_name: str,
    id_number: str | None,
) -> None:
    """Create a user account."""
    require_schema()
    with domain_errors():
        user_id = create_user(
            runtime().uow(),
            NewUser(username, role, region_code, password, display_name, id_number),
        )
    click.echo(f"user {username} created (id {user_id}, {role}, region {region_code})")


@users.command("approve")
@click.argument("username")
def users_approve(username: str) -> None:
    """Approve, as the operator, an account an administrator created or gave a new password.

    Accounts that see personal data wait for a second pair of eyes when an
    administrator (who sees it masked) set their password; a county with a
    single administrator approves here. Recorded in the county's users ledger.
    """
    require_schema()
    with runtime().reader() as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise click.ClickException(f"no user {username!r}")
    with domain_errors():
        approve_user(runtime().uow(), None, user_id)
    click.echo(f"user {username} approved: it can sign in")


@users.command("list")
def users_list() -> None:
    """List user accounts."""
    require_schema()
    with runtime().reader() as uow:
        rows = uow.session.scalars(select(User).order_by(User.region_code, User.username)).all()
        for u in rows:
            state = (
                " (awaiting approval)"
                if u.pending_since is not None
                else ("" if u.active else " (disabled)")
            )
            click.echo(f"{u.username:<20} {u.role:<10} {u.region_code:<12} {u.display_name}{state}")


@audit.command("verify")
@click.option(
    "--checkpoint",
    "kept_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="A checkpoint line kept outside the database (as `doudi audit checkpoint` printed it).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, MAX_VERIFY_WORKERS),
    default=1,
    show_default=True,
    help=(
        "Processes sharing the case chains on PostgreSQL: worth it where the database "
        "server has cores to spare (on two cores one process is as fast)."
    ),
)
def audit_verify(kept_file: click.utils.LazyFile | None, workers: int) -> None:
    """Recompute every chain and every stored checkpoint; exit 1 naming each problem.

    Each case's chain, each ledger and each county's read log must verify
    entry by entry; each checkpoint's signature, key, link to the one before
    and root (rebuilt from the leaves it recorded) must hold; and every chain
    must still hold each entry a checkpoint recorded. With --checkpoint, the
    database's checkpoint of that number must be the one kept, which detects a
    history rewritten after it even if every hash inside the database agrees.
    """
    require_schema()
    rt = runtime()
    kept = None
    if kept_file is not None:
        try:
            kept = Checkpoint.from_line(kept_file.read().strip().splitlines()[-1])
        except (CheckpointError, IndexError):
            raise click.ClickException(
                "--checkpoint: the file holds no checkpoint line as `doudi audit checkpoint` "
                "prints it"
            ) from None
    trusted = None
    if rt.settings.checkpoint_key is not None:
        try:
            trusted = public_key_text(load_private_key(rt.settings.checkpoint_key))
        except CheckpointError as err:
            raise click.ClickException(str(err)) from None
    with rt.reader() as uow:
        snapshot_reads(uow.session)
        replay = replay_checkpoints(uow.session, trusted_key=trusted, kept=kept)
        total = count_entries(uow.session)
        with progress_bar(total, "verifying") as bar:
            report = verify_all(
                uow.session, progress=bar.update, recorded=replay.recorded, workers=workers
            )
    for problem in report.breaks:
        click.echo(f"{problem.chain}: entry {problem.seq}: {problem.message} [{problem.kind}]")
    for finding in replay.findings:
        click.echo(str(finding))
    summary = (
        f"{report.cases} cases, {report.ledgers} ledgers, {report.logs} read logs, "
        f"{report.entries} entries, {replay.checkpoints} checkpoints"
    )
    problems = []
    if report.breaks:
        problems.append(f"{len(report.breaks)} broken chain(s)")
    if replay.findings:
        problems.append(f"{len(replay.findings)} checkpoint problem(s)")
    if problems:
        raise click.ClickException(" and ".join(problems) + f" among {summary}")
    against = f"; matches kept checkpoint {kept.seq}" if kept is not None else ""
    click.echo(f"all chains intact: {summary}{against}")


@cases.command("advance")
@click.argument("case_id", type=int)
@click.argument("trigger")
@click.option("--user", "username", required=True, help="Act as this user (role and region apply).")
@click.option("--reason", default="", help="Written reason (required for reject, terminate, ...).")
@click.option("--expected-version", type=int, default=None, help="Refuse if the case has moved on.")
def cases_advance(
    case_id: int, trigger: str, username: str, reason: str, expected_version: int | None
) -> None:
    """Fire TRIGGER on case CASE_ID as a user, through the same service as the API."""
    require_schema()
    with domain_errors():
        ref = advance_case(
            runtime().uow(),
            case_id,
            trigger,
            acting_user(username),
            reason=reason,
            expected_version=expected_version,
        )
    click.echo(f"case {ref.id}: {trigger} -> {ref.state} (version {ref.version})")


@cli.command("demo")
@click.option(
    "--households",
    default=demo_data.DEFAULT_HOUSEHOLDS,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many demo households.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database holds no regions.")
def demo(households: int, if_empty: bool) -> None:
    """Load a demo county modelled on 乐至县 (idempotent: reruns add only what is missing)."""
    require_schema()
    rt = runtime()
    if rt.settings.env == "production":
        raise click.ClickException("refusing to load demo data with DOUDI_ENV=production")
    with rt.reader() as uow:
        has_regions = uow.session.scalar(select(func.count()).select_from(Region)) or 0
    if if_empty and has_regions:
        click.echo("database is not empty: demo not loaded")
        return
    with domain_errors(), progress_bar(households, "demo households") as bar:
        report = demo_data.load_demo(rt.uow, rt.clock, households, progress=bar.update)
    with rt.reader() as uow:
        total = uow.session.scalar(select(func.count()).select_from(Case))
    click.echo(
        f"demo: {report.regions_created} regions, {report.users_created} users and "
        f"{report.households_created} households created "
        f"({report.households_skipped} already present); {total} cases in all; "
        f"registry: {report.officials_created} officials and "
        f"{report.relatives_created} declared relatives added; monitoring: "
        f"{report.monitored_added} people and {report.warnings_raised} warnings added"
    )
    click.echo(f"demo users (password for all: {demo_data.DEMO_PASSWORD}):")
    for user in demo_data.demo_users():
        click.echo(f"  {user.username:<18} {user.role.value:<10} {user.region_code}")
    with rt.reader() as uow:
        coordinator = uow.session.scalar(select(User).where(User.username == COORDINATOR))
    if coordinator is not None:
        click.echo(
            f"  {coordinator.username:<18} {coordinator.role.value:<10} {coordinator.region_code}"
        )


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads."
)
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Serve the application with the production WSGI server (waitress)."""
    from waitress import serve as waitress_serve

    require_schema()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for warning in document_warnings():
        click.echo(warning, err=True)
    click.echo(f"doudi serving on http://{host}:{port}/ (Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="doudi")


audit.add_command(audit_replay)
for command in CHECKPOINT_COMMANDS:
    audit.add_command(command)
for group in (
    db,
    regions,
    users,
    audit,
    cases,
    notices,
    *RULE_COMMANDS,
    *KINSHIP_COMMANDS,
    *ARCHIVE_COMMANDS,
    *ROSTER_COMMANDS,
    *CROSSCHECK_COMMANDS,
    *MONITORING_COMMANDS,
):
    cli.add_command(group)


def main(argv: list[str] | None = None) -> Callable[..., Any] | None:
    """Run the ``doudi`` command."""
    return cli.main(args=argv, prog_name="doudi")  # type: ignore[no-any-return]
