"""National rules are dated data with their source; the appeal limits printed on letters."""

from __future__ import annotations

import datetime as dt

from engine.rulebook import national_rules

RULES = national_rules()


def test_reconsideration_is_open_for_60_days() -> None:
    """《行政复议法》（2023年修订）第二十条; 《最低生活保障审核确认办法》第三十八条."""
    rule = RULES.rule("reconsideration_days", dt.date(2026, 3, 2))
    assert rule.value == 60 and rule.unit == "calendar_days"
    assert "行政复议法" in rule.source and "第三十八条" in rule.source


def test_a_lawsuit_is_open_for_6_months() -> None:
    """《行政诉讼法》第四十六条; 《最低生活保障审核确认办法》第三十八条."""
    rule = RULES.rule("litigation_months", dt.date(2026, 3, 2))
    assert rule.value == 6 and rule.unit == "months"
    assert "行政诉讼法" in rule.source and "第四十六条" in rule.source


def test_every_rule_has_a_source_and_a_date() -> None:
    for name in RULES.names():
        rule = RULES.rule(name, dt.date(2026, 3, 2))
        assert rule.source.strip() and rule.effective_from <= dt.date(2026, 3, 2)
