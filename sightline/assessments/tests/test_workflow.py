import datetime as dt

import pytest

from sightline.assessments import workflow
from sightline.assessments.workflow import CountsFrom, DecisionStep
from sightline.deadlines import rules

D = dt.date


def test_every_step_has_outcomes_and_every_clock_step_a_deadline_rule():
    for step in DecisionStep:
        assert workflow.OUTCOMES[step]
        assert step.label
        if step.clock_step is not None:
            assert rules.rule_for(step.clock_step).step == step.clock_step
    assert DecisionStep.CASE_CLOSURE.clock_step is None


def test_next_steps_only_follow_allowed_outcomes():
    for (step, outcome), following in workflow.NEXT.items():
        assert outcome in workflow.OUTCOMES[step]
        for item in following:
            assert item.step.clock_step is not None


def test_closing_outcomes_start_no_deadline():
    for (_, outcome), _following in workflow.NEXT.items():
        assert outcome not in workflow.CLOSING_OUTCOMES


@pytest.mark.parametrize(
    ("step", "outcome", "expected"),
    [
        ("referral_decision", "assessment", [("assessment", CountsFrom.STARTED_ON)]),
        (
            "referral_decision",
            "strategy_discussion",
            [
                ("strategy_discussion", CountsFrom.DECIDED_ON),
                ("assessment", CountsFrom.STARTED_ON),
            ],
        ),
        (
            "section47_enquiry",
            "initial_conference",
            [("initial_conference", CountsFrom.STARTED_ON)],
        ),
        (
            "initial_conference",
            "child_protection_plan",
            [
                ("core_group", CountsFrom.DECIDED_ON),
                ("first_review_conference", CountsFrom.DECIDED_ON),
            ],
        ),
        ("review_conference", "continue_plan", [("review_conference", CountsFrom.DECIDED_ON)]),
        ("review_conference", "close_case", []),
        (
            "looked_after_second_review",
            "continue_plan",
            [("looked_after_later_review", CountsFrom.DECIDED_ON)],
        ),
    ],
)
def test_each_step_creates_the_next_deadline(step, outcome, expected):
    parsed = workflow.parse_step(step)
    following = workflow.next_steps(parsed, workflow.parse_outcome(parsed, outcome))
    assert [(n.step.value, n.counts_from) for n in following] == expected


def test_unknown_steps_and_outcomes_are_named():
    with pytest.raises(
        workflow.WorkflowError, match="unknown step 'strategy'; known steps: referral_decision"
    ):
        workflow.parse_step("strategy")
    with pytest.raises(
        workflow.WorkflowError,
        match="'child_protection_plan' is not an outcome of decision on a referral; choose one of: "
        "no_further_action, early_help, assessment, strategy_discussion",
    ):
        workflow.parse_outcome(DecisionStep.REFERRAL_DECISION, "child_protection_plan")
    with pytest.raises(workflow.WorkflowError, match="'maybe' is not an outcome"):
        workflow.parse_outcome(DecisionStep.ASSESSMENT, "maybe")


# Calendar checks for the steps the decision points added (the rest are in deadlines/tests).
@pytest.mark.parametrize(
    ("step", "start", "expected"),
    [
        # Strategy discussion: by the next working day.
        ("strategy_discussion", D(2024, 5, 3), D(2024, 5, 7)),  # Friday; Monday bank holiday
        ("strategy_discussion", D(2022, 6, 1), D(2022, 6, 6)),  # 2 and 3 June 2022
        ("strategy_discussion", D(2022, 9, 16), D(2022, 9, 20)),  # state funeral 19 Sep 2022
        ("strategy_discussion", D(2023, 5, 5), D(2023, 5, 9)),  # coronation 8 May 2023
        ("strategy_discussion", D(2022, 12, 23), D(2022, 12, 28)),  # Christmas substitute 27th
        ("strategy_discussion", D(2022, 12, 30), D(2023, 1, 3)),  # New Year substitute 2 Jan
        ("strategy_discussion", D(2021, 12, 24), D(2021, 12, 29)),  # 27 and 28 Dec 2021
        ("strategy_discussion", D(2024, 3, 30), D(2024, 4, 2)),  # Saturday; Easter Monday
        # Section 47 enquiry and the initial conference: 15 working days from the strategy
        # discussion, over the one-off days.
        ("section47_enquiry", D(2022, 5, 20), D(2022, 6, 14)),
        ("initial_conference", D(2022, 9, 9), D(2022, 10, 3)),
        ("initial_conference", D(2023, 4, 28), D(2023, 5, 23)),  # 1 May and 8 May 2023
        ("section47_enquiry", D(2022, 12, 16), D(2023, 1, 11)),  # 26, 27 Dec, 2 Jan
    ],
)
def test_strategy_and_section47_deadlines(step, start, expected):
    assert rules.deadline(step, start).due_on == expected


def test_a_local_closure_moves_the_strategy_discussion():
    closures = frozenset({D(2024, 12, 27)})
    assert rules.deadline("strategy_discussion", D(2024, 12, 24)).due_on == D(2024, 12, 27)
    assert rules.deadline("strategy_discussion", D(2024, 12, 24), closures=closures).due_on == D(
        2024, 12, 30
    )
