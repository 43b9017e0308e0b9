"""Who may review matches, merge and un-merge: team managers and safeguarding leads.

A reviewer sees the two source records' identity fields side by side: that is the evidence
they decide on. Each view of a review writes one audit row per person it shows. Anyone
else gets a 404, not a 403: the queue's existence and contents are not revealed.
"""

from django.http import Http404

from sightline.accounts.models import User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.linkage.models import MatchReview, PersonMerge
from sightline.linkage.queries import is_reviewer, merges_visible_to, reviews_visible_to


def require_reviewer(user: User) -> None:
    if not is_reviewer(user):
        raise Http404("No such page")


def access_review(user: User, review_id: int, *, origin: Origin) -> MatchReview:
    """The review if ``user`` may decide it, with the views audited; otherwise 404."""
    review = reviews_visible_to(user).filter(pk=review_id).first()
    if review is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "match_review", "requested": review_id},
        )
        raise Http404("No such review")
    for person in {review.record_a.person, review.record_b.person}:
        record_audit(
            actor=user,
            action=AuditAction.VIEW_PERSON,
            origin=origin,
            person=person,
            detail={"via": "match review", "review": review.pk},
        )
    return review


def access_merge(user: User, merge_id: int) -> PersonMerge:
    merge = merges_visible_to(user).filter(pk=merge_id).first()
    if merge is None:
        raise Http404("No such merge")
    return merge
