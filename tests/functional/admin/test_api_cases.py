"""The case endpoints of API v1, driven as an integrator would, with every error code."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from audit.models import AccessLog
from engine.models import Case
from tests.support import VILLAGE_A1, VILLAGE_B1, World, id_number

Auth = Callable[[str], dict[str, str]]


def body(members: int = 2, village: str = VILLAGE_A1, **extra: Any) -> dict[str, Any]:
    people = [
        {"id_number": id_number(), "name": "王建国", "relation": "self", "monthly_income": 320.5}
    ]
    for i in range(members - 1):
        people.append(
            {
                "id_number": id_number(male=False),
                "name": f"李秀{i}",
                "relation": "spouse" if i == 0 else "child",
                "monthly_income": 0,
                "disability_grade": 2,
                "disability_type": "physical",
                "serious_illness": True,
                "able_to_work": False,
            }
        )
    return {
        "category": "dibao",
        "village_code": village,
        "area_type": "rural",
        "members": people,
        **extra,
    }


def create(client: FlaskClient, auth: Auth, **kw: Any) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json=body(**kw), headers=auth("clerk"))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[return-value]


def fire(
    client: FlaskClient, auth: Auth, case_id: int, trigger: str, who: str, **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"trigger": trigger, **extra},
        headers=auth(who),
    )


def investigate(client: FlaskClient, auth: Auth, case_id: int, **extra: Any) -> Any:
    payload = {
        "date": "2026-03-02",
        "method": "home_visit",
        "investigators": ["clerk", "clerk2"],
        "findings": "入户核实",
        "level": "township",
        **extra,
    }
    return client.post(
        f"/api/v1/cases/{case_id}/investigations", json=payload, headers=auth("clerk")
    )


class TestCreate:
    def test_201_with_the_submitted_case(self, client: FlaskClient, auth: Auth) -> None:
        case = create(client, auth)
        assert case["state"] == "submitted"
        assert case["version"] == 2
        assert case["category"] == "dibao" and case["village_code"] == VILLAGE_A1
        assert [m["relation"] for m in case["members"]] == ["self", "spouse"]
        assert case["members"][0]["monthly_income"] == 320.5
        assert case["allowed_triggers"] == ["accept", "return_for_materials", "withdraw"]
        assert case["flags"] == [] and case["deadlines"] == {}

    def test_409_when_a_member_is_in_another_open_case(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        first = body()
        assert client.post("/api/v1/cases", json=first, headers=auth("clerk")).status_code == 201
        again = body()
        again["members"][1] = first["members"][0] | {"relation": "spouse"}
        response = client.post("/api/v1/cases", json=again, headers=auth("clerk"))
        assert response.status_code == 409
        assert response.json["error"] == "person_in_open_case"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("mutate", "field"),
        [
            (
                lambda b: b["members"][0].update(id_number="110105194912310021"),
                "members.0.id_number",
            ),
            (lambda b: b["members"][0].update(relation="uncle"), "members.0.relation"),
            (lambda b: b["members"][1].update(relation="self"), "members"),
            (lambda b: b["members"][0].update(monthly_income=-5), "members.0.monthly_income"),
            (lambda b: b["members"][0].update(monthly_income="lots"), "members.0.monthly_income"),
            (lambda b: b["members"][0].update(disability_grade=7), "members.0.disability_grade"),
            (
                lambda b: b["members"][0].update(favourite_colour="red"),
                "members.0.favourite_colour",
            ),
            (lambda b: b.update(category="pension"), "category"),
            (lambda b: b.update(area_type="mars"), "area_type"),
            (lambda b: b.pop("village_code"), "village_code"),
            (lambda b: b.update(village_code="512022"), "village_code"),
            (lambda b: b.update(members=[]), "members"),
        ],
    )
    def test_422_names_the_invalid_field_and_writes_nothing(
        self, client: FlaskClient, auth: Auth, world: World, mutate: Any, field: str
    ) -> None:
        payload = body()
        mutate(payload)
        response = client.post("/api/v1/cases", json=payload, headers=auth("clerk"))
        assert response.status_code == 422, response.json
        assert field in [d["field"] for d in response.json["details"]]  # type: ignore[index]
        with world.rt.reader() as uow:
            assert uow.session.scalar(select(func.count()).select_from(Case)) == 0

    def test_403_for_other_roles_and_regions(self, client: FlaskClient, auth: Auth) -> None:
        assert (
            client.post("/api/v1/cases", json=body(), headers=auth("reviewer")).status_code == 403
        )
        assert (
            client.post(
                "/api/v1/cases", json=body(village=VILLAGE_B1), headers=auth("clerk")
            ).status_code
            == 403
        )


class TestRead:
    def test_the_list_pages_and_filters(self, client: FlaskClient, auth: Auth) -> None:
        ids = [create(client, auth)["id"] for _ in range(5)]
        fire(client, auth, ids[0], "accept", "clerk")
        page = client.get("/api/v1/cases?per_page=2&page=2", headers=auth("clerk")).json
        assert page is not None
        assert (page["total"], page["page"], len(page["items"])) == (5, 2, 2)
        assert [i["id"] for i in page["items"]] == [ids[2], ids[1]]
        accepted = client.get("/api/v1/cases?state=accepted", headers=auth("clerk")).json
        assert [i["id"] for i in accepted["items"]] == [ids[0]]  # type: ignore[index]
        by_village = client.get(
            f"/api/v1/cases?village_code={VILLAGE_A1}", headers=auth("clerk")
        ).json
        assert by_village["total"] == 5  # type: ignore[index]

    def test_the_list_shows_only_the_callers_region(self, client: FlaskClient, auth: Auth) -> None:
        create(client, auth)
        assert client.get("/api/v1/cases", headers=auth("clerk_b")).json["total"] == 0  # type: ignore[index]
        assert client.get("/api/v1/cases", headers=auth("inspector")).json["total"] == 1  # type: ignore[index]

    @pytest.mark.parametrize("query", ["page=0", "per_page=500", "state=flying", "page=x"])
    def test_bad_list_parameters_are_422(self, client: FlaskClient, auth: Auth, query: str) -> None:
        response = client.get(f"/api/v1/cases?{query}", headers=auth("clerk"))
        assert response.status_code == 422
        assert response.json["details"][0]["field"] == query.split("=")[0]  # type: ignore[index]

    def test_detail_404_and_403(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        assert client.get("/api/v1/cases/999", headers=auth("clerk")).status_code == 404
        response = client.get(f"/api/v1/cases/{case_id}", headers=auth("clerk_b"))
        assert response.status_code == 403
        assert response.json["error"] == "outside_region"  # type: ignore[index]

    def test_allowed_triggers_are_those_the_caller_may_fire_now(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        case_id = create(client, auth)["id"]
        get = lambda who: client.get(f"/api/v1/cases/{case_id}", headers=auth(who)).json  # noqa: E731
        assert get("clerk")["allowed_triggers"] == ["accept", "return_for_materials", "withdraw"]
        assert get("approver")["allowed_triggers"] == ["end_procedure"]
        assert get("inspector")["allowed_triggers"] == []
        fire(client, auth, case_id, "accept", "clerk")
        fire(client, auth, case_id, "start_investigation", "clerk")
        reviewer = get("reviewer")
        assert reviewer["allowed_triggers"] == []
        assert reviewer["triggers"][0]["problems"][0]["code"] == "township_investigation_missing"

    def test_personal_data_is_masked_for_admins_and_reads_are_logged(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case_id = create(client, auth)["id"]
        admin_view = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
        member = admin_view["members"][1]  # type: ignore[index]
        assert "*" in member["id_number"] and member["disability_grade"] is None
        client.get(f"/api/v1/cases/{case_id}", headers=auth("inspector"))
        with world.rt.reader() as uow:
            readers = uow.session.scalars(select(AccessLog.username)).all()
        assert "inspector" in readers and "admin" not in readers


class TestTransitions:
    def test_200_with_the_case(self, client: FlaskClient, auth: Auth) -> None:
        case = create(client, auth)
        response = fire(
            client,
            auth,
            case["id"],
            "accept",
            "clerk",
            reason="材料齐全",
            expected_version=case["version"],
        )
        assert response.status_code == 200
        assert (response.json["state"], response.json["version"]) == ("accepted", 3)  # type: ignore[index]

    def test_the_case_says_what_happens_next_and_who_does_it(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        case = create(client, auth)
        assert case["next_step"] == {
            "role": "clerk",
            "triggers": ["accept", "return_for_materials"],
            "due_on": None,
            "text": "等待受理员受理申请；材料不全的，一次性告知需补正的全部材料",
        }
        accepted = fire(client, auth, case["id"], "accept", "clerk").json
        deadline = accepted["deadlines"]["investigation_start"]["due_on"]  # type: ignore[index]
        assert accepted["next_step"]["due_on"] == deadline  # type: ignore[index]
        assert accepted["next_step"]["triggers"] == ["start_investigation"]  # type: ignore[index]
        english = client.get(
            f"/api/v1/cases/{case['id']}", headers=auth("clerk") | {"Accept-Language": "en"}
        ).json
        assert english["next_step"]["text"].startswith(  # type: ignore[index]
            "The clerk starts the household investigation (by "
        )
        # the fields that were there before are unchanged
        assert english["allowed_triggers"] == ["start_investigation", "withdraw"]  # type: ignore[index]
        withdrawn = fire(client, auth, case["id"], "withdraw", "clerk", reason="申请人撤回").json
        assert withdrawn["next_step"]["role"] is None  # type: ignore[index]
        assert withdrawn["next_step"]["triggers"] == []  # type: ignore[index]

    def test_404_unknown_case(self, client: FlaskClient, auth: Auth) -> None:
        assert fire(client, auth, 404, "accept", "clerk").status_code == 404

    def test_403_role_and_region(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        role = fire(client, auth, case_id, "accept", "approver")
        assert (role.status_code, role.json["error"]) == (403, "role_not_allowed")  # type: ignore[index]
        region = fire(client, auth, case_id, "accept", "clerk_b")
        assert (region.status_code, region.json["error"]) == (403, "outside_region")  # type: ignore[index]
        for who in ("inspector", "admin"):
            assert fire(client, auth, case_id, "accept", who).status_code == 403

    def test_409_wrong_state_and_stale_version(self, client: FlaskClient, auth: Auth) -> None:
        case = create(client, auth)
        state = fire(client, auth, case["id"], "start_investigation", "clerk")
        assert (state.status_code, state.json["error"]) == (409, "invalid_state")  # type: ignore[index]
        fire(client, auth, case["id"], "accept", "clerk")
        stale = fire(
            client,
            auth,
            case["id"],
            "start_investigation",
            "clerk",
            expected_version=case["version"],
        )
        assert (stale.status_code, stale.json["error"]) == (409, "version_conflict")  # type: ignore[index]

    def test_422_lists_every_failed_guard(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case_id = create(client, auth)["id"]
        for trigger in ("accept", "start_investigation"):
            fire(client, auth, case_id, trigger, "clerk")
        assert investigate(client, auth, case_id).status_code == 201
        fire(client, auth, case_id, "propose", "reviewer")
        fire(client, auth, case_id, "publish_notice", "reviewer")
        objection = client.post(
            f"/api/v1/cases/{case_id}/objections",
            json={"objector": "村民甲", "content": "家有轿车"},
            headers=auth("reviewer"),
        )
        assert objection.status_code == 201
        response = fire(client, auth, case_id, "close_notice", "reviewer")
        assert response.status_code == 422
        assert response.json["error"] == "guard_failed"  # type: ignore[index]
        assert [d["code"] for d in response.json["details"]] == [  # type: ignore[index]
            "notice_period_running",
            "objection_open",
            "opinion_not_revised",
        ]
        assert "公示期未满" in response.json["details"][0]["message"]  # type: ignore[index]

    def test_a_democratic_review_then_a_new_opinion_answers_an_objection(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        """Art. 19 ¶2 over the API: objection, democratic review, new opinion, close."""
        case_id = create(client, auth)["id"]
        for trigger in ("accept", "start_investigation"):
            fire(client, auth, case_id, trigger, "clerk")
        investigate(client, auth, case_id)
        fire(client, auth, case_id, "propose", "reviewer")
        fire(client, auth, case_id, "publish_notice", "reviewer")
        world.pass_days(1)
        objection = client.post(
            f"/api/v1/cases/{case_id}/objections",
            json={"objector": "村民甲", "content": "家有轿车"},
            headers=auth("reviewer"),
        ).json
        body = {
            "held_on": world.today().isoformat(),
            "participants": ["村民代表甲", "村民代表乙", "村委会委员丙"],
            "outcome": "unfounded",
            "minutes": "轿车系亲戚借用",
        }
        bad = client.post(
            f"/api/v1/cases/{case_id}/democratic-reviews",
            json={**body, "outcome": "perhaps"},
            headers=auth("reviewer"),
        )
        assert bad.status_code == 422 and bad.json["details"][0]["field"] == "outcome"  # type: ignore[index]
        clerk = client.post(
            f"/api/v1/cases/{case_id}/democratic-reviews", json=body, headers=auth("clerk")
        )
        assert clerk.status_code == 403
        held = client.post(
            f"/api/v1/cases/{case_id}/democratic-reviews", json=body, headers=auth("reviewer")
        )
        assert held.status_code == 201, held.json
        assert held.json["participants"] == body["participants"]  # type: ignore[index]
        client.post(
            f"/api/v1/cases/{case_id}/objections/{objection['id']}/dismiss",  # type: ignore[index]
            json={"resolution": "经民主评议不成立"},
            headers=auth("reviewer"),
        )
        revised = fire(client, auth, case_id, "revise_opinion", "reviewer", reason="维持原初审意见")
        assert revised.status_code == 200, revised.json
        world.pass_days(8)
        closed = fire(client, auth, case_id, "close_notice", "reviewer")
        assert closed.status_code == 200 and closed.json["state"] == "pending_confirmation"  # type: ignore[index]

    def test_422_missing_reason_and_unknown_trigger(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        no_reason = fire(client, auth, case_id, "return_for_materials", "clerk")
        assert no_reason.status_code == 422
        assert no_reason.json["details"][0]["field"] == "reason"  # type: ignore[index]
        unknown = fire(client, auth, case_id, "teleport", "clerk")
        assert unknown.status_code == 422
        assert unknown.json["details"][0]["field"] == "trigger"  # type: ignore[index]

    def test_english_messages_on_request(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        response = client.post(
            f"/api/v1/cases/{case_id}/transitions",
            json={"trigger": "approve"},
            headers=auth("clerk") | {"Accept-Language": "en"},
        )
        assert "may not fire" in response.json["message"]  # type: ignore[index]


class TestMalformed:
    def test_400_malformed_json(self, client: FlaskClient, auth: Auth) -> None:
        for data in ('{"category": "dibao"', "", "not json"):
            response = client.post(
                "/api/v1/cases", data=data, headers=auth("clerk"), content_type="application/json"
            )
            assert response.status_code == 400
            assert response.json["error"] == "malformed_json"  # type: ignore[index]

    def test_413_oversized_body(self, client: FlaskClient, auth: Auth) -> None:
        huge = '{"category": "' + "x" * (2 * 1024 * 1024) + '"}'
        response = client.post(
            "/api/v1/cases", data=huge, headers=auth("clerk"), content_type="application/json"
        )
        assert response.status_code == 413
        assert response.json["error"] == "payload_too_large"  # type: ignore[index]

    def test_422_a_body_that_is_not_an_object(self, client: FlaskClient, auth: Auth) -> None:
        response = client.post("/api/v1/cases", json=[1, 2], headers=auth("clerk"))
        assert response.status_code == 422

    def test_unknown_paths_and_methods_are_json(self, client: FlaskClient, auth: Auth) -> None:
        missing = client.get("/api/v1/nothing", headers=auth("clerk"))
        assert (missing.status_code, missing.json["error"]) == (404, "not_found")  # type: ignore[index]
        method = client.put("/api/v1/cases", headers=auth("clerk"))
        assert (method.status_code, method.json["error"]) == (405, "method_not_allowed")  # type: ignore[index]


class TestInvestigationsObjectionsAudit:
    def test_investigation_201_and_422(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        early = investigate(client, auth, case_id)
        assert early.status_code == 409
        for trigger in ("accept", "start_investigation"):
            fire(client, auth, case_id, trigger, "clerk")
        made = investigate(client, auth, case_id)
        assert made.status_code == 201
        assert made.json["investigators"] == ["clerk", "clerk2"]  # type: ignore[index]
        alone = investigate(client, auth, case_id, investigators=["clerk"])
        assert alone.status_code == 422
        assert alone.json["details"][0]["field"] == "investigators"  # type: ignore[index]
        chinese = investigate(client, auth, case_id, method="邻里访问")
        assert chinese.json["method"] == "neighbour_interview"  # type: ignore[index]
        bad_date = investigate(client, auth, case_id, date="2026-02-30")
        assert bad_date.json["details"][0]["field"] == "date"  # type: ignore[index]

    def test_the_audit_trail_with_its_chain(self, client: FlaskClient, auth: Auth) -> None:
        case_id = create(client, auth)["id"]
        fire(client, auth, case_id, "accept", "clerk", reason="材料齐全")
        trail = client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("inspector")).json
        assert trail is not None and trail["chain"] == {
            "ok": True,
            "broken_seq": None,
            "problem": None,
        }
        entries = trail["entries"]
        assert [e["seq"] for e in entries] == [1, 2, 3]
        assert set(entries[2]) == {
            "case_id",
            "actor_id",
            "seq",
            "trigger",
            "from_state",
            "to_state",
            "actor",
            "role",
            "at",
            "reason",
            "payload",
            "payload_masked",
            "prev_hash",
            "hash",
        }
        assert entries[2]["payload_masked"] is False  # an inspector reads it whole
        assert entries[2]["trigger"] == "accept" and entries[2]["reason"] == "材料齐全"
        assert entries[2]["prev_hash"] == entries[1]["hash"]
        assert entries[2]["at"].endswith("Z")
        assert (
            client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("clerk_b")).status_code == 403
        )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"signed form" * 50
PDF = b"%PDF-1.7\n" + b"declaration" * 50


def attached(name: str, data: bytes) -> dict[str, str]:
    return {"file_name": name, "content_base64": base64.b64encode(data).decode()}


def investigating(client: FlaskClient, auth: Auth) -> dict[str, Any]:
    case = create(client, auth)
    for trigger in ("accept", "start_investigation"):
        fire(client, auth, case["id"], trigger, "clerk")
    return case


def kept(world: World) -> list[Path]:
    root = world.rt.settings.attachments_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class TestInvestigationAttachments:
    def test_members_present_and_files_are_recorded_and_each_file_downloads(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = investigating(client, auth)
        applicant = case["members"][0]
        made = investigate(
            client,
            auth,
            case["id"],
            present_member_ids=[applicant["id"]],
            attachments=[attached("签字表.jpg", JPEG), attached("申报表.pdf", PDF)],
        )
        assert made.status_code == 201, made.json
        record = made.json
        assert record is not None and record["present"] == [applicant["name"]]
        files = record["attachments"]
        assert [(f["file_name"], f["media_type"], f["size_bytes"]) for f in files] == [
            ("签字表.jpg", "image/jpeg", len(JPEG)),
            ("申报表.pdf", "application/pdf", len(PDF)),
        ]
        assert files[0]["sha256"] == hashlib.sha256(JPEG).hexdigest()
        # the case lists them with its investigations
        detail = client.get(f"/api/v1/cases/{case['id']}", headers=auth("reviewer")).json
        assert detail is not None
        assert detail["investigations"][0]["attachments"] == files
        with world.rt.reader() as uow:
            before = uow.session.scalar(
                select(func.count()).where(AccessLog.action == "download_attachment")
            )
        got = client.get(
            f"/api/v1/cases/{case['id']}/attachments/{files[1]['id']}", headers=auth("inspector")
        )
        assert got.status_code == 200
        assert got.data == PDF and got.mimetype == "application/pdf"
        assert got.headers["ETag"] == f'"{files[1]["sha256"]}"'
        assert got.headers["Content-Disposition"].startswith("attachment")
        with world.rt.reader() as uow:
            after = uow.session.scalar(
                select(func.count()).where(AccessLog.action == "download_attachment")
            )
        assert after == before + 1

    def test_a_download_needs_the_case_in_reach_and_unmasked_personal_data(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        case = investigating(client, auth)
        other = investigating(client, auth)
        made = investigate(client, auth, case["id"], attachments=[attached("a.jpg", JPEG)])
        file_id = made.json["attachments"][0]["id"]  # type: ignore[index]
        path = f"/api/v1/cases/{case['id']}/attachments/{file_id}"
        assert client.get(path, headers=auth("clerk")).status_code == 200
        assert client.get(path, headers=auth("admin")).status_code == 403  # sees data masked
        assert client.get(path, headers=auth("clerk_b")).status_code == 403  # another township
        assert client.get(path).status_code == 401
        # an attachment is only reached through its own case
        wrong_case = f"/api/v1/cases/{other['id']}/attachments/{file_id}"
        assert client.get(wrong_case, headers=auth("clerk")).status_code == 404
        missing = f"/api/v1/cases/{case['id']}/attachments/{file_id + 100}"
        assert client.get(missing, headers=auth("clerk")).status_code == 404

    def test_a_kept_file_that_was_changed_is_not_handed_out(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = investigating(client, auth)
        made = investigate(client, auth, case["id"], attachments=[attached("a.jpg", JPEG)])
        [f] = made.json["attachments"]  # type: ignore[index]
        world.rt.attachments.path_of(f["sha256"]).write_bytes(JPEG + b"edited")
        got = client.get(f"/api/v1/cases/{case['id']}/attachments/{f['id']}", headers=auth("clerk"))
        assert got.status_code == 409
        assert got.json["error"] == "attachment_unavailable"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            (
                {"attachments": [attached("a.jpg", JPEG), attached("b.gif", b"GIF89a....")]},
                "attachments.1",
            ),
            ({"attachments": [attached("a.pdf", JPEG)]}, "attachments.0"),
            (
                {"attachments": [{"file_name": "a.jpg", "content_base64": "not base64!"}]},
                "attachments.0.content_base64",
            ),
            ({"attachments": [attached(f"{i}.jpg", JPEG) for i in range(7)]}, "attachments"),
            ({"attachments": [attached("a.jpg", JPEG)], "present_member_ids": [0]}, "present.0"),
        ],
        ids=["gif", "name-contradicts-content", "not-base64", "too-many", "not-a-member"],
    )
    def test_422_names_the_bad_file_or_member_and_keeps_nothing(
        self, client: FlaskClient, auth: Auth, world: World, extra: dict[str, Any], field: str
    ) -> None:
        case = investigating(client, auth)
        refused = investigate(client, auth, case["id"], **extra)
        assert refused.status_code == 422, refused.json
        assert field in [d["field"] for d in refused.json["details"]]  # type: ignore[index]
        assert kept(world) == []
        detail = client.get(f"/api/v1/cases/{case['id']}", headers=auth("clerk")).json
        assert detail is not None and detail["investigations"] == []

    def test_only_this_endpoint_takes_bodies_past_the_usual_limit(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        case = investigating(client, auth)
        photo = JPEG + b"\x00" * (3 * 1024 * 1024)  # a phone's photo, above DOUDI_MAX_BODY_BYTES
        made = investigate(client, auth, case["id"], attachments=[attached("p.jpg", photo)])
        assert made.status_code == 201
        elsewhere = client.post(
            f"/api/v1/cases/{case['id']}/objections",
            json={"objector": "x" * (3 * 1024 * 1024), "content": "y"},
            headers=auth("clerk"),
        )
        assert elsewhere.status_code == 413
