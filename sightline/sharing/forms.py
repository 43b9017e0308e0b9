"""Forms for the information-sharing pages."""

import datetime as dt
from typing import Any

from django import forms

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people import normalise
from sightline.record.picker import (
    AgencySearcher,
    PickField,
    PickingFormMixin,
    TeamSearcher,
    WorkerSearcher,
)
from sightline.sharing.actions import DecisionAnswers
from sightline.sharing.models import (
    Consent,
    LawfulBasis,
    NotInformedReason,
    ReferralOutcome,
    ReferralStatus,
    SharingOutcome,
    Urgency,
)

UNKNOWN_TEAM = "Choose a team to refer to: that team is not known."


def _team_picker(
    label: str, *, required: bool, help_text: str = "", missing: str = ""
) -> PickField:
    return PickField(
        noun="team",
        label=label,
        required=required,
        search_label="Search by team or agency name",
        help_text=help_text,
        error_messages={"invalid": UNKNOWN_TEAM, **({"required": missing} if missing else {})},
    )


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


class ReferralForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """A referral to another team, chosen with the one picker (``record.picker``)."""

    to_team = _team_picker(
        "Refer to",
        required=True,
        missing="Search for and choose the team to refer to",
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
        self.set_searchers({"to_team": TeamSearcher(exclude=exclude_team)})


class OutcomeForm(GovukFormMixin, PickingFormMixin, forms.Form):
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
    redirect_to = _team_picker(
        "Redirect to", required=False, help_text="Only when redirecting the referral"
    )

    def __init__(self, *args: Any, exclude_team: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_searchers({"redirect_to": TeamSearcher(exclude=exclude_team)})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == ReferralOutcome.NO_FURTHER_ACTION and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for no further action")
        if outcome == ReferralOutcome.REDIRECTED and not data.get("redirect_to"):
            self.add_error("redirect_to", "Choose the team to redirect to")
        return data


# Sharing decisions ----------------------------------------------------------------------


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


class SharingDecisionForm(PickingFormMixin, DecisionQuestionsForm):
    """A sharing decision recorded by hand from the child's page: shared or not. The
    agency and the person are chosen with the one picker (``record.picker``)."""

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
    with_agency = PickField(
        noun="agency",
        label="With which agency?",
        required=False,
        search_label="Search by the agency's name",
    )
    with_user = PickField(
        noun="practitioner",
        label="With whom? (optional)",
        required=False,
        search_label="Search by name or team",
        help_text="A named practitioner, if the information went to one person",
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
        practitioners = User.objects.filter(agency__isnull=False).exclude(role=Role.ADMINISTRATOR)
        self.set_searchers(
            {
                "with_agency": AgencySearcher(),
                "with_user": WorkerSearcher(
                    agency_id=None, noun="practitioner", within=practitioners
                ),
            }
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


class SentStatusFilterForm(GovukFormMixin, forms.Form):
    """The referrals-sent page shows one status, or all of them."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *ReferralStatus.choices],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
