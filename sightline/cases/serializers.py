"""Input and output of the case API. Codes are the DfE's (``sightline.returns.codes``)."""

from typing import Any

from rest_framework import serializers

from sightline.cases.models import (
    CASE_MODELS,
    ConferenceKind,
    ConferenceOutcome,
    StrategyOutcome,
)
from sightline.people.models import RelationshipKind
from sightline.returns import codes

# -- output -------------------------------------------------------------------------------


class _Row(serializers.Serializer[Any]):
    """What every case row says about itself."""

    id = serializers.UUIDField(source="public_id")
    recording_agency = serializers.CharField(source="recording_agency.code")
    recorded_at = serializers.DateTimeField()
    # Where the row came from ("sightline" or an import run); shadows Field.source.
    source = serializers.CharField()  # type: ignore[assignment]
    external_id = serializers.CharField()


class EpisodeSerializer(_Row):
    referral_date = serializers.DateField()
    referral_source = serializers.CharField()
    primary_need = serializers.CharField()
    referral_nfa = serializers.BooleanField()
    closure_date = serializers.DateField(allow_null=True)
    closure_reason = serializers.CharField()
    date_of_initial_cpc = serializers.DateField(allow_null=True)


class _EpisodePart(_Row):
    episode = serializers.UUIDField(source="episode.public_id")


class AssessmentSerializer(_EpisodePart):
    start_date = serializers.DateField()
    internal_review_date = serializers.DateField(allow_null=True)
    authorisation_date = serializers.DateField(allow_null=True)
    factors = serializers.ListField(child=serializers.CharField())


class CINPlanSerializer(_EpisodePart):
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class StrategyDiscussionSerializer(_EpisodePart):
    date = serializers.DateField()
    outcome = serializers.CharField()


class Section47Serializer(_EpisodePart):
    start_date = serializers.DateField()
    initial_cpc_target = serializers.DateField(allow_null=True)
    date_of_initial_cpc = serializers.DateField(allow_null=True)
    icpc_not_required = serializers.BooleanField()


class ConferenceSerializer(_EpisodePart):
    kind = serializers.CharField()
    date = serializers.DateField()
    outcome = serializers.CharField()
    plan = serializers.UUIDField(source="plan.public_id", allow_null=True)


class PlanSerializer(_EpisodePart):
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    initial_category = serializers.CharField()
    latest_category = serializers.CharField()
    number_of_previous_cpp = serializers.IntegerField()


class ReviewSerializer(_Row):
    plan = serializers.UUIDField(source="plan.public_id")
    review_date = serializers.DateField()


class CoreGroupMemberSerializer(_Row):
    plan = serializers.UUIDField(source="plan.public_id")
    person = serializers.UUIDField(source="person.public_id", allow_null=True)
    person_name = serializers.CharField(source="person.full_name", allow_null=True)
    agency = serializers.CharField(source="agency.name", allow_null=True)
    practitioner = serializers.CharField(source="practitioner.username", allow_null=True)
    proposed = serializers.BooleanField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class LookedAfterEpisodeSerializer(_Row):
    decom = serializers.DateField()
    rne = serializers.CharField()
    ls = serializers.CharField()
    cin = serializers.CharField()
    place = serializers.CharField()
    place_provider = serializers.CharField()
    dec = serializers.DateField(allow_null=True)
    rec = serializers.CharField()
    reason_place_change = serializers.CharField()
    home_post = serializers.CharField()
    pl_post = serializers.CharField()
    urn = serializers.CharField()


class LookedAfterReviewSerializer(_Row):
    review = serializers.DateField()
    review_code = serializers.CharField()


class MissingEpisodeSerializer(_Row):
    missing = serializers.CharField()
    mis_start = serializers.DateField()
    mis_end = serializers.DateField(allow_null=True)
    rhi_offered = serializers.BooleanField(allow_null=True)
    rhi_accepted = serializers.BooleanField(allow_null=True)


class AllocationSerializer(_Row):
    worker = serializers.CharField(source="worker.username", allow_null=True)
    team = serializers.CharField(source="team.name", allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    reason_for_change = serializers.CharField()


class FamilySerializer(serializers.Serializer[Any]):
    person = serializers.UUIDField(source="person.public_id")
    person_name = serializers.CharField(source="person.full_name")
    kind = serializers.CharField(help_text="person is <kind> of relative")
    relative = serializers.UUIDField(source="relative.public_id")
    relative_name = serializers.CharField(source="relative.full_name")
    lives_with = serializers.BooleanField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class DeadlineSerializer(serializers.Serializer[Any]):
    step = serializers.CharField()
    started_on = serializers.DateField()
    due_on = serializers.DateField()
    rule_version = serializers.CharField()
    responsible = serializers.CharField(source="responsible.username")


class HistorySerializer(_Row):
    kind = serializers.SerializerMethodField()
    description = serializers.CharField(source="__str__")
    superseded = serializers.SerializerMethodField()
    correction_reason = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField()

    def get_kind(self, row: Any) -> str:
        return str(row._meta.model_name)

    def get_superseded(self, row: Any) -> bool:
        return hasattr(row, "superseded_by")


class CaseSerializer(serializers.Serializer[Any]):
    child = serializers.UUIDField(source="child.public_id")
    episodes = EpisodeSerializer(many=True)
    assessments = AssessmentSerializer(many=True)
    cin_plans = CINPlanSerializer(many=True)
    strategy_discussions = StrategyDiscussionSerializer(many=True)
    section47s = Section47Serializer(many=True)
    conferences = ConferenceSerializer(many=True)
    plans = PlanSerializer(many=True)
    reviews = ReviewSerializer(many=True)
    core_group = CoreGroupMemberSerializer(many=True)
    looked_after_episodes = LookedAfterEpisodeSerializer(many=True)
    looked_after_reviews = LookedAfterReviewSerializer(many=True)
    missing_episodes = MissingEpisodeSerializer(many=True)
    allocations = AllocationSerializer(many=True)
    family = FamilySerializer(many=True)
    deadlines = DeadlineSerializer(many=True)
    history = HistorySerializer(many=True)


# -- input --------------------------------------------------------------------------------


def _codes(codes_of: Any, *, required: bool = True) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=codes.choices(codes_of), required=required, allow_blank=not required
    )


class _Reasons(serializers.Serializer[Any]):
    """The decision a recorded step makes on the clock, when one is open."""

    reasons = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    history_considered = serializers.BooleanField(required=False, default=False)
    history_summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class EpisodeInput(serializers.Serializer[Any]):
    referral_date = serializers.DateField()
    referral_source = _codes(codes.REFERRAL_SOURCE)
    primary_need = _codes(codes.PRIMARY_NEED, required=False)
    referral_nfa = serializers.BooleanField(required=False, default=False)


class AllocationInput(serializers.Serializer[Any]):
    worker = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="The worker's username."
    )
    team = serializers.IntegerField(required=False, allow_null=True, help_text="A team id.")
    start_date = serializers.DateField()
    reason_for_change = serializers.CharField(max_length=200, required=False, allow_blank=True)


class StrategyDiscussionInput(_Reasons):
    episode = serializers.UUIDField()
    date = serializers.DateField()
    outcome = serializers.ChoiceField(choices=StrategyOutcome.choices)


class ConferenceInput(_Reasons):
    episode = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ConferenceKind.choices)
    date = serializers.DateField()
    outcome = serializers.ChoiceField(choices=ConferenceOutcome.choices)
    category = _codes(codes.CP_CATEGORY, required=False)
    plan = serializers.UUIDField(required=False, allow_null=True)


class LookedAfterStartInput(serializers.Serializer[Any]):
    decom = serializers.DateField()
    ls = _codes(codes.LEGAL_STATUS)
    cin = serializers.ChoiceField(choices=sorted(codes.PRIMARY_NEED_903))
    place = _codes(codes.PLACEMENT)
    place_provider = _codes(codes.PLACEMENT_PROVIDER, required=False)
    home_post = serializers.CharField(max_length=8, required=False, allow_blank=True)
    pl_post = serializers.CharField(max_length=8, required=False, allow_blank=True)
    urn = serializers.CharField(max_length=8, required=False, allow_blank=True)


class LookedAfterChangeInput(serializers.Serializer[Any]):
    episode = serializers.UUIDField()
    on = serializers.DateField()
    ls = _codes(codes.LEGAL_STATUS, required=False)
    place = _codes(codes.PLACEMENT, required=False)
    place_provider = _codes(codes.PLACEMENT_PROVIDER, required=False)
    pl_post = serializers.CharField(max_length=8, required=False, allow_blank=True)
    urn = serializers.CharField(max_length=8, required=False, allow_blank=True)
    reason_place_change = serializers.CharField(max_length=6, required=False, allow_blank=True)
    same_carer = serializers.BooleanField(required=False, default=False)


class LookedAfterEndInput(serializers.Serializer[Any]):
    episode = serializers.UUIDField()
    dec = serializers.DateField()
    rec = _codes(codes.REASON_EPISODE_CEASED)


KINDS = {str(model._meta.model_name): model for model in CASE_MODELS}
KIND_CHOICES = [(name, str(model._meta.verbose_name)) for name, model in sorted(KINDS.items())]


class CorrectionInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    record = serializers.UUIDField()
    changes = serializers.DictField(help_text="field -> new value, in the output's terms")
    reason = serializers.CharField(max_length=500)


class WithdrawalInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    record = serializers.UUIDField()
    reason = serializers.CharField(max_length=500)


class EpisodeCloseInput(serializers.Serializer[Any]):
    episode = serializers.UUIDField()
    closure_date = serializers.DateField()
    closure_reason = _codes(codes.CLOSURE_REASON)


class AssessmentInput(serializers.Serializer[Any]):
    episode = serializers.UUIDField()
    start_date = serializers.DateField()
    internal_review_date = serializers.DateField(required=False, allow_null=True)


class AssessmentAuthoriseInput(serializers.Serializer[Any]):
    assessment = serializers.UUIDField()
    authorisation_date = serializers.DateField()
    factors = serializers.ListField(child=_codes(codes.ASSESSMENT_FACTOR), allow_empty=False)


class CINPlanInput(serializers.Serializer[Any]):
    episode = serializers.UUIDField()
    start_date = serializers.DateField()


class CINPlanEndInput(serializers.Serializer[Any]):
    plan = serializers.UUIDField()
    end_date = serializers.DateField()


class CoreGroupInput(serializers.Serializer[Any]):
    plan = serializers.UUIDField()
    started_on = serializers.DateField()
    practitioner = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="A username."
    )
    agency = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="An agency code."
    )
    person = serializers.UUIDField(
        required=False, allow_null=True, help_text="A family member (a person you may see)."
    )


class FamilyInput(serializers.Serializer[Any]):
    relative = serializers.UUIDField(help_text="The family member (a person you may see).")
    kind = serializers.ChoiceField(
        choices=RelationshipKind.choices, help_text="relative is <kind> of the child"
    )
    lives_with = serializers.BooleanField(default=False)
    started_on = serializers.DateField(required=False, allow_null=True)


class FamilyEndInput(serializers.Serializer[Any]):
    relative = serializers.UUIDField(help_text="The family member.")
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    ended_on = serializers.DateField(help_text="The relationship's last day.")
    reason = serializers.CharField(max_length=2000)


class CoreGroupMemberInput(serializers.Serializer[Any]):
    member = serializers.UUIDField()
    ended_on = serializers.DateField(required=False, allow_null=True)


class LookedAfterReviewInput(serializers.Serializer[Any]):
    review = serializers.DateField()
    review_code = _codes(codes.REVIEW_PARTICIPATION)


class MissingInput(serializers.Serializer[Any]):
    missing = _codes(codes.MISSING_KIND)
    mis_start = serializers.DateField()
    mis_end = serializers.DateField(required=False, allow_null=True)
    rhi_offered = serializers.BooleanField(required=False, allow_null=True, default=None)
    rhi_accepted = serializers.BooleanField(required=False, allow_null=True, default=None)
