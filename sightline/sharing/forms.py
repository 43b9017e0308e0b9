"""Forms for the information-sharing pages."""

import datetime as dt
from typing import Any

from django import forms

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people import normalise
from sightline.sharing.actions import DecisionAnswers
from sightline.sharing.models import (
    Consent,
    LawfulBasis,
    NotInformedReason,
    ReferralOutcome,
    SharingOutcome,
    Urgency,
)

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


# Sharing decisions ----------------------------------------------------------------------


class AgencyChoiceField(forms.ModelChoiceField[Agency]):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name}, {obj.agency.name}" if obj.agency else name


class DecisionQuestionsForm(GovukFormMixin, forms.Form):
    """The questions every share asks: lawful basis, consent, and whether the family was
    told or why not. Rendered by ``sharing/_decision_questions.html`` (GOV.UK radios with
    conditional reveals); the action checks the answers and names the field in error."""

    lawful_basis = forms.ModelChoiceField(
        label="Lawful basis for sharing",
        queryset=LawfulBasis.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis"},
    )
    consent = forms.ChoiceField(
        label="Consent",
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether consent was given, refused or not sought"},
    )
    consent_not_sought_reason = forms.CharField(
        label="Why was consent not sought?",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    family_informed = forms.ChoiceField(
        label="Has the family been told?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family has been told"},
    )
    not_informed_reason = forms.ChoiceField(
        label="Why not?",
        choices=NotInformedReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    not_informed_detail = forms.CharField(
        label="Explain why the family was not told",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lawful_basis"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        field.queryset = LawfulBasis.objects.filter(active=True)
        field.label_from_instance = lambda obj: obj.label  # type: ignore[method-assign]
        if not self.is_bound:
            police = agency is not None and agency.kind == AgencyKind.POLICE
            default = field.queryset.filter(for_police=police).first()
            if default is not None:
                self.initial.setdefault("lawful_basis", default.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("consent") == Consent.NOT_SOUGHT
            and not (data.get("consent_not_sought_reason") or "").strip()
        ):
            self.add_error("consent_not_sought_reason", "Say why consent was not sought")
        if data.get("family_informed") == "no":
            reason = data.get("not_informed_reason")
            if not reason:
                self.add_error("not_informed_reason", "Say why the family was not told")
            elif (
                reason == NotInformedReason.OTHER
                and not (data.get("not_informed_detail") or "").strip()
            ):
                self.add_error("not_informed_detail", "Explain why the family was not told")
        return data

    def answers(self) -> DecisionAnswers:
        data = self.cleaned_data
        return DecisionAnswers(
            lawful_basis=data["lawful_basis"],
            consent=data["consent"],
            consent_not_sought_reason=data.get("consent_not_sought_reason", ""),
            family_informed=data["family_informed"] == "yes",
            not_informed_reason=data.get("not_informed_reason", ""),
            not_informed_detail=data.get("not_informed_detail", ""),
        )


class ReferralDecisionForm(DecisionQuestionsForm, ReferralForm):
    """The referral form with its sharing decision's questions."""

    def __init__(
        self,
        *args: Any,
        agency: Agency | None = None,
        exclude_team: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, agency=agency, exclude_team=exclude_team, **kwargs)


class SharingDecisionForm(DecisionQuestionsForm):
    """A sharing decision recorded by hand from the child's page: shared or not."""

    outcome = forms.ChoiceField(
        label="Did you share the information?",
        choices=SharingOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you shared the information"},
    )
    what = forms.CharField(
        label="What was shared, or asked for?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was shared, or what was asked for"},
    )
    with_agency = AgencyChoiceField(
        label="With which agency?",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        error_messages={"invalid_choice": "That agency is not known"},
    )
    with_user = UserChoiceField(
        label="With whom? (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose a person",
        help_text="A named practitioner, if the information went to one person",
        error_messages={"invalid_choice": "That person is not known"},
    )
    why = forms.CharField(
        label="Why?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the decision"},
    )

    field_order = [
        "outcome",
        "what",
        "with_agency",
        "with_user",
        "why",
        "lawful_basis",
        "consent",
        "consent_not_sought_reason",
        "family_informed",
        "not_informed_reason",
        "not_informed_detail",
    ]

    def __init__(self, *args: Any, agency: Agency | None = None, **kwargs: Any) -> None:
        super().__init__(*args, agency=agency, **kwargs)
        agencies = self.fields["with_agency"]
        assert isinstance(agencies, AgencyChoiceField)  # noqa: S101 - narrows the type
        agencies.queryset = Agency.objects.order_by("name")
        users = self.fields["with_user"]
        assert isinstance(users, UserChoiceField)  # noqa: S101 - narrows the type
        users.queryset = (
            User.objects.filter(is_active=True, agency__isnull=False)
            .exclude(role=Role.ADMINISTRATOR)
            .select_related("agency")
            .order_by("last_name", "first_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("with_agency") and not data.get("with_user"):
            self.add_error("with_agency", "Choose the agency, or the person, it was for")
        return data


class DecisionReportForm(GovukFormMixin, forms.Form):
    compact = True
    start = GovukDateField(label="From", required=False)
    end = GovukDateField(label="To", required=False)


class LawfulBasisForm(GovukFormMixin, forms.Form):
    label = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Give the lawful basis a name"},
    )
    source = forms.CharField(
        label="Source",
        max_length=2000,
        help_text="The article, section or schedule, for example UK GDPR article 6(1)(c)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the source of the lawful basis"},
    )
    code = forms.SlugField(
        label="Short code",
        max_length=64,
        help_text="Used by the API, for example legal_obligation",
        error_messages={
            "required": "Give a short code",
            "invalid": "Use only letters, numbers, hyphens and underscores in the code",
        },
    )
    for_police = forms.BooleanField(
        label="For police processing under part 3 of the Data Protection Act 2018",
        required=False,
    )
