"""Template filters for Sightline's pages: ``{% load sightline %}`` (a built-in library:
every template has them without loading)."""

import datetime as dt
from collections.abc import Iterable, Mapping

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe

from sightline.agencies.models import Agency
from sightline.chronology.models import Significance
from sightline.core import dates

register = template.Library()


@register.filter
def day(value: object) -> str:
    """``{{ when|day }}``: "4 December 2026" (a date, or a datetime's local date)."""
    if isinstance(value, dt.date):
        return dates.long_date(value)
    return "" if value is None else str(value)


@register.filter
def day_and_time(value: object) -> str:
    """``{{ when|day_and_time }}``: "4 December 2026 at 3:05pm"."""
    if isinstance(value, dt.datetime):
        return dates.long_datetime(value)
    return day(value)


@register.filter
def weekday_and_day(value: object) -> str:
    """``{{ due_on|weekday_and_day }}``: "Monday 7 December 2026" (for deadlines)."""
    if isinstance(value, dt.date):
        return dates.weekday_and_date(value)
    return "" if value is None else str(value)


@register.filter
def spoken_hours(value: object) -> str:
    """``{{ "08:00-18:00"|spoken_hours }}``: "8am to 6pm"."""
    return dates.spoken_hours(str(value))


@register.filter
def spoken_days(value: object) -> str:
    """``{{ "mon-fri"|spoken_days }}``: "Monday to Friday"."""
    return dates.spoken_days(str(value))


@register.filter
def agency_names(value: object) -> str:
    """``{{ batch.agency_codes|agency_names }}``: agencies by name ("CSC,POLICE" or a list
    of codes to "Leeds Children's Social Care, West Yorkshire Police"); a code no agency
    has is left as it is."""
    if isinstance(value, str):
        codes = value.split(",")
    elif isinstance(value, Iterable):
        codes = [str(code) for code in value]
    else:
        codes = []
    codes = [code.strip() for code in codes if code.strip()]
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names.get(code, code) for code in codes)


@register.inclusion_tag("core/_code_details.html")
def code_details(summary: str, code: object) -> dict[str, object]:
    """``{% code_details "Rule version" point.rule_version %}``: a code behind a GOV.UK
    "Details" component, for the reader who asks for it; the page's words say what it
    means."""
    return {"summary": summary, "code": code}


@register.filter
def time_of_day(value: object) -> str:
    """``{{ when|time_of_day }}``: "3:05pm", "midday"."""
    if isinstance(value, dt.datetime | dt.time):
        return dates.time_of_day(value)
    return "" if value is None else str(value)


_SIGNIFICANCE_TAGS: dict[str, str] = {
    Significance.HIGH.value: "govuk-tag--red",
    Significance.MEDIUM.value: "govuk-tag--orange",
    Significance.LOW.value: "govuk-tag--grey",
}


@register.filter
def nhs_number(value: object) -> str:
    """An NHS number as people write it: 999 123 4567."""
    digits = str(value or "").replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return str(value or "")


@register.filter
def thousands(value: object) -> str:
    """A whole number with thousands separators: 2,000."""
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)


@register.filter
def significance_tag(value: object) -> str:
    """The GOV.UK tag colour for an event's significance."""
    return _SIGNIFICANCE_TAGS.get(str(value), "govuk-tag--grey")


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id an error summary links to: the field's input, or its first option."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.filter
def html_attrs(attrs: Mapping[str, object]) -> SafeString:
    """A widget's attributes as Django's ``django/forms/widgets/attrs.html`` writes them
    (the same characters), without including a template for every checkbox or radio."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            text = conditional_escape(value) if isinstance(value, SafeData) else escape(f"{value}")
            parts.append(f'="{text}"')
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
