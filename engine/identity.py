"""Resident ID numbers (公民身份号码, GB 11643-1999): validation, birth date, sex, masking.

The check digit and date parsing come from python-stdnum (``stdnum.cn.ric``).
The place-of-registration code is deliberately not checked against a code
list: codes are renamed and merged over the years and a person keeps the
number first issued, so a stale list would refuse real residents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from engine.errors import Problem

#: The oldest plausible birth date: the standard's century digits start at 18xx,
#: but no living applicant was born before 1900.
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class Sex(StrEnum):
    """Sex as encoded in the 17th digit of the number (odd: male, even: female)."""

    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class ResidentId:
    """A validated resident ID number with what it encodes."""

    number: str
    birth_date: dt.date
    sex: Sex

    @property
    def masked(self) -> str:
        """Return the number with the birth date and sequence hidden."""
        return mask_id_number(self.number)


class InvalidIdNumber(ValueError):
    """The string is not a valid resident ID number; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def _problem(code: str, zh: str, en: str, field: str | None) -> InvalidIdNumber:
    return InvalidIdNumber(Problem(code=code, message=zh, message_en=en, field=field))


def parse_id_number(raw: str, *, today: dt.date, field: str | None = "id_number") -> ResidentId:
    """Validate ``raw`` and return the number with its birth date and sex.

    Raises InvalidIdNumber naming the first thing wrong: length, characters,
    check digit, or an impossible or implausible birth date.
    """
    if not isinstance(raw, str):
        raise _problem(
            "id_number_type", "身份证号码必须是字符串", "ID number must be a string", field
        )
    number = ric.compact(raw)
    if len(number) != 18:
        raise _problem(
            "id_number_length",
            f"身份证号码应为18位，实际为{len(number)}位",
            f"ID number must have 18 characters, got {len(number)}",
            field,
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _problem(
            "id_number_format",
            "身份证号码前17位须为数字，末位为数字或X",
            "ID number must be 17 digits followed by a digit or X",
            field,
        )
    if number[17] != ric.calc_check_digit(number):
        raise _problem(
            "id_number_checksum",
            "身份证号码校验码错误",
            "ID number check digit is wrong",
            field,
        )
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise _problem(
            "id_number_birth_date",
            "身份证号码中的出生日期不存在",
            "ID number encodes an impossible birth date",
            field,
        ) from None
    if birth < EARLIEST_BIRTH or birth > today:
        raise _problem(
            "id_number_birth_date",
            f"身份证号码中的出生日期{birth.isoformat()}不合理",
            f"ID number encodes an implausible birth date {birth.isoformat()}",
            field,
        )
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex)


def is_valid_id_number(raw: str, *, today: dt.date) -> bool:
    """Return whether ``raw`` is a valid resident ID number."""
    try:
        parse_id_number(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit."""
    return first17 + ric.calc_check_digit(first17 + "0")


def mask_id_number(number: str) -> str:
    """Hide everything but the region code's first 3 and the last 4 characters."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """Mask a personal name for public display: 张三 -> 张*, 张小三 -> 张*三."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_public_name(name: str) -> str:
    """Mask a name for a posted notice: 王建国 -> 王*国, 王国 -> 王*, 欧阳小明 -> 欧*明.

    One star whatever the length, so that a notice shows neither the hidden
    characters nor how many there are, and a long name keeps the table narrow.
    """
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" + name[-1]


def mask_account(account: str) -> str:
    """Show only the first four and last four digits of a bank account."""
    if len(account) <= 8:
        return "*" * len(account)
    return account[:4] + "*" * (len(account) - 8) + account[-4:]
