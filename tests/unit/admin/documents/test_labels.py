"""Printed documents name every stored code in Chinese."""

from __future__ import annotations

from admin.documents.labels import LABELS, label
from engine.documents.views import DocumentKind
from engine.models import Category, DisabilityType, IncomeType, InvestigationMethod, Relation
from engine.states import TRANSITIONS, CaseState, Role


def test_every_value_a_document_prints_has_its_chinese_name() -> None:
    assert set(LABELS["state"]) == {s.value for s in CaseState}
    assert set(LABELS["role"]) == {r.value for r in Role}
    assert {r.trigger for r in TRANSITIONS} <= set(LABELS["event"])
    assert set(LABELS["category"]) == {c.value for c in Category}
    assert set(LABELS["relation"]) == {r.value for r in Relation}
    assert set(LABELS["income_type"]) == {t.value for t in IncomeType}
    assert set(LABELS["disability_type"]) == {t.value for t in DisabilityType}
    assert set(LABELS["method"]) == {m.value for m in InvestigationMethod}
    assert set(LABELS["document"]) == {k.value for k in DocumentKind}


def test_an_unknown_code_prints_as_itself() -> None:
    assert label("state", "active") == "在保"
    assert label("event", "some_future_event") == "some_future_event"
    assert label("state", None) == ""
