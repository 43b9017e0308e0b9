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


class EndRelationshipForm(CaseForm):
    """A family or household relationship ends; ``starts_after`` is its start, if known."""

    date_field = "ended_on"
    date_message = "The relationship cannot end before it started"

    ended_on = _date(
        "Date the relationship ended",
        help_text="The last day it applied, for example the day they moved out. For example, 27 3 2026",
    )
    reason = forms.CharField(
        label="Why did it end?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the carer has stopped caring for the child. Kept in the record's audit trail.",
        error_messages={"required": "Enter why the relationship ended"},
    )


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


class EndCoreGroupForm(CaseForm):
    """A member leaves the core group (chosen from the case)."""

    member = forms.ChoiceField(
        label="Who is leaving the core group?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is leaving the core group"},
    )
    ended_on = _date("Date they left")

    def offer(self, members: list[tuple[str, str]]) -> None:
        self.fields["member"].choices = members  # type: ignore[attr-defined]


class CoreGroupAgencyForm(CaseForm):
    agency = PickField(
        noun="agency",
        label="Agency",
        search_label="Search for an agency by name",
        help_text="An agency in the core group, when no one practitioner is named yet.",
    )
    started_on = _date("Member from")


class CoreGroupFamilyForm(CaseForm):
    person = PickField(
        noun="person",
        label="Family member",
        search_label="Search by name",
        help_text=(
            "The child's family recorded on the case are listed. To find someone else, search "
            "by name (add a postcode or date of birth if they live elsewhere)."
        ),
    )
    started_on = _date("Member from")


# -- children in need plans ------------------------------------------------------------


class CINPlanForm(CaseForm):
    date_field = "started_on"
    date_message = "The child in need plan cannot start before the referral"

    started_on = _date("Date the child in need plan started")


class EndCINPlanForm(CaseForm):
    date_field = "ended_on"
    date_message = "The child in need plan cannot end before it started"

    ended_on = _date("Date the child in need plan ended")


# -- looked-after reviews and missing episodes -------------------------------------------


def _participation() -> forms.ChoiceField:
    return _radios(
        codes.choices(codes.REVIEW_PARTICIPATION),
        label="How did the child take part in the review?",
        missing="Select how the child took part in the review",
    )


def _missing_kind() -> forms.ChoiceField:
    return _radios(
        [
            ("M", "Missing: the child's whereabouts were not known"),
            ("A", "Away without authorisation: the child's whereabouts were known"),
        ],
        label="Was the child missing or away?",
        missing="Select whether the child was missing or away without authorisation",
    )


def _yes_no_unknown(label: str, *, help_text: str = "") -> forms.TypedChoiceField:
    """Yes / No, or left unanswered (not known yet): True, False or None."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
    )


def _check_return_interview(form: forms.Form, returned: str) -> None:
    cleaned = form.cleaned_data
    offered, accepted = cleaned.get("rhi_offered"), cleaned.get("rhi_accepted")
    if offered is not None and not cleaned.get(returned) and returned not in form.errors:
        form.add_error("rhi_offered", "Enter the date the child came back first")
    if accepted is not None and offered is not True:
        form.add_error(
            "rhi_accepted", "Say whether the interview was accepted only if it was offered"
        )


class LookedAfterReviewForm(CaseForm):
    date_field = "held_on"
    date_message = "The review cannot be before the child started to be looked after"

    held_on = _date("Date of the review")
    participation = _participation()


class MissingEpisodeForm(CaseForm):
    date_field = "started_on"
    date_message = "The child cannot go missing before they started to be looked after"

    kind = _missing_kind()
    started_on = _date("Date the child went missing or away")
    ended_on = _date(
        "Date the child came back",
        required=False,
        help_text="Leave blank if the child has not come back yet. For example, 27 3 2026",
    )
    rhi_offered = _yes_no_unknown(
        "Was the child offered a return interview?",
        help_text="Only once the child is back. Leave unanswered if not known yet.",
    )
    rhi_accepted = _yes_no_unknown("Did the child accept the return interview?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_before(
            self,
            "ended_on",
            "started_on",
            "The date the child came back must be on or after the date they went",
        )
        _check_return_interview(self, "ended_on")
        return cleaned


class MissingReturnForm(CaseForm):
    date_field = "ended_on"
    date_message = "The child cannot come back before they went missing or away"

    ended_on = _date("Date the child came back")
    rhi_offered = _yes_no_unknown(
        "Was the child offered a return interview?",
        help_text="Leave unanswered if not known yet.",
    )
    rhi_accepted = _yes_no_unknown("Did the child accept the return interview?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_return_interview(self, "ended_on")
        return cleaned


# -- corrections and withdrawals -------------------------------------------------------


class ChooseRecordForm(GovukFormMixin, forms.Form):
    """Which recorded step to correct or withdraw, chosen from the case."""

    record = forms.ChoiceField(
        label="Which record?",
        widget=forms.RadioSelect,
        help_text="Records your agency made that are current.",
        error_messages={"required": "Select the record to correct or withdraw"},
    )
    change = _radios(
        [
            ("correct", "Correct it: some of what was recorded is wrong"),
            ("withdraw", "Withdraw it: it was recorded in error"),
        ],
        label="What do you want to do?",
        missing="Select whether to correct or withdraw the record",
    )

    def offer(self, records: list[tuple[str, str]]) -> None:
        self.fields["record"].choices = records  # type: ignore[attr-defined]


def _reason(label: str, missing: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept with the record's history and shown on the case.",
        error_messages={"required": missing},
    )


class WithdrawForm(GovukFormMixin, forms.Form):
    reason = _reason("Why is it withdrawn?", "Enter why the record is withdrawn")


def _correction_fields(model: type[Any]) -> dict[str, forms.Field]:
    """The fields a correction of ``model`` offers, named as the model's (its
    ``CORRECTABLE`` fields a person corrects), made afresh for each form."""
    from sightline.cases import models as case_models

    if model is case_models.EpisodeOfNeed:
        return {
            "referral_date": _date("Date of referral"),
            "referral_source": _select(codes.REFERRAL_SOURCE, label="Source of referral"),
            "primary_need": _select(codes.PRIMARY_NEED, label="Primary need", required=False),
        }
    if model is case_models.CINAssessment:
        return {
            "start_date": _date("Date the assessment started"),
            "authorisation_date": _date("Date the assessment was authorised", required=False),
        }
    if model is case_models.CINPlan:
        return {
            "start_date": _date("Date the child in need plan started"),
            "end_date": _date("Date the child in need plan ended", required=False),
        }
    if model is case_models.StrategyDiscussion:
        return {"date": _date("Date of the strategy discussion")}
    if model is case_models.Section47:
        return {"start_date": _date("Date the enquiry started")}
    if model is case_models.ChildProtectionConference:
        return {"date": _date("Date of the conference")}
    if model is case_models.ChildProtectionPlan:
        return {
            "start_date": _date("Date the plan started"),
            "latest_category": _radios(
                codes.choices(codes.CP_CATEGORY), label="Latest category of abuse"
            ),
        }
    if model is case_models.ChildProtectionReview:
        return {"review_date": _date("Date of the review")}
    if model is case_models.CoreGroupMember:
        return {"started_on": _date("Member from")}
    if model is case_models.LookedAfterEpisode:
        return {
            "decom": _date("Date the episode started"),
            "ls": _select(codes.LEGAL_STATUS, label="Legal status"),
            "place": _select(codes.PLACEMENT, label="Placement type"),
            "place_provider": _select(codes.PLACEMENT_PROVIDER, label="Placement provider"),
        }
    if model is case_models.LookedAfterReview:
        return {"review": _date("Date of the review"), "review_code": _participation()}
    if model is case_models.MissingEpisode:
        return {
            "missing": _missing_kind(),
            "mis_start": _date("Date the child went missing or away"),
            "mis_end": _date("Date the child came back", required=False),
            "rhi_offered": _yes_no_unknown("Was the child offered a return interview?"),
            "rhi_accepted": _yes_no_unknown("Did the child accept the return interview?"),
        }
    if model is case_models.Allocation:
        return {
            "start_date": _date("Date the allocation started"),
            "reason_for_change": forms.CharField(
                label="Reason for the change", required=False, max_length=200
            ),
        }
    return {}


# (end, start) pairs a correction checks on the form, with the message.
_CORRECTION_ORDER = (
    ("end_date", "start_date", "The end date must be on or after the start date"),
    (
        "authorisation_date",
        "start_date",
        "The authorisation date must be on or after the start date",
    ),
    ("mis_end", "mis_start", "The date the child came back must be on or after the date they went"),
)


class CorrectionForm(GovukFormMixin, forms.Form):
    """A correction of one case row: its correctable fields, filled in with what was
    recorded, and the reason. ``changes()`` is what differs. Made for a row's kind by
    ``correction_form``."""

    def __init__(self, *args: Any, row: Any, **kwargs: Any) -> None:
        initial = {}
        for name in self.base_fields:
            value = getattr(row, name, None)
            initial[name] = ("yes" if value else "no") if isinstance(value, bool) else value
        super().__init__(*args, initial=initial, **kwargs)
        self.row = row

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for end, start, message in _CORRECTION_ORDER:
            if end in self.fields:
                _not_before(self, end, start, message)
        if "rhi_offered" in self.fields:
            _check_return_interview(self, "mis_end")
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name != "reason" and self.cleaned_data.get(name) != getattr(self.row, name)
        }


def correction_form(row: Any, data: Any = None) -> CorrectionForm:
    """The correction form for ``row``'s kind: its fields declared on a class of their own
    (so they are set up, GOV.UK classes and all, like any form's)."""
    fields: dict[str, Any] = {
        **_correction_fields(type(row)),
        "reason": _reason("Why is it corrected?", "Enter why the record is corrected"),
    }
    form_class: type[CorrectionForm] = type("CorrectionForm", (CorrectionForm,), fields)
    return form_class(data, row=row)
