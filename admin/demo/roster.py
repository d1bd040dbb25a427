"""A county roster as a provincial system exports it, generated: for trying `doudi roster
import`, for its tests and for its benchmark.

Seeded: the same arguments always give the same households, people and amounts. Each
household's amount is what the rules give for its rows' figures under the standard, so a
generated roster imports without a difference to report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from engine.identity import with_check_digit
from engine.services.roster_rows import COLUMNS

#: one household in this many is on tekun, one in this many in its phase-out
TEKUN_EVERY = 9
PHASE_OUT_EVERY = 17
#: relations after the applicant, in the order members are added
RELATIONS = ("spouse", "child", "child", "parent", "grandchild")


def _person_number(county: str, serial: int, birth: dt.date, male: bool) -> str:
    """A valid ID number, unique per serial: the serial picks the birth date's day and the
    three-digit sequence (odd for men)."""
    sequence = (serial % 499) * 2 + (1 if male else 0)
    return with_check_digit(f"{county}{birth:%Y%m%d}{sequence:03d}")


def _birth(rng: random.Random, serial: int, relation: str, applicant_year: int) -> dt.date:
    offset = {"self": 0, "spouse": rng.randint(-3, 3), "child": 26, "parent": -25}.get(relation, 50)
    year = min(applicant_year + offset, 2015)
    # the serial's block picks the day and its place in the block the sequence number: every
    # number is unique for the first 499 × 360 people
    return dt.date(year, 1, 1) + dt.timedelta(days=(serial // 499) % 360)


def roster_rows(
    county: str,
    villages: Sequence[str],
    households: int,
    standards: Mapping[str, Decimal],
    approved_from: dt.date,
    *,
    seed: int = 2024,
    first_serial: int = 0,
    rounding: Decimal = Decimal("1"),
) -> list[dict[str, str]]:
    """Rows of the roster contract: ``households`` households over ``villages``, each member
    one row; ``standards`` maps ``dibao``/``tekun`` to the rural standard in force from
    ``approved_from``."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    serial = first_serial
    for index in range(households):
        tekun = index % TEKUN_EVERY == TEKUN_EVERY - 1
        phasing_out = not tekun and index % PHASE_OUT_EVERY == PHASE_OUT_EVERY - 1
        size = 1 if tekun else rng.randint(1, 4)
        applicant_year = rng.randint(1940, 1985)
        approved = approved_from + dt.timedelta(days=rng.randint(0, 300))
        incomes, members = [], []
        for position in range(size):
            relation = "self" if position == 0 else RELATIONS[position - 1]
            serial += 1
            male = rng.random() < 0.5
            birth = _birth(rng, serial, relation, applicant_year)
            income = Decimal(0) if tekun else Decimal(rng.choice((0, 0, 50, 120, 200)))
            incomes.append(income)
            members.append(
                {
                    "id_number": _person_number(county, serial, birth, male),
                    "name": f"居民{serial}",
                    "relation": relation,
                    "monthly_income": str(income) if income else "",
                    "disability_grade": "",
                    "serious_illness": "否",
                    "able_to_work": "是" if relation in ("self", "spouse") and not tekun else "否",
                }
            )
        category = "tekun" if tekun else "dibao"
        standard = standards[category]
        amount = standard * size if tekun else max(Decimal(0), standard * size - sum(incomes))
        # every income is below the standard: the amount is never nothing
        amount = amount.quantize(rounding, rounding=ROUND_HALF_UP)
        household = {
            "household_no": f"{county}-{first_serial + index + 1:07d}",
            "village_code": villages[index % len(villages)],
            "area_type": "rural",
            "category": category,
            "monthly_yuan": str(amount),
            "approved_on": approved.isoformat(),
            "next_recheck_on": "",
            "phase_out_started_on": (approved + dt.timedelta(days=30)).isoformat()
            if phasing_out
            else "",
        }
        rows.extend({**household, **m} for m in members)
    return rows


def roster_csv(rows: Sequence[Mapping[str, str]], encoding: str = "utf-8") -> bytes:
    """The rows as a CSV file with the contract's header, in ``encoding``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
