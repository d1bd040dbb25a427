"""Reading a department's records: the kind its columns make it, and each bad cell named."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import InvalidData
from engine.identity import with_check_digit
from engine.services.crosscheck_rows import HEADERS_ZH, KINDS, crosscheck_rows

TODAY = dt.date(2026, 3, 2)
PERSON = with_check_digit("51202219700517001")


def read(kind: str, **cells: str) -> list[tuple[str | None, str]]:
    header = list(KINDS[kind].columns)
    (row,) = crosscheck_rows(kind, header, [{"id_number": PERSON, **cells}], TODAY)
    return [(p.field, p.code) for p in row.problems]


def test_a_record_keeps_its_filled_columns_as_evidence() -> None:
    header = [HEADERS_ZH[c] for c in KINDS["subsidies"].columns]
    record = {
        "身份证号码": PERSON,
        "姓名": "张三",
        "补贴项目": "耕地地力保护补贴",
        "月发放金额": "85.5",
    }
    (row,) = crosscheck_rows("subsidies", header, [record], TODAY)
    assert row.problems == () and row.id_number == PERSON
    assert row.record == {"name": "张三", "subsidy": "耕地地力保护补贴", "monthly_yuan": "85.50"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_file_without_the_kinds_columns_is_refused_as_another_kind(kind: str) -> None:
    with pytest.raises(InvalidData) as err:
        crosscheck_rows(kind, ["id_number", "name"], [], TODAY)
    assert err.value.code == "wrong_kind"
    assert KINDS[kind].label_en in err.value.message_en


def test_an_unknown_kind_names_the_kinds_there_are() -> None:
    with pytest.raises(InvalidData) as err:
        crosscheck_rows("horses", ["id_number"], [], TODAY)
    assert err.value.code == "unknown_kind" and "vehicles" in err.value.message_en


@pytest.mark.parametrize(
    ("kind", "cells", "expected"),
    [
        ("deaths", {"died_on": "2026-03-03"}, ("line 2.died_on", "invalid")),  # tomorrow
        ("deaths", {"died_on": "1969-01-01"}, ("line 2.died_on", "invalid")),  # before birth
        ("deaths", {"died_on": ""}, ("line 2.died_on", "required")),
        (
            "vehicles",
            {"plate_no": "川A1", "registered_on": "2024/1/1"},
            ("line 2.registered_on", "invalid"),
        ),
        (
            "public_employees",
            {"employer": "局", "monthly_salary": "-1"},
            ("line 2.monthly_salary", "invalid"),
        ),
        (
            "subsidies",
            {"subsidy": "补贴", "paid_month": "2026-13"},
            ("line 2.paid_month", "invalid"),
        ),
        ("businesses", {"business_name": "店" * 201}, ("line 2.business_name", "invalid")),
    ],
)
def test_each_bad_cell_is_named_by_line_and_column(
    kind: str, cells: dict[str, str], expected: tuple[str, str]
) -> None:
    assert read(kind, **cells) == [expected]


def test_a_bad_id_number_is_named() -> None:
    wrong = PERSON[:-1] + ("0" if PERSON[-1] != "0" else "1")
    (row,) = crosscheck_rows(
        "vehicles", ["id_number", "plate_no"], [{"id_number": wrong, "plate_no": "x"}], TODAY
    )
    assert [(p.field, p.code) for p in row.problems] == [("line 2.id_number", "id_number_checksum")]
