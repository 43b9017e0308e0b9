"""Forms for recording a person at the point of entry and deciding a proposed match."""

from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.linkage.features import IdentityRecord
from sightline.people import normalise
from sightline.people.models import Sex
from sightline.record import match


class PersonRecordForm(GovukFormMixin, forms.Form):
    record_id = forms.CharField(
        label="Your agency's reference for this person",
        max_length=100,
        help_text="The identifier your own system uses, for example a case number",
    )
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    other_names = forms.CharField(
        label="Other names (optional)",
        required=False,
        max_length=500,
        help_text="Previous names and aliases, separated by semicolons",
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, past=True, help_text="For example, 27 3 2015"
    )
    sex = forms.ChoiceField(label="Sex", required=False, choices=[("", "Not given"), *Sex.choices])
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    address = forms.CharField(label="Address (optional)", required=False, max_length=300)
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )

    def clean_nhs_number(self) -> str:
        digits = normalise.nhs_digits(str(self.cleaned_data["nhs_number"]))
        if digits and not normalise.is_valid_nhs_number(digits):
            raise forms.ValidationError("Enter a valid NHS number, like 999 123 4567")
        return digits

    def clean_postcode(self) -> str:
        text = str(self.cleaned_data["postcode"]).strip()
        if text and not normalise.is_valid_postcode(text):
            raise forms.ValidationError("Enter a full postcode, like LS1 4AP")
        return normalise.postcode(text) if text else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        criteria = match.MatchCriteria(
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            date_of_birth=data.get("date_of_birth"),
            nhs_number=data.get("nhs_number", ""),
            postcode=data.get("postcode", ""),
        )
        if not match.meets_minimum_criteria(criteria):
            # The check for existing records is a search: it needs the search's minimum.
            raise forms.ValidationError(f"Enter {match.MINIMUM_CRITERIA}")
        return data

    def identity(self) -> IdentityRecord:
        data = self.cleaned_data
        return IdentityRecord(
            given_name=data["given_name"].strip(),
            family_name=data["family_name"].strip(),
            other_names=data["other_names"].strip(),
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            nhs_number=data["nhs_number"],
            address=data["address"].strip(),
            postcode=data["postcode"],
        )


class DecisionForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UndoMergeForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are these different people?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the NHS numbers differ: the reason is kept with the un-merge",
        error_messages={"required": "Enter why the merge is wrong"},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter why the merge is wrong")
        return reason
