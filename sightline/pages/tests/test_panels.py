import pytest
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def panel_url(child, name):
    return reverse("person-panel", kwargs={"public_id": child.public_id, "panel": name})


@pytest.mark.parametrize("panel", ["decisions", "outside-home", "involved"])
def test_a_panel_loads_for_the_allocated_worker_and_is_audited(client, social_worker, child, panel):
    client.force_login(social_worker)
    response = client.get(panel_url(child, panel), secure=True)
    assert response.status_code == 200
    row = AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON, person=child).get()
    assert row.detail["panel"] == panel


@pytest.mark.parametrize("panel", ["decisions", "outside-home", "involved"])
def test_a_panel_is_404_without_a_relationship(client, teacher, child, panel):
    client.force_login(teacher)
    assert client.get(panel_url(child, panel), secure=True).status_code == 404


def test_an_unknown_panel_is_404(client, social_worker, child):
    client.force_login(social_worker)
    assert client.get(panel_url(child, "nonsense"), secure=True).status_code == 404


def test_the_child_page_offers_both_panels(client, social_worker, child):
    client.force_login(social_worker)
    page = client.get(reverse("person-detail", kwargs={"public_id": child.public_id}), secure=True)
    assert panel_url(child, "decisions") in page.content.decode()
    assert panel_url(child, "outside-home") in page.content.decode()
    assert panel_url(child, "involved") in page.content.decode()
