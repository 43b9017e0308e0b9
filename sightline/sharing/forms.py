"""Forms for the information-sharing pages."""

import datetime as dt
from typing import Any

from django import forms

from sightline.agencies.models import Team
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people import normalise
from sightline.sharing.models import ReferralOutcome, Urgency

UNKNOWN_TEAM = "Choose a team to refer to: that team is not known."


class TeamChoiceField(forms.ModelChoiceField[Team]):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.agency.name}: {obj.name}"


class FlagCheckForm(GovukFormMixin, forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="10 digits, for example 999 123 4567",
        error_messages={"required": "Enter the child's NHS number"},
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        ),
    )
    date_of_birth = GovukDateField(
        label="Date of birth (optional)",
        required=False,
        past=True,
        help_text="To confirm the NHS number, for example 27 3 2015",
    )

    def clean_nhs_number(self) -> str:
        value = normalise.nhs_digits(self.cleaned_data["nhs_number"])
        if not normalise.is_valid_nhs_number(value):
            raise forms.ValidationError("Enter a valid 10-digit NHS number")
        return value

    @property
    def date(self) -> dt.date | None:
        value = self.cleaned_data.get("date_of_birth")
        return value if isinstance(value, dt.date) else None


class ReferralForm(GovukFormMixin, forms.Form):
    to_team = TeamChoiceField(
        label="Refer to",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        error_messages={"required": UNKNOWN_TEAM, "invalid_choice": UNKNOWN_TEAM},
        help_text="For example the social care front door, a health visiting team or early help",
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the urgency: red, amber or green"},
    )
    reason = forms.CharField(
        label="Why are you referring?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for the referral"},
    )
    shared = forms.CharField(
        label="What are you sharing with them?",
        max_length=4000,
        required=False,
        help_text="What you have told or sent the team. Share only what they need.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, exclude_team: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.select_related("agency").order_by("agency__name", "name")
        if exclude_team is not None:
            teams = teams.exclude(pk=exclude_team)
        field = self.fields["to_team"]
        assert isinstance(field, TeamChoiceField)  # noqa: S101 - narrows the type
        field.queryset = teams


class OutcomeForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ReferralOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        required=False,
        help_text="Needed for no further action; for a redirection, what the new team needs to know",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    redirect_to = TeamChoiceField(
        label="Redirect to",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Only when redirecting",
        error_messages={"invalid_choice": "That team is not known"},
    )

    def __init__(self, *args: Any, exclude_team: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.select_related("agency").order_by("agency__name", "name")
        if exclude_team is not None:
            teams = teams.exclude(pk=exclude_team)
        field = self.fields["redirect_to"]
        assert isinstance(field, TeamChoiceField)  # noqa: S101 - narrows the type
        field.queryset = teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == ReferralOutcome.NO_FURTHER_ACTION and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for no further action")
        if outcome == ReferralOutcome.REDIRECTED and not data.get("redirect_to"):
            self.add_error("redirect_to", "Choose the team to redirect to")
        return data
