from django import forms

from sightline.core.forms import GovukFormMixin
from sightline.governance.models import Anchor


class DisposalDecisionForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for your decision",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the decision and in the audit trail. Do not name the person.",
        error_messages={"required": "Enter the reason for your decision"},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for your decision")
        return reason


class RetentionRuleForm(GovukFormMixin, forms.Form):
    anchor = forms.ChoiceField(
        label="The period counts from",
        choices=Anchor.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the period counts from"},
    )
    years = forms.IntegerField(
        label="Years kept",
        min_value=1,
        max_value=150,
        error_messages={"required": "Enter the number of years the record is kept"},
    )
    years_after_last_activity = forms.IntegerField(
        label="At least this many years after the last activity (optional)",
        min_value=1,
        max_value=150,
        required=False,
    )
    years_after_death_under_18 = forms.IntegerField(
        label="If the child dies before 18, years from the death (optional)",
        min_value=1,
        max_value=150,
        required=False,
    )
    source = forms.CharField(
        label="Source",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The statute, regulation or local policy the period comes from",
        error_messages={"required": "Enter the source of the retention period"},
    )
