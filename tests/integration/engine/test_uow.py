"""The unit of work's commit (engine.uow): what it commits is kept, a commit the database
refuses keeps nothing, on SQLite and PostgreSQL (where COMMIT goes through the driver)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.errors import Conflict
from engine.models import Case
from engine.services.workflow_step import lock_case, record_case_event
from engine.uow import db_conflicts
from tests.support import World


def test_what_a_unit_of_work_commits_is_kept_and_what_it_does_not_is_not(world: World) -> None:
    case_id = world.apply()
    actor = world.actors["clerk"]
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        record_case_event(uow, case, actor, "note", {"said": "kept"})
        uow.commit()
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        record_case_event(uow, case, actor, "note", {"said": "dropped"})
        case.extension_ground = "special_hardship"
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.extension_ground is None
        said = uow.session.scalars(
            text("SELECT payload FROM audit_entry WHERE case_id = :c AND trigger = 'note'"),
            {"c": case_id},
        ).all()
    assert ["kept" in str(p) for p in said] == [True]


@pytest.mark.postgres
def test_a_commit_the_database_refuses_is_a_conflict_and_keeps_nothing(world: World) -> None:
    if world.rt.engine.dialect.name != "postgresql":
        pytest.skip("a constraint checked at COMMIT: PostgreSQL's deferred UNIQUE")
    case_id = world.apply()
    with world.rt.reader() as uow:
        version = uow.session.get(Case, case_id).version  # type: ignore[union-attr]
    actor = world.actors["clerk"]
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        record_case_event(uow, case, actor, "note", {"said": "refused"})
        uow.session.execute(
            text("CREATE TEMP TABLE once (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        )
        uow.session.execute(text("INSERT INTO once VALUES (1), (1)"))  # checked at COMMIT
        with pytest.raises(Conflict), db_conflicts():
            uow.commit()
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.version == version
        notes = uow.session.scalar(
            text("SELECT count(*) FROM audit_entry WHERE case_id = :c AND trigger = 'note'"),
            {"c": case_id},
        )
    assert notes == 0


def test_a_unit_of_work_commits_with_a_savepoint_still_open(world: World) -> None:
    case_id = world.apply()
    actor = world.actors["clerk"]
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        record_case_event(uow, case, actor, "note", {"said": "outer"})
        uow.session.begin_nested()
        case.extension_ground = "special_hardship"
        uow.commit()  # releases the savepoint, then commits
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.extension_ground == "special_hardship"
