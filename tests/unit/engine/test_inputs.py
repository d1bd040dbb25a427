"""Text and JSON the system accepts: nothing hidden, nothing unbounded."""

from __future__ import annotations

import pytest

from engine.inputs import MAX_DATA_BYTES, data_problems, json_problems, text_problem


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a\x00b", "control_character"),
        ("a\x07", "control_character"),
        ("a\x7f", "control_character"),
        ("a\x85", "control_character"),  # C1
        ("\ud800", "control_character"),  # a lone surrogate is not UTF-8
        ("王\u202e国", "bidi_control"),
        ("\u2067王", "bidi_control"),
        ("\u200b", "invisible_text"),
        ("\u200b \ufeff", "invisible_text"),
    ],
)
def test_hidden_characters_are_named(value: str, code: str) -> None:
    problem = text_problem(value, "name")
    assert problem is not None and problem.code == code and problem.field == "name"


@pytest.mark.parametrize(
    "value", ["", "王建国", "一、\n二、\t三\r\n", "Zoë", "阿依古丽·买买提", "a\u200db"]
)
def test_ordinary_text_passes(value: str) -> None:
    assert text_problem(value, "name") is None


def test_json_is_walked_with_field_paths_and_bounded_depth() -> None:
    body = {"members": [{"name": "ok"}, {"name": "bad\x00"}], "data": {"k\x01": 1}}
    assert [p.field for p in json_problems(body, "", 8)] == ["members.1.name", "data.k\x01"]
    deep: object = 1
    for _ in range(10):
        deep = [deep]
    (problem,) = json_problems(deep, "data", 4)
    assert problem.code == "too_deep"


def test_a_triggers_data_is_small_and_shallow() -> None:
    assert data_problems({"ground": "objection"}) == []
    assert data_problems({"a": {"b": {"c": {"d": {"e": 1}}}}})[0].code == "too_deep"
    assert data_problems({"note": "x" * MAX_DATA_BYTES})[0].code == "too_large"
