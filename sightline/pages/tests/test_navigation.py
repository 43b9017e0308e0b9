import pytest
from django.test import RequestFactory
from django.urls import reverse

from sightline.pages.context_processors import service

pytestmark = pytest.mark.django_db


def links(user):
    request = RequestFactory().get("/")
    request.user = user
    navigation = service(request)["navigation"]
    assert isinstance(navigation, list)
    return [item.text for item in navigation]


def test_a_social_worker_sees_case_work_not_analysis(social_worker):
    shown = links(social_worker)
    assert shown[:2] == ["Home", "Find a child"]
    assert "Decisions" in shown
    assert "Learning" not in shown
    assert "Identity reviews" not in shown


def test_a_panel_analyst_sees_learning_and_incidents(panel_analyst):
    shown = links(panel_analyst)
    assert "Learning" in shown
    assert "Serious incidents" in shown


def test_a_team_manager_sees_the_review_queues(team_manager):
    shown = links(team_manager)
    assert {"Identity reviews", "Access reviews", "Serious incidents"} <= set(shown)


def test_a_refusal_says_why_and_what_to_do(client, social_worker, settings):
    """A page a user may not use says why (the reason the view gave) and what to do next,
    on the service's own page, not the browser's bare "403 Forbidden"."""
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(social_worker)
    response = client.get(reverse("assessments:report"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">You cannot do this</h1>' in html
    assert "Reports are for managers, analysts and administrators." in html
    assert "ask your team manager" in html
    assert f'href="{reverse("home")}"' in html
