"""The administration area: agencies, listed, added and changed (name, kind, contact
details, and the national codes behind "Details"). The agency's own code, which
submissions and the API name it by, is made from its name and never changes."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sightline.access.administration_forms import AgencyForm
from sightline.access.administration_users import notify, sentence, take_notice
from sightline.access.views import _administrator
from sightline.agencies.actions import AgencyError, code_for, create_agency, update_agency
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin


def _error(form: AgencyForm, error: AgencyError) -> None:
    form.add_error(error.field if error.field in form.fields else "name", sentence(str(error)))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request, "administration_agencies")
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = create_agency(
                actor=actor,
                origin=Origin.from_request(request),
                code=code_for(data["name"]),
                name=data["name"],
                kind=data["kind"],
                office_hours_phone=data["office_hours_phone"],
                out_of_hours_phone=data["out_of_hours_phone"],
                email=data["email"],
                ods_code=data["ods_code"],
                urn=data["urn"],
            )
        except AgencyError as error:
            _error(form, error)
        else:
            notify(request, f"Agency added: {agency.name}.")
            return redirect("administration-agencies")
    listed = Agency.objects.annotate(
        n_users=Count("users", distinct=True), n_teams=Count("teams", distinct=True)
    ).order_by("name")
    return render(
        request,
        "access/administration/agencies.html",
        {"form": form, "agencies": listed, "notice": take_notice(request)},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def agency(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = _administrator(request, "administration_agency", requested=agency_id)
    found = Agency.objects.filter(pk=agency_id).first()
    if found is None:
        raise Http404("No such agency")
    initial = {
        name: getattr(found, name)
        for name in (
            "name",
            "kind",
            "office_hours_phone",
            "out_of_hours_phone",
            "email",
            "ods_code",
            "urn",
        )
    }
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_agency(
                actor=actor,
                agency=found,
                origin=Origin.from_request(request),
                **{name: data[name] for name in initial},
            )
        except AgencyError as error:
            _error(form, error)
        else:
            notify(request, f"Agency changed: {data['name'].strip()}.")
            return redirect("administration-agencies")
    return render(
        request,
        "access/administration/agency.html",
        {"form": form, "agency": found},
        status=400 if form.errors else 200,
    )
