"""The child's page's events and filter options written in Python (``pages.rendering``)
are the same characters as the templates that wrote them before."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.template import engines

from sightline.pages.forms import ChronologyFilterForm
from sightline.pages.rendering import EventTimes, event_items
from sightline.record.chronology import AgencyRef, CategoryRef, EventRef, EventRow

# The loop of people/_chronology.html before the events were written in Python.
EVENTS_TEMPLATE = """{% load sightline %}{% for event, when in event_rows %}
    <div class="moj-timeline__item app-chronology__item{% if event.is_superseded %} app-chronology__item--superseded{% endif %}" id="event-{{ event.pk }}" data-agency="{{ event.agency.code }}" data-occurred-at="{{ when.iso }}">
      <div class="moj-timeline__header">
        <h3 class="moj-timeline__title">{{ event.category.label }}</h3>
        <p class="moj-timeline__byline">by {{ event.agency.name }}{% if event.practitioner %} ({{ event.practitioner }}){% endif %}</p>
      </div>
      <p class="moj-timeline__date">
        <time datetime="{{ when.datetime_attr }}">{{ when.date_text }}{% if not event.date_only %} at {{ when.time_text }}{% endif %}</time>
      </p>
      <div class="moj-timeline__description">
        {% if event.significance or event.is_superseded or event.supersedes %}
        <p class="app-chronology__tags">
          {% if event.significance %}<strong class="govuk-tag {{ event.significance|significance_tag }}">{{ event.significance_label }} significance</strong>{% endif %}
          {% if event.is_superseded %}<strong class="govuk-tag govuk-tag--grey">Superseded by a correction</strong>{% elif event.supersedes %}<strong class="govuk-tag govuk-tag--blue">Correction</strong>{% endif %}
        </p>
        {% endif %}
        <p class="app-chronology__summary">{% if event.is_superseded %}<span class="govuk-visually-hidden">Superseded entry: </span>{% endif %}{{ event.summary }}</p>
      </div>
    </div>
    {% endfor %}"""


def _row(n: int, **changes: object) -> EventRow:
    values: dict[str, object] = {
        "pk": 1000 + n,
        "agency": AgencyRef("POL<1>", 'Police "North" & <East>'),
        "event_id": f"E{n}",
        "revision": 1,
        "occurred_at": dt.datetime(2026, 7, 5, 23, 30, tzinfo=dt.UTC) + dt.timedelta(days=n),
        "date_only": False,
        "recorded_at": dt.datetime(2026, 7, 6, 9, 0, tzinfo=dt.UTC),
        "category": CategoryRef("arrest", "Arrest & <charge>"),
        "summary": "Seen with <b>someone</b> at 'the park' & left",
        "significance": "high",
        "practitioner": "PC O'Neil <5>",
        "is_superseded": False,
        "supersedes": None,
        "subject_record_id": "R1",
        "other_record_ids": (),
    }
    values.update(changes)
    return EventRow(**values)  # type: ignore[arg-type]


ROWS = [
    _row(0),
    _row(1, significance="", practitioner=""),
    _row(2, significance="medium", is_superseded=True),
    _row(3, significance="low", supersedes=EventRef("E2", 1), date_only=True),
    _row(4, significance="", supersedes=EventRef("E2", 1)),
    _row(5, significance="", is_superseded=True, practitioner=""),
    _row(
        6, withheld_section="Police intelligence", summary="Withheld: ask Police", practitioner=""
    ),
]


def test_the_events_are_written_as_the_template_wrote_them():
    event_rows = [(row, EventTimes.of(row)) for row in ROWS]
    expected = engines["django"].from_string(EVENTS_TEMPLATE).render({"event_rows": event_rows})
    assert event_items(event_rows) == expected
    assert event_items([]) == ""


# forms/govuk/field.html's options before they were written in Python, for a form whose
# widgets are Django's own.
class DjangoWidgetsForm(ChronologyFilterForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        from django import forms

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("agency", "significance", "category"):
            old = self.fields[name].widget
            self.fields[name].widget = forms.CheckboxSelectMultiple(attrs=old.attrs)
            self.fields[name].widget.choices = old.choices
        old = self.fields["order"].widget
        self.fields["order"].widget = forms.RadioSelect(attrs=old.attrs)
        self.fields["order"].widget.choices = old.choices
        for name in ("date_from", "date_to"):
            old = self.fields[name].widget
            self.fields[name].widget = forms.DateInput(
                attrs={"type": "date", **old.attrs}, format=old.format
            )


AGENCIES = [
    ("CSC", "Children's social care"),
    ("POL", 'Police <"North">'),
    ("H&1", "Health & care"),
]
CATEGORIES = [("arrest", "Arrest"), ("referral", "Referral <new>"), ("visit", "Home visit")]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "order=asc",
        "order=desc&agency=POL&agency=H%261&significance=high&category=visit",
        "agency=NOPE&order=sideways&date_from=2026-02-30",  # errors: aria-invalid
        "category=arrest&category=referral&category=visit&significance=low&significance=medium",
        "date_from=2026-02-01&date_to=2026-03-01",
        "date_from=%22%3E%3Cb%3E&date_to=2026-01-01",  # a typed value, escaped
    ],
)
def test_the_filter_options_are_written_as_the_template_wrote_them(query):
    data = QueryDict(query)
    fast = ChronologyFilterForm(data, agencies=AGENCIES, categories=CATEGORIES)
    slow = DjangoWidgetsForm(data, agencies=AGENCIES, categories=CATEGORIES)
    assert fast.is_valid() == slow.is_valid()
    # The old form goes through the template's loop over subwidgets; the new one does not.
    assert slow["category"].widget_type == "checkboxselectmultiple"
    assert slow["order"].widget_type == "radioselect"
    assert fast["category"].widget_type not in {"checkboxselectmultiple", "radioselect"}
    assert type(slow.fields["date_from"].widget) is not type(fast.fields["date_from"].widget)
    for name in ("agency", "significance", "category", "date_from", "date_to", "order"):
        assert fast[name].as_field_group() == slow[name].as_field_group(), name
    if "NOPE" in query:
        assert 'aria-invalid="true"' in fast["agency"].as_field_group()
    if "desc" in query:
        assert "checked" in fast["order"].as_field_group()
