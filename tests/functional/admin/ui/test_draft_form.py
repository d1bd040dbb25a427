"""A draft corrected on the application form, through the service behind PUT /api/v1/cases/{id}."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from audit.models import AccessLog, AuditEntry
from engine.models import Case, Member, MemberIncome, Person
from engine.services import Application, IncomeInput
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, application, id_number, member


def trail(world: World, case_id: int) -> list[str]:
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.case_id == case_id)
                .order_by(AuditEntry.seq)
            )
        )


def state(world: World, case_id: int) -> CaseState:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return CaseState(case.state)


def incomes(world: World, number: str) -> list[tuple[str, int]]:
    with world.rt.reader() as uow:
        return sorted(
            (str(t), fen)
            for t, fen in uow.session.execute(
                select(MemberIncome.type, MemberIncome.monthly_fen)
                .join(Member, Member.id == MemberIncome.member_id)
                .join(Person, Person.id == Member.person_id)
                .where(Person.id_number == number, Member.left_at.is_(None))
            )
        )


def form_of(html: str) -> dict[str, object]:
    """The fields of the page's application form as a browser would send them."""
    sent: MultiDict[str, str] = MultiDict()
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>(?:[^<]*</textarea>)?", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if tag.startswith("<select"):
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        sent.add(name.group(1), value.group(1) if value else "")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)"\s*selected', body)
        first = re.findall(r'<option value="([^"]*)"', body)
        sent.add(name, chosen[0] if chosen else (first[0] if first else ""))
    return {k: sent.getlist(k) if len(sent.getlist(k)) > 1 else sent[k] for k in sent}


def test_the_clerk_corrects_a_draft_on_the_prefilled_form(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application(members=2, draft=True)
    case_id = world.apply(app)
    clerk = as_user("clerk")
    page = clerk.text(f"/admin/case/{case_id}")
    assert 'id="edit-draft"' in page
    html = clerk.text(f"/admin/apply/{case_id}")
    assert 'id="draft-heading"' in html
    assert app.members[0].id_number in html and app.members[1].name in html
    with world.rt.reader() as uow:  # opening the draft is a logged read of personal data
        assert uow.session.scalar(
            select(AccessLog.id).where(AccessLog.case_id == case_id).order_by(AccessLog.id.desc())
        )
    sent = form_of(html)
    assert sent["draft"] == "1" and sent["m-0-wages"] == "300.00"
    baby = id_number(dt.date(2024, 6, 1))
    sent.update({"m-0-wages": "450", "m-2-id_number": baby, "m-2-name": "王小宝"})
    sent["m-2-relation"] = "child"
    response = clerk.post(f"/admin/apply/{case_id}", sent)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert state(world, case_id) == CaseState.DRAFT
    assert trail(world, case_id) == ["create", "update_draft"]
    assert incomes(world, app.members[0].id_number) == [("wages", 45000)]
    assert "草稿已保存" in clerk.text(f"/admin/case/{case_id}")
    # saved without "keep as a draft": submitted
    sent = form_of(clerk.text(f"/admin/apply/{case_id}"))
    assert sent["m-2-name"] == "王小宝"
    sent.pop("draft")
    assert clerk.post(f"/admin/apply/{case_id}", sent).status_code == 302
    assert state(world, case_id) == CaseState.SUBMITTED
    assert trail(world, case_id)[-2:] == ["update_draft", "submit"]
    # a submitted case is no longer corrected here
    again = clerk.get(f"/admin/apply/{case_id}")
    assert again.status_code == 302
    assert "只有草稿可以在此修改" in clerk.text(f"/admin/case/{case_id}")


def test_other_roles_do_not_see_or_use_the_draft_form(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application(members=1, draft=True)
    case_id = world.apply(app)
    reviewer = as_user("reviewer")
    assert 'id="edit-draft"' not in reviewer.text(f"/admin/case/{case_id}")
    assert reviewer.get(f"/admin/apply/{case_id}").status_code == 403
    assert reviewer.post(f"/admin/apply/{case_id}", {"category": "dibao"}).status_code == 403
    other = as_user("clerk_b")  # a clerk of another township
    assert other.get(f"/admin/apply/{case_id}").status_code == 403
    assert trail(world, case_id) == ["create"]


def test_a_wrong_correction_comes_back_as_typed_and_writes_nothing(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application(members=2, draft=True)
    case_id = world.apply(app)
    clerk = as_user("clerk")
    sent = form_of(clerk.text(f"/admin/apply/{case_id}"))
    sent["m-1-id_number"] = "512022197005170000"
    response = clerk.post(f"/admin/apply/{case_id}", sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="application-errors"' in html and "512022197005170000" in html
    assert trail(world, case_id) == ["create"]
    stale = form_of(clerk.text(f"/admin/apply/{case_id}"))
    clerk.post(f"/admin/apply/{case_id}", stale)  # saved once: version 2
    refused = clerk.post(f"/admin/apply/{case_id}", stale)  # the same page again: version 1
    assert refused.status_code == 422 and "已被他人修改" in refused.get_data(as_text=True)
    assert trail(world, case_id) == ["create", "update_draft"]


def test_saving_a_draft_keeps_facts_the_form_has_no_single_field_for(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Several other incomes and schooling, entered through the API, survive a save."""
    pupil = member("child", "0", in_school=True)
    head = member(
        "self",
        "0",
        incomes=[IncomeInput("pension", Decimal("120")), IncomeInput("transfer", Decimal("80"))],
    )
    case_id = world.apply(Application("dibao", VILLAGE_A1, [head, pupil], draft=True))
    clerk = as_user("clerk")
    sent = form_of(clerk.text(f"/admin/apply/{case_id}"))
    assert sent["m-0-other_type"] == ["pension", "transfer"]
    assert clerk.post(f"/admin/apply/{case_id}", sent).status_code == 302
    assert incomes(world, head.id_number) == [("pension", 12000), ("transfer", 8000)]
    with world.rt.reader() as uow:
        person = uow.session.scalars(select(Person).where(Person.id_number == pupil.id_number))
        row = uow.session.scalars(
            select(Member).where(Member.person_id == person.one().id, Member.left_at.is_(None))
        ).one()
        assert row.in_school is True


def test_a_drafts_page_offers_the_form_not_the_household_records(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply(application(members=2, draft=True))
    page = as_user("clerk").text(f"/admin/case/{case_id}")
    assert 'id="edit-draft"' in page
    assert 'id="join-form"' not in page and 'id="death-form"' not in page
