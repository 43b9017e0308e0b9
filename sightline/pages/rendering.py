"""The child's page's repeated markup, written in Python: the chronology's events and the
filter's checkboxes and radios.

Django's template language resolves every ``{{ variable }}`` through several lookups;
for 50 events and ~50 filter options a page that was about a fifth of its time. These
functions write the same characters the templates wrote (``tests/test_rendering.py``
compares them with those templates), escaping every value.
"""

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from sightline.core import dates
from sightline.core.templatetags.sightline import html_attrs, significance_tag
from sightline.record.chronology import EventRow


class _Timed(Protocol):
    @property
    def occurred_at(self) -> dt.datetime: ...

    @property
    def date_only(self) -> bool: ...


@dataclass(frozen=True)
class EventTimes:
    """When an event happened, written as the chronology shows it (in local time): built
    once per event here rather than by four date filters per row in the template."""

    iso: str  # data-occurred-at
    datetime_attr: str  # <time datetime="...">: the date alone for date-only events
    date_text: str  # 26 November 2026
    time_text: str  # 3:05pm, 9am, midday (core.dates.time_of_day)

    @classmethod
    def of(cls, event: "_Timed") -> "EventTimes":
        # Django's date format characters c, Y-m-d, "j F Y" and "g:iA", written out (the
        # same text: tests compare them with the date filters).
        when = timezone.localtime(event.occurred_at)
        iso = when.isoformat()
        return cls(
            iso=iso,
            datetime_attr=f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
            if event.date_only
            else iso,
            date_text=f"{when.day} {MONTHS[when.month]} {when.year:04d}",
            time_text=dates.time_of_day(when),
        )


def _e(value: object) -> str:
    """A value as ``{{ value }}`` writes it with autoescaping on: Django's
    ``conditional_escape`` (safe text as it is, anything else through ``html.escape``),
    without its wrappers for lazy text, called some 13,000 times a page."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _event_item(event: EventRow, when: EventTimes) -> str:
    superseded = event.is_superseded
    parts = [
        '\n    <div class="moj-timeline__item app-chronology__item',
        " app-chronology__item--superseded" if superseded else "",
        f'" id="event-{_e(event.pk)}" data-agency="{_e(event.agency.code)}"'
        f' data-occurred-at="{_e(when.iso)}">\n'
        '      <div class="moj-timeline__header">\n'
        f'        <h3 class="moj-timeline__title">{_e(event.category.label)}</h3>\n'
        f'        <p class="moj-timeline__byline">by {_e(event.agency.name)}',
        f" ({_e(event.practitioner)})" if event.practitioner else "",
        "</p>\n"
        "      </div>\n"
        '      <p class="moj-timeline__date">\n'
        f'        <time datetime="{_e(when.datetime_attr)}">{_e(when.date_text)}',
        "" if event.date_only else f" at {_e(when.time_text)}",
        '</time>\n      </p>\n      <div class="moj-timeline__description">\n        ',
    ]
    if event.significance or superseded or event.supersedes:
        parts.append('\n        <p class="app-chronology__tags">\n          ')
        if event.significance:
            parts.append(
                f'<strong class="govuk-tag {_e(significance_tag(event.significance))}">'
                f"{_e(event.significance_label)} significance</strong>"
            )
        parts.append("\n          ")
        if superseded:
            parts.append(
                '<strong class="govuk-tag govuk-tag--grey">Superseded by a correction</strong>'
            )
        elif event.supersedes:
            parts.append('<strong class="govuk-tag govuk-tag--blue">Correction</strong>')
        parts.append("\n        </p>\n        ")
    parts += [
        '\n        <p class="app-chronology__summary">',
        '<span class="govuk-visually-hidden">Superseded entry: </span>' if superseded else "",
        f"{_e(event.summary)}</p>\n      </div>\n    </div>\n    ",
    ]
    return "".join(parts)


def event_items(rows: Iterable[tuple[EventRow, EventTimes]]) -> SafeString:
    """The chronology's events, as the loop in ``people/_chronology.html`` wrote them."""
    return mark_safe("".join(_event_item(event, when) for event, when in rows))  # noqa: S308 - every value is escaped


def choice_items(
    *,
    input_type: str,  # checkbox or radio
    name: str,
    options: Sequence[tuple[str, str, dict[str, object]]],  # value, label, attributes
) -> str:
    """GOV.UK checkbox or radio items, as ``forms/govuk/field.html`` wrote each option."""
    group = "checkboxes" if input_type == "checkbox" else "radios"
    items = []
    for value, label, attrs in options:
        items.append(
            f'\n      <div class="govuk-{group}__item">\n'
            f'        <input type="{input_type}" name="{html.escape(name)}" value="{html.escape(value)}"'
            f"{html_attrs(attrs)}>\n"
            f'        <label class="govuk-label govuk-{group}__label" for="{_e(attrs.get("id"))}">'
            f"{_e(label)}</label>\n"
            "      </div>\n"
            "      "
        )
    return "".join(items)
