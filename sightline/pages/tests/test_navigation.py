import pytest
from django.test import RequestFactory

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
