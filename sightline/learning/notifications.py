"""Adapter from the incidents app's notifications to the rows the national tables count.

A notification counts in the financial year it was sent to the national panel
(``submitted_on``); one not yet sent is not counted. Each child on it is one row, in
the release's categories: free-text sex, ethnicity and disability recorded on the
notification are mapped to them here, and the region comes from ``AuthorityRegion``.
"""

import datetime as dt

from django.conf import settings

from sightline.incidents.models import DEATHS, NotifiedChild
from sightline.learning import national, statistics
from sightline.learning.models import AuthorityRegion, Region

_SEX = {"F": "female", "M": "male"}


def notified_children(start: dt.date, end: dt.date) -> list[national.NotifiedChildRow]:
    """Every child on a notification sent to the panel between ``start`` and ``end``."""
    regions = dict(AuthorityRegion.objects.values_list("local_authority_id", "region"))
    children = NotifiedChild.objects.filter(
        notification__submitted_on__range=(start, end)
    ).select_related("notification__local_authority")
    rows = []
    for child in children:
        notification = child.notification
        assert notification.submitted_on is not None  # noqa: S101 - filtered above
        rows.append(
            national.NotifiedChildRow(
                notification=notification.reference,
                notified_on=notification.submitted_on,
                local_authority=notification.local_authority.name,
                region=regions.get(notification.local_authority_id, national.NOT_RECORDED),
                nature=(
                    "death"
                    if notification.nature in DEATHS
                    else "serious_harm"
                    if notification.nature == "serious_harm"
                    else "other"
                ),
                sex=_SEX.get(child.sex.strip().upper()[:1], "unknown"),
                age_group=national.age_group(child.age_at_incident),
                ethnicity=national.ethnic_group(child.ethnicity),
                disability=national.disability_group(child.disability),
                placement_type=child.placement_type.strip() or "Not recorded",
                child_in_need=child.child_in_need,
                child_protection_plan=child.child_protection_plan,
                looked_after=child.looked_after,
                known_to_any_agency=(
                    child.child_in_need
                    or child.child_protection_plan
                    or child.looked_after
                    or bool(child.agencies_known)
                ),
            )
        )
    return rows


def national_tables(year: int) -> national.NationalTables:
    start, end = statistics.financial_year_bounds(year)
    return national.national_tables(
        notified_children(start, end),
        year=year,
        below=int(settings.SIGHTLINE_SUPPRESS_BELOW),
        regions=Region.choices,
    )
