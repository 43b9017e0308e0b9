from django import forms

from sightline.core.forms import GovukFormMixin


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
