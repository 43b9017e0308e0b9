from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sightline.audit.actions import Origin
from sightline.people.access import Intent, access_person


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access_person(
        request.user,  # type: ignore[arg-type]
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=Origin.from_request(request),
    )
    return render(request, "core/home.html", {"person": person})
