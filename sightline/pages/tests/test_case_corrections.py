"""Correcting and withdrawing a recorded step from the Case part: the record is chosen
from the case (one's own agency's current rows), the correction supersedes it with the
reason, a withdrawal marks it; the earlier version stays in the history the Case part
shows ("corrected on ... by ..."), and the chronology event is revised."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases import actions
from sightline.cases import models as case_models
from sightline.chronology.models import ChronologyEvent
from sightline.testing import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def client(social_worker):
    client = HttpsClient()
    client.force_login(social_worker)
    return client


@pytest.fixture
def review(child, social_worker):
    actions.start_looked_after(
        actor=social_worker,
        origin=CLI,
        child=child,
        decom=TODAY - dt.timedelta(days=60),
        ls="V2",
        cin="N1",
        place="U1",
        place_provider="PR1",
    )
    return actions.record_looked_after_review(
        actor=social_worker,
        origin=CLI,
        child=child,
        review=TODAY - dt.timedelta(days=1),
        review_code="PN7",
    )


def records_url(child):
    return reverse("case-records", kwargs={"public_id": child.public_id})


def change_url(child, kind, row, change):
    return reverse(
        "case-record-change",
        kwargs={
            "public_id": child.public_id,
            "kind": kind,
            "record_id": row.public_id,
            "change": change,
        },
    )


def panel(client, child):
    return client.get(
        reverse("person-panel", kwargs={"public_id": child.public_id, "panel": "case"}),
        headers={"HX-Request": "true"},
    ).content.decode()


def summary_links(response):
    html = response.content.decode()
    assert '<div class="govuk-error-summary"' in html
    return re.findall(r'<a href="#([^"]*)">([^<]*)</a></li>', html)


def test_a_record_is_chosen_from_the_case_then_corrected(client, child, review):
    assert 'id="correct-or-withdraw"' in panel(client, child)
    page = client.get(records_url(child)).content.decode()
    label = "Looked-after review on 14 June 2026 (child did not attend or convey their views)"
    assert label in page
    (value,) = re.findall(r'name="record" value="(looked-after-review:[^"]+)"', page)
    chosen = client.post(records_url(child), {"record": value, "change": "correct"})
    assert chosen["Location"] == change_url(child, "looked-after-review", review, "correct")

    form = client.get(chosen["Location"]).content.decode()
    # What was recorded is filled in.
    assert re.search(r'value="PN7" class="govuk-radios__input"[^>]*\bchecked', form)
    assert 'name="review_day" value="14"' in form
    response = client.post(
        chosen["Location"],
        {
            "review_day": "14",
            "review_month": "6",
            "review_year": "2026",
            "review_code": "PN1",
            "reason": "Participation entered wrongly",
        },
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{label}: corrected. The earlier version stays in the history."
    ]
    current = case_models.LookedAfterReview.objects.current().get(child=child)
    assert (current.review_code, current.supersedes_id) == ("PN1", review.pk)
    assert current.correction_reason == "Participation entered wrongly"
    # The chronology event is revised: one current event, with the correction.
    (event,) = ChronologyEvent.objects.current().filter(
        person=child, category__code="looked_after_review"
    )
    assert event.agency.code == "CSC"
    assert "corrected: Participation entered wrongly" in event.summary
    assert AuditEvent.objects.filter(action=AuditAction.CORRECT_CASE_RECORD).count() == 1
    html = panel(client, child)
    assert "14 June 2026: Child physically attended and spoke for themselves" in html
    assert (
        f"{label}: corrected on 15 June 2026 by Sally Social (“Participation entered wrongly”)"
        in html
    )


def test_a_correction_without_a_reason_or_a_change_is_refused(client, child, review):
    url = change_url(child, "looked-after-review", review, "correct")
    response = client.post(url, {"review_day": "14", "review_month": "6", "review_year": "2026"})
    assert response.status_code == 400
    assert summary_links(response) == [
        ("id_review_code_0", "Select how the child took part in the review"),
        ("id_reason", "Enter why the record is corrected"),
    ]
    unchanged = client.post(
        url,
        {
            "review_day": "14",
            "review_month": "6",
            "review_year": "2026",
            "review_code": "PN7",
            "reason": "Checking",
        },
    )
    assert unchanged.status_code == 400
    assert "Nothing would change." in unchanged.content.decode()
    assert case_models.LookedAfterReview.objects.get(child=child).pk == review.pk


def test_a_record_is_withdrawn_with_its_reason_and_stays_in_the_history(client, child, review):
    url = change_url(child, "looked-after-review", review, "withdraw")
    empty = client.post(url, {})
    assert summary_links(empty) == [("id_reason", "Enter why the record is withdrawn")]
    response = client.post(url, {"reason": "Recorded on the wrong child"})
    assert response.status_code == 302
    assert not case_models.LookedAfterReview.objects.current().filter(child=child).exists()
    kept = case_models.LookedAfterReview.objects.get(pk=review.pk)
    assert kept.withdrawal_reason == "Recorded on the wrong child"
    html = panel(client, child)
    assert "withdrawn on 15 June 2026 by Sally Social (“Recorded on the wrong child”)" in html
    # A record no longer current is not offered again.
    assert client.get(url).status_code == 302


def test_the_choice_needs_a_record_and_what_to_do(client, child, review):
    response = client.post(records_url(child), {})
    assert summary_links(response) == [
        ("id_record_0", "Select the record to correct or withdraw"),
        ("id_change_0", "Select whether to correct or withdraw the record"),
    ]


def test_a_missing_episode_is_corrected_with_its_return_interview(client, child, social_worker):
    actions.start_looked_after(
        actor=social_worker,
        origin=CLI,
        child=child,
        decom=TODAY - dt.timedelta(days=60),
        ls="V2",
        cin="N1",
        place="U1",
        place_provider="PR1",
    )
    episode = actions.record_missing_episode(
        actor=social_worker,
        origin=CLI,
        child=child,
        missing="M",
        mis_start=TODAY - dt.timedelta(days=5),
        mis_end=TODAY - dt.timedelta(days=4),
    )
    url = change_url(child, "missing", episode, "correct")
    base = {
        "missing": "A",
        "mis_start_day": "10",
        "mis_start_month": "6",
        "mis_start_year": "2026",
        "mis_end_day": "11",
        "mis_end_month": "6",
        "mis_end_year": "2026",
        "reason": "Whereabouts were known",
    }
    bad = client.post(url, {**base, "rhi_offered": "no", "rhi_accepted": "yes"})
    assert summary_links(bad) == [
        ("id_rhi_accepted_0", "Say whether the interview was accepted only if it was offered")
    ]
    assert client.post(url, {**base, "rhi_offered": "yes"}).status_code == 302
    current = case_models.MissingEpisode.objects.current().get(child=child)
    assert (current.missing, current.rhi_offered, current.rhi_accepted) == ("A", True, None)


def test_someone_who_may_see_but_not_record_is_refused(child, review, police_officer):
    client = HttpsClient()
    client.force_login(police_officer)
    assert client.get(records_url(child)).status_code == 403
    url = change_url(child, "looked-after-review", review, "withdraw")
    assert client.post(url, {"reason": "No"}).status_code == 403
    assert case_models.LookedAfterReview.objects.current().get(child=child).pk == review.pk


def test_someone_who_may_not_see_the_record_is_told_nothing(child, review, teacher):
    client = HttpsClient()
    client.force_login(teacher)
    assert client.get(records_url(child)).status_code == 404
    url = change_url(child, "looked-after-review", review, "correct")
    assert client.get(url).status_code == 404


def test_another_agencys_record_is_not_offered_nor_changed(child, review, agencies, social_worker):
    # A manager of another social care agency with a relationship to the child, on a
    # case no agency holds open: a record of Leeds's is not theirs to change.
    from sightline.agencies.models import AgencyKind

    other = factories.AgencyFactory.create(
        code="CSC2", name="Bradford Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )
    worker = factories.UserFactory.create(agency=other)
    factories.InvolvementFactory.create(person=child, practitioner=worker, agency=other)
    client = HttpsClient()
    client.force_login(worker)
    # Leeds holds the case (its open looked-after episode): Bradford records nothing.
    assert client.get(records_url(child)).status_code == 403
    assert (
        client.get(change_url(child, "looked-after-review", review, "correct")).status_code == 403
    )


def test_an_unknown_kind_is_not_found(client, child, review):
    assert client.get(change_url(child, "no-such-kind", review, "correct")).status_code == 404
    assert client.get(change_url(child, "looked-after-review", review, "erase")).status_code == 404
