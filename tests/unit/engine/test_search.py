"""What a search term is searched as: a whole ID number, its tail, or a name."""

from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.search import Term, TermKind, parse_term

NUMBER = "51202219700517003X"


@pytest.mark.parametrize(
    ("raw", "term"),
    [
        (NUMBER, Term(TermKind.ID_NUMBER, NUMBER)),
        (NUMBER.lower(), Term(TermKind.ID_NUMBER, NUMBER)),
        (" 5120 2219 7005 1700 3x ", Term(TermKind.ID_NUMBER, NUMBER)),
        ("１７００３Ｘ", Term(TermKind.ID_TAIL, "17003X")),  # full-width, as some IMEs type
        ("170036", Term(TermKind.ID_TAIL, "170036")),
        ("欧阳", Term(TermKind.NAME, "欧阳")),
        (" 王 ", Term(TermKind.NAME, "王")),
        ("X17003", Term(TermKind.NAME, "X17003")),  # X is the last character only
        ("17 白塔", Term(TermKind.NAME, "17 白塔")),
        ("²³⁴⁵⁶⁷", Term(TermKind.NAME, "²³⁴⁵⁶⁷")),  # not digits to a resident ID
    ],
)
def test_a_term_is_an_id_number_its_tail_or_a_name(raw: str, term: Term) -> None:
    assert parse_term(raw) == term


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "search_term_empty"),
        (" \t", "search_term_empty"),
        ("17003", "search_tail_too_short"),
        ("X", "search_tail_too_short"),
        ("5120221970051700361", "search_id_too_long"),
        ("王" * 51, "search_term_too_long"),
    ],
)
def test_a_term_that_cannot_be_searched_is_refused_with_its_reason(
    raw: str | None, code: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        parse_term(raw)
    assert [(p.field, p.code) for p in refused.value.problems] == [("q", code)]
