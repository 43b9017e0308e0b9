"""Input and output of the information-sharing API."""

from typing import Any

from rest_framework import serializers

from sightline.sharing.models import (
    Consent,
    DecisionOrigin,
    NotInformedReason,
    ReferralOutcome,
    SharingOutcome,
    Urgency,
)


class FlagCheckInput(serializers.Serializer[Any]):
    nhs_number = serializers.CharField(max_length=20)
    date_of_birth = serializers.DateField(required=False, allow_null=True)


class AuthoritySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    office_hours_phone = serializers.CharField()
    out_of_hours_phone = serializers.CharField()


class FlagSerializer(serializers.Serializer[Any]):
    plan = serializers.CharField(help_text="child_protection, looked_after or pre_birth")
    plan_label = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    shown_until = serializers.DateField(allow_null=True)
    authority = AuthoritySerializer()


class FlagViewSerializer(serializers.Serializer[Any]):
    """What anyone who finds the child may see: the child protection flag and whom to
    call, not the record. The same fields as the flag check's flag."""

    plan = serializers.CharField(
        source="flag.kind", help_text="child_protection, looked_after or pre_birth"
    )
    plan_label = serializers.CharField(source="label")
    started_on = serializers.DateField(source="flag.started_on")
    ended_on = serializers.DateField(source="flag.ended_on", allow_null=True)
    shown_until = serializers.DateField(
        source="flag.shown_until", allow_null=True, help_text="Null while the plan is open."
    )
    authority = AuthoritySerializer(help_text="The responsible local authority: whom to call.")


class FlaggedPersonSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    nhs_number = serializers.CharField()


class FlagCheckOutput(serializers.Serializer[Any]):
    flagged = serializers.BooleanField()
    person = FlaggedPersonSerializer(allow_null=True)
    flag = FlagSerializer(allow_null=True)


class InvolvedSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField()
    role = serializers.CharField()
    practitioner = serializers.CharField(allow_blank=True)
    job_title = serializers.CharField(allow_blank=True)
    team = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    office_hours_phone = serializers.CharField(allow_blank=True)
    out_of_hours_phone = serializers.CharField(allow_blank=True)
    since = serializers.DateField()
    last_contact = serializers.DateTimeField(allow_null=True)


class AlertEventSerializer(serializers.Serializer[Any]):
    occurred_at = serializers.DateTimeField()
    date_only = serializers.BooleanField()
    agency = serializers.CharField()
    category = serializers.CharField()
    summary = serializers.CharField(
        help_text="The event's summary, or why it is withheld and whom to ask."
    )
    withheld = serializers.CharField(
        allow_blank=True, help_text="The section withheld from you (its label), or empty."
    )
    corrected = serializers.BooleanField(help_text="A later revision corrects this event.")


class InboxItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    named = serializers.BooleanField(
        help_text="Whether you may see the child: otherwise no name, no summary, no link."
    )
    summary = serializers.CharField()
    person = serializers.UUIDField(allow_null=True)
    person_name = serializers.CharField(allow_blank=True)
    events = AlertEventSerializer(many=True)
    more_events = serializers.IntegerField(help_text="Events of the alert not listed.")
    ask = serializers.CharField(allow_blank=True, help_text="Whom to ask, when not named.")
    referral = serializers.UUIDField(allow_null=True)
    inbox = serializers.CharField(help_text="'mine' or the team's name (duty inbox)")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class InboxSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField()
    items = InboxItemSerializer(many=True)


class ReferralInput(serializers.Serializer[Any]):
    person = serializers.UUIDField()
    to_team = serializers.IntegerField(allow_null=True, help_text="The receiving team's id")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    reason = serializers.CharField(max_length=4000, allow_blank=True)
    shared = serializers.CharField(max_length=4000, allow_blank=True, required=False)


class OutcomeInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices)
    reason = serializers.CharField(max_length=4000, allow_blank=True, required=False)
    redirect_to = serializers.IntegerField(required=False, allow_null=True)


class ReferralSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    person = serializers.UUIDField(source="person.public_id")
    from_agency = serializers.CharField(source="from_agency.name")
    to_team = serializers.CharField(source="to_team.name")
    urgency = serializers.CharField()
    reason = serializers.CharField()
    shared = serializers.CharField()
    raised_at = serializers.DateTimeField()
    acknowledge_by = serializers.DateTimeField()
    deadline_rule = serializers.CharField()
    status = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    outcome_reason = serializers.CharField(allow_blank=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    redirected_to = serializers.UUIDField(source="redirected_to.public_id", allow_null=True)


class SharingDecisionInput(serializers.Serializer[Any]):
    person = serializers.UUIDField(help_text="The child's public id")
    outcome = serializers.ChoiceField(choices=SharingOutcome.choices)
    what = serializers.CharField(max_length=4000, help_text="What was shared, or asked for")
    why = serializers.CharField(max_length=4000)
    with_agency = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="An agency code"
    )
    with_user = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="A named recipient's username"
    )
    lawful_basis = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="A configured lawful basis's code; blank for the default "
        "(safeguarding, or police_safeguarding for the police)",
    )
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_not_sought_reason = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Required when not_sought"
    )
    family_informed = serializers.BooleanField()
    not_informed_reason = serializers.ChoiceField(
        choices=NotInformedReason.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the family was not informed",
    )
    not_informed_detail = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Required for other"
    )


class SharingDecisionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    person = serializers.UUIDField(
        allow_null=True, help_text="Null when you may not open the child's record"
    )
    decided_at = serializers.DateTimeField()
    decided_by = serializers.CharField()
    agency = serializers.CharField()
    outcome = serializers.ChoiceField(choices=SharingOutcome.choices)
    about = serializers.ChoiceField(choices=DecisionOrigin.choices)
    what = serializers.CharField()
    why = serializers.CharField()
    with_agency = serializers.CharField(allow_null=True)
    with_user = serializers.CharField(allow_null=True)
    lawful_basis = serializers.CharField()
    lawful_basis_source = serializers.CharField()
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_not_sought_reason = serializers.CharField()
    family_informed = serializers.BooleanField()
    not_informed_reason = serializers.CharField()
    not_informed_detail = serializers.CharField()
