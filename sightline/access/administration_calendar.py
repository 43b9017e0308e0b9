"""The administration area: local closure days for the statutory calendar. An
administrator adds one (a date and why) or removes one (why); bank holidays in England
come from the curated ``holidays`` package and are shown, not changed. Every working-day
clock reads the closure days (``deadlines.queries.local_closures``)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sightline import calendars
from sightline.access.administration_forms import ClosureDayForm, WithdrawClosureForm
from sightline.access.administration_users import notify, sentence, take_notice
from sightline.access.views import _administrator
from sightline.audit.actions import Origin
from sightline.core import dates
from sightline.deadlines import actions
from sightline.deadlines.models import LocalClosure


def _form_errors(form: ClosureDayForm | WithdrawClosureForm, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else "reason", sentence(messages[0]))


def bank_holidays_from(today: dt.date) -> list[tuple[dt.date, str]]:
    """Bank holidays in England from ``today`` to the end of next year, with names."""
    days = sorted(
        day
        for year in (today.year, today.year + 1)
        for day in calendars.bank_holidays(year)
        if day >= today
    )
    return [(day, calendars.bank_holiday_name(day) or "Bank holiday") for day in days]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def closure_days(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request, "administration_closure_days")
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["date"]
        try:
            actions.record_local_closure(
                actor=actor,
                origin=Origin.from_request(request),
                date=day,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:  # pragma: no cover - the page checked already
            raise Http404("No such page") from error
        except ValidationError as error:
            _form_errors(form, error)
        else:
            notify(request, f"{dates.long_date(day)} is now a local closure day.")
            return redirect("administration-closure-days")
    today = timezone.localdate()
    return render(
        request,
        "access/administration/closure_days.html",
        {
            "form": form,
            "upcoming": LocalClosure.objects.live().filter(date__gte=today).order_by("date"),
            "bank_holidays": bank_holidays_from(today),
            "notice": take_notice(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def remove_closure_day(request: HttpRequest, closure_id: int) -> HttpResponse:
    actor = _administrator(request, "withdraw_closure", requested=closure_id)
    # Only days still ahead: removing a past one would move deadlines already past.
    closure = (
        LocalClosure.objects.live().filter(pk=closure_id, date__gte=timezone.localdate()).first()
    )
    if closure is None:
        raise Http404("No such closure day")
    form = WithdrawClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_local_closure(
                actor=actor,
                origin=Origin.from_request(request),
                closure=closure,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            notify(request, f"{dates.long_date(closure.date)} is no longer a local closure day.")
            return redirect("administration-closure-days")
    return render(
        request,
        "access/administration/remove_closure_day.html",
        {"closure": closure, "form": form},
        status=400 if form.errors else 200,
    )
