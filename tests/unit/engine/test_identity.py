"""Resident ID numbers: GB 11643-1999 check digit, birth date, sex."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.identity import (
    InvalidIdNumber,
    Sex,
    is_valid_id_number,
    mask_id_number,
    mask_name,
    mask_public_name,
    parse_id_number,
    with_check_digit,
)

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        # the worked example of GB 11643-1999 (check digit X)
        ("11010519491231002X", dt.date(1949, 12, 31), Sex.FEMALE),
        # python-stdnum's documented example
        ("360426199101010071", dt.date(1991, 1, 1), Sex.MALE),
        ("512022198507120017", dt.date(1985, 7, 12), Sex.MALE),
    ],
)
def test_valid_numbers_give_birth_date_and_sex(number: str, birth: dt.date, sex: Sex) -> None:
    rid = parse_id_number(number, today=TODAY)
    assert (rid.number, rid.birth_date, rid.sex) == (number, birth, sex)


def test_a_lowercase_x_and_spaces_are_normalised() -> None:
    assert parse_id_number(" 11010519491231002x ", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_number_checksum"),  # last digit should be X
        ("11010519491231002", "id_number_length"),
        ("1101051949123100211", "id_number_length"),
        ("11010519491231A02X", "id_number_format"),
        ("110105194912310Y2X", "id_number_format"),
        (with_check_digit("11010519990230001"), "id_number_birth_date"),  # 30 February
        (with_check_digit("11010518991231001"), "id_number_birth_date"),  # before 1900
        (with_check_digit("11010520300101001"), "id_number_birth_date"),  # in the future
    ],
)
def test_invalid_numbers_say_why(number: str, code: str) -> None:
    with pytest.raises(InvalidIdNumber) as refused:
        parse_id_number(number, today=TODAY)
    assert refused.value.problem.code == code
    assert refused.value.problem.field == "id_number"
    assert not is_valid_id_number(number, today=TODAY)


def test_every_single_digit_change_is_caught() -> None:
    """ISO 7064 MOD 11-2 detects any single substituted character."""
    good = "512022198507120017"
    for i in range(17):
        for digit in "0123456789":
            if digit == good[i]:
                continue
            changed = good[:i] + digit + good[i + 1 :]
            try:
                parse_id_number(changed, today=TODAY)
            except InvalidIdNumber:
                continue
            pytest.fail(f"{changed} accepted")


def test_check_digit_completion_matches_the_standard_example() -> None:
    assert with_check_digit("11010519491231002") == "11010519491231002X"


def test_masking_hides_birth_date_and_sequence() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_name("张三") == "张*"
    assert mask_name("李小芳") == "李*芳"
    assert mask_name("欧阳小明") == "欧**明"


def test_public_documents_mask_with_one_star_whatever_the_length() -> None:
    """Art. 24: names on notices partly hidden; the hidden length is not shown either."""
    assert mask_public_name("王建国") == "王*国"
    assert mask_public_name("王国") == "王*"
    assert mask_public_name("欧阳小明") == "欧*明"
    assert mask_public_name("阿依古丽" * 10) == "阿*丽"
    assert mask_public_name("王") == "王"
