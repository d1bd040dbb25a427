"""The case dossier (案卷): everything recorded about a case, and whether its chain verifies."""

from __future__ import annotations

import pytest

from audit.dossier import Dossier, case_dossier
from engine.errors import Forbidden
from engine.services import Application, record_objection
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, member, tamper

S = CaseState


def dossier(w: World, case_id: int, who: str = "inspector") -> Dossier:
    with w.rt.reader() as uow:
        found, scope = case_dossier(uow.session, w.actors[who], case_id, w.clock.now(), w.clock.tz)
    assert scope.case_id == case_id and scope.kind == "dossier"
    return found


def test_the_dossier_holds_the_whole_file_and_a_verified_chain(world: World) -> None:
    people = [
        member("self", "100", name="王建国", serious_illness=True),
        member("spouse", "0", name="李秀兰", disability_grade=2, disability_type="physical"),
    ]
    case_id = world.apply(Application("dibao", VILLAGE_A1, people))
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    record_objection(world.uow(), world.actors["clerk"], case_id, "村民甲", "家中有车")
    found = dossier(world, case_id)
    assert [m.name for m in found.members] == ["王建国", "李秀兰"]
    assert found.members[0].id_number == people[0].id_number  # full data: inspectors' file
    assert found.members[1].disability_grade == 2 and found.members[0].serious_illness
    assert found.investigations and found.investigations[0].investigators
    assert found.objections[0].content == "家中有车"
    assert [d.trigger for d in found.decisions] == ["propose"]
    assert found.chain_ok and found.chain_problem is None
    assert len(found.entries) == found.entries[-1].seq
    assert found.entries[-1].hash == found.chain_head
    assert found.entries[1].prev_hash == found.entries[0].hash
    assert dict(found.dates).keys() >= {"submitted_at", "accepted_at", "notice_started_at"}


def test_a_tampered_chain_shows_in_the_dossier(world: World) -> None:
    case_id = world.apply()
    world.fire(case_id, "accept", "clerk")
    tamper(
        world.rt.settings.database_url,
        f"UPDATE audit_entry SET reason = 'x' WHERE case_id = {case_id}",
    )
    found = dossier(world, case_id)
    assert not found.chain_ok and found.chain_problem is not None


def test_only_inspectors_and_staff_of_the_region_print_it(world: World) -> None:
    case_id = world.apply()
    assert dossier(world, case_id, who="clerk").case_id == case_id
    with pytest.raises(Forbidden):
        dossier(world, case_id, who="clerk_b")
    with pytest.raises(Forbidden):
        dossier(world, case_id, who="admin")
