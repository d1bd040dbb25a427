"""Privacy by construction: printed documents show only what their view model whitelists.

Art. 24 of 《最低生活保障审核确认办法》 and PIPL Art. 28: a notice or publication
shows the applicant's name (masked), the number of people, the category and
the amount, never ID numbers, phones, bank accounts, illness, disability or
any other member's name. Households here carry all of that, in every field
that can hold it; the PDFs' text is read back and searched for it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from admin.documents.issue import issue_letter, issue_village_document
from engine.services import (
    Application,
    IncomeInput,
    InvestigationInput,
    PropertyInput,
    record_investigation,
    record_objection,
)
from tests.documents import pdf_text
from tests.support import VILLAGE_A1, World, member

PHONE = "13912345678"
BANK = "6228480402564890018"


@pytest.fixture
def backend() -> str:
    """Printing runs on SQLite here: the builders and the record are tested on both databases."""
    return "sqlite"


def sensitive_household(w: World, applicant: str, others: tuple[str, str]) -> tuple[int, list[str]]:
    """A household whose members carry every kind of sensitive data; its case id and secrets."""
    people = [
        member(
            "self",
            "0",
            name=applicant,
            serious_illness=True,
            incomes=[IncomeInput("wages", Decimal("123.45"))],
        ),
        member("spouse", "0", name=others[0], disability_grade=1, disability_type="mental"),
        member("child", "0", name=others[1], disability_grade=2, disability_type="intellectual"),
    ]
    app = Application(
        "dibao",
        VILLAGE_A1,
        people,
        bank_account=BANK,
        rigid_expenses_yuan=Decimal("777.77"),
        property=PropertyInput(deposits_yuan=Decimal("4321.09"), vehicles=0),
    )
    case_id = w.apply(app)
    w.fire(case_id, "accept", "clerk")
    w.fire(case_id, "start_investigation", "clerk")
    record_investigation(
        w.rt.uow(),
        w.actors["clerk"],
        case_id,
        InvestigationInput(
            date=w.today(),
            method="home_visit",
            investigators=["clerk", "clerk2"],
            findings=f"患尿毒症，透析；联系电话{PHONE}；精神残疾一级",
            level="township",
        ),
    )
    secrets = [p.id_number for p in people] + [PHONE, BANK, "123.45", "777.77", "4321.09"]
    secrets += [others[0], others[1], applicant, "尿毒症", "透析", "残疾", "重病", "精神", "智力"]
    secrets += [p.id_number[6:14] for p in people]  # birth dates inside the ID numbers
    return case_id, secrets


def assert_shows_none_of(text: str, secrets: list[str], allowed: set[str]) -> None:
    leaked = [s for s in secrets if s not in allowed and s in text]
    assert leaked == []


def test_public_documents_show_nothing_beyond_their_whitelist(world: World) -> None:
    noticed, secrets_a = sensitive_household(world, "王建国", ("李秀兰", "王小明"))
    world.fire(noticed, "propose", "reviewer")
    world.fire(noticed, "publish_notice", "reviewer")
    record_objection(
        world.uow(), world.actors["clerk"], noticed, "邻居张某", f"电话{PHONE}，有残疾"
    )
    enrolled, secrets_b = sensitive_household(world, "赵德福", ("钱秀英", "赵小红"))
    world.fire(enrolled, "propose", "reviewer")
    world.fire(enrolled, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(enrolled, "close_notice", "reviewer")
    world.fire(enrolled, "approve", "approver")

    notice = pdf_text(
        issue_village_document(world.rt, world.actors["reviewer"], VILLAGE_A1, "notice").data
    )
    assert "王*国" in notice  # the one thing about the household it may name
    assert_shows_none_of(notice, secrets_a + secrets_b + ["邻居张某"], allowed=set())
    assert "赵*福" not in notice  # enrolled, not in notice

    publication = pdf_text(
        issue_village_document(world.rt, world.actors["approver"], VILLAGE_A1, "publication").data
    )
    assert "赵*福" in publication
    assert_shows_none_of(publication, secrets_a + secrets_b, allowed=set())


def test_letters_name_the_applicant_and_no_one_else(world: World) -> None:
    case_id, secrets = sensitive_household(world, "王建国", ("李秀兰", "王小明"))
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    world.fire(case_id, "approve", "approver")
    text = pdf_text(issue_letter(world.rt, world.actors["clerk"], case_id, "approval").data)
    assert "王建国：" in text  # the addressee, in full: the letter is theirs
    # and the household's counted income (here the applicant's wages): the decision's basis
    assert "减：家庭月计入收入123.45元" in text
    assert_shows_none_of(text, secrets, allowed={"王建国", "123.45"})
