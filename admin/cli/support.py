"""Helpers the ``doudi`` commands share: errors, progress bars, schema check, acting user,
and the reader, output file and read log of the commands that export personal data."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from admin.exports import table_format
from admin.extensions import runtime
from admin.import_templates import TEMPLATES
from admin.migrate import current_revision, head_revision
from audit.recorder import log_reads
from engine.access import covers
from engine.cells import MAX_YUAN_DIGITS, parse_yuan
from engine.errors import DomainError
from engine.models import User
from engine.ports import OPERATOR_INSPECTING, Actor
from engine.services.users import actor_of


@contextmanager
def domain_errors() -> Iterator[None]:
    """Print a refused command's reasons and exit non-zero instead of a traceback."""
    try:
        yield
    except DomainError as err:
        lines = [f"{err.message} / {err.message_en} [{err.code}]"]
        for problem in err.problems:
            where = f"{problem.field}: " if problem.field else ""
            lines.append(f"  - {where}{problem.message} / {problem.message_en}")
        raise click.ClickException("\n".join(lines)) from None


def progress_bar(total: int, label: str) -> Any:
    """A progress bar on stderr."""
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)


def require_schema() -> None:
    """Refuse to run against a database that is not migrated to the code's schema."""
    rt = runtime()
    if current_revision(rt.engine) != head_revision(rt.engine):
        raise click.ClickException("the database schema is not up to date: run `doudi db upgrade`")


def acting_user(username: str) -> Actor:
    """The actor a command acts as, or a one-line refusal."""
    with runtime().reader() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise click.ClickException(f"no active user {username!r}")
        return actor_of(user)


def export_format(out: Path) -> str:
    """The table format ``--out`` names (xlsx or csv), or a usage error naming the option."""
    try:
        return table_format(out)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--out") from None


def reading_user(region: str, username: str | None) -> Actor:
    """Who reads: the named user, refused outside their region, or the operator inspecting."""
    actor = acting_user(username) if username else OPERATOR_INSPECTING
    if username and not covers(actor.region_code, region):
        raise click.ClickException(f"{region} is outside the region of {username}")
    return actor


def log_cli_read(actor: Actor, action: str, case_ids: Collection[int | None]) -> None:
    """Log a command's read of these cases' personal data."""
    rt = runtime()
    with rt.uow() as uow:
        log_reads(
            uow.session, actor, action=action, channel="cli", at=rt.clock.now(), case_ids=case_ids
        )
        uow.commit()


#: the ``--out`` option of the template commands
template_out = click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the XLSX template.",
)


def write_template(out: Path, kind: str) -> None:
    """Write an import template, refusing to overwrite a file."""
    if out.exists():
        raise click.ClickException(f"{out} exists: not overwritten")
    out.write_bytes(TEMPLATES[kind]())
    click.echo(f"wrote {out}")


class YuanType(click.ParamType):
    """An amount in yuan as people write it (``engine.cells.parse_yuan``)."""

    name = "yuan"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        """The amount, or a usage error naming the option."""
        if isinstance(value, Decimal):
            return value
        amount = parse_yuan(str(value))
        if amount is None:
            self.fail(
                f"{value!r} is not an amount in yuan (at most {MAX_YUAN_DIGITS} digits and "
                "2 decimals)",
                param,
                ctx,
            )
        return amount
