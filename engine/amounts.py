"""How a stored amount reads: lines that add up on screen, the rounding as its own step.

A decision stores the lines the rules produced while computing it (``engine.rules.Line``)
in the order they were computed: income counted and not counted interleaved, amounts
with as many decimals as the arithmetic gave (53.300). This turns them into what a
reader can check with pen and paper, each figure to the fen:

- the counted income, item by item, and its total (never below zero);
- the amount: standard × members, less the counted income, the top-up, sanctions and
  supplements, the sum before rounding, the rounding step under the county's rule, and
  the monthly amount decided; each ``term`` adds up to the next ``subtotal``/``total``;
- income the rules do not count, listed apart and added to nothing;
- reference figures the eligibility tests read (added to nothing either).

Every subtotal is the sum of the figures shown above it, so the rounding step also
absorbs the fen an intermediate figure with more decimals would otherwise hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

#: codes of lines that are reference figures for an eligibility test, not parts of the sum
REFERENCE_CODES = frozenset({"household.per_capita", "tekun.dibao_standard"})


@dataclass(frozen=True)
class ShownLine:
    """One figure of an explained amount.

    ``kind`` is ``term`` (adds into the next subtotal), ``subtotal`` (the sum so far),
    ``total`` (the amount itself) or ``item`` (listed, added to nothing).
    """

    code: str
    amount_yuan: Decimal
    kind: str
    member: str | None = None
    #: the label stored with the line (for codes the pages do not know)
    label: str = ""


@dataclass(frozen=True)
class AmountExplanation:
    """A decided or proposed amount as a sum that can be checked line by line."""

    counted: tuple[ShownLine, ...]
    amount: tuple[ShownLine, ...]
    excluded: tuple[ShownLine, ...]
    references: tuple[ShownLine, ...]
    #: the county's rounding rule (``yuan``, ``jiao``, ``fen``; None: not known)
    rounding: str | None

    def sections(self) -> list[tuple[str, tuple[ShownLine, ...]]]:
        """The non-empty parts in the order they are shown."""
        parts = [
            ("counted", self.counted),
            ("amount", self.amount),
            ("excluded", self.excluded),
            ("references", self.references),
        ]
        return [(name, lines) for name, lines in parts if lines]


def to_fen(amount: Decimal | str | int) -> Decimal:
    """An amount to the fen (half up), as every figure is shown."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def _line(line: Mapping[str, Any], kind: str) -> ShownLine:
    return ShownLine(
        code=str(line["code"]),
        amount_yuan=to_fen(line["amount_yuan"]),
        kind=kind,
        member=line.get("member"),
        label=str(line.get("label") or ""),
    )


def _sum(lines: Iterable[ShownLine]) -> Decimal:
    return sum((line.amount_yuan for line in lines if line.kind == "term"), ZERO)


def explain_amount(
    lines: Iterable[Mapping[str, Any]], monthly_yuan: Decimal, rounding: str | None
) -> AmountExplanation:
    """Sort a decision's stored lines into sums that add up to ``monthly_yuan``."""
    counted: list[ShownLine] = []
    excluded: list[ShownLine] = []
    references: list[ShownLine] = []
    others: list[ShownLine] = []
    need: ShownLine | None = None
    tops_up = False
    for raw in lines:
        code = str(raw["code"])
        group = code.partition(".")[0]
        if group in ("income", "deduction"):
            counted.append(_line(raw, "term"))
        elif group == "excluded":
            excluded.append(_line(raw, "item"))
        elif code in REFERENCE_CODES:
            references.append(_line(raw, "item"))
        elif code == "standard.total":
            need = _line(raw, "term")
        elif code == "base":
            tops_up = True  # the top-up is recomputed from the figures shown
        else:
            others.append(_line(raw, "term"))  # sanctions, supplements, phase-out
    counted_total = _sum(counted)
    if counted_total < 0:
        # deductions larger than the income: the counted income is zero, not negative
        counted.append(ShownLine("floor.counted", -counted_total, "term"))
        counted_total = ZERO
    if counted or tops_up:
        counted.append(ShownLine("counted.total", counted_total, "subtotal"))
    amount: list[ShownLine] = [need] if need is not None else []
    if tops_up:
        amount.append(ShownLine("counted.less", -counted_total, "term"))
        running = _sum(amount)
        if running < 0:
            amount.append(ShownLine("floor.base", -running, "term"))
        amount.append(ShownLine("base", _sum(amount), "subtotal"))
    amount += others
    before = _sum(amount)
    total = to_fen(monthly_yuan)
    amount += [
        ShownLine("subtotal", before, "subtotal"),
        ShownLine(f"rounding.{rounding}" if rounding else "rounding", total - before, "term"),
        ShownLine("monthly", total, "total"),
    ]
    return AmountExplanation(
        counted=tuple(counted),
        amount=tuple(amount),
        excluded=tuple(excluded),
        references=tuple(references),
        rounding=rounding,
    )
