"""The one form for finding a person by the search's minimum criteria (``record.search``):
the people search page and every feature that finds a person (subject access) use it."""

from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people import normalise
from sightline.record.search import SearchCriteria, criteria_problem


class PersonSearchForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Given name, family name or both: at least the first 2 letters of each.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, past=True, help_text="For example, 27 3 2015"
    )
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=20,
        help_text="10 digits, for example 999 123 4567",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        ),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off"}
        ),
    )

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())

    def clean_nhs_number(self) -> str:
        digits = normalise.nhs_digits(str(self.cleaned_data["nhs_number"]))
        if digits and not normalise.is_valid_nhs_number(digits):
            raise forms.ValidationError(
                "Enter a valid NHS number, like 999 123 4567", code="invalid"
            )
        return digits

    def clean_postcode(self) -> str:
        text = str(self.cleaned_data["postcode"]).strip()
        if text and not normalise.is_valid_postcode(text):
            raise forms.ValidationError("Enter a full postcode, like LS1 4AP", code="invalid")
        return normalise.postcode(text) if text else ""

    def clean(self) -> dict[str, Any]:
        """The minimum criteria (``record.search``), the error on the field to fix."""
        cleaned = super().clean() or {}
        if not self.errors:
            problem = criteria_problem(self.criteria())
            if problem is not None:
                self.add_error(problem.field, problem.message)
        return cleaned

    def criteria(self) -> SearchCriteria:
        data = self.cleaned_data
        return SearchCriteria(
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            nhs_number=data["nhs_number"],
            postcode=data["postcode"],
        )
