"""Helpers the ``doudi`` commands share: errors, progress bars, schema check, acting user."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import select

from admin.extensions import runtime
from admin.migrate import current_revision, head_revision
from engine.errors import DomainError
from engine.models import User
from engine.ports import Actor
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
