"""Forms for the learning pages: they check shape only; rules live in the actions."""

from typing import Any

from django import forms

from sightline.learning.models import Taxonomy, ThemeGroup


class GovukClasses:
    """Gives each widget its GOV.UK class; the templates render the markup around it."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
            elif isinstance(widget, forms.Select) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(widget, forms.TextInput | forms.NumberInput):
                widget.attrs.setdefault("class", "govuk-input govuk-input--width-20")


class DraftTaxonomyForm(GovukClasses, forms.Form):
    notes = forms.CharField(
        label="What will change in this version", required=False, widget=forms.Textarea
    )


class ThemeForm(GovukClasses, forms.Form):
    label = forms.CharField(label="Label", max_length=200)
    code = forms.CharField(
        label="Code",
        max_length=60,
        help_text="Lower-case letters, digits and underscores. It stays the same across versions.",
    )
    group = forms.ChoiceField(label="Group", choices=ThemeGroup.choices)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    order = forms.IntegerField(label="Position in the list", required=False, min_value=0)


class ThemeChoiceForm(GovukClasses, forms.Form):
    """Theme checkboxes for one taxonomy version, and a note."""

    themes = forms.MultipleChoiceField(
        label="Themes", required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, taxonomy: Taxonomy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["themes"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - narrows the type
        field.choices = [(theme.code, theme.label) for theme in taxonomy.themes.all()]


class CodingForm(ThemeChoiceForm):
    submit = forms.BooleanField(required=False)


class ReportForm(GovukClasses, forms.Form):
    year = forms.IntegerField(label="Financial year starting in", min_value=2000, max_value=2100)
