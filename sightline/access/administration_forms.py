"""Forms of the administration area beyond users and teams (``access/forms.py``): roles,
API tokens, agencies, local closure days, challenge rules and event categories.

Nothing here is typed that the system knows: the user, token, agency, rule or category
is the page's own; the agency's code is made from its name.
"""

from typing import Any

from django import forms
from django.utils import timezone

from sightline.accounts.models import Role
from sightline.agencies.models import AgencyKind
from sightline.assessments.thresholds import Threshold
from sightline.core.forms import GovukDateField, GovukFormMixin

MAX_REASON = 2000


def reason_field(label: str, hint: str, required: str, max_length: int = MAX_REASON) -> Any:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": required,
            "max_length": f"Keep the reason to {max_length:,} characters or fewer",
        },
    )


class RoleForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="What they do in Sightline. Practitioner is the role with no more than a "
        "practitioner's access: choose it to take a role away.",
        error_messages={"required": "Choose a role"},
    )
    reason = reason_field(
        "Why is the role changing?",
        "For example, the request from their manager. It is kept in the audit trail.",
        "Enter why the role is changing",
    )


class TokenAccess:
    READ = "read"
    READ_WRITE = "read_write"


class IssueTokenForm(GovukFormMixin, forms.Form):
    access = forms.ChoiceField(
        label="What may the token do?",
        choices=[
            (TokenAccess.READ, "Read records only"),
            (TokenAccess.READ_WRITE, "Read records, submit records and look for matches"),
        ],
        initial=TokenAccess.READ,
        widget=forms.RadioSelect,
        help_text="A token reads only unless it must submit records.",
        error_messages={"required": "Choose what the token may do"},
    )
    reason = reason_field(
        "What is the token for?",
        "For example, the police case management system's nightly submission.",
        "Enter what the token is for",
    )


class RevokeTokenForm(GovukFormMixin, forms.Form):
    reason = reason_field(
        "Why is the token being revoked?",
        "It stops working at once. The reason is kept in the audit trail.",
        "Enter why the token is being revoked",
    )


class AgencyForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Agency name",
        max_length=200,
        error_messages={"required": "Enter the agency's name"},
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=AgencyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of agency"},
    )
    office_hours_phone = forms.CharField(
        label="Telephone in office hours (optional)", max_length=40, required=False
    )
    out_of_hours_phone = forms.CharField(
        label="Telephone out of hours (optional)", max_length=40, required=False
    )
    email = forms.EmailField(
        label="E-mail address (optional)",
        required=False,
        error_messages={"invalid": "Enter an e-mail address like name@example.org"},
    )
    # Behind "Details" on the page (``DETAILS``).
    ods_code = forms.CharField(
        label="ODS code (optional)",
        max_length=10,
        required=False,
        help_text="A health body's NHS Organisation Data Service code, for example RR8.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    urn = forms.CharField(
        label="URN (optional)",
        max_length=8,
        required=False,
        help_text="A school's unique reference number: 6 digits.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        ),
    )

    DETAILS = ("ods_code", "urn")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.DETAILS]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DETAILS]


class ClosureDayForm(GovukFormMixin, forms.Form):
    date = GovukDateField(
        label="Date",
        help_text="For example, 27 12 2027",
        error_messages={"required": "Enter the date of the closure day"},
    )
    reason = reason_field(
        "Why is the authority closed?",
        "For example, the Christmas shutdown. People see this beside the day.",
        "Enter why the authority is closed",
        max_length=200,
    )

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(
                "The date must be today or later: deadlines already past do not move"
            )
        return day


class WithdrawClosureForm(GovukFormMixin, forms.Form):
    reason = reason_field(
        "Why is the closure day being removed?",
        "Deadlines are worked out again without it.",
        "Enter why the closure day is being removed",
        max_length=200,
    )


class ChallengeRuleForm(GovukFormMixin, forms.Form):
    """One rule: on or off, its thresholds (one whole-number field each) and a reason."""

    active = forms.ChoiceField(
        label="Is the rule switched on?",
        choices=[("on", "On: decisions are checked against it"), ("off", "Off")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the rule is switched on"},
    )

    def __init__(self, *args: Any, thresholds: list[Threshold], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thresholds = thresholds
        for threshold in thresholds:
            self.fields[threshold.name] = forms.IntegerField(
                label=f"{threshold.label} ({threshold.unit})",
                help_text=f"From {threshold.low} to {threshold.high}.",
                initial=threshold.value,
                widget=forms.TextInput(
                    attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
                ),
                error_messages={
                    "required": f"Enter the number of {threshold.unit}",
                    "invalid": f"Enter the number of {threshold.unit} as a whole number",
                },
            )
        self.fields["reason"] = reason_field(
            "Why is the rule changing?",
            "Practitioners' managers may ask. It is kept with the rule's history.",
            "Enter why the rule is changing",
        )

    def values(self) -> dict[str, int]:
        return {t.name: int(self.cleaned_data[t.name]) for t in self.thresholds}


class NewCategoryForm(GovukFormMixin, forms.Form):
    label = forms.CharField(
        label="Category name",
        max_length=200,
        help_text="As practitioners will see it, for example Youth offending contact.",
        error_messages={"required": "Enter the category's name"},
    )
    agency_kind = forms.ChoiceField(
        label="Which kind of agency usually records it? (optional)",
        choices=[("", "Any agency"), *AgencyKind.choices],
        required=False,
    )


class RenameCategoryForm(GovukFormMixin, forms.Form):
    label = forms.CharField(
        label="New name",
        max_length=200,
        help_text="Events already recorded under it keep it, under its new name.",
        error_messages={"required": "Enter the category's new name"},
    )


class RetireCategoryForm(GovukFormMixin, forms.Form):
    reason = reason_field(
        "Why?",
        "It is kept in the audit trail.",
        "Enter the reason",
    )
