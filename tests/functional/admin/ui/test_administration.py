"""The administrator's workspace: accounts, regions, standards and parameters, the registry."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.models import Official, PolicyParameter, Region, Standard, User
from engine.services.users import NewUser, approve_user, create_user
from tests.support import COUNTY, PASSWORD, TOWNSHIP_A, VILLAGE_A1, World, id_number


def ledger_events(world: World, ledger: str) -> list[tuple[str, str]]:
    with world.rt.reader() as uow:
        rows = uow.session.execute(
            select(LedgerEntry.event, LedgerEntry.actor)
            .where(LedgerEntry.ledger == ledger)
            .order_by(LedgerEntry.seq)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def user_named(world: World, username: str) -> User | None:
    with world.rt.reader() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is not None:
            uow.session.expunge(user)
        return user


def test_an_administrator_creates_an_account_that_can_sign_in(
    as_user, browser, world: World
) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/users/")
    response = b.post(
        "/admin/users/",
        {
            "username": "clerk_new",
            "display_name": "新受理员",
            "role": "clerk",
            "region_code": TOWNSHIP_A,
            "password": "a-long-password",
        },
    )
    assert response.status_code == 302
    listing = b.text("/admin/users/")
    assert "已创建账户 clerk_new" in listing and "待批准" in listing
    assert ledger_events(world, f"users:{COUNTY}")[-1] == ("create_user", "admin")
    # the clerk sees personal data that the administrator sees masked: a second admin approves
    refused = browser.sign_in("clerk_new", "a-long-password")
    assert refused.status_code == 401 and "另一名管理员批准" in refused.get_data(as_text=True)
    new_id = user_named(world, "clerk_new").id  # type: ignore[union-attr]
    b.post(f"/admin/users/{new_id}/approve", {})
    assert "不能批准自己的变更" in b.text(f"/admin/users/{new_id}")
    assert browser.sign_in("clerk_new", "a-long-password").status_code == 401
    create_user(world.uow(), NewUser("admin2", "admin", COUNTY, PASSWORD))
    second = as_user("admin2")
    second.get(f"/admin/users/{new_id}")
    assert second.post(f"/admin/users/{new_id}/approve", {}).status_code == 302
    assert ledger_events(world, f"users:{COUNTY}")[-1] == ("approve_user", "admin2")
    assert browser.sign_in("clerk_new", "a-long-password").status_code == 302


def test_an_administrator_creates_another_administrator_without_a_second_approval(
    as_user, browser, world: World
) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/users/")
    b.post(
        "/admin/users/",
        {"username": "admin_new", "role": "admin", "region_code": COUNTY, "password": PASSWORD},
    )
    assert browser.sign_in("admin_new", PASSWORD).status_code == 302  # it sees masked data only


def test_a_bad_account_is_refused_with_each_problem_and_nothing_created(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/users/")
    before = ledger_events(world, f"users:{COUNTY}")
    b.post(
        "/admin/users/",
        {"username": "x", "role": "wizard", "region_code": "999999", "password": "short"},
    )
    page = b.text("/admin/users/")
    assert page.count("alert-danger") >= 3
    assert user_named(world, "x") is None
    assert ledger_events(world, f"users:{COUNTY}") == before


def test_deactivating_an_account_stops_its_sign_in(as_user, browser, world: World) -> None:  # type: ignore[no-untyped-def]
    clerk = world.actors["clerk2"]
    b = as_user("admin")
    b.get(f"/admin/users/{clerk.user_id}")
    response = b.post(f"/admin/users/{clerk.user_id}", {"display_name": "已调离"})
    assert response.status_code == 302
    user = user_named(world, "clerk2")
    assert user is not None and not user.active and user.display_name == "已调离"
    assert browser.sign_in("clerk2").status_code == 401
    assert ledger_events(world, f"users:{COUNTY}")[-1] == ("update_user", "admin")


def test_a_password_reset_takes_effect(as_user, browser, world: World) -> None:  # type: ignore[no-untyped-def]
    clerk = world.actors["clerk2"]
    b = as_user("admin")
    b.get(f"/admin/users/{clerk.user_id}")
    b.post(f"/admin/users/{clerk.user_id}", {"active": "1", "password": "brand-new-secret"})
    assert browser.sign_in("clerk2", PASSWORD).status_code == 401
    # the administrator now knows a clerk's password: the new one waits for other eyes
    assert browser.sign_in("clerk2", "brand-new-secret").status_code == 401
    approve_user(world.uow(), None, clerk.user_id)  # the operator: doudi users approve
    assert browser.sign_in("clerk2", "brand-new-secret").status_code == 302


def test_an_administrator_cannot_deactivate_themselves(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = world.actors["admin"]
    b = as_user("admin")
    b.get(f"/admin/users/{admin.user_id}")
    b.post(f"/admin/users/{admin.user_id}", {"display_name": "x"})
    user = user_named(world, "admin")
    assert user is not None and user.active


def test_an_unknown_account_answers_404(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("admin").get("/admin/users/999999").status_code == 404


def test_a_region_file_adds_villages_within_the_county_only(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/regions/")
    good = (
        f"code,name,parent_code,level,area_type\n{TOWNSHIP_A}299,新村,{TOWNSHIP_A},village,rural\n"
    )
    response = b.post(
        "/admin/regions/import",
        {"file": (io.BytesIO(good.encode()), "regions.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "新增1个" in b.text("/admin/regions/")
    assert ledger_events(world, f"regions:{COUNTY}")[-1] == ("import_regions", "admin")
    outside = "code,name,parent_code,level,area_type\n510101,别县,,county,urban\n"
    b.post(
        "/admin/regions/import",
        {"file": (io.BytesIO(outside.encode()), "regions.csv")},
        content_type="multipart/form-data",
    )
    assert "不在您的辖区" in b.text("/admin/regions/")
    with world.rt.reader() as uow:
        assert uow.session.get(Region, "510101") is None
        assert uow.session.get(Region, f"{TOWNSHIP_A}299") is not None


def test_an_unreadable_or_missing_upload_is_refused(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/regions/")
    b.post(
        "/admin/regions/import",
        {"file": (io.BytesIO("code\n".encode("gbk") + "村".encode("gbk")), "r.csv")},
        content_type="multipart/form-data",
    )
    assert "UTF-8" in b.text("/admin/regions/")
    b.post("/admin/regions/import", {}, content_type="multipart/form-data")
    assert "请选择要导入的文件" in b.text("/admin/regions/")
    b.post(
        "/admin/officials/import",
        {"file": (io.BytesIO(b"not a workbook"), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert "XLSX" in b.text("/admin/officials/")


def test_a_new_standard_and_parameter_are_saved_with_their_source(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/policy/")
    b.post(
        "/admin/policy/standards",
        {
            "category": "dibao",
            "area_type": "rural",
            "monthly_yuan": "560",
            "effective_from": "2026-07-01",
            "source": "乐至县2026年低保标准通知",
        },
    )
    b.post(
        "/admin/policy/parameters",
        {
            "name": "dibao_sampling_ratio",
            "value": "0.3",
            "effective_from": "2026-07-01",
            "source": "县民政局通知",
        },
    )
    page = b.text("/admin/policy/")
    assert "乐至县2026年低保标准通知" in page and "560.00" in page
    with world.rt.reader() as uow:
        assert (
            uow.session.scalar(
                select(Standard.monthly_fen).where(Standard.source == "乐至县2026年低保标准通知")
            )
            == 56000
        )
        assert (
            uow.session.scalar(
                select(PolicyParameter.value).where(PolicyParameter.name == "dibao_sampling_ratio")
            )
            == "0.3"
        )


def test_a_bad_standard_names_its_problems(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/policy/")
    b.post(
        "/admin/policy/standards",
        {
            "category": "dibao",
            "area_type": "rural",
            "monthly_yuan": "-5",
            "effective_from": "2026-07-01",
            "source": "",
        },
    )
    page = b.text("/admin/policy/")
    assert "须注明政策依据" in page and "标准须为大于0的金额" in page
    b.post("/admin/policy/standards", {"monthly_yuan": "abc", "effective_from": "soon"})
    assert "alert-danger" in b.text("/admin/policy/")


def test_a_bad_parameter_value_says_in_chinese_what_is_accepted(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/policy/")
    b.post(
        "/admin/policy/parameters",
        {
            "name": "employment_cost_share",
            "value": "1.5",
            "effective_from": "2026-07-01",
            "source": "县民政局文件",
        },
    )
    page = b.text("/admin/policy/")
    assert "取值无效：须为0到1之间的小数" in page and "a decimal" not in page


def registry_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "official_id_number",
            "official_name",
            "position",
            "region_code",
            "relative_id_number",
            "relative_name",
            "relative_birth_date",
            "relation",
        ]
    )
    ws.append(
        [
            id_number(),
            "赵主任",
            "village_director",
            VILLAGE_A1,
            id_number(),
            "赵小弟",
            "",
            "sibling",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_officials_registry_imports_an_xlsx_file(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    b.get("/admin/officials/")
    response = b.post(
        "/admin/officials/import",
        {"file": (io.BytesIO(registry_xlsx()), "registry.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = b.text("/admin/officials/")
    assert "赵主任" in page and "赵*弟" in page and "新增1名" in page  # relatives masked
    with world.rt.reader() as uow:
        assert len(uow.session.scalars(select(Official.id)).all()) == 1


def filled_template(template: bytes, rows: list[list[str]]) -> bytes:
    """The template as downloaded, with rows typed under its headers."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_registry_template_downloads_and_imports_with_chinese_headers_and_words(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    page = b.text("/admin/officials/")
    assert 'id="import-officials-template"' in page
    download = b.get("/admin/officials/template.xlsx")
    assert download.status_code == 200
    assert download.mimetype.endswith("spreadsheetml.sheet")
    official = id_number(dt.date(1970, 2, 3))
    filled = filled_template(
        download.data,
        [
            [
                official,
                "钱主任",
                "村（居）委会主任",
                VILLAGE_A1,
                "",
                "钱小妹",
                "1980-01-02",
                "兄弟姐妹",
            ]
        ],
    )
    b.post(
        "/admin/officials/import",
        {"file": (io.BytesIO(filled), "名册.xlsx")},
        content_type="multipart/form-data",
    )
    assert "新增1名" in b.text("/admin/officials/")
    with world.rt.reader() as uow:
        post = uow.session.scalar(select(Official.position))
    assert post == "village_director"
    # a wrong word is named by line and by the column's Chinese header, with what may be given
    wrong = filled_template(
        download.data,
        [[official, "钱主任", "村长", VILLAGE_A1, "", "钱小弟", "1982-01-02", "堂兄弟"]],
    )
    b.post(
        "/admin/officials/import",
        {"file": (io.BytesIO(wrong), "名册.xlsx")},
        content_type="multipart/form-data",
    )
    refused = b.text("/admin/officials/")
    assert "第2行「职务」：职务无效，可填：县级经办人员" in refused
    assert "第2行「亲属是本人的」：亲属关系无效，可填：配偶" in refused


def test_the_region_template_imports_chinese_words(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("admin")
    download = b.get("/admin/regions/template.xlsx")
    assert download.status_code == 200
    filled = filled_template(
        download.data, [[f"{TOWNSHIP_A}298", "新建村", TOWNSHIP_A, "村", "农村"]]
    )
    b.get("/admin/regions/")
    b.post(
        "/admin/regions/import",
        {"file": (io.BytesIO(filled), "区划.xlsx")},
        content_type="multipart/form-data",
    )
    assert "新增1个" in b.text("/admin/regions/")
    with world.rt.reader() as uow:
        village = uow.session.get(Region, f"{TOWNSHIP_A}298")
        assert village is not None and village.level == "village"
