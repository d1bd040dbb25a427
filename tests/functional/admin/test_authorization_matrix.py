"""Who may read what, as one table: every role × every reading endpoint and page × a case of
their own region and one of another, a related (recused) user on both, and a stranger (not
signed in) on all of them.

Each row names exactly the roles that get an answer (200) for a case in their own
region; a case outside it is refused (403) to every role whose region does not cover
it, and a stranger is asked to sign in (401 from the API, the sign-in page in the UI).
Then every answer a masked role received — JSON, HTML, CSV, XLSX and PDF text —
is searched for the households' full names and ID numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from engine.attachments import Upload
from engine.models import InvestigationAttachment
from engine.services import Application
from engine.services.users import NewUser, create_user
from engine.states import CaseState
from tests.documents import pdf_text
from tests.functional.admin.ui.conftest import Browser
from tests.support import (
    PASSWORD,
    TOWNSHIP_A,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    flagged_case,
    id_number,
    member,
)

Auth = Callable[[str], dict[str, str]]
STAFF = {"clerk", "reviewer", "approver"}
READERS = STAFF | {"inspector"}
EVERYONE = READERS | {"admin"}

#: API reads of one case: path -> roles answered 200 on a case of their region
CASE_API = {
    "/api/v1/cases/{case}": EVERYONE,
    "/api/v1/cases/{case}/audit": EVERYONE,
    "/api/v1/cases/{case}/dossier.pdf": READERS,
    "/api/v1/cases/{case}/letters/approval.pdf": READERS,
    # a photo or scan recorded with an investigation: personal data, never masked
    "/api/v1/cases/{case}/attachments/{attachment}": READERS,
    "/api/v1/villages/{village}/publication.pdf": EVERYONE,
}
#: API reads of lists: path -> roles answered 200
LIST_API = {
    "/api/v1/cases": EVERYONE,
    "/api/v1/search?q=李芳": EVERYONE,
    "/api/v1/regions": EVERYONE,
    "/api/v1/kinship/flags": {"approver", "inspector", "admin"},
    "/api/v1/officials": {"admin"},
    "/api/v1/standards": EVERYONE,
    "/api/v1/parameters": EVERYONE,
    "/api/v1/stats": {"approver", "inspector", "admin"},
}
#: UI pages of one case
CASE_PAGES = {
    "/admin/case/{case}": READERS,
    "/admin/case/{case}/letters/approval.pdf": READERS,
    "/admin/case/{case}/dossier.pdf": READERS,
    "/admin/case/{case}/attachments/{attachment}": READERS,
}
#: UI lists and exports
LIST_PAGES = {
    "/admin/queue/": STAFF,
    "/admin/case/?q=李芳": READERS,
    "/admin/trail/": {"inspector"},
    "/admin/trail/export/csv/": {"inspector"},
    "/admin/flags/": {"approver", "inspector", "admin"},
    "/admin/flags/?export=xlsx": {"approver", "inspector", "admin"},
    "/admin/register/": {"approver", "inspector", "admin"},
    "/admin/register/?export=csv": {"approver", "inspector", "admin"},
    "/admin/enrolled_flags/": {"approver", "inspector", "admin"},
    "/admin/enrolled_flags/?export=xlsx": {"approver", "inspector", "admin"},
    "/admin/reads/": {"inspector"},
    "/admin/signins/": {"inspector", "admin"},
    "/admin/activity/": {"inspector"},
    "/admin/users/": {"admin"},
}


@pytest.fixture
def backend() -> str:
    """Who may read what is decided above the database; the services run on both."""
    return "sqlite"


#: a photo of a signed form, as an investigation attaches it
PHOTO = Upload("签字表.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"signed form" * 20)


@dataclass(frozen=True)
class Reach:
    """A case the table is read on: its number, its village and the photo attached to it."""

    case: int
    village: str
    attachment: int

    def at(self, path: str) -> str:
        """The row's path on this case."""
        return path.format(case=self.case, village=self.village, attachment=self.attachment)


def attachment_of(world: World, investigation_id: int) -> int:
    """The id of the (one) file attached to the investigation."""
    with world.rt.reader() as uow:
        return uow.session.scalars(
            select(InvestigationAttachment.id).where(
                InvestigationAttachment.investigation_id == investigation_id
            )
        ).one()


@pytest.fixture
def cases(world: World) -> dict[str, Reach]:
    """An enrolled, flagged case in township A (own) and one under investigation in township
    B (other), each with a photo attached to an investigation."""
    own = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(own, CaseState.PENDING_CONFIRMATION)
    visit = world.investigate(
        own,
        level="county",
        investigators=("approver", "approver2"),
        by="approver",
        attachments=(PHOTO,),
    )
    world.fire(own, "approve", "approver")
    other = world.apply(
        Application("dibao", VILLAGE_B1, [member("self", "100", name="赵敏")]), by="clerk_b"
    )
    world.fire(other, "accept", "clerk_b")
    world.fire(other, "start_investigation", "clerk_b")
    other_visit = world.investigate(
        other, investigators=("clerk_b", "reviewer_b"), by="clerk_b", attachments=(PHOTO,)
    )
    return {
        "own": Reach(own, VILLAGE_A1, attachment_of(world, visit)),
        "other": Reach(other, VILLAGE_B1, attachment_of(world, other_visit)),
    }


def body_text(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader received, as text (PDFs and workbooks read back)."""
    data = response.get_data()
    if response.mimetype == "application/pdf":
        return pdf_text(data)
    if data[:2] == b"PK":
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    return data.decode("utf-8-sig", errors="replace")


def test_the_api_answers_exactly_the_roles_of_the_table(
    client: FlaskClient, auth: Auth, world: World, cases: dict[str, Reach]
) -> None:
    received: dict[str, list[str]] = {}
    for role in sorted(EVERYONE):
        headers = auth(role)
        for path, allowed in CASE_API.items():
            own = cases["own"].at(path)
            response = client.get(own, headers=headers)
            assert (response.status_code == 200) == (role in allowed), (
                role,
                own,
                response.status_code,
            )
            if response.status_code == 200:
                received.setdefault(role, []).append(body_text(response))
        for path, allowed in LIST_API.items():
            response = client.get(path, headers=headers)
            assert (response.status_code == 200) == (role in allowed), (
                role,
                path,
                response.status_code,
            )
            if response.status_code == 200:
                received.setdefault(role, []).append(body_text(response))
    # township A's clerk and reviewer are refused township B's case, whatever the endpoint
    for role in ("clerk", "reviewer"):
        for path in CASE_API:
            other = cases["other"].at(path)
            assert client.get(other, headers=auth(role)).status_code == 403, (role, other)
    assert_masked(world, received["admin"])


def test_the_ui_opens_exactly_for_the_roles_of_the_table(
    app: Flask, world: World, cases: dict[str, Reach]
) -> None:
    received: list[str] = []
    for role in sorted(EVERYONE):
        b = Browser(app.test_client())
        b.sign_in(role)
        for path, allowed in {**CASE_PAGES, **LIST_PAGES}.items():
            page = cases["own"].at(path)
            response = b.get(page)
            assert (response.status_code == 200) == (role in allowed), (
                role,
                page,
                response.status_code,
            )
            if response.status_code == 200 and role == "admin":
                received.append(body_text(response))
        if role in ("clerk", "reviewer"):
            for path in CASE_PAGES:
                assert b.get(cases["other"].at(path)).status_code == 403, (role, path)
    assert_masked(world, received)


def test_a_stranger_is_asked_to_sign_in_for_every_row(app: Flask, cases: dict[str, Reach]) -> None:
    client = app.test_client()
    for reach in cases.values():
        for path in [*CASE_API, *LIST_API]:
            response = client.get(reach.at(path))
            assert response.status_code == 401, (path, response.status_code)
        for path in [*CASE_PAGES, *LIST_PAGES]:
            response = client.get(reach.at(path))
            assert response.status_code == 302, (path, response.status_code)
            assert "/ui/signin" in response.headers["Location"], path


def test_a_related_user_reads_but_does_not_act(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """Recusal (回避) stops acting on the case, not reading it within one's work."""
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳")])
    case_id = world.apply(app)
    related_id = id_number()
    from audit.officials import import_officials, official_row

    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=related_id,
                official_name="王建军",
                position="township_officer",
                region_code=TOWNSHIP_A,
                relative_id_number=app.members[0].id_number,
                relative_name="李芳",
                relation="sibling",
            )
        ],
    )
    create_user(
        world.uow(), NewUser("related", "clerk", TOWNSHIP_A, PASSWORD, id_number=related_id)
    )
    headers = auth("related")
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200
    fired = client.post(
        f"/api/v1/cases/{case_id}/transitions", json={"trigger": "accept"}, headers=headers
    )
    assert fired.status_code == 403 and fired.json["error"] == "recusal"  # type: ignore[index]
    # the photos of the household's investigation are read like the case
    world.to_state(case_id, CaseState.INVESTIGATING)
    photo = attachment_of(world, world.investigate(case_id, attachments=(PHOTO,)))
    download = f"/api/v1/cases/{case_id}/attachments/{photo}"
    assert client.get(download, headers=headers).status_code == 200


def assert_masked(world: World, texts: list[str]) -> None:
    """No full name or ID number of any household member in what a masked role received."""
    from engine.models import Member, Person

    with world.rt.reader() as uow:
        people = uow.session.execute(
            select(Person.name, Person.id_number).join(Member, Member.person_id == Person.id)
        ).all()
    everything = "\n".join(texts)
    for name, number in people:
        assert number not in everything, number
        assert not re.search(re.escape(name) + r"(?![*])", everything) or len(name) < 2, name
