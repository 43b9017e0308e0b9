"""Signing in, the home page (the children the user works with) and the health check."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sightline.accounts.models import User
from sightline.core.forms import LoginForm
from sightline.pages.work import your_work
from sightline.people.models import Involvement
from sightline.record import queries

HOME_CHILDREN_LIMIT = 20

login = auth_views.LoginView.as_view(
    template_name="core/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Who the user is, their work waiting (``pages.work``), and the children they are
    working with now."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required guarantees it
        raise TypeError("a signed-in user is required")
    today = timezone.localdate()
    mine = Involvement.objects.active_on(today).filter(practitioner=user)
    children = list(
        queries.visible_to(user, on=today)
        .filter(involvements__in=mine)
        .distinct()
        .prefetch_related(
            Prefetch(
                "involvements", queryset=mine.order_by("started_on"), to_attr="my_involvements"
            )
        )
        .order_by("family_name", "given_name", "pk")[: HOME_CHILDREN_LIMIT + 1]
    )
    return render(
        request,
        "core/home.html",
        {
            "children": children[:HOME_CHILDREN_LIMIT],
            "more_children": len(children) > HOME_CHILDREN_LIMIT,
            "work": your_work(user, today=today),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
