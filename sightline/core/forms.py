"""GOV.UK Frontend markup for Django forms, through Django's template-based form rendering.

A form that inherits ``GovukFormMixin`` renders each field with
``templates/forms/govuk/field.html`` (label, hint, error message, and the widget with
GOV.UK classes); pages put ``forms/govuk/error_summary.html`` above their heading.
"""

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar, cast

import django.forms
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.forms.widgets import Input
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.utils import timezone
from django.utils.functional import cached_property

# The GOV.UK class each kind of widget takes, and the class it adds when in error.
_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str, str], ...] = (
    # Most specific first: CheckboxSelectMultiple is a RadioSelect, CheckboxInput an Input.
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input", ""),
    (forms.RadioSelect, "govuk-radios__input", ""),
    (forms.CheckboxInput, "govuk-checkboxes__input", ""),
    (forms.Textarea, "govuk-textarea", "govuk-textarea--error"),
    (forms.FileInput, "govuk-file-upload", "govuk-file-upload--error"),
    (forms.Select, "govuk-select", "govuk-select--error"),
    (Input, "govuk-input", "govuk-input--error"),
)


def _classes_for(widget: forms.Widget) -> tuple[str, str]:
    for widget_type, css_class, error_class in _WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            return css_class, error_class
    return "", ""


class GovukBoundField(BoundField):
    """Adds the GOV.UK error modifier to a widget's class when its field has errors."""

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        _, error_class = _classes_for(widget)
        if self.errors and error_class:
            classes = str(attrs.get("class") or widget.attrs.get("class", "")).split()
            if error_class not in classes:
                classes.append(error_class)
            attrs["class"] = " ".join(classes)
        return attrs


class GovukFormRenderer(DjangoTemplates):
    """Django's own widget templates plus ours (``sightline/templates/forms/govuk``)."""

    form_template_name = "forms/govuk/form.html"
    field_template_name = "forms/govuk/field.html"
    bound_field_class = GovukBoundField

    @cached_property
    def engine(self) -> DjangoTemplatesBackend:
        project_dirs = [Path(d) for d in cast(list[str], settings.TEMPLATES[0].get("DIRS", []))]
        return DjangoTemplatesBackend(
            {
                "APP_DIRS": True,
                "DIRS": [*project_dirs, Path(django.forms.__file__).parent / "templates"],
                "NAME": "govukforms",
                "OPTIONS": {},
            }
        )


# One renderer for every form: its template engine (and the engine's cached loader)
# is built once, not for each form.
GOVUK_RENDERER = GovukFormRenderer()


class GovukFormMixin:
    """Mix into a ``forms.Form`` (first) to render it with GOV.UK Frontend markup.

    ``compact`` renders small checkboxes and radios with small legends (filter panels).
    """

    default_renderer: BaseRenderer | type[BaseRenderer] | None = GOVUK_RENDERER
    compact: ClassVar[bool] = False
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css_class, _ = _classes_for(field.widget)
            if css_class and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css_class


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes."""

    template_name = "forms/govuk/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def part(width: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )

        super().__init__({"day": part(2), "month": part(2), "year": part(4)}, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        in_error = context["widget"]["attrs"].get("aria-invalid") == "true"
        for label, subwidget in zip(
            ("Day", "Month", "Year"), context["widget"]["subwidgets"], strict=True
        ):
            subwidget["label"] = label
            if in_error:
                subwidget["attrs"]["class"] += " govuk-input--error"
        return context


class GovukDateField(forms.Field):
    """A date entered in a GOV.UK date input, with the Design System's error messages."""

    widget = GovukDateInput

    def __init__(self, *, past: bool = False, **kwargs: Any) -> None:
        self.past = past
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        day, month, year = (str(part or "").strip() for part in (value or ["", "", ""]))
        parts = {"day": day, "month": month, "year": year}
        if not any(parts.values()):
            return None
        label = str(self.label or "Date")
        missing = [name for name, text in parts.items() if not text]
        if missing:
            raise forms.ValidationError(
                f"{label} must include a {' and a '.join(missing)}", code="incomplete"
            )
        if not all(text.isdigit() for text in parts.values()) or len(year) != 4:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid")
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from None
        if self.past and date > timezone.localdate():
            raise forms.ValidationError(f"{label} must be in the past", code="future")
        return date


class LoginForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
