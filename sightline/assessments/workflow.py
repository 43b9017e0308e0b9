"""The child protection steps as a table: what each decision may conclude, and which
deadlines each conclusion starts. Pure: no Django.

Deadlines themselves come from ``sightline.deadlines.rules`` (versioned); this table only
says which step follows which, and whether its clock counts from the day of the decision
or from the day the current step's clock started (the referral for the assessment; the
strategy discussion for the initial conference).
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sightline.deadlines.rules import Step


class DecisionStep(enum.StrEnum):
    """A decision point. All but case closure are on the statutory clock."""

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
    CASE_CLOSURE = "case_closure"

    @property
    def clock_step(self) -> Step | None:
        """The deadline step, or None for a decision that has no statutory clock."""
        return None if self is DecisionStep.CASE_CLOSURE else Step(self.value)

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS: Mapping[DecisionStep, str] = MappingProxyType(
    {
        DecisionStep.REFERRAL_DECISION: "Decision on a referral",
        DecisionStep.ASSESSMENT: "Assessment",
        DecisionStep.STRATEGY_DISCUSSION: "Strategy discussion",
        DecisionStep.SECTION47_ENQUIRY: "Section 47 enquiry",
        DecisionStep.INITIAL_CONFERENCE: "Initial child protection conference",
        DecisionStep.CORE_GROUP: "First core group meeting",
        DecisionStep.FIRST_REVIEW_CONFERENCE: "First review conference",
        DecisionStep.REVIEW_CONFERENCE: "Review conference",
        DecisionStep.LOOKED_AFTER_FIRST_REVIEW: "First looked-after review",
        DecisionStep.LOOKED_AFTER_SECOND_REVIEW: "Second looked-after review",
        DecisionStep.LOOKED_AFTER_LATER_REVIEW: "Looked-after review",
        DecisionStep.CASE_CLOSURE: "Closing the case",
    }
)


class Outcome(enum.StrEnum):
    NO_FURTHER_ACTION = "no_further_action"
    EARLY_HELP = "early_help"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"
    SECTION47_ENQUIRY = "section47_enquiry"
    INITIAL_CONFERENCE = "initial_conference"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CORE_GROUP_HELD = "core_group_held"
    CONTINUE_PLAN = "continue_plan"
    STEP_DOWN_TO_CHILD_IN_NEED = "step_down_to_child_in_need"
    END_PLAN = "end_plan"
    CLOSE_CASE = "close_case"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: Mapping[Outcome, str] = MappingProxyType(
    {
        Outcome.NO_FURTHER_ACTION: "No further action",
        Outcome.EARLY_HELP: "Step down to early help",
        Outcome.ASSESSMENT: "Assessment",
        Outcome.STRATEGY_DISCUSSION: "Strategy discussion",
        Outcome.SECTION47_ENQUIRY: "Start a section 47 enquiry",
        Outcome.INITIAL_CONFERENCE: "Initial child protection conference",
        Outcome.CHILD_IN_NEED_PLAN: "Child in need plan",
        Outcome.CHILD_PROTECTION_PLAN: "Child protection plan",
        Outcome.CORE_GROUP_HELD: "Core group held",
        Outcome.CONTINUE_PLAN: "Plan continues",
        Outcome.STEP_DOWN_TO_CHILD_IN_NEED: "Step down to a child in need plan",
        Outcome.END_PLAN: "End the plan",
        Outcome.CLOSE_CASE: "Close the case",
    }
)

# Closing, stepping down or taking no further action: the decisions optimism bias shows in.
CLOSING_OUTCOMES: frozenset[Outcome] = frozenset(
    {
        Outcome.NO_FURTHER_ACTION,
        Outcome.EARLY_HELP,
        Outcome.STEP_DOWN_TO_CHILD_IN_NEED,
        Outcome.END_PLAN,
        Outcome.CLOSE_CASE,
    }
)

_O = Outcome
OUTCOMES: Mapping[DecisionStep, tuple[Outcome, ...]] = MappingProxyType(
    {
        DecisionStep.REFERRAL_DECISION: (
            _O.NO_FURTHER_ACTION,
            _O.EARLY_HELP,
            _O.ASSESSMENT,
            _O.STRATEGY_DISCUSSION,
        ),
        DecisionStep.ASSESSMENT: (
            _O.NO_FURTHER_ACTION,
            _O.EARLY_HELP,
            _O.CHILD_IN_NEED_PLAN,
            _O.STRATEGY_DISCUSSION,
        ),
        DecisionStep.STRATEGY_DISCUSSION: (
            _O.SECTION47_ENQUIRY,
            _O.ASSESSMENT,
            _O.NO_FURTHER_ACTION,
        ),
        DecisionStep.SECTION47_ENQUIRY: (
            _O.INITIAL_CONFERENCE,
            _O.CHILD_IN_NEED_PLAN,
            _O.NO_FURTHER_ACTION,
        ),
        DecisionStep.INITIAL_CONFERENCE: (
            _O.CHILD_PROTECTION_PLAN,
            _O.CHILD_IN_NEED_PLAN,
            _O.NO_FURTHER_ACTION,
        ),
        DecisionStep.CORE_GROUP: (_O.CORE_GROUP_HELD,),
        DecisionStep.FIRST_REVIEW_CONFERENCE: (
            _O.CONTINUE_PLAN,
            _O.STEP_DOWN_TO_CHILD_IN_NEED,
            _O.CLOSE_CASE,
        ),
        DecisionStep.REVIEW_CONFERENCE: (
            _O.CONTINUE_PLAN,
            _O.STEP_DOWN_TO_CHILD_IN_NEED,
            _O.CLOSE_CASE,
        ),
        DecisionStep.LOOKED_AFTER_FIRST_REVIEW: (_O.CONTINUE_PLAN, _O.END_PLAN),
        DecisionStep.LOOKED_AFTER_SECOND_REVIEW: (_O.CONTINUE_PLAN, _O.END_PLAN),
        DecisionStep.LOOKED_AFTER_LATER_REVIEW: (_O.CONTINUE_PLAN, _O.END_PLAN),
        DecisionStep.CASE_CLOSURE: (_O.CLOSE_CASE, _O.EARLY_HELP),
    }
)


class CountsFrom(enum.StrEnum):
    DECIDED_ON = "decided_on"  # the day of the decision
    STARTED_ON = "started_on"  # the day the decided step's own clock started


@dataclass(frozen=True)
class Next:
    step: DecisionStep
    counts_from: CountsFrom


_S = DecisionStep
_DECIDED, _STARTED = CountsFrom.DECIDED_ON, CountsFrom.STARTED_ON
NEXT: Mapping[tuple[DecisionStep, Outcome], tuple[Next, ...]] = MappingProxyType(
    {
        # The assessment's 45 working days run from the referral.
        (_S.REFERRAL_DECISION, _O.ASSESSMENT): (Next(_S.ASSESSMENT, _STARTED),),
        (_S.REFERRAL_DECISION, _O.STRATEGY_DISCUSSION): (
            Next(_S.STRATEGY_DISCUSSION, _DECIDED),
            Next(_S.ASSESSMENT, _STARTED),
        ),
        (_S.ASSESSMENT, _O.STRATEGY_DISCUSSION): (Next(_S.STRATEGY_DISCUSSION, _DECIDED),),
        (_S.STRATEGY_DISCUSSION, _O.SECTION47_ENQUIRY): (Next(_S.SECTION47_ENQUIRY, _DECIDED),),
        # The section 47 step's clock started at the strategy discussion, which is where
        # the initial conference's 15 working days count from.
        (_S.SECTION47_ENQUIRY, _O.INITIAL_CONFERENCE): (Next(_S.INITIAL_CONFERENCE, _STARTED),),
        (_S.INITIAL_CONFERENCE, _O.CHILD_PROTECTION_PLAN): (
            Next(_S.CORE_GROUP, _DECIDED),
            Next(_S.FIRST_REVIEW_CONFERENCE, _DECIDED),
        ),
        (_S.FIRST_REVIEW_CONFERENCE, _O.CONTINUE_PLAN): (Next(_S.REVIEW_CONFERENCE, _DECIDED),),
        (_S.REVIEW_CONFERENCE, _O.CONTINUE_PLAN): (Next(_S.REVIEW_CONFERENCE, _DECIDED),),
        (_S.LOOKED_AFTER_FIRST_REVIEW, _O.CONTINUE_PLAN): (
            Next(_S.LOOKED_AFTER_SECOND_REVIEW, _DECIDED),
        ),
        (_S.LOOKED_AFTER_SECOND_REVIEW, _O.CONTINUE_PLAN): (
            Next(_S.LOOKED_AFTER_LATER_REVIEW, _DECIDED),
        ),
        (_S.LOOKED_AFTER_LATER_REVIEW, _O.CONTINUE_PLAN): (
            Next(_S.LOOKED_AFTER_LATER_REVIEW, _DECIDED),
        ),
    }
)

# Steps that start a chain without an earlier decision: a referral arriving, a child
# becoming looked after.
OPENING_STEPS: frozenset[DecisionStep] = frozenset(
    {DecisionStep.REFERRAL_DECISION, DecisionStep.LOOKED_AFTER_FIRST_REVIEW}
)


class WorkflowError(ValueError):
    pass


def parse_step(value: str) -> DecisionStep:
    try:
        return DecisionStep(value)
    except ValueError:
        known = ", ".join(s.value for s in DecisionStep)
        raise WorkflowError(f"unknown step {value!r}; known steps: {known}") from None


def parse_outcome(step: DecisionStep, value: str) -> Outcome:
    allowed = OUTCOMES[step]
    try:
        outcome = Outcome(value)
    except ValueError:
        outcome = None
    if outcome not in allowed:
        names = ", ".join(o.value for o in allowed)
        raise WorkflowError(
            f"{value!r} is not an outcome of {step.label.lower()}; choose one of: {names}"
        )
    return outcome


def next_steps(step: DecisionStep, outcome: Outcome) -> tuple[Next, ...]:
    return NEXT.get((step, outcome), ())
