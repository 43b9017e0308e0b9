"""The thresholds the administration area changes keep the limits the rule-set reader
(``challenges.rule_set_from_data``) enforces: a page never offers a value the rules refuse,
nor refuses one they accept."""

import pytest

from sightline import challenges
from sightline.assessments.thresholds import thresholds, with_thresholds

SHIPPED = challenges.SHIPPED


def _with(code: str, name: str, value: int) -> object:
    data = challenges.rule_set_to_data(SHIPPED)
    for item in data["rules"]:
        if item["code"] == code:
            item["params"] = with_thresholds(item["params"], {name: value})
    return data


@pytest.mark.parametrize(
    ("code", "name", "low", "high"),
    [(rule.code, t.name, t.low, t.high) for rule in SHIPPED.rules for t in thresholds(rule)],
)
def test_the_limits_are_the_rule_sets_own(code, name, low, high):
    for value in (low, high):
        rule = challenges.rule_set_from_data(_with(code, name, value)).rule(code)
        assert {t.name: t.value for t in thresholds(rule)}[name] == value
    for value in (low - 1, high + 1):
        with pytest.raises(challenges.RuleSetError, match="must be a whole number"):
            challenges.rule_set_from_data(_with(code, name, value))


def test_every_shipped_rule_has_a_threshold_to_change():
    assert all(thresholds(rule) for rule in SHIPPED.rules)
