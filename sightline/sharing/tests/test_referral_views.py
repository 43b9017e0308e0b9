import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.record.picker import PICK_BUTTON
from sightline.sharing import actions
from sightline.sharing.clock import ENGLAND
from sightline.sharing.models import LawfulBasis, Referral, ReferralStatus
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def new_url(child):
    return reverse("sharing-new-referral", args=[child.public_id])


def post_referral(client, child, **overrides):
    data = {
        "to_team": "",
        "urgency": "amber",
        "reason": "Bruising",
        "shared": "Body map",
        # The referral's sharing decision (sharing decisions: docs/sharing.md).
        "lawful_basis": LawfulBasis.objects.get(code="safeguarding").pk,
        "consent": "given",
        "family_informed": "yes",
    }
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
        ({"to_team": ""}, "Search for and choose the team to refer to"),
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


def test_the_team_is_found_by_search_and_text_matching_no_team_does_not_submit(
    client, school_lead, child, front_door
):
    client.force_login(school_lead)
    searching = post_referral(client, child, **{"to_team-q": "front", PICK_BUTTON: "to_team"})
    assert searching.status_code == 200
    html = searching.content.decode()
    assert f'name="to_team" type="radio" value="{front_door.pk}"' in html  # "Front Door"
    assert "There is a problem" not in html  # only searching: nothing refused yet
    # The school's own team is never offered: a referral goes elsewhere.
    assert (
        f'type="radio" value="{school_lead.team_id}"'
        not in post_referral(
            client, child, **{"to_team-q": "leeds", PICK_BUTTON: "to_team"}
        ).content.decode()
    )
    typed = post_referral(client, child, **{"to_team-q": "Back Door"})
    assert "No team matches “Back Door”: search again, then choose a team from the results" in (
        typed.content.decode()
    )
    own = post_referral(client, child, to_team=school_lead.team_id)
    assert "Choose a team to refer to: that team is not known." in own.content.decode()
    assert not Referral.objects.exists()
    chosen = post_referral(client, child, **{"to_team-q": "front", "to_team": front_door.pk})
    assert chosen.status_code == 302
    assert Referral.objects.get().to_team == front_door


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


SENT = reverse("sharing-referrals-sent")


def test_the_referrer_sees_status_and_outcome_and_the_receiving_agency_is_involved(
    client, school_lead, child, front_door, duty_worker, social_worker
):
    duty_worker.phone = "0113 496 2222"
    duty_worker.save(update_fields=["phone"])
    client.force_login(school_lead)
    post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    sent = client.get(SENT).content.decode()
    assert "Awaiting acknowledgement by" in sent
    assert "Front Door, Leeds Children&#x27;s Social Care" in sent
    home = client.get(reverse("home")).content.decode()
    assert "Referrals you and your team sent, awaiting an outcome: 1" in home
    assert SENT in client.get(reverse("sharing-inbox")).content.decode()

    client.force_login(duty_worker)
    client.post(reverse("sharing-referral-acknowledge", args=[referral.public_id]))
    client.post(
        reverse("sharing-referral-outcome", args=[referral.public_id]),
        {"outcome": "accepted", "reason": ""},
    )
    actions.deliver_alerts()

    client.force_login(school_lead)
    sent = client.get(SENT).content.decode()
    assert "Outcome recorded" in sent
    assert ">Accepted<" in sent
    inbox = client.get(reverse("sharing-inbox")).content.decode()
    assert "Your referral was acknowledged" in inbox
    assert "Front Door (Leeds Children&#x27;s Social Care): Accepted" in inbox
    assert (
        "Referrals you and your team sent, awaiting an outcome: 0"
        in client.get(reverse("home")).content.decode()
    )

    # Who else is involved, on the child's page: the receiving agency and its contact.
    client.force_login(social_worker)
    page = client.get(reverse("person-panel", args=[child.public_id, "involved"])).content.decode()
    involved = page[page.index('id="who-else-is-involved"') :]
    assert "Accepted a referral" in involved
    assert "Front Door" in involved
    assert "0113 496 2222" in involved


def test_the_referrals_sent_are_filtered_by_status(
    client, school_lead, child, front_door, duty_worker
):
    client.force_login(school_lead)
    for _ in range(3):
        post_referral(client, child, to_team=front_door.pk)
    first, second, _ = Referral.objects.order_by("pk")
    actions.acknowledge_referral(actor=duty_worker, referral=first, origin=CLI)
    actions.record_outcome(
        actor=duty_worker, referral=second, outcome="accepted", reason="", origin=CLI
    )

    def rows(query: dict[str, str]) -> list[str]:
        html: str = client.get(SENT, query).content.decode()
        body = html.split('id="sent"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
        return body.split('<tr class="govuk-table__row">')[1:]

    page = client.get(SENT).content.decode()
    assert 'class="govuk-select" id="id_status"' in page
    assert '<label class="govuk-label" for="id_status">Status</label>' in page
    assert len(rows({})) == 3
    [acknowledged] = rows({"status": "acknowledged"})
    assert "Acknowledged" in acknowledged
    [closed] = rows({"status": "closed"})
    assert ">Accepted<" in closed
    awaiting = rows({"status": "awaiting_acknowledgement"})
    assert len(awaiting) == 1
    assert "Awaiting acknowledgement by" in awaiting[0]
    filtered = client.get(SENT, {"status": "closed"}).content.decode()
    assert "Showing referrals with the status “Outcome recorded”: 1." in filtered
    assert '<option value="closed" selected>' in filtered
    # A status that is not one shows the error and is not applied.
    wrong = client.get(SENT, {"status": "lost"})
    assert wrong.status_code == 400
    assert "Choose a status from the list" in wrong.content.decode().split("There is a problem")[1]
    assert len(rows({"status": "lost"})) == 3


def test_the_referrers_team_may_open_a_referral_but_not_act_on_it(
    client, school_lead, child, front_door
):
    colleague = factories.UserFactory.create(
        username="deputy.lead", agency=school_lead.agency, team=school_lead.team
    )
    client.force_login(school_lead)
    post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    client.force_login(colleague)
    sent = client.get(SENT).content.decode()
    assert reverse("sharing-referral", args=[referral.public_id]) in sent
    page = client.get(reverse("sharing-referral", args=[referral.public_id]))
    assert page.status_code == 200
    assert 'id="acknowledge"' not in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_REFERRAL, actor=colleague).exists()
    ack = client.post(reverse("sharing-referral-acknowledge", args=[referral.public_id]))
    assert ack.status_code == 403  # they know it exists: refused, not hidden
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_ACKNOWLEDGEMENT


def test_the_receiving_teams_dashboard_counts_what_to_acknowledge_and_what_is_overdue(
    client, school_lead, child, front_door, duty_worker
):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=ENGLAND), tick=False) as clock:
        client.force_login(school_lead)
        post_referral(client, child, to_team=front_door.pk, urgency="red")
        post_referral(client, child, to_team=front_door.pk, urgency="green")
        client.force_login(duty_worker)
        home = client.get(reverse("home")).content.decode()
        assert "Referrals to acknowledge: 2" in home
        assert "Overdue across your team: 0" in home
        clock.move_to(dt.datetime(2026, 3, 2, 14, 1, tzinfo=ENGLAND))  # red is due at 14:00
        client.logout()  # the idle session has ended meanwhile
        client.force_login(duty_worker)
        home = client.get(reverse("home")).content.decode()
        assert "Overdue across your team: 1" in home
        inbox = client.get(reverse("sharing-inbox")).content.decode()
        overdue = inbox[inbox.index('id="overdue"') : inbox.index("Acknowledged, outcome to")]
        assert overdue.count("sharing/referrals/") == 1
        assert "Overdue" in overdue


def test_a_referral_is_redirected_to_a_team_found_by_search(
    client, school_lead, child, front_door, duty_worker, agencies
):
    early_help = factories.TeamFactory.create(agency=agencies["CSC"], name="Early Help")
    client.force_login(school_lead)
    post_referral(client, child, to_team=front_door.pk)
    referral = Referral.objects.get()
    client.force_login(duty_worker)
    client.post(reverse("sharing-referral-acknowledge", args=[referral.public_id]))
    url = reverse("sharing-referral-outcome", args=[referral.public_id])
    data = {"outcome": "redirected", "reason": "Early help is better placed"}
    # Searching shows the referral page again, the outcome kept; the team it was sent to
    # is not offered (it cannot be redirected to itself).
    searching = client.post(url, {**data, "redirect_to-q": "leeds", PICK_BUTTON: "redirect_to"})
    assert searching.status_code == 200
    html = searching.content.decode()
    assert f'name="redirect_to" type="radio" value="{early_help.pk}"' in html
    assert f'name="redirect_to" type="radio" value="{front_door.pk}"' not in html
    typed = client.post(url, {**data, "redirect_to-q": "Late Help"})
    assert typed.status_code == 400
    assert "No team matches “Late Help”" in typed.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACKNOWLEDGED
    done = client.post(url, {**data, "redirect_to": str(early_help.pk)})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert Referral.objects.get(redirected_from=referral).to_team == early_help
