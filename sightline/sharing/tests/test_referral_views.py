import pytest
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.sharing.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def new_url(child):
    return reverse("sharing-new-referral", args=[child.public_id])


def post_referral(client, child, **overrides):
    data = {"to_team": "", "urgency": "amber", "reason": "Bruising", "shared": "Body map"}
    return client.post(new_url(child), data | overrides)


def test_a_practitioner_refers_a_child_from_their_page(client, school_lead, child, front_door):
    client.force_login(school_lead)
    page = client.get(reverse("person-detail", args=[child.public_id])).content.decode()
    assert new_url(child) in page
    response = post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing-referral", args=[referral.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting acknowledgement" in page
    assert "Body map" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"to_team": "424242"}, "Choose a team to refer to: that team is not known."),
        ({"to_team": ""}, "Choose a team to refer to: that team is not known."),
        ({"reason": ""}, "Give the reason for the referral"),
    ],
)
def test_it_refuses_an_unknown_team_or_no_reason_with_a_clear_message(
    client, school_lead, child, front_door, overrides, message
):
    client.force_login(school_lead)
    response = post_referral(client, child, **({"to_team": front_door.pk} | overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_a_child_one_may_not_see_cannot_be_referred(client, teacher, child, front_door):
    client.force_login(teacher)
    assert post_referral(client, child, to_team=front_door.pk).status_code == 404
    assert not Referral.objects.exists()


def test_the_receiving_team_acknowledges_and_records_the_outcome(
    client, school_lead, child, front_door, duty_worker
):
    client.force_login(school_lead)
    post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    url = reverse("sharing-referral", args=[referral.public_id])
    assert 'id="acknowledge"' not in client.get(url).content.decode()  # the referrer cannot

    client.force_login(duty_worker)
    inbox = client.get(reverse("sharing-inbox")).content.decode()
    assert 'id="to-acknowledge"' in inbox
    client.post(reverse("sharing-referral-acknowledge", args=[referral.public_id]))
    bad = client.post(
        reverse("sharing-referral-outcome", args=[referral.public_id]),
        {"outcome": "no_further_action", "reason": ""},
    )
    assert bad.status_code == 400
    assert "Give the reason for no further action" in bad.content.decode()
    client.post(
        reverse("sharing-referral-outcome", args=[referral.public_id]),
        {"outcome": "accepted", "reason": "Section 17 assessment started"},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED

    client.force_login(school_lead)
    page = client.get(url).content.decode()
    assert "Accepted: Section 17 assessment started" in page


def test_others_get_a_404_and_the_denial_is_audited(
    client, school_lead, child, front_door, teacher, social_worker
):
    client.force_login(school_lead)
    post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    for outsider in (teacher, social_worker):
        client.force_login(outsider)
        url = reverse("sharing-referral", args=[referral.public_id])
        assert client.get(url).status_code == 404
        ack = reverse("sharing-referral-acknowledge", args=[referral.public_id])
        assert client.post(ack).status_code == 404
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, detail__intent="view_referral")
    assert denials.count() == 4
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_ACKNOWLEDGEMENT
