"""Who may review matches, merge and un-merge, and the audit of what they are shown.

Reviewers are team managers and safeguarding leads, for the pairs and merges touching a
child they have a legitimate relationship with (the person-view rule, without emergency
access), and data-quality officers, for all of them. A reviewer sees the two source
records' identity fields side by side: that is the evidence they decide on. So every
view is audited against each person shown: the queue and the merges list (one row per
person of each pair or merge listed), and a review (one row per person, naming both).
Anyone else, and a reviewer asking for a pair or merge outside their scope, gets a 404,
not a 403 (the queue's existence and contents are not revealed), and the denial is
audited.
"""

from collections.abc import Iterable, Sequence

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, append_audit, new_audit_event, record_audit
from sightline.audit.models import AuditAction
from sightline.linkage.models import MatchReview, PersonMerge
from sightline.linkage.queries import (
    is_reviewer,
    merges_visible_to,
    reviews_all_pairs,
    reviews_visible_to,
)


def require_reviewer(user: User) -> None:
    if not is_reviewer(user):
        raise Http404("No such page")


def _scope(user: User) -> str:
    return "data quality" if reviews_all_pairs(user) else "relationship"


def _pair_views(
    user: User,
    *,
    origin: Origin,
    via: str,
    pairs: Iterable[tuple[str, int, int, int, str, str]],
) -> None:
    """One audit row per person of each pair shown, naming both persons of the pair."""
    scope = _scope(user)
    events = [
        new_audit_event(
            actor=user,
            action=AuditAction.VIEW_PERSON,
            origin=origin,
            person_id=person_pk,
            detail={"via": via, kind: key, "persons": [first_id, second_id], "scope": scope},
        )
        for kind, key, first_pk, second_pk, first_id, second_id in pairs
        for person_pk in dict.fromkeys((first_pk, second_pk))
    ]
    append_audit(events)


def audit_queue_view(user: User, items: Sequence[MatchReview], *, origin: Origin) -> None:
    """The review queue as shown: every pair listed, against both its persons."""
    _pair_views(
        user,
        origin=origin,
        via="match review queue",
        pairs=(
            (
                "review",
                item.pk,
                item.record_a.person_id,
                item.record_b.person_id,
                str(item.record_a.person.public_id),
                str(item.record_b.person.public_id),
            )
            for item in items
        ),
    )


def audit_merges_view(user: User, merges: Sequence[PersonMerge], *, origin: Origin) -> None:
    """The merges list as shown: every merge listed, against both its persons."""
    _pair_views(
        user,
        origin=origin,
        via="merges",
        pairs=(
            (
                "merge",
                merge.pk,
                merge.survivor_id,
                merge.merged_id,
                str(merge.survivor.public_id),
                str(merge.merged.public_id),
            )
            for merge in merges
        ),
    )


def access_review(user: User, review_id: int, *, origin: Origin) -> MatchReview:
    """The review if ``user`` may see and decide it, with the view audited against both
    persons; otherwise 404 and a denial row."""
    review = reviews_visible_to(user).filter(pk=review_id).first()
    if review is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "match_review", "requested": review_id},
        )
        raise Http404("No such review")
    _pair_views(
        user,
        origin=origin,
        via="match review",
        pairs=[
            (
                "review",
                review.pk,
                review.record_a.person_id,
                review.record_b.person_id,
                str(review.record_a.person.public_id),
                str(review.record_b.person.public_id),
            )
        ],
    )
    return review


def access_merge(user: User, merge_id: int, *, origin: Origin) -> PersonMerge:
    """The merge if ``user`` may undo it; otherwise 404 and a denial row."""
    merge = merges_visible_to(user).filter(pk=merge_id).first()
    if merge is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "undo_merge", "requested": merge_id},
        )
        raise Http404("No such merge")
    return merge
