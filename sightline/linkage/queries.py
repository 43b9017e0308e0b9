"""Reads for identity resolution: records as identities, the review queue, decisions."""

from collections.abc import Iterator

from django.db.models import Q, QuerySet
from django.utils import timezone

from sightline.access.models import CaseRelationship
from sightline.accounts.models import Role, User
from sightline.linkage.features import IdentityRecord, evidence_key
from sightline.linkage.models import LinkDecision, MatchReview, PersonMerge, ReviewStatus
from sightline.people.models import Involvement, SourceRecord
from sightline.record import rules

# Team managers and safeguarding leads review pairs touching a child they are related
# to; data-quality officers review every pair, each view audited (``linkage.access``).
REVIEWER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD, Role.DATA_QUALITY})

_IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "nhs_number",
    "address",
    "postcode",
)


def identity_of(record: SourceRecord) -> IdentityRecord:
    return IdentityRecord(**{name: getattr(record, name) for name in _IDENTITY_FIELDS})


def all_identities(*, chunk: int = 20_000) -> Iterator[tuple[int, int, IdentityRecord]]:
    """Every source record as (pk, agency pk, identity), in pk order, read in chunks."""
    last = 0
    while True:
        rows = list(
            SourceRecord.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "agency_id", *_IDENTITY_FIELDS)[:chunk]
        )
        if not rows:
            return
        for pk, agency_id, *values in rows:
            yield pk, agency_id, IdentityRecord(**dict(zip(_IDENTITY_FIELDS, values, strict=True)))
        last = rows[-1][0]


def is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in REVIEWER_ROLES)


def reviews_all_pairs(user: User) -> bool:
    """A data-quality officer sees every pair (each view audited); other reviewers only
    pairs touching a person they have a relationship with."""
    return is_reviewer(user) and user.role == Role.DATA_QUALITY


def _touching(user: User, *columns: str) -> Q:
    """Rows where a person in any of ``columns`` is one ``user`` has a legitimate
    relationship with today: the person-view rule (``record.rules``) without emergency
    access, read from the user's relationships rather than by testing every person."""
    day = timezone.localdate()
    involved = Involvement.objects.filter(rules.relationship_filter(user, day)).values("person_id")
    seats = CaseRelationship.objects.filter(rules.case_relationship_filter(user, day)).values(
        "person_id"
    )
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__in": involved}) | Q(**{f"{column}__in": seats})
    return condition


def reviews_visible_to(user: User) -> QuerySet[MatchReview]:
    """The review items ``user`` may see and decide: for a team manager or safeguarding
    lead, those where they have a relationship with either record's person; for a
    data-quality officer, all. Nobody else any."""
    if not is_reviewer(user):
        return MatchReview.objects.none()
    items = MatchReview.objects.select_related(
        "record_a__agency", "record_b__agency", "record_a__person", "record_b__person"
    )
    if reviews_all_pairs(user):
        return items
    return items.filter(_touching(user, "record_a__person_id", "record_b__person_id"))


def pending_reviews(user: User) -> QuerySet[MatchReview]:
    return reviews_visible_to(user).filter(status=ReviewStatus.PENDING)


def merges_visible_to(user: User) -> QuerySet[PersonMerge]:
    """The merges ``user`` may see and undo: the same scope as the review queue, on the
    two persons of the merge."""
    if not is_reviewer(user):
        return PersonMerge.objects.none()
    merges = PersonMerge.objects.select_related("survivor", "merged", "merged_by", "undone_by")
    if reviews_all_pairs(user):
        return merges
    return merges.filter(_touching(user, "survivor_id", "merged_id"))


def decisions_in_force() -> Iterator[LinkDecision]:
    """For each pair of records, the latest decision, if the records' identity fields are
    still what they were when it was taken."""
    seen: set[tuple[int, int]] = set()
    decisions = LinkDecision.objects.select_related("record_a", "record_b").order_by(
        "-decided_at", "-id"
    )
    for decision in decisions.iterator(chunk_size=2000):
        pair = (decision.record_a_id, decision.record_b_id)
        if pair in seen:
            continue
        seen.add(pair)
        current = evidence_key(identity_of(decision.record_a), identity_of(decision.record_b))
        if current == decision.evidence_key:
            yield decision


def rejected_evidence() -> set[tuple[int, int, str]]:
    """(record_a, record_b, evidence_key) of every rejected review: not proposed again."""
    return set(
        MatchReview.objects.filter(status=ReviewStatus.REJECTED).values_list(
            "record_a_id", "record_b_id", "evidence_key"
        )
    )
