"""Reading a roster's rows: columns, words, and each cell's problem named by line and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.errors import InvalidData
from engine.identity import with_check_digit
from engine.services.roster_rows import COLUMNS, HEADERS_ZH, roster_rows

TODAY = dt.date(2026, 3, 2)
PERSON = with_check_digit("51202219700517001")


def record(**cells: str) -> dict[str, str]:
    """A valid applicant's row, with ``cells`` changed."""
    base = {
        "household_no": "H-1",
        "village_code": "512022101201",
        "area_type": "rural",
        "category": "dibao",
        "id_number": PERSON,
        "name": "张三",
        "relation": "self",
        "monthly_income": "120",
        "disability_grade": "",
        "serious_illness": "否",
        "able_to_work": "是",
        "monthly_yuan": "413",
        "approved_on": "2025-04-01",
        "next_recheck_on": "",
        "phase_out_started_on": "",
    }
    return {**base, **cells}


def problems(**cells: str) -> list[tuple[str | None, str]]:
    (row,) = roster_rows(list(COLUMNS), [record(**cells)], TODAY)
    return [(p.field, p.code) for p in row.problems]


def test_a_valid_row_reads_into_typed_values() -> None:
    (row,) = roster_rows(list(COLUMNS), [record()], TODAY)
    assert row.problems == ()
    assert (row.line, row.monthly_income, row.monthly_yuan) == (
        2,
        Decimal("120.00"),
        Decimal("413.00"),
    )
    assert (row.able_to_work, row.serious_illness, row.disability_grade) == (True, False, None)
    assert row.approved_on == dt.date(2025, 4, 1) and row.next_recheck_on is None
    assert row.birth_date == dt.date(1970, 5, 17) and row.sex == "male"


def test_chinese_headers_and_the_words_of_a_provincial_export_are_read() -> None:
    header = [HEADERS_ZH[c] for c in COLUMNS]
    words = record(category="特困", area_type="农村", relation="本人", serious_illness="是")
    (row,) = roster_rows(header, [{HEADERS_ZH[k]: v for k, v in words.items()}], TODAY)
    assert (row.category, row.area_type, row.relation) == ("tekun", "rural", "self")
    assert row.serious_illness is True and row.problems == ()


def test_a_missing_column_refuses_the_file_naming_it() -> None:
    with pytest.raises(InvalidData) as err:
        roster_rows([c for c in COLUMNS if c != "approved_on"], [], TODAY)
    assert err.value.code == "bad_header" and "approved_on" in err.value.message_en


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"id_number": PERSON[:-1] + ("0" if PERSON[-1] != "0" else "1")}, "id_number_checksum"),
        ({"id_number": "12345"}, "id_number_length"),
        ({"name": ""}, "required"),
        ({"category": "五保"}, "invalid"),
        ({"relation": "邻居"}, "invalid"),
        ({"monthly_yuan": "-5"}, "invalid"),
        ({"monthly_yuan": "1.234"}, "invalid"),
        ({"monthly_income": "一百"}, "invalid"),
        ({"disability_grade": "5"}, "invalid"),
        ({"able_to_work": "maybe"}, "invalid"),
        ({"approved_on": "2025/04/01"}, "invalid"),
        ({"approved_on": "2025-02-30"}, "invalid"),
        ({"approved_on": ""}, "required"),
        ({"household_no": "H" * 41}, "invalid"),
    ],
)
def test_each_bad_cell_is_a_problem_named_by_line_and_column(
    cells: dict[str, str], expected: str
) -> None:
    (column,) = cells
    assert problems(**cells) == [(f"line 2.{column}", expected)]


@pytest.mark.parametrize(("text", "grade"), [("1", 1), ("2级", 2), ("3.0", 3), ("", None)])
def test_a_disability_grade_reads_as_written_in_a_sheet(text: str, grade: int | None) -> None:
    (row,) = roster_rows(list(COLUMNS), [record(disability_grade=text)], TODAY)
    assert row.disability_grade == grade and row.problems == ()


def test_blank_lines_are_skipped_and_lines_keep_their_numbers() -> None:
    blank = dict.fromkeys(COLUMNS, "")
    rows = roster_rows(list(COLUMNS), [record(), blank, record(household_no="H-2")], TODAY)
    assert [r.line for r in rows] == [2, 4]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("533", "533.00"), ("1,234.5", "1234.50"), ("533.0", "533.00"), ("0", "0.00")],
)
def test_amounts_read_as_people_write_them(text: str, amount: str) -> None:
    (row,) = roster_rows(list(COLUMNS), [record(monthly_yuan=text)], TODAY)
    assert row.problems == () and row.monthly_yuan == Decimal(amount)


@pytest.mark.parametrize("text", ["5,33", "1,2,3", "1e30", "9" * 30, "NaN", "Infinity", "-0.5"])
def test_an_amount_no_one_writes_is_refused_not_a_crash(text: str) -> None:
    assert problems(monthly_income=text) == [("line 2.monthly_income", "invalid")]


def test_a_column_given_twice_refuses_the_file() -> None:
    header = [*COLUMNS, HEADERS_ZH["name"]]
    with pytest.raises(InvalidData) as err:
        roster_rows(header, [], TODAY)
    assert err.value.code == "duplicate_columns" and "name" in err.value.message_en


def test_other_headers_of_provincial_exports_are_read_as_their_columns() -> None:
    aliases = {"household_no": "户号", "id_number": "公民身份号码", "relation": "与户主关系"}
    header = [aliases.get(c, HEADERS_ZH[c]) for c in COLUMNS]
    cells = {aliases.get(k, HEADERS_ZH[k]): v for k, v in record(relation="本人").items()}
    (row,) = roster_rows(header, [cells], TODAY)
    assert (row.household_no, row.id_number, row.relation) == ("H-1", PERSON, "self")
