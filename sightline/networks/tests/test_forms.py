"""Recording through the pages: each form goes through its action, refuses bad input
naming the field, and writes nothing then."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.networks.models import (
    Association,
    ConcernFlag,
    Context,
    ContextAssessment,
    ContextEvent,
    ContextPlan,
)
from sightline.people.models import InvolvementRole
from sightline.record.picker import PICK_BUTTON
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def day(name, year, month, day):
    """A GOV.UK date input's three boxes, as a browser posts them."""
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


def association_url(person):
    return reverse("networks:new-association", kwargs={"public_id": person.public_id})


def work_url(context, what):
    return reverse("networks:context-work", kwargs={"public_id": context.public_id, "what": what})


def association(**fields):
    return {
        "nature": "seen_with",
        "confidence": "confirmed",
        "started_on_day": "1",
        "started_on_month": "2",
        "started_on_year": "2025",
    } | fields


def search_for(person, **fields):
    """The picker's search (the one search: a name and a date of birth)."""
    born = person.date_of_birth
    return association(
        **{
            PICK_BUTTON: "other_person",
            "other_person-q": f"{person.full_name} {born.day}/{born.month}/{born.year}",
        },
        **fields,
    )


def offered(html):
    """The values of the people offered, as the radios carry them."""
    return re.findall(r'name="other_person" type="radio" value="([^"]+)"', html)


def test_the_allocated_worker_finds_a_peer_they_may_see_then_links_the_child(
    client, agencies, social_worker, child, peer
):
    factories.InvolvementFactory.create(
        person=peer,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2024, 1, 1),
    )
    client.force_login(social_worker)
    assert client.get(association_url(child)).status_code == 200
    found = client.post(association_url(child), search_for(peer))
    # Searching shows what was found, with no errors, and records nothing.
    assert found.status_code == 200
    html = found.content.decode()
    (key,) = offered(html)
    assert peer.full_name in html
    assert "There is a problem" not in html
    assert Association.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == 1
    # Her public id alone was not offered: the search's value is.
    slipped = client.post(association_url(child), association(other_person=str(peer.public_id)))
    assert slipped.status_code == 400
    response = client.post(association_url(child), association(other_person=key))
    assert response.status_code == 302
    recorded = Association.objects.get()
    assert (recorded.person, recorded.other_person) == (child, peer)
    assert recorded.source_agency.code == "CSC"
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_ASSOCIATION).count() == 1


def test_the_childs_family_is_offered_without_a_search(
    client, agencies, social_worker, child, peer
):
    factories.RelationshipFactory.create(person=peer, relative=child, kind="sibling")
    factories.InvolvementFactory.create(
        person=peer,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2024, 1, 1),
    )
    client.force_login(social_worker)
    html = client.get(association_url(child)).content.decode()
    assert f'value="{peer.public_id}"' in html
    assert "Family: sibling" in html


def test_a_search_that_finds_nobody_says_so_and_what_to_try(client, social_worker, child, adult):
    client.force_login(social_worker)
    response = client.post(association_url(child), search_for(adult))
    html = response.content.decode()
    assert "Nobody you may choose matches" in html
    assert "1 person matches whose record you may not see: ask their allocated worker" in html
    assert "search with their NHS number" in html
    assert offered(html) == []


def test_a_person_not_offered_cannot_be_chosen(client, social_worker, child, adult):
    client.force_login(social_worker)
    response = client.post(association_url(child), association(other_person=str(adult.public_id)))
    assert response.status_code == 400
    assert response.context["form"].errors["other_person"] == [
        "Choose one of the people listed: search again if the person is not there."
    ]
    assert Association.objects.count() == 0


def test_text_that_matches_nobody_does_not_submit(client, social_worker, child):
    client.force_login(social_worker)
    response = client.post(association_url(child), association(other_person="Jay from the park"))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    typed = client.post(association_url(child), association(**{"other_person-q": "Jay Park"}))
    assert typed.status_code == 400
    assert typed.context["form"].errors["other_person"] == [
        "No person matches “Jay Park”: search again, then choose a person from the results"
    ]
    assert Association.objects.count() == 0


def test_nobody_chosen_says_what_to_do(client, social_worker, child):
    client.force_login(social_worker)
    response = client.post(association_url(child), association())
    assert (
        "search for them if they are not listed"
        in response.context["form"].errors["other_person"][0]
    )


def test_the_action_names_the_field_when_the_nature_does_not_fit(
    client, social_worker, child, place
):
    client.force_login(social_worker)
    response = client.post(
        association_url(child),
        association(context=str(place.public_id), nature="exploited_by", confidence="possible"),
    )
    assert "link to a person" in response.context["form"].errors["nature"][0]
    assert Association.objects.count() == 0


def test_no_association_form_without_a_relationship(client, teacher, child):
    client.force_login(teacher)
    assert client.get(association_url(child)).status_code == 404
    assert client.post(association_url(child), {}).status_code == 404


def test_a_practitioner_records_a_context_and_finds_it(client, police_officer):
    client.force_login(police_officer)
    response = client.post(
        reverse("networks:context-list"),
        {"kind": "shop", "name": "Chicken shop, Roundhay Road", "area": "Harehills"},
    )
    context = Context.objects.get()
    assert response["Location"] == reverse(
        "networks:context-detail", kwargs={"public_id": context.public_id}
    )
    listing = client.get(reverse("networks:context-list"), {"q": "chicken"})
    assert "Chicken shop, Roundhay Road" in listing.content.decode()
    assert (
        client.get(reverse("networks:context-list"), {"q": "park"}).context["contexts"].count() == 0
    )


def test_administrators_may_not_record_contexts(client, administrator):
    client.force_login(administrator)
    assert (
        client.post(reverse("networks:context-list"), {"kind": "park", "name": "x"}).status_code
        == 404
    )
    assert Context.objects.count() == 0


def test_a_context_is_referred_assessed_planned_and_flagged_through_its_page(
    client, social_worker, place
):
    client.force_login(social_worker)
    steps = [
        ("refer", {**day("referred_on", 2025, 3, 1), "reason": "Younger children recruited here"}),
        (
            "assess",
            {
                **day("assessed_on", 2025, 3, 10),
                "what_happens": "Dealing",
                "when_it_happens": "Evenings",
                "who_is_involved": "Two adults, six pupils",
                "what_would_make_it_safer": "Lighting and youth work",
            },
        ),
        (
            "plan",
            {
                **day("started_on", 2025, 3, 12),
                **day("review_on", 2025, 6, 12),
                "objectives": "Safer towpath",
                "lead_practitioner": str(social_worker.pk),
            },
        ),
        ("concern", {**day("started_on", 2025, 3, 12), "reason": "Knife found"}),
        ("end-plan", {**day("ended_on", 2025, 6, 12), "reason": "Risk reduced"}),
    ]
    for what, data in steps:
        response = client.post(work_url(place, what), data)
        assert response.status_code == 302, (
            what,
            response.context and response.context["form"].errors,
        )
    kinds = list(ContextEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["referral", "assessment", "plan_started", "concern_raised", "plan_ended"]
    assert ContextAssessment.objects.get().who_is_involved == "Two adults, six pupils"
    assert ContextPlan.objects.get().ended_on == dt.date(2025, 6, 12)
    assert ConcernFlag.objects.get().reason == "Knife found"
    html = client.get(reverse("networks:context-detail", kwargs={"public_id": place.public_id}))
    assert "Lighting and youth work" in html.content.decode()


def test_context_forms_refuse_bad_input_naming_the_field(client, social_worker, place):
    client.force_login(social_worker)
    response = client.post(
        work_url(place, "plan"),
        {
            **day("started_on", 2025, 3, 12),
            **day("review_on", 2025, 3, 1),
            "objectives": "x",
            "lead_practitioner": str(social_worker.pk),
        },
    )
    assert "review_on" in response.context["form"].errors
    response = client.post(
        work_url(place, "plan"),
        {
            **day("started_on", 2025, 3, 12),
            **day("review_on", 2025, 4, 1),
            "objectives": "x",
            "lead_practitioner-q": "nobody",
        },
    )
    # A username typed, or text that matches nobody, does not submit.
    assert response.context["form"].errors["lead_practitioner"] == [
        "No practitioner matches “nobody”: search again, then choose a practitioner from the "
        "results"
    ]
    searching = client.post(
        work_url(place, "plan"), {"objectives": "x", "lead_practitioner-q": "sally", "pick": "x"}
    )
    assert searching.status_code == 200
    assert searching.context["form"].errors == {}
    assert f'type="radio" value="{social_worker.pk}"' in searching.content.decode()
    response = client.post(
        work_url(place, "end-plan"), {**day("ended_on", 2025, 3, 12), "reason": "x"}
    )
    assert response.context["form"].errors["ended_on"] == ["Canal towpath has no open plan."]
    response = client.post(work_url(place, "refer"), {**day("referred_on", 2025, 3, 1)})
    assert "reason" in response.context["form"].errors
    # The GOV.UK error summary heads the page, linking to the field.
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "<title>Error: " in html
    assert ContextEvent.objects.count() == 0
    assert client.get(work_url(place, "demolish")).status_code == 404


@pytest.mark.parametrize("persona", ["panel_analyst", "administrator"])
def test_context_work_is_404_without_a_case_role(client, request, place, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(work_url(place, "refer")).status_code == 404


def test_the_police_officer_says_where_a_missing_episode_happened(
    client, agencies, police_officer, child, peer, place
):
    from sightline.networks.tests.conftest import event

    missing = event(child, agencies["POLICE"], "missing_episode", others=[peer])
    url = reverse("networks:event-context", kwargs={"pk": missing.pk})
    client.force_login(police_officer)
    network_page = reverse("networks:child-network", kwargs={"public_id": child.public_id})
    assert f'href="{url}"' in client.get(network_page).content.decode()
    assert "Where did this happen? Missing episode" in client.get(url).content.decode()
    response = client.post(url, {"context": str(place.public_id), "confidence": "confirmed"})
    assert response.status_code == 302
    made = {
        (a.person_id, a.other_person_id, a.context_id, a.nature) for a in Association.objects.all()
    }
    assert made == {
        (child.pk, peer.pk, None, "seen_with"),
        (child.pk, None, place.pk, "missing_from"),
        (peer.pk, None, place.pk, "seen_with"),
    }
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_EVENT_CONTEXT).count() == 1
    assert f'href="{url}"' not in client.get(network_page).content.decode()


def test_naming_the_place_of_an_event_needs_a_relationship_with_its_child(
    client, agencies, teacher, police_officer, child, place
):
    from sightline.networks.tests.conftest import event

    alone = event(child, agencies["POLICE"], "arrest")
    url = reverse("networks:event-context", kwargs={"pk": alone.pk})
    client.force_login(teacher)
    assert (
        client.post(url, {"context": str(place.public_id), "confidence": "probable"}).status_code
        == 404
    )
    assert client.get(reverse("networks:event-context", kwargs={"pk": 999999})).status_code == 404
    assert AuditEvent.objects.filter(actor=teacher, action=AuditAction.DENIED).count() == 2
    client.force_login(police_officer)
    response = client.post(url, {"confidence": "probable"})
    assert "context" in response.context["form"].errors
    assert Association.objects.count() == 0


def test_the_police_officer_flags_an_adult_they_know_as_of_concern(
    client, agencies, police_officer, teacher, adult
):
    factories.InvolvementFactory.create(
        person=adult,
        practitioner=police_officer,
        agency=agencies["POLICE"],
        role=InvolvementRole.POLICE_OFFICER,
        started_on=dt.date(2024, 1, 1),
    )
    url = reverse("networks:person-concern", kwargs={"public_id": adult.public_id})
    client.force_login(teacher)
    assert client.post(url, {**day("started_on", 2025, 1, 1), "reason": "x"}).status_code == 404
    client.force_login(police_officer)
    response = client.post(url, {**day("started_on", 2025, 1, 1), "reason": " "})
    assert "reason" in response.context["form"].errors
    response = client.post(
        url, {**day("started_on", 2025, 1, 1), "reason": "Supplies drugs to children"}
    )
    assert response.status_code == 302
    flag = ConcernFlag.objects.get()
    assert (flag.person, flag.agency.code) == (adult, "POLICE")
    assert AuditEvent.objects.get(action=AuditAction.RECORD_CONCERN_FLAG).person == adult


def test_an_association_the_agency_recorded_is_withdrawn_from_the_network_page(
    client, police_officer, social_worker, child, peer, agencies
):
    from sightline.networks.tests.conftest import link

    association = link(child, agency=agencies["POLICE"], other=peer)
    network_url = reverse("networks:child-network", kwargs={"public_id": child.public_id})
    withdraw_url = reverse("networks:withdraw-association", kwargs={"public_id": child.public_id})
    # Another agency sees no withdraw button, and cannot withdraw it.
    client.force_login(social_worker)
    assert f'value="{association.pk}"' not in client.get(network_url).content.decode()
    refused = client.post(withdraw_url, {"association": association.pk, "reason": "x"})
    assert refused.status_code == 302
    association.refresh_from_db()
    assert association.withdrawn_at is None
    # The recording agency: no reason is refused, saying why; with one it is withdrawn.
    client.force_login(police_officer)
    assert f'value="{association.pk}"' in client.get(network_url).content.decode()
    client.post(withdraw_url, {"association": association.pk, "reason": ""})
    association.refresh_from_db()
    assert association.withdrawn_at is None
    page = client.get(network_url).content.decode()
    assert "Not withdrawn: Enter why it is withdrawn." in page
    client.post(withdraw_url, {"association": association.pk, "reason": "Wrong person"})
    association.refresh_from_db()
    assert association.withdrawn_reason == "Wrong person"


def test_a_concern_the_agency_raised_is_ended_from_the_network_page(
    client, police_officer, child, agencies
):
    from sightline.networks.tests.conftest import flag

    concern = flag(agencies["POLICE"], person=child, reason="Seen with older men")
    end_url = reverse("networks:end-concern", kwargs={"public_id": child.public_id})
    client.force_login(police_officer)
    response = client.post(end_url, {"flag": concern.pk, "reason": "Moved out of the area"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.ended_on is not None
    assert concern.ended_reason == "Moved out of the area"
    again = client.post(end_url, {"flag": concern.pk, "reason": "again"})
    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "only an open one your agency raised" in page


def test_saying_where_an_event_happened_chooses_a_place_from_the_list(
    client, agencies, police_officer, child, peer, place
):
    from sightline.networks.models import EventLocation
    from sightline.networks.tests.conftest import event

    missing = event(child, agencies["POLICE"], "missing_episode", others=[peer])
    url = reverse("networks:event-context", kwargs={"pk": missing.pk})
    client.force_login(police_officer)
    html = client.get(url).content.decode()
    # The place is offered by name; no box asks for an identifier.
    assert f'<option value="{place.public_id}">{place.name} (' in html
    assert "identifier" not in html.lower()
    refused = client.post(url, {"context": "not-a-place", "confidence": "probable"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["context"] == ["Choose a place or group from the list"]
    assert not EventLocation.objects.exists()
    done = client.post(url, {"context": str(place.public_id), "confidence": "probable"})
    assert done.status_code == 302
    assert EventLocation.objects.get(event=missing).context == place
