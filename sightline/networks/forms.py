"""Forms for the network pages. They parse input only; the actions check and write."""

from typing import Any, cast

from django import forms

from sightline.accounts.models import User
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.networks.models import Confidence, ContextKind, Nature
from sightline.networks.rules import CONTEXT_ROLES
from sightline.record.picker import PickField, PickingFormMixin, WorkerSearcher


class AssociationForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """Who or where the child is linked to: a person from the one picker
    (``record.picker``: the child's family, or found by the one search) or a place,
    online space or group chosen from a list; never an identifier typed in."""

    other_person = PickField(
        noun="person",
        label="Another person",
        required=False,
        search_label="Search for someone else by name",
        error_messages={
            "invalid": "Choose one of the people listed: search again if the person is not there."
        },
        help_text="Choose from the child's family or search: a name, then a date of birth "
        "(for example “Jo Bloggs 3/4/1990”) or a postcode if they do not live at the child's "
        "postcode; or an NHS number. Leave it for a place, online space or group.",
    )
    context = forms.ChoiceField(
        label="Or a place, online space or group",
        required=False,
        help_text="Places and groups already recorded. Record a new one from the places list.",
    )
    nature = forms.ChoiceField(
        label="How are they linked?",
        choices=[("", "Choose how"), *Nature.choices],
        error_messages={"required": "Choose how they are linked"},
    )
    confidence = forms.ChoiceField(
        label="How sure are you?",
        choices=Confidence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how sure you are"},
    )
    started_on = GovukDateField(
        label="Known since",
        past=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the link has been known since"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="What is known and where it came from",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        contexts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["context"]).choices = [
            ("", "None: the link is to a person"),
            *contexts,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("other_person") and not cleaned.get("context"):
            self.add_error(
                "other_person",
                "Choose a person (search for them if they are not listed), or a place, "
                "online space or group",
            )
        return cleaned


def _practitioner(label: str, *, required: str) -> PickField:
    """Someone who may take part in exploitation work, chosen with the one picker."""
    return PickField(
        noun="practitioner",
        label=label,
        search_label="Search by name or team",
        error_messages={
            "required": required,
            "invalid": "Choose a practitioner from the search results: search again if the "
            "person is not there",
        },
    )


def practitioners() -> WorkerSearcher:
    """Who may own, chair or lead exploitation work (``rules.may_view_contexts``), for the
    one picker: never a typed username."""
    within = User.objects.filter(agency__isnull=False, role__in=CONTEXT_ROLES)
    return WorkerSearcher(agency_id=None, noun="practitioner", within=within)


class ContextForm(forms.Form):
    kind = forms.ChoiceField(choices=ContextKind.choices)
    name = forms.CharField(max_length=200)
    area = forms.CharField(max_length=200, required=False)
    postcode = forms.CharField(max_length=8, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)


class ReferralForm(GovukFormMixin, forms.Form):
    referred_on = GovukDateField(
        label="Referred on",
        error_messages={"required": "Enter the date of the referral"},
        past=True,
    )
    reason = forms.CharField(widget=forms.Textarea, max_length=4000)


class AssessmentForm(GovukFormMixin, forms.Form):
    assessed_on = GovukDateField(
        label="Assessed on",
        error_messages={"required": "Enter the date of the assessment"},
        past=True,
    )
    what_happens = forms.CharField(widget=forms.Textarea, max_length=4000)
    when_it_happens = forms.CharField(widget=forms.Textarea, max_length=2000)
    who_is_involved = forms.CharField(widget=forms.Textarea, max_length=2000)
    what_would_make_it_safer = forms.CharField(widget=forms.Textarea, max_length=4000)


class PlanForm(GovukFormMixin, PickingFormMixin, forms.Form):
    started_on = GovukDateField(
        label="Started on",
        error_messages={"required": "Enter the date the plan started"},
    )
    review_on = GovukDateField(
        label="Review by",
        error_messages={"required": "Enter the date to review the plan by"},
    )
    objectives = forms.CharField(widget=forms.Textarea, max_length=4000)
    lead_practitioner = _practitioner(
        "Lead practitioner", required="Search for and choose the lead practitioner"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_searchers({"lead_practitioner": practitioners()})


class EndPlanForm(GovukFormMixin, forms.Form):
    ended_on = GovukDateField(
        label="Ended on",
        error_messages={"required": "Enter the date the plan ended"},
    )
    reason = forms.CharField(max_length=500)


class ConcernForm(GovukFormMixin, forms.Form):
    started_on = GovukDateField(
        label="Concern since",
        error_messages={"required": "Enter the date the concern started"},
    )
    reason = forms.CharField(widget=forms.Textarea, max_length=2000)


class EventContextForm(GovukFormMixin, forms.Form):
    """Where an event happened: a place, online space or group already recorded, chosen
    from the list of those the user may see (never an identifier typed in)."""

    context = forms.ChoiceField(
        required=False,
        label="Where it happened",
        help_text="Places, online spaces and groups already recorded. Choose none if the "
        "event names other people but no place.",
        error_messages={"invalid_choice": "Choose a place or group from the list"},
    )
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.PROBABLE)

    def __init__(self, *args: Any, contexts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["context"]).choices = [
            ("", "None: the event names people but no place"),
            *contexts,
        ]


class MeetingForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """Schedule an exploitation meeting (a date to come) or record one held; the chair is
    chosen with the one picker (``record.picker``), the user by default."""

    area = forms.CharField(
        label="Area the meeting covers",
        max_length=200,
        help_text="For example, Leeds North",
        error_messages={"required": "Enter the area the meeting covers"},
    )
    held_on = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 14 1 2027",
        error_messages={"required": "Enter the date of the meeting"},
    )
    chair = _practitioner("Chair", required="Search for and choose who chairs the meeting")


class MeetingActionForm(GovukFormMixin, PickingFormMixin, forms.Form):
    """An action agreed at the meeting: about a child on the agenda (or with an action) or
    a place or group chosen from a list, an owner chosen with the one picker, and a due
    date."""

    child = forms.ChoiceField(label="About a child", required=False)
    context = forms.ChoiceField(label="Or about a place or group", required=False)
    description = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the action"},
    )
    owner = _practitioner("Owner", required="Search for and choose who owns the action")
    due_on = GovukDateField(
        label="Due by", error_messages={"required": "Enter the date the action is due"}
    )

    def __init__(
        self,
        *args: Any,
        children: list[tuple[str, str]],
        contexts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["child"]).choices = [("", "None"), *children]
        cast(forms.ChoiceField, self.fields["context"]).choices = [("", "None"), *contexts]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and bool(cleaned.get("child")) == bool(cleaned.get("context")):
            self.add_error("child", "Choose a child or a place or group: one of them")
        return cleaned


class CompleteMeetingActionForm(GovukFormMixin, forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput)
    completed_on = GovukDateField(
        label="Done on", past=True, error_messages={"required": "Enter the date it was done"}
    )
