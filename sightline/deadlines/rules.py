"""Statutory step rules as data, versioned. Pure: no Django.

Every stored deadline keeps the step and the rule version that produced it, so a later
change of rules (a new edition of Working Together, a new local plan) adds a version here
and leaves old deadlines where they were. Never edit a published version: add one.
"""

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sightline import calendars


class Unit(enum.Enum):
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    WORKING_DAYS_BEFORE = "working_days_before"
    # Calendar months, ending on a working day (subject access: UK GDPR article 12(3)).
    MONTHS_TO_WORKING_DAY = "months_to_working_day"


class Step(enum.StrEnum):
    REFERRAL_DECISION = "referral_decision"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"
    SECTION47_ENQUIRY = "section47_enquiry"
    INITIAL_CONFERENCE = "initial_conference"
    CORE_GROUP = "core_group"
    FIRST_REVIEW_CONFERENCE = "first_review_conference"
    REVIEW_CONFERENCE = "review_conference"
    LOOKED_AFTER_FIRST_REVIEW = "looked_after_first_review"
    LOOKED_AFTER_SECOND_REVIEW = "looked_after_second_review"
    LOOKED_AFTER_LATER_REVIEW = "looked_after_later_review"
    SERIOUS_INCIDENT_NOTIFICATION = "serious_incident_notification"
    RAPID_REVIEW = "rapid_review"
    LOCAL_REVIEW_PUBLICATION = "local_review_publication"
    LOCAL_REVIEW_SEND_TO_PANEL = "local_review_send_to_panel"
    SUBJECT_ACCESS_RESPONSE = "subject_access_response"
    SUBJECT_ACCESS_EXTENDED = "subject_access_extended"


@dataclass(frozen=True)
class StepRule:
    step: Step
    amount: int
    unit: Unit
    counts_from: str
    source: str

    def describe(self) -> str:
        unit = {
            Unit.WORKING_DAYS: "working days after",
            Unit.MONTHS: "months after",
            Unit.WORKING_DAYS_BEFORE: "working days before",
            Unit.MONTHS_TO_WORKING_DAY: "calendar months (to a working day) after",
        }[self.unit]
        if self.amount == 1:  # "1 working day after", not "1 working days after"
            unit = unit.replace("days", "day", 1).replace("months", "month", 1)
        return f"{self.amount} {unit} {self.counts_from}"

    def apply(self, start: dt.date, closures: frozenset[dt.date]) -> dt.date:
        if self.unit is Unit.WORKING_DAYS:
            return calendars.add_working_days(start, self.amount, closures)
        if self.unit is Unit.WORKING_DAYS_BEFORE:
            return calendars.subtract_working_days(start, self.amount, closures)
        if self.unit is Unit.MONTHS_TO_WORKING_DAY:
            return calendars.add_months_to_working_day(start, self.amount, closures)
        return calendars.add_months(start, self.amount)


def _rules(*rules: StepRule) -> Mapping[Step, StepRule]:
    table = {rule.step: rule for rule in rules}
    assert set(table) == set(Step), "a rule version must cover every step"  # noqa: S101
    return MappingProxyType(table)


WT2023 = "WT2023.1"
_WT = "Working Together to Safeguard Children 2023"
_SAR = "UK GDPR article 12(3); ICO guidance on the right of access (time limits)"

VERSIONS: Mapping[str, Mapping[Step, StepRule]] = MappingProxyType(
    {
        WT2023: _rules(
            StepRule(Step.REFERRAL_DECISION, 1, Unit.WORKING_DAYS, "receipt of the referral", _WT),
            StepRule(Step.ASSESSMENT, 45, Unit.WORKING_DAYS, "the referral", _WT),
            # Added to WT2023.1 with the decision points (no deadline for these steps was
            # stored before). Working Together says "immediately where urgent"; the next
            # working day is the latest Sightline allows.
            StepRule(
                Step.STRATEGY_DISCUSSION,
                1,
                Unit.WORKING_DAYS,
                "the decision that there is reasonable cause to suspect significant harm",
                _WT + " (next working day at the latest: Sightline)",
            ),
            StepRule(
                Step.SECTION47_ENQUIRY,
                15,
                Unit.WORKING_DAYS,
                "the strategy discussion (its outcome is needed for the initial conference)",
                _WT,
            ),
            StepRule(
                Step.INITIAL_CONFERENCE,
                15,
                Unit.WORKING_DAYS,
                "the strategy discussion at which section 47 enquiries started",
                _WT,
            ),
            StepRule(Step.CORE_GROUP, 10, Unit.WORKING_DAYS, "the initial conference", _WT),
            StepRule(Step.FIRST_REVIEW_CONFERENCE, 3, Unit.MONTHS, "the initial conference", _WT),
            StepRule(Step.REVIEW_CONFERENCE, 6, Unit.MONTHS, "the previous review", _WT),
            StepRule(
                Step.LOOKED_AFTER_FIRST_REVIEW,
                20,
                Unit.WORKING_DAYS,
                "becoming looked after",
                "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33",
            ),
            StepRule(
                Step.LOOKED_AFTER_SECOND_REVIEW,
                3,
                Unit.MONTHS,
                "the first review",
                "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33",
            ),
            StepRule(
                Step.LOOKED_AFTER_LATER_REVIEW,
                6,
                Unit.MONTHS,
                "the previous review",
                "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33",
            ),
            StepRule(
                Step.SERIOUS_INCIDENT_NOTIFICATION,
                5,
                Unit.WORKING_DAYS,
                "the local authority becoming aware of the incident",
                "Children Act 2004 s16C; " + _WT,
            ),
            StepRule(Step.RAPID_REVIEW, 15, Unit.WORKING_DAYS, "the notification", _WT),
            StepRule(
                Step.LOCAL_REVIEW_PUBLICATION,
                6,
                Unit.MONTHS,
                "the decision to start the local review",
                _WT,
            ),
            StepRule(
                Step.LOCAL_REVIEW_SEND_TO_PANEL,
                7,
                Unit.WORKING_DAYS_BEFORE,
                "publication",
                _WT,
            ),
            # Added to WT2023.1 with subject access (issue 17): new steps, so no stored
            # deadline moves. The response is due one calendar month after receipt; the
            # controller may extend it by two further months (three in all) with reasons.
            StepRule(
                Step.SUBJECT_ACCESS_RESPONSE,
                1,
                Unit.MONTHS_TO_WORKING_DAY,
                "receipt of the subject access request",
                _SAR,
            ),
            StepRule(
                Step.SUBJECT_ACCESS_EXTENDED,
                3,
                Unit.MONTHS_TO_WORKING_DAY,
                "receipt of the subject access request (extended by two further months)",
                _SAR,
            ),
        )
    }
)
CURRENT_VERSION = WT2023


class UnknownStepError(ValueError):
    pass


class UnknownRuleVersionError(ValueError):
    pass


def step_names() -> list[str]:
    return [step.value for step in Step]


def parse_step(name: str) -> Step:
    try:
        return Step(name.strip())
    except ValueError:
        raise UnknownStepError(
            f"unknown step {name!r}; known steps: {', '.join(step_names())}"
        ) from None


def rule_for(step: Step | str, version: str = CURRENT_VERSION) -> StepRule:
    if version not in VERSIONS:
        raise UnknownRuleVersionError(
            f"unknown rule version {version!r}; known versions: {', '.join(VERSIONS)}"
        )
    return VERSIONS[version][parse_step(step) if isinstance(step, str) else step]


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and what produced it: store all three fields together."""

    due_on: dt.date
    step: Step
    rule_version: str


def deadline(
    step: Step | str,
    start: dt.date,
    *,
    closures: frozenset[dt.date] = calendars.NO_CLOSURES,
    version: str = CURRENT_VERSION,
) -> Deadline:
    """The deadline for ``step`` counted from ``start`` under rule ``version``."""
    rule = rule_for(step, version)
    return Deadline(rule.apply(start, closures), rule.step, version)
