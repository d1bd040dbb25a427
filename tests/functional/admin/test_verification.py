"""The public verification page a document's QR code leads to."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from audit.issued import normalize_code
from engine.states import CaseState
from tests.support import World

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def backend() -> str:
    """Printing runs on SQLite here: the builders and the record are tested on both databases."""
    return "sqlite"


def printed_letter(client: FlaskClient, auth: Auth, world: World) -> tuple[str, bytes]:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    response = client.get(f"/api/v1/cases/{case_id}/letters/approval.pdf", headers=auth("clerk"))
    code = normalize_code(response.headers["X-Doudi-Verification-Code"])
    assert code is not None
    return code, response.data


def test_anyone_sees_what_was_issued_and_no_personal_data(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    code, data = printed_letter(client, auth, world)
    page = client.get(f"/verify/{code}")  # no sign-in
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "本文书已登记印发" in html and "审核确认通知书" in html and "乐至县民政局" in html
    assert hashlib.sha256(data).hexdigest() in html
    names = re.findall(r"成员\d+", html)
    assert names == []  # the test household's names: none appears
    assert re.search(r"[\u4e00-\u9fff]\*", html)  # the masked applicant name is what it shows


def test_an_unknown_or_malformed_code_is_not_found(client: FlaskClient) -> None:
    for code in ("ABCDEFGHJKMN", "nonsense", "%00"):
        page = client.get(f"/verify/{code}")
        assert page.status_code == 404 and "未找到" in page.get_data(as_text=True)


def test_a_typed_code_is_read_as_the_reader_meant_it(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    code, _ = printed_letter(client, auth, world)
    typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    response = client.get(f"/verify?code={typed}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")
    assert client.get("/verify").status_code == 200
    assert client.get("/verify?code=bad").status_code == 404


def test_an_uploaded_file_is_compared_with_the_record(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    code, data = printed_letter(client, auth, world)
    form = client.get(f"/verify/{code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None

    def compare(content: bytes) -> str:
        response = client.post(
            f"/verify/{code}",
            data={"csrf_token": token.group(1), "file": (io.BytesIO(content), "letter.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "文件与印发记录一致" in compare(data)
    changed = bytearray(data)
    changed[100] ^= 1
    assert "文件与印发记录不一致" in compare(bytes(changed))
