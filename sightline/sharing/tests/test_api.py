import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.audit.models import AuditAction, AuditEvent
from sightline.sharing import actions
from sightline.sharing.models import Alert, AlertReason, InboxItem, Referral, ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_a_nurse_checks_a_flag_over_the_api(api, flagged_child, ed_nurse):
    api.force_authenticate(ed_nurse)
    response = api.post(
        reverse("api-flag-check"), {"nhs_number": flagged_child.nhs_number}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["flagged"] is True
    assert body["flag"]["plan"] == "child_protection"
    assert body["flag"]["authority"]["out_of_hours_phone"] == "0113 496 0999"
    assert body["person"]["name"] == "Jamie Testchild"
    assert set(body["person"]) == {"name", "date_of_birth", "nhs_number"}

    unknown = api.post(reverse("api-flag-check"), {"nhs_number": "9990699933"}, format="json")
    assert unknown.json() == {"flagged": False, "person": None, "flag": None}


def test_the_flag_check_refuses_analysts(api, flagged_child, panel_analyst):
    api.force_authenticate(panel_analyst)
    response = api.post(
        reverse("api-flag-check"), {"nhs_number": flagged_child.nhs_number}, format="json"
    )
    assert response.status_code == 403


def test_who_else_is_involved_for_those_with_a_relationship_only(
    api, child, police_officer, teacher
):
    url = reverse("api-person-involved", args=[child.public_id])
    api.force_authenticate(police_officer)
    rows = api.get(url).json()
    assert {(r["agency"], r["role"]) for r in rows} == {
        ("Leeds Children's Social Care", "Allocated social worker"),
        ("West Yorkshire Police", "Police officer"),
    }
    assert all("summary" not in r for r in rows)
    api.force_authenticate(teacher)
    assert api.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=teacher).exists()


def test_a_referral_over_the_api_is_raised_acknowledged_and_closed(
    api, school_lead, child, front_door, duty_worker
):
    api.force_authenticate(school_lead)
    created = api.post(
        reverse("api-referrals"),
        {
            "person": str(child.public_id),
            "to_team": front_door.pk,
            "urgency": "red",
            "reason": "Disclosure at school",
            "shared": "The teacher's note",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    public_id = created.json()["id"]
    api.force_authenticate(duty_worker)
    assert api.get(reverse("api-referrals")).json()[0]["id"] == public_id
    ack = api.post(reverse("api-referral-acknowledge", args=[public_id]))
    assert ack.json()["status"] == ReferralStatus.ACKNOWLEDGED
    done = api.post(
        reverse("api-referral-outcome", args=[public_id]),
        {"outcome": "no_further_action"},
        format="json",
    )
    assert done.status_code == 400
    assert done.json()["detail"] == "Give the reason for no further action."
    done = api.post(
        reverse("api-referral-outcome", args=[public_id]),
        {"outcome": "accepted"},
        format="json",
    )
    assert done.json()["outcome"] == "accepted"
    api.force_authenticate(school_lead)
    [mine] = api.get(reverse("api-referrals")).json()
    assert (mine["status"], mine["outcome"]) == (ReferralStatus.CLOSED, "accepted")
    # The referrer is told at each step, in their inbox.
    actions.deliver_alerts()
    inbox = api.get(reverse("api-inbox")).json()
    assert [(i["reason"], i["referral"], i["inbox"]) for i in inbox["items"]] == [
        (AlertReason.REFERRAL_OUTCOME, public_id, "mine"),
        (AlertReason.REFERRAL_ACKNOWLEDGED, public_id, "mine"),
    ]
    # The front door is now involved with the child, with the duty worker as contact.
    involved = api.get(reverse("api-person-involved", args=[child.public_id])).json()
    assert {
        "agency": "Leeds Children's Social Care",
        "role": "Accepted a referral",
        "team": "Front Door",
    }.items() <= next(r for r in involved if r["role"] == "Accepted a referral").items()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"to_team": 987654}, "Choose a team to refer to: that team is not known."),
        ({"to_team": None}, "Choose a team to refer to: that team is not known."),
        ({"reason": ""}, "Give the reason for the referral."),
    ],
)
def test_a_referral_to_an_unknown_team_or_without_a_reason_is_refused(
    api, school_lead, child, front_door, changes, message
):
    api.force_authenticate(school_lead)
    body = {
        "person": str(child.public_id),
        "to_team": front_door.pk,
        "urgency": "amber",
        "reason": "Worried",
    } | changes
    response = api.post(reverse("api-referrals"), body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert not Referral.objects.exists()


def test_outsiders_cannot_act_on_a_referral(api, school_lead, child, front_door, teacher):
    referral = actions.raise_referral(
        actor=school_lead,
        person=child,
        to_team=front_door.pk,
        urgency="green",
        reason="Attendance",
        shared="",
        origin=actions.JOB,
    )
    api.force_authenticate(teacher)
    url = reverse("api-referral-acknowledge", args=[referral.public_id])
    assert api.post(url).status_code == 404


def test_the_inbox_over_the_api(api, flagged_child, ed_nurse, social_worker):
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=actions.JOB)
    actions.deliver_alerts()
    api.force_authenticate(social_worker)
    body = api.get(reverse("api-inbox")).json()
    assert body["unread"] == 2
    assert {item["inbox"] for item in body["items"]} == {"mine", "Assessment Team North"}


# Search results carry the flag ----------------------------------------------------------


def test_an_api_search_shows_the_flag_and_alerts_as_the_page_does(
    api, flagged_child, ed_nurse, social_worker
):
    api.force_authenticate(ed_nurse)
    response = api.get(reverse("api-people"), {"nhs_number": flagged_child.nhs_number})
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert found["relationship"] is False
    assert found["postcode"] == ""  # the flag only, not the record
    assert found["flag"] == {
        "plan": "child_protection",
        "plan_label": "Child protection plan",
        "started_on": "2024-01-01",
        "ended_on": None,
        "shown_until": None,
        "authority": {
            "name": "Leeds Children's Social Care",
            "office_hours_phone": "0113 496 0000",
            "out_of_hours_phone": "0113 496 0999",
        },
    }
    alert = Alert.objects.get(person=flagged_child)
    assert (alert.reason, alert.actor) == (AlertReason.LOOKED_UP, ed_nurse)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHECK_FLAG, detail__via="search", person=flagged_child, actor=ed_nurse
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, actor=ed_nurse).count() == 1
    actions.deliver_alerts()
    assert InboxItem.objects.filter(alert=alert, user=social_worker).exists()


def test_an_api_search_by_someone_with_a_relationship_shows_the_flag_and_alerts_nobody(
    api, flagged_child, police_officer
):
    api.force_authenticate(police_officer)
    response = api.get(reverse("api-people"), {"nhs_number": flagged_child.nhs_number})
    [found] = response.json()["results"]
    assert found["relationship"] is True
    assert found["flag"]["authority"]["out_of_hours_phone"] == "0113 496 0999"
    assert not Alert.objects.exists()


def test_an_unflagged_result_has_no_flag_and_alerts_nobody(api, child, ed_nurse):
    api.force_authenticate(ed_nurse)
    response = api.get(reverse("api-people"), {"nhs_number": child.nhs_number})
    [found] = response.json()["results"]
    assert found["flag"] is None
    assert not Alert.objects.exists()
