"""Indicators read from the database: households sharing an address or a bank account with
an official of the registry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from audit.indicators import indicators
from audit.officials import RegistryReport, import_officials, official_row
from engine.errors import InvalidData
from engine.services import Application
from tests.support import VILLAGE_A1, World, application, id_number

ADDRESS = "乐至县童家镇白塔村3组12号"
ACCOUNT = "6214830012345678901"
CADRE_ID = id_number(dt.date(1971, 5, 6))


def registered_cadre(w: World, **contact: str) -> RegistryReport:
    row = official_row(
        official_id_number=CADRE_ID,
        official_name="赵德明",
        position="village_director",
        region_code=VILLAGE_A1,
        **contact,
    )
    return import_officials(w.uow(), w.actors["admin"], [row])


def applied(w: World, **household: str) -> int:
    app: Application = dataclasses.replace(application(), **household)  # type: ignore[arg-type]
    return w.apply(app)


def shared(w: World) -> list[tuple[int, str, str]]:
    today = w.today()
    with w.rt.reader() as uow:
        found = indicators(uow.session, "512022", today, today, w.rt.clock.tz, uow.rules)
    return [(s.case_id, s.name, s.shared) for s in found.shared_contacts]


def test_households_at_an_officials_address_or_account_are_listed(world: World) -> None:
    registered_cadre(world, home_address=ADDRESS, bank_account=ACCOUNT)
    # the same address written with spaces, full-width digits and a different dash
    same_place = applied(world, address="乐至县 童家镇 白塔村３组１２号")
    same_account = applied(world, bank_account=ACCOUNT)
    elsewhere = applied(
        world, address="乐至县童家镇白塔村3组13号", bank_account="6214830000000000001"
    )
    assert shared(world) == [
        (same_place, "赵德明", "address"),
        (same_account, "赵德明", "bank_account"),
    ]
    assert elsewhere not in {case for case, _, _ in shared(world)}


def test_a_registry_file_updates_an_officials_address_and_a_rerun_changes_nothing(
    world: World,
) -> None:
    registered_cadre(world, home_address="旧址")
    case_id = applied(world, address=ADDRESS)
    assert shared(world) == []
    moved = registered_cadre(world, home_address=ADDRESS)
    assert (moved.officials_created, moved.officials_updated) == (0, 1)
    assert shared(world) == [(case_id, "赵德明", "address")]
    again = registered_cadre(world, home_address=ADDRESS)
    assert (again.officials_updated, again.officials_unchanged) == (0, 1)


def test_a_bad_bank_account_in_the_registry_refuses_the_file(world: World) -> None:
    with pytest.raises(InvalidData) as raised:
        registered_cadre(world, bank_account="62-14")
    assert [p.field for p in raised.value.problems] == ["line 1.bank_account"]
