"""Forms for emergency access, its review, and exports. Each that opens or copies a
record asks for the password again (and a code when two-factor is required)."""

from typing import Any

from django import forms

from sightline.access.models import BreakGlassReason, ExportReason, ReviewOutcome
from sightline.access.reauth import two_factor_required
from sightline.accounts.models import Role
from sightline.core.forms import GovukFormMixin
from sightline.record.picker import AgencySearcher, PickField, PickingFormMixin, TeamSearcher

MAX_REASON = 2000


class ReauthenticationMixin(forms.Form):
    """The password, and an authentication code when two-factor is required."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    code = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=8,
        help_text="The 6-digit code from your authenticator app",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if two_factor_required():
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = "Enter the authentication code"
        else:
            del self.fields["code"]


def _reason_text(label: str, hint: str, required: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required,
            "max_length": f"Keep it to {MAX_REASON:,} characters or fewer",
        },
    )


class BreakGlassForm(GovukFormMixin, ReauthenticationMixin):
    reason_code = forms.ChoiceField(
        label="Why do you need to see this record now?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you need to see this record"},
    )
    reason_text = _reason_text(
        "Details",
        "What has happened, and why it cannot wait for the allocated worker. "
        "Your manager will read this.",
        "Enter the details of why you need to see this record",
    )
    field_order = ["reason_code", "reason_text", "password", "code"]


class ExportForm(GovukFormMixin, ReauthenticationMixin):
    reason_code = forms.ChoiceField(
        label="Why are you exporting this?",
        choices=ExportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are exporting this"},
    )
    reason_text = _reason_text(
        "Details",
        "Who the export is for and how it will be kept. The export is recorded.",
        "Enter the details of why you are exporting this",
    )
    field_order = ["reason_code", "reason_text", "password", "code"]


class ReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Was this emergency access justified?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the access was justified"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_REASON,
        help_text="Required when the access was not justified: what will be done.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("outcome") == ReviewOutcome.NOT_JUSTIFIED
            and not str(cleaned.get("note", "")).strip()
        ):
            self.add_error("note", "Say what will be done about an access that was not justified")
        return cleaned


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=8,
        help_text="The 6-digit code from your authenticator app",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
        error_messages={"required": "Enter the authentication code"},
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError("The code is 6 digits", code="format")
        return code


class EnrolmentCodeForm(GovukFormMixin, forms.Form):
    enrolment_code = forms.CharField(
        label="Enrolment code",
        max_length=24,
        help_text="The 12-character code your administrator gave you, like ABCD-EFGH-JKMN",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-20",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": "Enter the enrolment code from your administrator"},
    )


class UserSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name, username or e-mail",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
    )


class FurtherPeriodForm(GovukFormMixin, forms.Form):
    """A manager grants a further period of emergency access (the user has renewed once)."""

    reason_text = _reason_text(
        "Why is a further period needed?",
        "The practitioner has already renewed their emergency access once. Say why they "
        "still need to see the record, and why a relationship cannot be recorded instead.",
        "Enter why a further period is needed",
    )


def _agency_picker() -> PickField:
    return PickField(noun="agency", label="Agency", search_label="Search by the agency's name")


class NewUserForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """An administrator adds a user: the agency and team are chosen with the one picker
    (``record.picker``; the teams searched are the chosen agency's), the role from a list."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What they sign in with, for example sam.jones. Letters, digits and . _ - only.",
    )
    email = forms.EmailField(label="Work e-mail address")
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    agency = _agency_picker()
    team = PickField(
        noun="team",
        label="Team (optional)",
        required=False,
        search_label="Search by the team's name",
        help_text="The team must belong to the agency chosen.",
        error_messages={
            "invalid": "Choose a team of the agency chosen: search for it, then choose it "
            "from the results"
        },
    )
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role"), *Role.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = str(self.data.get(self.add_prefix("agency"), "")) if self.is_bound else ""
        teams = TeamSearcher(agency_id=int(agency) if agency.isdigit() else None)
        self.set_searchers({"agency": AgencySearcher(), "team": teams})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agency, team = cleaned.get("agency"), cleaned.get("team")
        if agency is not None and team is not None and team.agency_id != agency.pk:
            self.add_error(
                "team", f"{team.name} is a team of {team.agency.name}, not {agency.name}."
            )
        return cleaned


class NewTeamForm(GovukFormMixin, PickingFormMixin, forms.Form):
    agency = _agency_picker()
    name = forms.CharField(label="Team name", max_length=200)
    duty_email = forms.EmailField(
        label="Duty e-mail address (optional)",
        required=False,
        help_text="Referrals and alerts for the team go here.",
    )
    phone = forms.CharField(label="Telephone (optional)", max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_searchers({"agency": AgencySearcher()})
