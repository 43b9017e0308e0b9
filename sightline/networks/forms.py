"""Forms for the network pages. They parse input only; the actions check and write."""

from django import forms

from sightline.networks.models import Confidence, ContextKind, Nature


class DateInput(forms.DateInput):
    input_type = "date"


class AssociationForm(forms.Form):
    other_person = forms.UUIDField(
        required=False,
        label="Another person (record identifier)",
        help_text="A person whose record you may see. Leave blank for a place or group.",
    )
    context = forms.UUIDField(
        required=False, label="Place, online space or peer group (identifier)"
    )
    nature = forms.ChoiceField(choices=Nature.choices)
    confidence = forms.ChoiceField(choices=Confidence.choices)
    started_on = forms.DateField(label="Known since", widget=DateInput)
    note = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)


class ContextForm(forms.Form):
    kind = forms.ChoiceField(choices=ContextKind.choices)
    name = forms.CharField(max_length=200)
    area = forms.CharField(max_length=200, required=False)
    postcode = forms.CharField(max_length=8, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)


class ReferralForm(forms.Form):
    referred_on = forms.DateField(widget=DateInput)
    reason = forms.CharField(widget=forms.Textarea, max_length=4000)


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(widget=DateInput)
    what_happens = forms.CharField(widget=forms.Textarea, max_length=4000)
    when_it_happens = forms.CharField(widget=forms.Textarea, max_length=2000)
    who_is_involved = forms.CharField(widget=forms.Textarea, max_length=2000)
    what_would_make_it_safer = forms.CharField(widget=forms.Textarea, max_length=4000)


class PlanForm(forms.Form):
    started_on = forms.DateField(widget=DateInput)
    review_on = forms.DateField(widget=DateInput)
    objectives = forms.CharField(widget=forms.Textarea, max_length=4000)
    lead_practitioner = forms.CharField(max_length=150, label="Lead practitioner (username)")


class EndPlanForm(forms.Form):
    ended_on = forms.DateField(widget=DateInput)
    reason = forms.CharField(max_length=500)


class ConcernForm(forms.Form):
    started_on = forms.DateField(widget=DateInput, label="Concern since")
    reason = forms.CharField(widget=forms.Textarea, max_length=2000)


class EventContextForm(forms.Form):
    context = forms.UUIDField(
        required=False,
        label="Where it happened (place, online space or group identifier)",
        help_text="Leave blank if the event names other people but no place.",
    )
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.PROBABLE)
