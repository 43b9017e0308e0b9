"""Forms of the subject access pages. People are found by a search, never typed."""

from django import forms

from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.record.forms import PersonSearchForm
from sightline.subjectaccess.models import Decision, Relationship, VerificationMethod

# People are found with the one search form (the same criteria, errors and audit).
FindPersonForm = PersonSearchForm


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
