"""The administration area, in the app (not Django's admin): administrators add users and
teams here, through the same actions the command line uses (each writes its audit row).

API tokens and scopes, local closure days, challenge rules and event categories are
still done on the command line; the landing page says how.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sightline.access.forms import NewTeamForm, NewUserForm
from sightline.access.views import _administrator
from sightline.accounts.actions import AccountError, create_user
from sightline.agencies.actions import AgencyError, create_team
from sightline.agencies.models import Agency, Team
from sightline.audit.actions import Origin


@login_required
@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _administrator(request, "administration")
    agencies = Agency.objects.annotate(n_users=Count("users", distinct=True)).order_by("name")
    return render(request, "access/administration/index.html", {"agencies": agencies})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def new_user(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request, "new_user")
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            created = create_user(
                actor=actor,
                origin=Origin.from_request(request),
                username=data["username"],
                email=data["email"],
                agency=data["agency"],
                team=data["team"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
            )
        except AccountError as error:
            form.add_error(None, _sentence(str(error)))
        else:
            # The password is shown once, here, as the command line prints it once.
            return render(
                request,
                "access/administration/user_created.html",
                {"created": created.user, "password": created.password},
            )
    return render(
        request,
        "access/administration/new_user.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request, "teams")
    form = NewTeamForm(request.POST or None)
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        try:
            team = create_team(
                actor=actor,
                origin=Origin.from_request(request),
                agency=data["agency"],
                name=data["name"],
                duty_email=data["duty_email"],
                phone=data["phone"],
            )
        except AgencyError as error:
            form.add_error("name", _sentence(str(error)))
        else:
            request.session["administration_notice"] = (
                f"Team added: {team.name}, {team.agency.name}."
            )
            return redirect("administration-teams")
    notice = request.session.pop("administration_notice", "")
    listed = Team.objects.select_related("agency").annotate(n_members=Count("members"))
    return render(
        request,
        "access/administration/teams.html",
        {"form": form, "teams": listed.order_by("agency__name", "name"), "notice": notice},
        status=400 if form.errors else 200,
    )


def _sentence(message: str) -> str:
    """The actions' messages are written for the command line: start them with a capital
    and end them with a full stop for the page."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
