"""The forms of the Case part of the child's page: one for each step of the case, in
GOV.UK patterns (three-field dates, radios, checkboxes, an error summary), with the
national returns' code lists as choices shown by their plain-English labels.

Workers, teams and people are chosen with the one picker (``record.picker``); nothing
is typed that the system knows. Forms check what a form can (a date that is real, an
end not before its start, a choice made); the actions check the rest, and their
``ValidationError``s are shown on the same form.
"""

import datetime as dt
from typing import Any

from django import forms

from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.people.models import RelationshipKind
from sightline.record.picker import PickField, PickingFormMixin
from sightline.returns import codes

YES_NO = [("yes", "Yes"), ("no", "No")]


def _select(
    codes_list: Any, *, label: str, help_text: str = "", required: bool = True
) -> forms.ChoiceField:
    choices = codes.choices(codes_list)
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=required,
        choices=[("", "Choose one"), *choices],
        error_messages={"required": f"Select the {label.lower()}"},
    )


def _radios(
    choices: list[tuple[str, str]],
    *,
    label: str,
    missing: str = "",
    help_text: str = "",
    required: bool = True,
) -> forms.ChoiceField:
    """Radios; ``missing`` is the error when none is chosen, as GOV.UK words it
    ("Select whether ...")."""
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        required=required,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": missing or f"Select the {label.lower()}"},
    )


def _date(
    label: str, *, required: bool = True, help_text: str = "For example, 27 3 2026"
) -> GovukDateField:
    return GovukDateField(
        label=label,
        required=required,
        past=True,
        help_text=help_text,
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}"},
    )


def _not_before(form: forms.Form, later: str, earlier: str | dt.date | None, message: str) -> None:
    cleaned = form.cleaned_data
    end = cleaned.get(later)
    start = cleaned.get(earlier) if isinstance(earlier, str) else earlier
    if isinstance(end, dt.date) and isinstance(start, dt.date) and end < start:
        form.add_error(later, message)


class CaseForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """A case step's form. ``starts_after``: the date the step cannot come before (the
    episode's referral, the plan's start), checked against the form's first date."""

    date_field = ""
    date_message = ""

    def __init__(self, *args: Any, starts_after: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starts_after = starts_after

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.date_field and self.starts_after is not None:
            _not_before(
                self,
                self.date_field,
                self.starts_after,
                self.date_message or f"The date must be on or after {_long(self.starts_after)}",
            )
        return cleaned


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class EpisodeForm(CaseForm):
    """The referral's outcome: an episode of need starts (or no further action)."""

    referral_date = _date("Date of referral")
    source = _select(codes.REFERRAL_SOURCE, label="Source of referral")
    primary_need = _select(
        codes.PRIMARY_NEED,
        label="Primary need",
        help_text="The main reason the child needs services. Leave as it is if the referral needs no further action.",
        required=False,
    )
    no_further_action = _radios(
        [("no", "No: the child's needs will be assessed"), ("yes", "Yes: no further action")],
        label="No further action?",
        missing="Select whether the referral needs no further action",
    )


class CloseEpisodeForm(CaseForm):
    date_field = "closed_on"
    date_message = "The closure date must be on or after the date of referral"

    closed_on = _date("Date the episode closed")
    reason = _select(codes.CLOSURE_REASON, label="Reason for closure")


class AssessmentForm(CaseForm):
    date_field = "started_on"
    date_message = "The assessment cannot start before the referral"

    started_on = _date("Date the assessment started")
    authorised_on = _date(
        "Date the assessment was authorised",
        required=False,
        help_text="Leave blank if a manager has not yet authorised it. For example, 27 3 2026",
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified at assessment",
        help_text="Select all that apply.",
        required=False,
        choices=codes.choices(codes.ASSESSMENT_FACTOR),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_before(
            self,
            "authorised_on",
            "started_on",
            "The authorisation date must be on or after the start date",
        )
        if cleaned.get("authorised_on") and not cleaned.get("factors"):
            self.add_error(
                "factors", "Select the factors identified before the assessment is authorised"
            )
        return cleaned


class StrategyDiscussionForm(CaseForm):
    date_field = "held_on"
    date_message = "The strategy discussion cannot be before the referral"

    held_on = _date("Date of the strategy discussion")
    section_47 = _radios(
        [("yes", "Yes: start a section 47 enquiry"), ("no", "No: no section 47 enquiry")],
        label="Did the discussion decide on a section 47 enquiry?",
        missing="Select whether the discussion decided on a section 47 enquiry",
    )


class Section47Form(CaseForm):
    """The enquiry concluded without an initial conference (with one, record the
    conference instead)."""

    date_field = "concluded_on"
    date_message = "The enquiry cannot conclude before it started"

    concluded_on = _date("Date the enquiry concluded")


CONFERENCE_PLAN = "plan"
CONFERENCE_NO_PLAN = "no_plan"


class ConferenceForm(CaseForm):
    date_field = "held_on"
    date_message = "The conference cannot be before the section 47 enquiry started"

    held_on = _date("Date of the conference")
    outcome = _radios(
        [
            (CONFERENCE_PLAN, "A child protection plan"),
            (CONFERENCE_NO_PLAN, "No child protection plan"),
        ],
        label="What did the conference decide?",
        missing="Select what the conference decided",
    )
    category = _radios(
        codes.choices(codes.CP_CATEGORY),
        label="Category of abuse",
        help_text="Only if the conference decided on a plan.",
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == CONFERENCE_PLAN and not cleaned.get("category"):
            self.add_error("category", "Select the category of abuse of the plan")
        if cleaned.get("outcome") == CONFERENCE_NO_PLAN and cleaned.get("category"):
            self.add_error(
                "category", "A category is given only when the conference decides on a plan"
            )
        return cleaned


class PlanReviewForm(CaseForm):
    date_field = "held_on"
    date_message = "The review cannot be before the plan started"

    held_on = _date("Date of the review conference")
    plan_continues = _radios(
        [("yes", "Yes: the plan continues"), ("no", "No: the plan ends")],
        label="Does the child protection plan continue?",
        missing="Select whether the plan continues",
    )
    category = _radios(
        codes.choices(codes.CP_CATEGORY),
        label="Latest category of abuse",
        help_text="Only if it has changed.",
        required=False,
    )


class EndPlanForm(CaseForm):
    date_field = "ended_on"
    date_message = "The plan cannot end before it started"

    ended_on = _date("Date the plan ended")


class LookedAfterStartForm(CaseForm):
    started_on = _date("Date the child started to be looked after")
    legal_status = _select(codes.LEGAL_STATUS, label="Legal status")
    category_of_need = forms.ChoiceField(
        label="Category of need",
        choices=[("", "Choose one")]
        + [
            (code, label)
            for code, label in codes.choices(codes.PRIMARY_NEED)
            if code in codes.PRIMARY_NEED_903
        ],
        error_messages={"required": "Select the category of need"},
    )
    placement = _select(codes.PLACEMENT, label="Placement type")
    provider = _select(codes.PLACEMENT_PROVIDER, label="Placement provider")
    home_postcode = forms.CharField(
        label="Postcode of the child's home",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off"}
        ),
    )
    placement_postcode = forms.CharField(
        label="Postcode of the placement",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off"}
        ),
    )


class LookedAfterChangeForm(CaseForm):
    date_field = "changed_on"
    date_message = "The change cannot be before the current episode started"

    changed_on = _date("Date of the change")
    change = _radios(
        [("placement", "The placement"), ("legal_status", "The legal status"), ("both", "Both")],
        label="What changed?",
        missing="Select what changed",
        help_text="Each change starts a new episode, as the SSDA903 return counts them.",
    )
    legal_status = _select(codes.LEGAL_STATUS, label="New legal status", required=False)
    placement = _select(codes.PLACEMENT, label="New placement type", required=False)
    provider = _select(codes.PLACEMENT_PROVIDER, label="New placement provider", required=False)
    same_carer = _radios(
        YES_NO,
        label="Is the new placement with the same carer?",
        help_text="Only if the placement changed.",
        required=False,
    )
    placement_postcode = forms.CharField(
        label="Postcode of the new placement",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "off"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        change = cleaned.get("change")
        if change in {"legal_status", "both"} and not cleaned.get("legal_status"):
            self.add_error("legal_status", "Select the new legal status")
        if change in {"placement", "both"}:
            if not cleaned.get("placement"):
                self.add_error("placement", "Select the new placement type")
            if not cleaned.get("provider"):
                self.add_error("provider", "Select the new placement provider")
            if not cleaned.get("same_carer"):
                self.add_error(
                    "same_carer", "Select whether the new placement is with the same carer"
                )
        return cleaned


class LookedAfterEndForm(CaseForm):
    date_field = "ended_on"
    date_message = "The episode cannot end before it started"

    ended_on = _date("Date the child stopped being looked after")
    reason = _select(codes.REASON_EPISODE_CEASED, label="Reason the episode ended")


class AllocateWorkerForm(CaseForm):
    date_field = ""

    worker = PickField(
        noun="social worker",
        label="Social worker",
        search_label="Search for a social worker by name or team",
    )
    started_on = _date("Date the allocation starts")
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=200,
        help_text="If the child had another worker, for example “worker left the team”.",
    )


class RelationshipForm(CaseForm):
    relative = PickField(
        noun="person",
        label="Family or household member",
        search_label="Search by name",
        help_text=(
            "Searches people at the child's postcode. For someone who lives elsewhere, add their "
            "postcode or date of birth after the name, for example “Jo Bloggs 3/4/1990”."
        ),
    )
    kind = _radios(
        [(kind.value, kind.label) for kind in RelationshipKind],
        label="How are they related to the child?",
        missing="Select how they are related to the child",
        help_text="For example, a parent of the child, or a member of the child's household.",
    )
    lives_with = _radios(
        YES_NO,
        label="Do they live with the child?",
        missing="Select whether they live with the child",
    )
    started_on = _date("Since", required=False, help_text="If known. For example, 27 3 2020")


class CoreGroupForm(CaseForm):
    member = PickField(
        noun="practitioner",
        label="Practitioner",
        search_label="Search by name or team",
        help_text="Members of the core group from any agency.",
    )
    started_on = _date("Member from")


class ConfirmCoreGroupForm(CaseForm):
    """The members the conference proposed (from the agencies involved), chosen from the
    case: those ticked are confirmed."""

    members = forms.MultipleChoiceField(
        label="Who is in the core group?",
        help_text="Proposed from the agencies involved with the child. Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one member to confirm"},
    )

    def offer(self, proposed: list[tuple[str, str]]) -> None:
        self.fields["members"].choices = proposed  # type: ignore[attr-defined]
