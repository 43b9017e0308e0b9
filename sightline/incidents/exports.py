"""Exports: the notification as JSON and PDF, the rapid review as PDF.

PDFs are rendered by weasyprint from a self-contained template (styles inline, no
images) with a URL fetcher that refuses every URL: a PDF never reaches the network or
the file system, whatever ends up in the entered text.
"""

import datetime as dt
from typing import Any

import weasyprint
from django.template.loader import render_to_string

from sightline.incidents.models import RapidReview, SeriousIncidentNotification


class NoFetching(weasyprint.URLFetcher):  # type: ignore[misc]
    """Refuses every URL (http, https, file, data): exports are self-contained."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"Sightline PDFs do not fetch resources ({url[:80]})")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, context)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=NoFetching())
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)  # noqa: S101 - write_pdf() without a target returns bytes
    return pdf


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def notification_document(notification: SeriousIncidentNotification) -> dict[str, Any]:
    """What the official form asks, as plain data (the JSON export)."""
    return {
        "reference": notification.reference,
        "id": str(notification.public_id),
        "notifier": {
            "name": str(notification.notifier),
            "job_title": notification.notifier.job_title,
            "email": notification.notifier.email,
            "agency": notification.local_authority.name,
        },
        "safeguarding_partners": {
            "local_authority": notification.local_authority.name,
            "police": notification.police.name,
            "integrated_care_board": notification.integrated_care_board.name,
        },
        "incident_on": _date(notification.incident_on),
        "aware_on": _date(notification.aware_on),
        "nature": notification.nature,
        "nature_label": notification.get_nature_display(),
        "nature_details": notification.nature_details,
        "case_outline": notification.case_outline,
        "police_involvement": notification.police_involvement,
        "police_involvement_label": notification.get_police_involvement_display(),
        "police_details": notification.police_details,
        "deadline": {
            "due_on": _date(notification.due_on),
            "rule": notification.due_rule,
            "rule_version": notification.due_rule_version,
            "submitted_on": _date(notification.submitted_on),
            "met": notification.met_deadline,
        },
        "children": [
            {
                "id": str(child.person.public_id),
                "name": child.name,
                "date_of_birth": _date(child.date_of_birth),
                "sex": child.sex,
                "age_at_incident": child.age_at_incident,
                "ethnicity": child.ethnicity,
                "disability": child.disability,
                "placement_type": child.placement_type,
                "child_in_need": child.child_in_need,
                "child_protection_plan": child.child_protection_plan,
                "protection_category": child.protection_category,
                "looked_after": child.looked_after,
                "agencies_known": child.agencies_known,
                "key_relationships": child.key_relationships,
                "alleged_perpetrator_relationship": child.perpetrator_relationship,
            }
            for child in notification.children.select_related("person")
        ],
    }


def notification_pdf(notification: SeriousIncidentNotification) -> bytes:
    return render_pdf(
        "incidents/pdf/notification.html",
        {"notification": notification, "doc": notification_document(notification)},
    )


def review_pdf(review: RapidReview) -> bytes:
    return render_pdf(
        "incidents/pdf/rapid_review.html",
        {
            "review": review,
            "notification": review.notification,
            "doc": notification_document(review.notification),
            "summaries": review.summaries.select_related("agency", "contributor"),
            "actions": review.actions.select_related("owner"),
            "sign_offs": review.sign_offs.select_related("agency", "signed_by"),
        },
    )
