"""Names shown as the reader's role allows, wherever stored text holds them masked."""

from __future__ import annotations

from engine.ports import Actor
from engine.privacy import WITHHELD, Disclosure, show_masked_names
from engine.states import Role

PATH = "成员 李* 是 村（居）委会委员 王*军 的 兄弟姐妹（王*军 的配偶 赵*兰 与其同户，李* 是其子女）"


def reader(role: Role) -> Disclosure:
    return Disclosure(Actor(user_id=1, username=str(role), role=role, region_code="512022"))


def test_each_masked_name_becomes_the_form_given_for_its_person() -> None:
    shown = {"李芳": "李芳", "王建军": "王*军", "赵秀兰": "赵秀兰"}
    assert show_masked_names(PATH, shown) == (
        "成员 李芳 是 村（居）委会委员 王*军 的 兄弟姐妹"
        "（王*军 的配偶 赵秀兰 与其同户，李芳 是其子女）"
    )


def test_a_masked_form_shared_by_two_people_shown_differently_stays_masked() -> None:
    assert show_masked_names("成员 李* 是 委员 李* 本人", {"李芳": "李芳", "李明": "李*"}) == (
        "成员 李* 是 委员 李* 本人"
    )
    assert show_masked_names("成员 李* 是", {"李芳": "X", "李明": "X"}) == "成员 X 是"


def test_only_a_whole_masked_name_is_replaced() -> None:
    assert show_masked_names("李*明 与 李*", {"李芳": "李芳"}) == "李*明 与 李芳"
    assert show_masked_names("成员 李 是", {"李": "（已隐去）"}) == "成员 李 是"


def test_a_flag_path_follows_the_role() -> None:
    path = "成员 李* 是 村（居）委会委员 王*军 的 兄弟姐妹"
    assert reader(Role.INSPECTOR).flag_path(path, "王建军", ["李芳"]) == (
        "成员 李芳 是 村（居）委会委员 王建军 的 兄弟姐妹"
    )
    assert reader(Role.CLERK).flag_path(path, "王建军", ["李芳"]) == (
        "成员 李芳 是 村（居）委会委员 王*军 的 兄弟姐妹"
    )
    assert reader(Role.ADMIN).flag_path(path, "王建军", ["李芳"]) == WITHHELD
