"""The documents API: letters, dossiers and village notices as PDFs, each issued and recorded."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.issued import normalize_code
from audit.models import AccessLog, IssuedDocument
from engine.states import CaseState
from tests.documents import pdf_text
from tests.support import VILLAGE_A1, VILLAGE_B1, World

Auth = Callable[[str], dict[str, str]]
S = CaseState


@pytest.fixture
def backend() -> str:
    """Printing runs on SQLite here: the builders and the record are tested on both databases."""
    return "sqlite"


def issued(world: World) -> list[IssuedDocument]:
    with world.rt.reader() as uow:
        return list(uow.session.scalars(select(IssuedDocument).order_by(IssuedDocument.id)))


def test_an_approval_letter_is_printed_and_recorded(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    response = client.get(f"/api/v1/cases/{case_id}/letters/approval.pdf", headers=auth("clerk"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename="case-{case_id}-approval.pdf"' in response.headers["Content-Disposition"]
    code = normalize_code(response.headers["X-Doudi-Verification-Code"])
    text = pdf_text(response.data)
    assert "审核确认通知书" in text and response.headers["X-Doudi-Verification-Code"] in text
    (record,) = issued(world)
    assert (record.code, record.kind, record.case_id, record.issued_by) == (
        code,
        "approval",
        case_id,
        "clerk",
    )
    assert record.sha256 == hashlib.sha256(response.data).hexdigest()


def test_a_letter_the_case_has_no_decision_for_is_409(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    response = client.get(f"/api/v1/cases/{case_id}/letters/rejection.pdf", headers=auth("clerk"))
    assert response.status_code == 409 and response.json["error"] == "no_decision"  # type: ignore[index]
    assert issued(world) == []


def test_documents_refuse_strangers_other_regions_and_unknown_kinds(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    url = f"/api/v1/cases/{case_id}/letters/approval.pdf"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth("clerk_b")).status_code == 403
    unknown = client.get(f"/api/v1/cases/{case_id}/letters/praise.pdf", headers=auth("clerk"))
    assert unknown.status_code == 404 and unknown.json["error"] == "letter_kind_unknown"  # type: ignore[index]
    assert (
        client.get("/api/v1/cases/999999/dossier.pdf", headers=auth("inspector")).status_code == 404
    )
    assert issued(world) == []


def test_the_dossier_is_for_inspectors_and_staff_and_its_read_is_logged(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    response = client.get(f"/api/v1/cases/{case_id}/dossier.pdf", headers=auth("inspector"))
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "社会救助案卷" in text and "审计链校验：完整" in text
    with world.rt.reader() as uow:
        reads = uow.session.scalars(
            select(AccessLog.action).where(AccessLog.case_id == case_id)
        ).all()
    assert "print_dossier" in reads
    assert (
        client.get(f"/api/v1/cases/{case_id}/dossier.pdf", headers=auth("admin")).status_code == 403
    )


def test_a_village_notice_and_publication(client: FlaskClient, auth: Auth, world: World) -> None:
    in_notice = world.apply()
    world.to_state(in_notice, S.IN_PUBLIC_NOTICE)
    response = client.get(f"/api/v1/villages/{VILLAGE_A1}/notice.pdf", headers=auth("reviewer"))
    assert response.status_code == 200
    assert "社会救助审核意见公示" in pdf_text(response.data)
    assert f'filename="{VILLAGE_A1}-notice.pdf"' in response.headers["Content-Disposition"]
    none = client.get(f"/api/v1/villages/{VILLAGE_A1}/publication.pdf", headers=auth("reviewer"))
    assert none.status_code == 409 and none.json["error"] == "no_cases"  # type: ignore[index]
    other = client.get(f"/api/v1/villages/{VILLAGE_B1}/notice.pdf", headers=auth("reviewer"))
    assert other.status_code == 403
    assert (
        client.get("/api/v1/villages/000000000000/notice.pdf", headers=auth("approver")).status_code
        == 404
    )
    nul = client.get("/api/v1/villages/5120%00/notice.pdf", headers=auth("approver"))
    assert nul.status_code == 422 and nul.json["details"][0]["field"] == "code"  # type: ignore[index]
    assert [d.kind for d in issued(world)] == ["notice"]


def test_the_openapi_document_describes_the_pdfs(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]  # type: ignore[index]
    letter = paths["/api/v1/cases/{case_id}/letters/{kind}.pdf"]["get"]
    assert "application/pdf" in letter["responses"]["200"]["content"]
    assert {p["name"]: p["schema"]["type"] for p in letter["parameters"]} == {
        "case_id": "integer",
        "kind": "string",
    }
    assert "409" in letter["responses"]
    assert "/api/v1/villages/{code}/notice.pdf" in paths


def test_documents_print_the_latest_checkpoints_root(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """A printed document witnesses the latest signed checkpoint: its number, time and root,
    which a reader can match with the line the inspectors keep."""
    from audit.checkpoints import generate_key, take_checkpoint

    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    path = f"/api/v1/cases/{case_id}/letters/approval.pdf"
    before = pdf_text(client.get(path, headers=auth("clerk")).data)
    assert "审计日志检查点" not in before
    with world.rt.uow() as uow:
        point = take_checkpoint(uow.session, generate_key(), world.clock.now())
        uow.commit()
    text = pdf_text(client.get(path, headers=auth("clerk")).data)
    flat = "".join(text.split())
    assert "审计日志检查点" in flat and f"第{point.seq}号" in flat and point.root in flat
