"""Identity resolution in a real browser: a practitioner records a person and is shown the
likely existing person first; a team manager rejects twins in review, confirms a true
match, and undoes the merge with a reason.

Playwright's sync API with Debian's Chromium against a live server on plain HTTP.
A screenshot of a failing test goes to ``test-artifacts/``.
"""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.test import Client

from sightline.chronology.models import Category, ChronologyEvent
from sightline.linkage.models import MatchReview, PersonMerge, ReviewStatus
from sightline.people.models import SourceRecord
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


def screenshot_on_failure(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"linkage-{name}.png"), full_page=True)


def held(agency, record_id, person=None, **fields):
    identity = {
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2015, 3, 14),
        "sex": "M",
        "nhs_number": "",
        "postcode": "LS6 1AA",
        "address": "12 Acacia Avenue, Leeds",
        **fields,
    }
    extra = {"person": person} if person is not None else {}
    return factories.SourceRecordFactory.create(
        agency=agency, record_id=record_id, **extra, **identity
    )


def test_it_records_a_person_after_showing_the_likely_existing_one(
    browser, live_server, agencies, social_worker, child, model_version
):
    held(agencies["CSC"], "C1", person=child)
    context, page = open_page(browser, live_server, social_worker)
    try:
        page.goto(f"{live_server.url}/linkage/record-person/")
        page.fill("#id_record_id", "CSC-777")
        page.fill("#id_given_name", "jamie")
        page.fill("#id_family_name", "TESTCHILD")
        page.fill("input[name=date_of_birth_day]", "14")
        page.fill("input[name=date_of_birth_month]", "3")
        page.fill("input[name=date_of_birth_year]", "2015")
        page.fill("#id_postcode", "ls61aa")
        page.click("#find-matches")
        page.wait_for_selector("#candidates")
        assert page.locator(".candidate-probability").first.inner_text().endswith("likely")
        assert "Given name agrees" in page.locator(".candidate-explanation").first.inner_text()
        if os.environ.get("SIGHTLINE_SCREENSHOTS"):
            screenshot_on_failure(page, "candidates")
        page.check(f"input[name=same_as][value='{child.public_id}']")
        page.click("#record")
        page.wait_for_selector(".govuk-panel--confirmation")
        assert SourceRecord.objects.get(record_id="CSC-777").person_id == child.pk
    except Exception:
        screenshot_on_failure(page, "record-person")
        raise
    finally:
        context.close()


def test_it_rejects_twins_confirms_a_match_and_undoes_the_merge(
    browser, live_server, agencies, team_manager, model_version
):
    jamie = held(agencies["CSC"], "C1")
    # A reviewer sees the pairs touching a child they work with.
    factories.InvolvementFactory.create(person=jamie.person, practitioner=team_manager)
    jamie_health = held(agencies["HEALTH"], "H1", given_name="Jaime")
    twin = held(agencies["EDUCATION"], "E2", given_name="Priya", sex="F")
    Category.objects.get_or_create(code="other", defaults={"label": "Other"})
    event = factories.ChronologyEventFactory.create(subject_record=jamie_health)

    def propose(a, b, probability, guard=""):
        first, second = sorted((a, b), key=lambda r: r.pk)
        return MatchReview.objects.create(
            record_a=first,
            record_b=second,
            probability=probability,
            guard=guard,
            evidence=[],
            evidence_key=f"{first.pk}-{second.pk}",
            model_version=model_version.version,
            proposed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )

    twins = propose(
        jamie, twin, 0.999, "possible twins or siblings: same family, different given names"
    )
    same = propose(jamie, jamie_health, 0.93)
    context, page = open_page(browser, live_server, team_manager)
    try:
        page.goto(f"{live_server.url}/linkage/reviews/")
        page.click(f"a[href='/linkage/reviews/{twins.pk}/']")
        assert "possible twins" in page.locator(".govuk-warning-text").inner_text()
        table = page.locator("#evidence").inner_text()
        assert "Priya" in table
        assert "Jamie" in table
        page.fill("#id_reason", "Twins: different children")
        page.click("#reject")
        page.wait_for_selector("#review-queue")
        page.click(f"a[href='/linkage/reviews/{same.pk}/']")
        page.click("#confirm")
        page.wait_for_selector(".govuk-notification-banner, #review-queue-empty, #review-queue")
        twins.refresh_from_db()
        same.refresh_from_db()
        assert twins.status == ReviewStatus.REJECTED
        assert same.status == ReviewStatus.CONFIRMED
        jamie_health.refresh_from_db()
        jamie.refresh_from_db()
        assert jamie_health.person_id == jamie.person_id
        event.refresh_from_db()
        assert event.person_id == jamie.person_id

        merge = PersonMerge.objects.get()
        page.goto(f"{live_server.url}/linkage/merges/")
        page.click(f"#undo-{merge.pk}")
        page.fill("#id_reason", "Different children: the NHS numbers differ")
        page.click("#undo")
        page.wait_for_selector("#merges, .govuk-notification-banner")
        jamie_health.refresh_from_db()
        assert jamie_health.person_id == merge.merged_id
        assert ChronologyEvent.objects.get(pk=event.pk).person_id == merge.merged_id
        twin.refresh_from_db()
        assert twin.person_id not in {jamie.person_id, jamie_health.person_id}
    except Exception:
        screenshot_on_failure(page, "review")
        raise
    finally:
        context.close()
