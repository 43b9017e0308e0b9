import datetime as dt

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from sightline.chronology.models import ChronologyEvent
from sightline.core.forms import GOVUK_RENDERER
from sightline.core.templatetags.sightline import html_attrs
from sightline.pages.rendering import EventTimes


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"class": "govuk-checkboxes__input js-chronology-auto", "id": "id_agency_0"},
        {"checked": True, "required": False, "disabled": True},
        {"data-x": 'say "hi" & <bye>', "aria-describedby": mark_safe("a&amp;b")},
        {"min": 3, "step": 0.5, "value": None},
    ],
)
def test_it_writes_attributes_exactly_as_djangos_attrs_template(attrs):
    django_template = GOVUK_RENDERER.get_template("django/forms/widgets/attrs.html")
    assert html_attrs(attrs) == django_template.render({"widget": {"attrs": attrs}})


@pytest.mark.parametrize("date_only", [False, True])
@pytest.mark.parametrize(
    "occurred_at",
    [
        dt.datetime(2026, 1, 5, 9, 7, tzinfo=dt.UTC),  # winter: GMT
        dt.datetime(2026, 7, 5, 23, 30, tzinfo=dt.UTC),  # summer: next day in London
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # the hour that happens twice
        dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC),  # midday
        dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC),  # on the hour: 3pm
    ],
)
def test_it_writes_an_events_time_as_the_date_filters_did(occurred_at, date_only):
    event = ChronologyEvent(occurred_at=occurred_at, date_only=date_only)
    filters = engines["django"].from_string(
        "{{ event.occurred_at|date:'c' }}|"
        "{% if event.date_only %}{{ event.occurred_at|date:'Y-m-d' }}"
        "{% else %}{{ event.occurred_at|date:'c' }}{% endif %}|"
        "{{ event.occurred_at|day }}|{{ event.occurred_at|time_of_day }}"
    )
    when = EventTimes.of(event)
    assert filters.render({"event": event}) == "|".join(
        [when.iso, when.datetime_attr, when.date_text, when.time_text]
    )


@pytest.mark.django_db
def test_agencies_are_named_not_coded(agencies):
    rendered = (
        engines["django"]
        .from_string("{{ codes|agency_names }}|{{ listed|agency_names }}")
        .render({"codes": "CSC,POLICE", "listed": ("HEALTH", "NOPE")})
    )
    assert rendered == (
        "Leeds Children&#x27;s Social Care, West Yorkshire Police|Leeds Health, NOPE"
    )
