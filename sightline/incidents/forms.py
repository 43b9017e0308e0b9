"""HTML forms for incidents. Parsing only: every rule lives in ``incidents.actions``."""

from typing import Any, cast

from django import forms

from sightline.accounts.models import Role, User
from sightline.agencies.models import AgencyKind
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.incidents.models import Nature, PanelView, Partner, PoliceInvolvement
from sightline.people.models import Person
from sightline.record.picker import AgencySearcher, PickField, PickingFormMixin, WorkerSearcher

CHILD_SLOTS = 3


def _date(label: str, *, required: bool = True, hint: str = "") -> GovukDateField:
    """A GOV.UK date input (day, month and year boxes). Whether the date may be in the
    future, or before another, is the action's rule."""
    return GovukDateField(
        label=label,
        required=required,
        help_text=hint or "For example, 27 3 2026",
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}"},
    )


def _text(label: str, *, required: bool = True, rows: int = 4, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows}),
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}"},
    )


def _line(label: str, *, required: bool = False, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )


# The partnership has few agencies of each kind: offered as radios, and searched if more.
FEW_AGENCIES = 6


def _agency(kind: AgencyKind) -> PickField:
    """An agency of the partnership, with the one picker (``record.picker``)."""
    return PickField(
        noun=f"{kind.label.lower()} agency",
        label=f"{kind.label} agency",
        search_label="Search by the agency's name",
        error_messages={
            "required": f"Choose the {kind.label.lower()} agency of the partnership: an "
            "administrator adds agencies that are missing"
        },
    )


def _practitioner(label: str, *, required: bool = True, help_text: str = "") -> PickField:
    return PickField(
        noun="practitioner",
        label=label,
        required=required,
        help_text=help_text,
        search_label="Search by name or team",
    )


def _practitioners() -> Any:
    return User.objects.exclude(role=Role.ADMINISTRATOR)


class NotificationForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """The notification. The children are chosen, never typed: the first with the one
    picker (``record.picker``: the child whose page it came from, or a search), the
    others from that child's siblings (``offer_siblings``). The partnership's agencies are
    chosen with the same picker, each among agencies of its kind."""

    local_authority = _agency(AgencyKind.CHILDRENS_SOCIAL_CARE)
    police = _agency(AgencyKind.POLICE)
    # The integrated care board, or (where none is set up) a health agency for it.
    integrated_care_board = _agency(AgencyKind.INTEGRATED_CARE_BOARD)
    incident_on = GovukDateField(
        label="Date of the incident",
        past=True,
        help_text="For example, 2 5 2026",
        error_messages={"required": "Enter the date of the incident"},
    )
    aware_on = GovukDateField(
        label="Date the local authority became aware",
        past=True,
        help_text="The 5 working days to notify the national panel count from this day",
        error_messages={"required": "Enter the date the local authority became aware"},
    )
    nature = forms.ChoiceField(
        label="Nature of the incident",
        choices=Nature.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the nature of the incident"},
    )
    nature_details = _text("Details of the nature of the incident", required=False, rows=2)
    case_outline = _text("Case outline", rows=6)
    police_involvement = forms.ChoiceField(
        label="Police involvement",
        choices=PoliceInvolvement.choices,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose the police involvement"},
    )
    police_details = _text("Police involvement: details", required=False, rows=2)

    def __init__(
        self,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child_1_id"] = PickField(
            noun="child",
            label="The child",
            search_label="Search for the child",
            help_text="The child who died or was seriously harmed: search with a name and a "
            "date of birth (for example “Jo Bloggs 3/4/2015”) or a postcode, or an NHS number",
            error_messages={
                "required": "Choose the child: search for them if they are not listed",
                "invalid": "Choose one of the people listed: search again if the person is "
                "not there.",
            },
        )
        for slot in range(1, CHILD_SLOTS + 1):
            if slot > 1:
                self.fields[f"child_{slot}_id"] = forms.ChoiceField(
                    label=f"Child {slot}: a sibling harmed at the same time (optional)",
                    required=False,
                    choices=[("", "None")],
                    help_text="The first child's brothers and sisters whose records you may see",
                    widget=forms.Select(attrs={"class": "govuk-select"}),
                )
            self.fields[f"child_{slot}_disability"] = _line(f"Child {slot}: disability")
            self.fields[f"child_{slot}_placement_type"] = _line(f"Child {slot}: placement type")
            self.fields[f"child_{slot}_perpetrator_relationship"] = _line(
                f"Child {slot}: the alleged perpetrator's relationship to the child"
            )
        self.set_searchers(
            {
                name: AgencySearcher(
                    noun=f"{kind.label.lower()} agency", kind=kind, few=FEW_AGENCIES, also=also
                )
                for name, kind, also in (
                    ("local_authority", AgencyKind.CHILDRENS_SOCIAL_CARE, ()),
                    ("police", AgencyKind.POLICE, ()),
                    (
                        "integrated_care_board",
                        AgencyKind.INTEGRATED_CARE_BOARD,
                        (AgencyKind.HEALTH,),
                    ),
                )
            }
        )

    def offer_siblings(self, siblings: list[tuple[str, str]]) -> None:
        """The first child's siblings (whose records the user may see), for the others."""
        for slot in range(2, CHILD_SLOTS + 1):
            field = cast(forms.ChoiceField, self.fields[f"child_{slot}_id"])
            field.choices = [("", "None"), *siblings]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first = cleaned.get("child_1_id")
        chosen = [
            str(first.public_id) if isinstance(first, Person) else first,
            *(cleaned.get(f"child_{slot}_id") for slot in range(2, CHILD_SLOTS + 1)),
        ]
        picked = [value for value in chosen if value]
        if len(set(picked)) != len(picked):
            self.add_error("child_2_id", "Choose each child once")
        return cleaned


class SubmitForm(GovukFormMixin, forms.Form):
    submitted_on = _date("Date sent to the national panel")


class RequestSummaryForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """An agency asked for its summary, and who writes it (one of its practitioners,
    searched among the chosen agency's), each with the one picker."""

    agency = PickField(noun="agency", label="Agency", search_label="Search by the agency's name")
    contributor = _practitioner(
        "Contributor", help_text="Who writes the summary: search among the agency's practitioners"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = str(self.data.get(self.add_prefix("agency"), "")) if self.is_bound else ""
        contributors = WorkerSearcher(
            agency_id=int(agency) if agency.isdigit() else None,
            noun="practitioner",
            within=_practitioners(),
        )
        self.set_searchers({"agency": AgencySearcher(), "contributor": contributors})


class SummaryForm(GovukFormMixin, forms.Form):
    involvement = _text("The agency's involvement with the child and family")
    analysis = _text("Analysis")
    learning = _text("Learning")


class MeetingForm(GovukFormMixin, forms.Form):
    held_on = _date("Date of the review meeting")
    attendees = _text("Attendees", rows=2)
    notes = _text("Record of the meeting", rows=5)


class SafetyActionForm(GovukFormMixin, PickingFormMixin, forms.Form):
    description = _text("Immediate safety action", rows=2)
    owner = _practitioner("Owner")
    due_on = _date("Due by")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_searchers(
            {"owner": WorkerSearcher(agency_id=None, noun="practitioner", within=_practitioners())}
        )


class CompleteActionForm(GovukFormMixin, forms.Form):
    """ "Mark done today": the day comes from the page, in a hidden field."""

    action = forms.IntegerField(widget=forms.HiddenInput())
    completed_on = forms.DateField(widget=forms.HiddenInput())


class DecisionForm(GovukFormMixin, forms.Form):
    needed = forms.TypedChoiceField(
        label="Is a local child safeguarding practice review needed?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    reasons = _text("Reasons")
    decided_on = _date("Date of the decision")


class SignOffForm(GovukFormMixin, forms.Form):
    partner = forms.ChoiceField(choices=Partner.choices, widget=forms.HiddenInput())


class PanelResponseForm(GovukFormMixin, forms.Form):
    received_on = _date("Date of the panel's response")
    view = forms.ChoiceField(
        label="The panel's view",
        choices=PanelView.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    national_review_considered = forms.TypedChoiceField(
        label="Is the panel considering a national review?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the panel is considering a national review"},
    )
    comments = _text("Comments", required=False, rows=3)


class CommissionForm(GovukFormMixin, forms.Form):
    reviewer = _line("Reviewer", required=True)
    terms_of_reference = _text("Terms of reference", rows=5)


class MilestoneForm(GovukFormMixin, forms.Form):
    name = _line("Milestone", required=True)
    due_on = _date("Due by")


class ProgressForm(GovukFormMixin, forms.Form):
    sent_to_panel_on = _date("Date sent to the panel and the Secretary of State", required=False)
    published_on = _date("Date published", required=False)
