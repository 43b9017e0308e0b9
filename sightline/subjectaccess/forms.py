"""Forms of the subject access pages. People are found by a search, never typed."""

from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people import normalise
from sightline.record.search import SearchCriteria, criteria_problem
from sightline.subjectaccess.models import Decision, Relationship, VerificationMethod


class FindPersonForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Given name, family name or both: at least the first 2 letters of each.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, past=True, help_text="For example, 27 3 2005"
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
            raise forms.ValidationError("Enter a valid NHS number, like 999 123 4567")
        return digits

    def clean_postcode(self) -> str:
        text = str(self.cleaned_data["postcode"]).strip()
        if text and not normalise.is_valid_postcode(text):
            raise forms.ValidationError("Enter a full postcode, like LS1 4AP")
        return normalise.postcode(text) if text else ""

    def clean(self) -> dict[str, Any]:
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


class RequestForm(GovukFormMixin, forms.Form):
    requester_name = forms.CharField(label="Requester's name", max_length=200)
    relationship = forms.ChoiceField(
        label="Who is asking",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who is asking"},
    )
    received_on = GovukDateField(
        label="Date received",
        past=True,
        help_text="The day the request reached the local authority, for example 27 3 2025",
        error_messages={"required": "Enter the date received"},
    )


class VerifyForm(GovukFormMixin, forms.Form):
    method = forms.ChoiceField(
        label="How was the requester's identity verified?",
        choices=[c for c in VerificationMethod.choices if c[0] != VerificationMethod.CLI_OPERATOR],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the identity was verified"},
    )


class ExtendForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the deadline extended?",
        help_text="The request is complex or one of several from the same person. Tell the "
        "requester within the first month.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the deadline is extended"},
    )


class DecideForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Redact this name?",
        choices=[(Decision.CONFIRMED, "Redact"), (Decision.REJECTED, "Do not redact")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to redact the name"},
    )


class SentForm(GovukFormMixin, forms.Form):
    sent_on = GovukDateField(
        label="Date sent", past=True, error_messages={"required": "Enter the date sent"}
    )
