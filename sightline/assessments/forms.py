"""HTML forms for decisions, challenges and assessments. Parsing only: every rule lives in
``assessments.actions`` (which names the field in its errors)."""

from typing import Any

from django import forms

from sightline.assessments import workflow
from sightline.assessments.models import SeenAlone
from sightline.assessments.workflow import DecisionStep
from sightline.core.forms import GovukDateField, GovukFormMixin


def _text(
    label: str, *, required: bool = True, rows: int = 4, hint: str = "", missing: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        strip=True,
        error_messages={"required": missing or f"Enter {label[0].lower()}{label[1:]}"},
    )


class OpenStepForm(GovukFormMixin, forms.Form):
    step = forms.ChoiceField(
        label="What has happened",
        error_messages={"required": "Choose what has happened"},
        choices=[
            (DecisionStep.REFERRAL_DECISION.value, "A referral was received"),
            (DecisionStep.LOOKED_AFTER_FIRST_REVIEW.value, "The child became looked after"),
        ],
        widget=forms.RadioSelect,
    )
    started_on = GovukDateField(
        label="Date",
        past=True,
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date"},
    )


class DecisionForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        past=True,
        error_messages={"required": "Enter the date of the decision"},
    )
    reasons = _text("Reasons for the decision", rows=5, missing="Give the reasons for the decision")
    history_considered = forms.BooleanField(
        label="I have read the child's history (earlier referrals, assessments and plans)",
        required=False,
    )
    history_summary = _text(
        "What the history shows",
        required=False,
        hint="Earlier referrals and what came of them; needed when the history was read.",
    )

    def __init__(self, *args: Any, step: DecisionStep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (outcome.value, outcome.label) for outcome in workflow.OUTCOMES[step]
        ]


class ChangeDecisionForm(DecisionForm):
    pass


class RationaleForm(GovukFormMixin, forms.Form):
    rationale = _text(
        "Why the decision stands",
        missing="Explain why the decision stands despite the evidence",
        hint="Answer the question above with what you know that the evidence does not show.",
    )


class ReturnForm(GovukFormMixin, forms.Form):
    comments = _text(
        "Why the rationale is not accepted", rows=3, missing="Say why the rationale is not accepted"
    )


class AssessmentForm(GovukFormMixin, forms.Form):
    harm = _text("Harm: what has happened to the child", required=False)
    complicating_factors = _text("Complicating factors", required=False, rows=3)
    working_well = _text("What is working well", required=False)
    needs_to_happen = _text("What needs to happen", required=False)
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=SeenAlone.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    seen_alone_on = GovukDateField(label="Date seen alone", required=False, past=True)
    child_words = _text(
        "The child's words",
        required=False,
        hint="What they said, in their words; or why their views could not be gathered.",
    )
    safety_scale = forms.IntegerField(
        label="Safety scale",
        required=False,
        min_value=0,
        max_value=10,
        help_text="0: the child will be harmed again; 10: everyone is confident the child is safe.",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-2"}),
    )
    danger_statements = _text("Danger statements", required=False)
    safety_goals = _text("Safety goals", required=False)


class ReviewForm(GovukFormMixin, forms.Form):
    comments = _text("Comments for the author", required=False, rows=3)
