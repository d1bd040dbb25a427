"""The application form: a clerk registers a household and submits the case."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import Case, Person
from engine.states import CaseState
from tests.support import VILLAGE_A1, VILLAGE_B1, World, id_number


def form(**more: str) -> dict[str, str]:
    data = {
        "category": "dibao",
        "village_code": VILLAGE_A1,
        "rigid_expenses_yuan": "",
        "m-0-id_number": id_number(),
        "m-0-name": "王大山",
        "m-0-relation": "self",
        "m-0-wages": "150",
        "m-1-id_number": id_number(male=False),
        "m-1-name": "李小花",
        "m-1-relation": "spouse",
        "m-1-wages": "100",
    }
    data.update(more)
    return data


def cases(world: World) -> int:
    with world.rt.reader() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_filled_form_registers_and_submits_the_case(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post("/admin/apply/", form())
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.state == CaseState.SUBMITTED
    page = b.text(f"/admin/case/{case_id}")
    assert "王大山" in page and f"案件 #{case_id} 已登记" in page


def test_an_invalid_id_number_keeps_everything_typed_and_writes_nothing(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post("/admin/apply/", form(**{"m-0-id_number": "512022197005170000"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="application-errors"' in page
    assert "512022197005170000" in page and "李小花" in page  # the input is kept
    assert cases(world) == 0
    with world.rt.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Person)) == 0


def test_unreadable_amounts_are_named(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post("/admin/apply/", form(**{"m-0-wages": "a lot", "vehicles": "-1"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "members.0.wages" in page and "vehicles" in page
    assert cases(world) == 0


def test_a_village_outside_the_township_is_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post("/admin/apply/", form(village_code=VILLAGE_B1))
    assert response.status_code == 422
    assert cases(world) == 0


def test_a_draft_stays_a_draft(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post("/admin/apply/", form(draft="1"))
    assert response.status_code == 302
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Case.state)).all() == [CaseState.DRAFT]


def test_a_tekun_application_records_the_legal_supporters(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """TK Arts. 7-8: the supporters' situation is taken on the form and shown on the case."""
    b = as_user("clerk")
    b.get("/admin/apply/")
    bad = b.post("/admin/apply/", form(category="tekun", tekun_supporter="rich_uncle"))
    assert bad.status_code == 422 and "tekun_supporter" in bad.get_data(as_text=True)
    response = b.post("/admin/apply/", form(category="tekun", tekun_supporter="supporter_tekun"))
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert "义务人为特困人员" in b.text(f"/admin/case/{case_id}")


def test_every_fact_typed_on_the_form_shows_on_the_case_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    typed = form(
        rigid_expenses_yuan="320",
        deposits_yuan="1500",
        vehicles="0",
        extra_housing_units="0",
        bank_account="6214830012345678901",
        address="乐至县童家镇白塔村3组12号",
        **{"m-1-in_school": "1"},
    )
    response = b.post("/admin/apply/", typed)
    assert response.status_code == 302, b.client.get(b.page).get_data(as_text=True)[:300]
    page = b.text(response.headers["Location"])
    facts = page[page.index('id="household-facts"') :]
    facts = facts[: facts.index("</dl>")]
    for shown in ("320.00", "1500.00", "乐至县童家镇白塔村3组12号", "6214", "8901"):
        assert shown in facts, shown
    assert "6214830012345678901" not in facts  # the account is masked
    assert "在校就读" in page or "在校" in page


def test_a_wrong_member_field_is_marked_at_its_row_counted_from_one(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.get("/admin/apply/")
    response = b.post(
        "/admin/apply/",
        form(**{"m-2-id_number": id_number(), "m-2-name": "王三", "m-2-relation": "spouse"}),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第3名成员「关系」：申请人只能有一名配偶" in page
    assert 'name="m-2-relation"' in page
    marked = page[page.index('name="m-2-relation"') - 120 : page.index('name="m-2-relation"')]
    assert "is-invalid" in marked and "members.2" not in page
    assert cases(world) == 0


def test_new_member_rows_start_without_a_relation(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("clerk").text("/admin/apply/")
    row = page[page.index('name="m-1-relation"') :]
    row = row[: row.index("</select>")]
    assert "selected" not in row
