"""Personal data by role and purpose: masked roles get masked data everywhere, and every
unmasked read of personal data is logged (PIPL Art. 28: health, disability, assistance)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.models import AccessLog
from audit.officials import import_officials, official_row
from engine.services import Application, IncomeInput
from engine.states import CaseState
from tests.documents import pdf_text
from tests.functional.admin.ui.conftest import Browser
from tests.support import VILLAGE_A1, World, flagged_case, member

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def backend() -> str:
    """Masking and the read log are decided above the database; the services are tested on both."""
    return "sqlite"


def sensitive_case(w: World) -> tuple[int, Application]:
    people = [
        member(
            "self",
            "0",
            name="王建国",
            serious_illness=True,
            incomes=[IncomeInput("wages", Decimal("123.45"))],
        ),
        member("spouse", "0", name="李秀兰", disability_grade=1, disability_type="mental"),
    ]
    app = Application("dibao", VILLAGE_A1, people, bank_account="6228480402564890018")
    case_id = w.apply(app)
    w.to_state(case_id, CaseState.ACTIVE)
    return case_id, app


def reads(w: World) -> list[tuple[str, str, int | None]]:
    with w.rt.reader() as uow:
        return [
            (r.username, r.action, r.case_id)
            for r in uow.session.scalars(select(AccessLog).order_by(AccessLog.id))
        ]


def test_a_masked_role_gets_the_trail_with_its_payloads_masked(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id, app = sensitive_case(world)
    masked = client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("admin"))
    assert masked.status_code == 200
    text = json.dumps(masked.json, ensure_ascii=False)
    for secret in (
        *[m.id_number for m in app.members],
        "王建国",
        "李秀兰",
        "1234.56",
        "6228480402564890018",
    ):
        assert secret not in text, secret
    assert '"serious_illness": true' not in text and '"disability_type": "mental"' not in text
    assert masked.json["chain"]["ok"] is True  # type: ignore[index]
    assert all(e["payload_masked"] for e in masked.json["entries"])  # type: ignore[index]
    assert reads(world) == []  # nothing unmasked was read
    full = client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("inspector")).json
    assert app.members[0].id_number in json.dumps(full, ensure_ascii=False)
    assert ("inspector", "view_trail", case_id) in reads(world)


def test_flags_are_masked_for_masked_roles_and_logged_for_the_others(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    admin = client.get("/api/v1/kinship/flags", headers=auth("admin")).json
    assert "李芳" not in json.dumps(admin, ensure_ascii=False)
    assert reads(world) == []
    inspector = client.get("/api/v1/kinship/flags", headers=auth("inspector")).json
    assert "李芳" in json.dumps(inspector, ensure_ascii=False)
    assert ("inspector", "list_flags", case_id) in reads(world)


def test_an_official_who_lives_in_the_household_is_masked_like_its_members(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="王建军")])
    case_id = world.apply(app)
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=app.members[0].id_number,
                official_name="王建军",
                position="village_member",
                region_code=VILLAGE_A1,
            )
        ],
    )
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    (flag,) = [f for f in case["flags"] if f["kind"] == "kinship"]  # type: ignore[index]
    assert flag["official_id_number"] != app.members[0].id_number
    assert flag["official_name"] != "王建军"


def test_ui_lists_and_exports_mask_for_admins_and_log_for_inspectors(
    app: Flask, world: World
) -> None:
    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    admin = Browser(app.test_client())
    admin.sign_in("admin")
    for path in (
        "/admin/flags/",
        "/admin/flags/?export=csv",
        "/admin/register/",
        "/admin/register/?export=csv",
    ):
        text = admin.get(path).get_data().decode("utf-8-sig")
        assert "李芳" not in text, path
    assert reads(world) == []
    inspector = Browser(app.test_client())
    inspector.sign_in("inspector")
    inspector.text("/admin/flags/")
    inspector.get("/admin/flags/?export=xlsx")
    inspector.text("/admin/register/")
    inspector.get("/admin/register/?export=csv")
    inspector.text("/admin/trail/")
    inspector.get("/admin/trail/export/csv/")
    logged = {(action, case) for user, action, case in reads(world) if user == "inspector"}
    for action in (
        "list_flags",
        "export_flags",
        "view_register",
        "export_register",
        "search_trail",
        "export_trail",
    ):
        assert (action, case_id) in logged, action


def test_the_case_detail_withholds_findings_incomes_and_their_breakdown_from_masked_roles(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """Found by the red team: GET /cases/{id} gave the administrator investigation findings,
    counted income and the amount's breakdown (wages per named member) that /audit masks."""
    case_id, _app = sensitive_case(world)
    masked = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    text = json.dumps(masked, ensure_ascii=False)
    assert "入户调查：收入与申报一致" not in text  # the findings World.investigate records
    assert "123.45" not in text and "王建国" not in text
    benefit = masked["benefit"]  # type: ignore[index]
    assert benefit["monthly_yuan"] is not None  # the amount, which the village notice shows
    assert benefit["counted_income_yuan"] is None and benefit["breakdown"] == []
    full = client.get(f"/api/v1/cases/{case_id}", headers=auth("inspector")).json
    assert "入户调查：收入与申报一致" in json.dumps(full, ensure_ascii=False)
    assert full["benefit"]["breakdown"]  # type: ignore[index]


def test_a_flag_gives_a_masked_reader_no_identity_to_match_against_the_registry(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """Found by the red team: the administrator keeps the registry in full, so a flag's masked
    official or member (same ID suffix, same name's ends) named the relative on assistance."""
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="高德勇")])
    case_id = world.apply(app)
    number = app.members[0].id_number
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=number,
                official_name="高德勇",
                position="village_member",
                region_code=VILLAGE_A1,
            )
        ],
    )
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    flags = client.get("/api/v1/kinship/flags", headers=auth("admin")).json
    for flag in [*case["flags"], *flags["items"]]:  # type: ignore[index]
        text = json.dumps(flag, ensure_ascii=False)
        assert number[-4:] not in text and "高*勇" not in text and "高德勇" not in text, text
    inspector = client.get("/api/v1/kinship/flags", headers=auth("inspector")).json
    assert number in json.dumps(inspector, ensure_ascii=False)


def test_printing_a_decision_letter_is_a_logged_read(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """Found by the red team: the approval letter prints the applicant's name, incomes and
    supplement, and was recorded only as issued, not as a read of personal data."""
    case_id, _app = sensitive_case(world)
    response = client.get(f"/api/v1/cases/{case_id}/letters/approval.pdf", headers=auth("clerk"))
    assert response.status_code == 200
    assert ("clerk", "print_letter", case_id) in reads(world)


def test_case_lists_and_the_queue_are_logged_reads_for_roles_that_see_names(
    app: Flask, client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id, _app = sensitive_case(world)
    listed = client.get("/api/v1/cases", headers=auth("admin")).json
    assert "王建国" not in json.dumps(listed, ensure_ascii=False)
    assert reads(world) == []  # a masked list is no read of personal data
    assert client.get("/api/v1/cases", headers=auth("clerk")).status_code == 200
    assert ("clerk", "list_cases", case_id) in reads(world)
    world.fire(case_id, "start_recheck", by="reviewer")
    reviewer = Browser(app.test_client())
    reviewer.sign_in("reviewer")
    assert "王建国" in reviewer.text("/admin/queue/")
    assert ("reviewer", "list_queue", case_id) in reads(world)


#: how each role sees a flag's official and flagged member: auditors see the official in full,
#: case workers masked (Disclosure.official); a masked reader sees neither
FLAG_NAMES = {
    "inspector": ("王建军", "李芳"),
    "approver": ("王*军", "李芳"),
    "clerk": ("王*军", "李芳"),
    "admin": (None, None),
}


def name_forms(text: str, full: str, masked: str) -> set[str]:
    """The forms (full or masked) in which a name appears in ``text``."""
    return set(re.findall(f"{re.escape(full)}|{re.escape(masked)}", text))


@pytest.mark.parametrize("role", sorted(FLAG_NAMES))
def test_a_flag_names_each_person_one_way_on_every_page(
    app: Flask, world: World, role: str
) -> None:
    """Issue 13 item 11: the flags page masked the official's name in the relation path and
    printed it in full on the next line. Wherever a page shows a flag, each person appears in
    the one form the reader's role allows: in the path, beside it and in the lists alike."""
    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "approve", "approver")  # enrolled: the enrolled-relatives page lists it
    official, flagged = FLAG_NAMES[role]
    b = Browser(app.test_client())
    b.sign_in(role)
    shown = 0
    for path in (
        "/admin/flags/",
        "/admin/register/",
        "/admin/enrolled_flags/",
        f"/admin/case/{case_id}",
        f"/admin/case/{case_id}/dossier.pdf",
    ):
        response = b.get(path)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, path
        if response.mimetype == "application/pdf":
            # the trail at the end prints each entry as recorded (and hashed): masked
            text = pdf_text(response.get_data()).split("审计记录")[0]
        else:
            text = response.get_data(as_text=True)
        assert f"{case_id}" in text, path
        assert name_forms(text, "王建军", "王*军") == ({official} if official else set()), path
        assert name_forms(text, "李芳", "李*") == ({flagged} if flagged else set()), path
        shown += 1
    assert shown >= 2
