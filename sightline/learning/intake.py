"""Completed reviews enter the coding queue by themselves (issue #15).

A rapid review completed in Sightline (its third partner sign-off) and a local child
safeguarding practice review published in Sightline become a ``ReviewDocument`` for two
analysts to code, with the child's details as recorded on the notification: nobody types
them in again. Called by the incidents actions in their transaction; a review already
entered is left alone.
"""

import datetime as dt

from django.utils import timezone

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.incidents.models import (
    DEATHS,
    LocalReview,
    NotifiedChild,
    RapidReview,
    SeriousIncidentNotification,
)
from sightline.learning import national
from sightline.learning.models import AuthorityRegion, ReviewDocument, ReviewKind

_SEX = {"F": "female", "M": "male"}


def _nature(notification: SeriousIncidentNotification) -> str:
    if notification.nature in DEATHS:
        return "death"
    return "serious_harm" if notification.nature == "serious_harm" else "other"


def _rapid_review_text(review: RapidReview) -> str:
    notification = review.notification
    parts = [f"Case outline\n{notification.case_outline}"]
    for summary in review.summaries.select_related("agency").order_by("agency__name"):
        if summary.submitted_at is None:
            continue
        parts.append(
            f"{summary.agency.name}\nInvolvement: {summary.involvement}\n"
            f"Analysis: {summary.analysis}\nLearning: {summary.learning}"
        )
    if review.meeting_notes:
        parts.append(f"Rapid review meeting\n{review.meeting_notes}")
    if review.decision_reasons:
        needed = "needed" if review.local_review_needed else "not needed"
        parts.append(f"Local review {needed}\n{review.decision_reasons}")
    return "\n\n".join(parts)


def _enter(
    *,
    actor: User,
    origin: Origin,
    notification: SeriousIncidentNotification,
    kind: ReviewKind,
    reference: str,
    title: str,
    text: str,
    completed_on: dt.date | None,
) -> ReviewDocument | None:
    if ReviewDocument.objects.filter(reference=reference).exists():
        return None
    child = NotifiedChild.objects.filter(notification=notification).order_by("id").first()
    kinds = set(
        Agency.objects.filter(name__in=child.agencies_known if child else []).values_list(
            "kind", flat=True
        )
    )
    region = (
        AuthorityRegion.objects.filter(local_authority_id=notification.local_authority_id)
        .values_list("region", flat=True)
        .first()
    )
    document = ReviewDocument.objects.create(
        reference=reference,
        kind=kind,
        title=title,
        text=text,
        notified_on=notification.submitted_on or notification.aware_on,
        completed_on=completed_on,
        local_authority=notification.local_authority.name,
        region=region or "",
        nature=_nature(notification),
        age_band=national.age_group(child.age_at_incident if child else None),
        sex=_SEX.get((child.sex if child else "").strip().upper()[:1], "unknown"),
        ethnicity=national.ethnic_group(child.ethnicity if child else ""),
        disability=national.disability_group(child.disability if child else ""),
        known_to_social_care=AgencyKind.CHILDRENS_SOCIAL_CARE in kinds
        or bool(child and (child.child_in_need or child.child_protection_plan)),
        child_protection_plan=bool(child and child.child_protection_plan),
        child_in_need_plan=bool(child and child.child_in_need),
        looked_after=bool(child and child.looked_after),
        known_to_police=AgencyKind.POLICE in kinds,
        known_to_health=AgencyKind.HEALTH in kinds,
        known_to_education=AgencyKind.EDUCATION in kinds,
        notification=notification,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_REVIEW_DOCUMENT,
        origin=origin,
        detail={
            "review": document.reference,
            "notification": notification.reference,
            "entered": "on completion",
        },
    )
    return document


def enter_rapid_review(
    *, actor: User, origin: Origin, review: RapidReview
) -> ReviewDocument | None:
    """The completed rapid review into the coding queue (None: already there)."""
    notification = review.notification
    return _enter(
        actor=actor,
        origin=origin,
        notification=notification,
        kind=ReviewKind.RAPID,
        reference=f"{notification.reference}-RR",
        title=f"Rapid review of {notification.reference} ({notification.local_authority.name})",
        text=_rapid_review_text(review),
        completed_on=review.completed_on,
    )


def enter_local_review(
    *, actor: User, origin: Origin, local_review: LocalReview
) -> ReviewDocument | None:
    """The published local review into the coding queue (None: already there)."""
    review = local_review.review
    notification = review.notification
    text = (
        f"Terms of reference\n{local_review.terms_of_reference}\n\n"
        f"Reviewer: {local_review.reviewer}\n\n{_rapid_review_text(review)}"
    )
    return _enter(
        actor=actor,
        origin=origin,
        notification=notification,
        kind=ReviewKind.LOCAL,
        reference=f"{notification.reference}-LR",
        title=f"Local child safeguarding practice review of {notification.reference} "
        f"({notification.local_authority.name})",
        text=text,
        completed_on=local_review.published_on,
    )
