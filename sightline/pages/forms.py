"""Forms for the people pages: finding a child (``record.forms.PersonSearchForm``, the one
search form), and filtering a child's chronology."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from sightline.agencies.models import AgencyKind
from sightline.chronology.models import Category, Significance
from sightline.chronology.queries import ChronologyFilter
from sightline.chronology.vocabulary import ACT_CODES
from sightline.core.forms import GovukDateField, GovukFormMixin
from sightline.core.templatetags.sightline import html_attrs
from sightline.pages.rendering import choice_items
from sightline.sharing.defaults import DECISION_CATEGORY

if TYPE_CHECKING:
    _ChoiceWidget = forms.widgets.ChoiceWidget
else:
    _ChoiceWidget = object


class _GovukChoices(_ChoiceWidget):
    """Checkboxes or radios written in Python (``pages.rendering.choice_items``) with the
    same characters ``forms/govuk/field.html`` writes for Django's widgets: the filter's
    ~50 options were a tenth of the child's page. ``field.html`` shows them through its
    ``{{ field }}`` branch (the widget type is not Django's), inside the same fieldset."""

    # The form is compact (``ChronologyFilterForm.compact``): small checkboxes and radios.
    compact = True

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        # Attributes in the order BoundField.subwidgets gives them: the widget's, the id,
        # then the rest (aria-invalid).
        given = dict(attrs or {})
        id_ = given.pop("id", None)
        base = self.build_attrs(self.attrs, ({"id": id_} if id_ else {}) | given)
        chosen = self.format_value(value)
        options = []
        has_selected = False
        for index, (option_value, label) in enumerate(self.choices):
            text = "" if option_value is None else str(option_value)
            selected = (not has_selected or self.allow_multiple_selected) and text in chosen
            has_selected |= selected
            option_attrs = dict(base)
            if selected:
                option_attrs.update(self.checked_attribute)
            if "id" in option_attrs:
                option_attrs["id"] = self.id_for_label(option_attrs["id"], str(index))
            options.append((text, str(label), option_attrs))
        group = "checkboxes" if self.input_type == "checkbox" else "radios"
        small = f" govuk-{group}--small" if self.compact else ""
        items = choice_items(input_type=str(self.input_type), name=name, options=options)
        return mark_safe(  # noqa: S308 - choice_items escapes every value
            f'<div class="govuk-{group}{small}" data-module="govuk-{group}">\n      '
            f"{items}\n    </div>"
        )


class GovukCheckboxes(_GovukChoices, forms.CheckboxSelectMultiple):
    pass


class GovukRadios(_GovukChoices, forms.RadioSelect):
    pass


ORDER_CHOICES = [("asc", "Oldest first"), ("desc", "Newest first")]


class NativeDateInput(forms.DateInput):
    """Django's date input with the characters its templates (``date.html``,
    ``input.html``, ``attrs.html``) write, written in Python: three template renders for
    each of the child's page's two dates, on every request."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"'
            + ("" if shown is None else f' value="{escape(f"{shown}")}"')
            + f"{html_attrs(widget['attrs'])}>"
        )


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    """Filters for a child's chronology. Always bound to the query string.

    The agency and category choices are those present in this child's chronology.
    """

    compact = True

    agency = forms.MultipleChoiceField(label="Agency", required=False, widget=GovukCheckboxes)
    significance = forms.MultipleChoiceField(
        label="Significance",
        required=False,
        choices=[(s.value, s.label) for s in reversed(Significance)],
        widget=GovukCheckboxes,
    )
    category = forms.MultipleChoiceField(label="Category", required=False, widget=GovukCheckboxes)
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=NativeDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=NativeDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    order = forms.ChoiceField(
        label="Order", required=False, choices=ORDER_CHOICES, widget=GovukRadios
    )

    def __init__(
        self,
        *args: Any,
        agencies: Iterable[tuple[str, str]] = (),
        categories: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = list(agencies)  # type: ignore[attr-defined]
        self.fields["category"].choices = list(categories)  # type: ignore[attr-defined]
        # Ticking a box or choosing an order applies the filters at once (htmx listens for
        # "change" on these); dates wait for "Apply filters".
        for name in ("agency", "significance", "category", "order"):
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} js-chronology-auto".strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def chronology_filter(self) -> ChronologyFilter:
        """What to show: the valid filters, or everything when the form is not valid."""
        if not self.is_valid():
            return ChronologyFilter()
        data = self.cleaned_data
        return ChronologyFilter(
            agencies=tuple(data["agency"]),
            categories=tuple(data["category"]),
            significance=tuple(data["significance"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
            order="desc" if data["order"] == "desc" else "asc",
        )

    def for_audit(self) -> dict[str, object]:
        chosen = self.chronology_filter()
        return {
            "agencies": list(chosen.agencies),
            "categories": list(chosen.categories),
            "significance": list(chosen.significance),
            "date_from": chosen.date_from.isoformat() if chosen.date_from else "",
            "date_to": chosen.date_to.isoformat() if chosen.date_to else "",
            "order": chosen.order,
        }


# What Sightline writes itself when a practitioner acts (a referral, a decision...): never
# chosen by hand, so that the chronology's "Referral acknowledged" always means one was.
_WRITTEN_BY_SIGHTLINE = ACT_CODES | {DECISION_CATEGORY[0]}


def entry_categories(agency_kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The categories a practitioner may choose, in groups: their own kind of agency's
    first, then those for any agency, then every other kind's."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in Category.objects.filter(active=True).exclude(code__in=_WRITTEN_BY_SIGHTLINE):
        groups.setdefault(category.agency_kind, []).append((category.code, category.label))
    kinds = [agency_kind, "", *[k for k in AgencyKind.values if k != agency_kind]]
    return [
        (AgencyKind(kind).label if kind else "Any agency", sorted(groups[kind], key=lambda c: c[1]))
        for kind in dict.fromkeys(kinds)
        if groups.get(kind)
    ]


class ChronologyEntryForm(GovukFormMixin, forms.Form):
    """ "Add to the chronology": one event of the practitioner's agency, known by its date."""

    occurred_on = GovukDateField(
        label="When did it happen?",
        past=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    category = forms.ChoiceField(
        label="What happened?",
        help_text="The kind of event, as your agency would record it",
        error_messages={"required": "Choose what happened"},
    )
    significance = forms.ChoiceField(
        label="How significant is it for the child's safety?",
        choices=Significance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how significant it is"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text="What happened, what was said and done. Everyone who may see this child's "
        "record can read it.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter a summary of what happened",
            "max_length": "Keep the summary to 4,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, agency_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [("", "Choose what happened"), *entry_categories(agency_kind)]
