"""A police officer acts from the child's page: adds to the chronology, then records an
association with a young person found by the one search and chosen from the results.
From sign-in, by clicking: no typed address, no typed identifier."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline.agencies.models import Agency
from sightline.networks.models import Association
from sightline.people.models import InvolvementRole
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "correct horse battery staple"  # UserFactory's


def fill_date(page, group: str, day: dt.date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def test_a_police_officer_adds_to_the_chronology_and_records_an_association(
    live_server, browser, child, police_officer, agencies: dict[str, Agency]
):
    peer = factories.PersonFactory.create(
        given_name="Robin", family_name="Peer", date_of_birth=dt.date(2009, 2, 2)
    )
    factories.InvolvementFactory.create(
        person=peer,
        practitioner=police_officer,
        agency=agencies["POLICE"],
        role=InvolvementRole.POLICE_OFFICER,
        started_on=dt.date(2024, 1, 1),
    )
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server.url}/")  # the sign-in page: the journey's start
        page.get_by_label("Username").fill(police_officer.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Jamie Testchild").click()

        # Add to the chronology: a mistake first, then the entry.
        page.get_by_role("link", name="Add to the chronology").click()
        page.get_by_role("button", name="Add to the chronology").click()
        summary = page.locator(".govuk-error-summary")
        assert "Enter the date it happened" in summary.inner_text()
        assert "Choose what happened" in summary.inner_text()
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        fill_date(page, "When did it happen?", yesterday)
        page.get_by_label("What happened?").select_option(label="Concern for welfare")
        page.get_by_label("High").check()
        page.get_by_label("Summary").fill("Found alone at the bus station at 11pm; taken home.")
        page.get_by_role("button", name="Add to the chronology").click()
        assert "Added to the chronology" in page.locator(".govuk-notification-banner").inner_text()
        assert "Found alone at the bus station" in page.locator("#chronology-events").inner_text()

        # Record an association: a search that finds nobody, then the peer, chosen.
        page.get_by_role("link", name="Record an association").click()
        search = page.get_by_label("Search for someone else by name")
        search.fill("Nobody Atall 2/2/2009")
        page.get_by_role("button", name="Search").click()
        # Wait for the answer (read at once, the page can be the new one still loading).
        expect(page.locator("main")).to_contain_text("Nobody you may choose matches")
        search.fill("Robin Peer 2/2/2009")
        # Enter in the search box searches; the form is not sent.
        search.press("Enter")
        page.wait_for_load_state("load")
        assert "There is a problem" not in page.content()
        page.get_by_label("Robin Peer", exact=True).check()
        assert "born 2 February 2009" in page.locator("#id_other_person_results").inner_text()
        page.get_by_label("How are they linked?").select_option(label="Seen with")
        page.get_by_label("Probable").check()
        fill_date(page, "Known since", yesterday)
        page.get_by_role("button", name="Record the association").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Association recorded")
        association = Association.objects.get()
        assert (association.person, association.other_person) == (child, peer)

        # Back on the child's page, the association is in the chronology.
        page.get_by_role("link", name="Sightline").click()
        page.get_by_role("link", name="Jamie Testchild").click()
        chronology = page.locator("#chronology-events").inner_text()
        assert "Association recorded: seen with" in chronology
        assert "Robin" not in chronology  # who stays on the network page
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "police-officer-acts.png"), full_page=True)
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "police-officer-acts-failure.png"), full_page=True)
        raise
    finally:
        context.close()
