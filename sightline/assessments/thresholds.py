"""The challenge rules' thresholds an administrator may change in the app: the whole
numbers in a rule's parameters (days, ages, working days per plan), with their limits and
the words a page says them in. The indicators a rule watches, and which decisions it
applies to, are changed by publishing a rule set (``sightline challenge-rules``).
"""

from dataclasses import dataclass

from sightline.challenges import Plan, Rule, RuleKind
from sightline.indicators import YEAR_DAYS

# (parameter, label, unit, lowest, highest): the limits are those of
# ``challenges._PARAMS``, which checks them again when the rule set is published.
_SINGLE: dict[RuleKind, tuple[tuple[str, str, str, int, int], ...]] = {
    RuleKind.CONCERNS_ROSE: (
        ("window_days", "Looks back over", "days", 7, YEAR_DAYS),
        ("under_age", "Applies to children younger than", "years", 1, 18),
    ),
    RuleKind.REPEAT_REFERRAL: (
        ("within_days", "A referral counts as a repeat within", "days", 1, 730),
    ),
    RuleKind.INFANT_INJURY: (("within_days", "Looks for an injury within", "days", 1, 730),),
    RuleKind.VIOLENT_ADULT: (
        ("joined_within_days", "The adult joined the household within", "days", 1, 730),
    ),
}
_PLAN_WORDS = {
    Plan.ASSESSMENT: "During an assessment",
    Plan.CHILD_IN_NEED: "On a child in need plan",
    Plan.CHILD_PROTECTION: "On a child protection plan",
    Plan.LOOKED_AFTER: "Looked after",
}


@dataclass(frozen=True)
class Threshold:
    # The form field's name: the parameter, or "working_days__<plan>" for one plan's.
    name: str
    label: str
    unit: str
    value: int
    low: int
    high: int


def thresholds(rule: Rule) -> list[Threshold]:
    """The thresholds of ``rule`` that the administration area changes."""
    found = [
        Threshold(name, label, unit, int(rule.params[name]), low, high)
        for name, label, unit, low, high in _SINGLE.get(rule.kind, ())
        if name in rule.params
    ]
    if rule.kind == RuleKind.NOT_SEEN_ALONE:
        per_plan = rule.params.get("working_days", {})
        found.extend(
            Threshold(
                f"working_days__{plan.value}",
                f"{words}: seen alone at least every",
                "working days",
                int(per_plan[plan.value]),
                1,
                130,
            )
            for plan, words in _PLAN_WORDS.items()
            if plan.value in per_plan
        )
    return found


def with_thresholds(params: dict[str, object], values: dict[str, int]) -> dict[str, object]:
    """``params`` (JSON-shaped) with the thresholds in ``values`` (by ``Threshold.name``)."""
    changed = dict(params)
    for name, value in values.items():
        if "__" in name:
            outer, inner = name.split("__", 1)
            nested = dict(changed[outer])  # type: ignore[call-overload]
            nested[inner] = value
            changed[outer] = nested
        else:
            changed[name] = value
    return changed
