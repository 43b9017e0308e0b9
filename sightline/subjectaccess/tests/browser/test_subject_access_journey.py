"""A data quality officer answers a subject access request in the browser, from the home
page, by clicking: the person is found by search (names and a date of birth are criteria,
not identifiers) and chosen from the results; no address and no identifier is typed.

The pack cannot be produced before the requester's identity is verified (a GOV.UK error
summary says why); the deadline's extension needs a reason (an error summary when it is
empty); the suggested redactions are reviewed; the PDF and the zip are downloaded, and
the zip holds the child's records from every agency and no third party's name."""

import datetime as dt
import json
import re
import zipfile

import pytest
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from sightline.sharing.tests.browser.test_flag_alert_journey import sign_in
from sightline.subjectaccess.models import Decision, Status, SubjectAccessRequest
from sightline.testing.browser import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]
AGENCIES = ("CSC", "POLICE", "HEALTH", "EDUCATION")


def _names_left(text, names):
    return [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I)]


def _fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_officer_answers_a_subject_access_request(live_server, browser, officer, family):
    received = timezone.localdate() - dt.timedelta(days=3)
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, live_server, officer)  # the home page's sign-in
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Subject access"
        ).click()
        assert page.get_by_role("heading", name="Subject access requests").is_visible()
        page.get_by_role("link", name="Log a request").click()

        # The person, found by criteria and chosen from the results.
        page.get_by_label("Name", exact=True).fill("Jamie Testchild")
        _fill_date(page, "Date of birth", family.child.date_of_birth)
        page.get_by_role("button", name="Search").click()
        results = page.locator("#search-results")
        results.get_by_role("link", name="Choose Jamie Testchild").click()

        page.get_by_label("Requester's name").fill("Jamie Testchild")
        page.get_by_label("The person themself").check()
        _fill_date(page, "Date received", received)
        page.get_by_role("button", name="Log the request").click()
        assert "Not verified" in page.locator("#request-summary").inner_text()

        # No pack before the identity is verified: a GOV.UK error summary says why.
        page.get_by_role("button", name="Download the PDF").click()
        summary = page.locator(".govuk-error-summary")
        assert "identity has not been verified" in summary.inner_text()
        assert page.title().startswith("Error:")
        summary.get_by_role("link").click()  # to the verification step
        assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_READ).exists()

        # The extension needs a reason.
        page.get_by_role("button", name="Extend by two months").click()
        summary = page.locator(".govuk-error-summary")
        assert "Enter why the deadline is extended" in summary.inner_text()
        summary.get_by_role("link", name="Enter why the deadline is extended").click()
        reason = page.get_by_label("Why is the deadline extended?")
        assert reason.evaluate("element => element === document.activeElement")
        reason.fill("The request covers ten years of records held by four agencies")
        page.get_by_role("button", name="Extend by two months").click()
        assert "Deadline extended" in page.content()
        assert "Extended to" in page.locator("#request-summary").inner_text()

        # Verify, gather, review.
        page.get_by_label("Identity documents checked (photo ID and proof of address)").check()
        page.get_by_role("button", name="Record the verification").click()
        assert "Identity verified" in page.content()
        page.get_by_role("button", name="Gather the records").click()
        suggestions = page.locator("#suggestions")
        assert "Karen Woodhouse" in suggestions.inner_text()
        page.get_by_role("button", name="Redact Karen Woodhouse", exact=True).click()
        row = page.locator("#suggestions tr").filter(has_text="Karen Woodhouse")
        assert "Redact" in row.locator(".govuk-tag").inner_text()

        # The pack: the PDF, then the zip.
        with page.expect_download() as pdf_download:
            page.get_by_role("button", name="Download the PDF").click()
        pdf = pdf_download.value
        assert pdf.suggested_filename.endswith(".pdf")
        with open(pdf.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        with page.expect_download() as zip_download:
            page.get_by_role("button", name="Download the zip of the records").click()
        download = zip_download.value
        assert download.suggested_filename.endswith(".zip")
        archive = zipfile.ZipFile(download.path())
        names = archive.namelist()
        for code in AGENCIES:
            records = json.loads(archive.read(f"{code.lower()}/records.json"))
            assert records["tables"]["records"][0]["Record id"] == f"{code}-0001"
        text = "\n".join(
            archive.read(name).decode("utf-8") for name in names if not name.endswith(".pdf")
        )
        assert "Jamie" in text
        assert _names_left(text, family.third_party_names) == []
        assert errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "subject-access.png"), full_page=True)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "subject-access-failure.png"), full_page=True)
        raise
    finally:
        context.close()
    found = SubjectAccessRequest.objects.get()
    assert found.person == family.child
    assert found.status == Status.IN_REVIEW
    assert found.extended_due_on is not None
    decisions = dict(found.suggestions.values_list("term", "decision"))
    assert decisions["Karen Woodhouse"] == Decision.CONFIRMED
    assert Decision.REJECTED not in decisions.values()
    assert AuditEvent.objects.filter(action=AuditAction.PRODUCE_SUBJECT_ACCESS).count() == 2
