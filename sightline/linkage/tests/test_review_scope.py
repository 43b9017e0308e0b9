"""The identity review queue and merges are scoped (issue 13, leak 5).

The attack: any safeguarding lead saw every review, with both records' names, dates of
birth, NHS numbers and addresses, and could undo any merge, with no reason. Now a
reviewer sees only pairs touching a child they have a relationship with, or holds the
data-quality role, whose every view is audited; un-merge needs a reason.
"""

import datetime as dt

import pytest
from django.urls import reverse

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.linkage import actions
from sightline.linkage.models import MatchReview, PersonMerge
from sightline.people.models import SourceRecord
from sightline.testing import factories


@pytest.fixture
def records(agencies, child):
    """The persona child as social care holds them, and a health record of another
    person (no one has a relationship with them)."""
    held = factories.SourceRecordFactory.create(
        agency=agencies["CSC"],
        person=child,
        record_id="C1",
        given_name="Jamie",
        family_name="Testchild",
        date_of_birth=dt.date(2015, 3, 14),
        nhs_number="",
        postcode="LS6 1AA",
    )
    other = factories.SourceRecordFactory.create(
        agency=agencies["HEALTH"],
        record_id="H7",
        given_name="Jaime",
        family_name="Testchild",
        date_of_birth=dt.date(2015, 3, 14),
        nhs_number="",
        postcode="LS6 1AA",
    )
    return held, other


@pytest.fixture
def review(records):
    first, second = records
    return MatchReview.objects.create(
        record_a=first,
        record_b=second,
        probability=0.93,
        evidence=[],
        evidence_key="k",
        model_version="test",
        proposed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def merge(records, team_manager):
    first, second = records
    return actions.merge_persons(
        actor=team_manager,
        survivor=first.person,
        merged=second.person,
        origin=CLI,
        reason="same child",
    )


@pytest.fixture
def other_lead(agencies):
    """A safeguarding lead of an agency with no involvement with the child."""
    return factories.UserFactory.create(
        username="hal.housing", agency=agencies["HOUSING"], role=Role.SAFEGUARDING_LEAD
    )


@pytest.fixture
def data_quality(agencies):
    return factories.UserFactory.create(
        username="dee.quality", agency=agencies["CSC"], role=Role.DATA_QUALITY
    )


def test_another_agencys_safeguarding_lead_sees_no_pair(client, other_lead, review):
    client.force_login(other_lead)
    queue = client.get(reverse("linkage-reviews"))
    assert queue.status_code == 200
    page = queue.content.decode()
    assert "CSC:C1" not in page
    assert "HEALTH:H7" not in page
    assert client.get(reverse("linkage-review", args=[review.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=other_lead, detail__intent="match_review"
    ).exists()
    decided = client.post(reverse("linkage-review", args=[review.pk]), {"decision": "confirm"})
    assert decided.status_code == 404
    review.refresh_from_db()
    assert review.status == "pending"


def test_another_agencys_safeguarding_lead_cannot_undo_a_merge(client, other_lead, merge):
    client.force_login(other_lead)
    assert "HEALTH:H7" not in client.get(reverse("linkage-merges")).content.decode()
    url = reverse("linkage-undo-merge", args=[merge.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "I say so"}).status_code == 404
    merge.refresh_from_db()
    assert not merge.is_undone
    assert SourceRecord.objects.get(record_id="H7").person_id == merge.survivor_id
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=other_lead, detail__intent="undo_merge"
    ).exists()


def test_a_safeguarding_lead_of_an_involved_agency_sees_the_pair(
    client, agencies, review, police_officer
):
    # The police hold an involvement with the child (the persona fixture).
    lead = factories.UserFactory.create(agency=agencies["POLICE"], role=Role.SAFEGUARDING_LEAD)
    client.force_login(lead)
    assert "CSC:C1" in client.get(reverse("linkage-reviews")).content.decode()
    assert client.get(reverse("linkage-review", args=[review.pk])).status_code == 200


def test_an_un_merge_without_a_reason_is_refused_and_nothing_changes(client, team_manager, merge):
    client.force_login(team_manager)
    url = reverse("linkage-undo-merge", args=[merge.pk])
    before = AuditEvent.objects.filter(action=AuditAction.UNMERGE_PERSONS).count()
    for reason in ("", "   "):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page
        assert "Enter why the merge is wrong" in page
    merge.refresh_from_db()
    assert not merge.is_undone
    assert SourceRecord.objects.get(record_id="H7").person_id == merge.survivor_id
    assert AuditEvent.objects.filter(action=AuditAction.UNMERGE_PERSONS).count() == before
    with pytest.raises(actions.LinkageError, match="reason"):
        actions.undo_merge(actor=team_manager, merge=merge, origin=CLI, reason=" ")


def test_an_un_merge_keeps_its_reason(client, team_manager, merge):
    client.force_login(team_manager)
    response = client.post(
        reverse("linkage-undo-merge", args=[merge.pk]), {"reason": "Different NHS numbers"}
    )
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.is_undone
    audit = AuditEvent.objects.get(action=AuditAction.UNMERGE_PERSONS)
    assert audit.reason == "Different NHS numbers"


def test_a_data_quality_officer_sees_every_pair_and_each_view_is_audited(
    client, data_quality, review
):
    client.force_login(data_quality)
    assert "CSC:C1" in client.get(reverse("linkage-reviews")).content.decode()
    assert client.get(reverse("linkage-review", args=[review.pk])).status_code == 200
    both = sorted([str(review.record_a.person.public_id), str(review.record_b.person.public_id)])
    rows = AuditEvent.objects.filter(actor=data_quality, action=AuditAction.VIEW_PERSON)
    for via in ("match review queue", "match review"):
        shown = rows.filter(detail__via=via)
        assert {row.person_id for row in shown} == {
            review.record_a.person_id,
            review.record_b.person_id,
        }
        assert all(sorted(row.detail["persons"]) == both for row in shown)
        assert all(row.detail["scope"] == "data quality" for row in shown)


def test_a_data_quality_officer_merges_list_is_audited(client, data_quality, merge):
    client.force_login(data_quality)
    assert "HEALTH:H7" in client.get(reverse("linkage-merges")).content.decode()
    listed = AuditEvent.objects.filter(actor=data_quality, detail__via="merges")
    assert {row.person_id for row in listed} == {merge.survivor_id, merge.merged_id}


def test_a_merge_made_outside_ones_scope_is_not_listed(client, team_manager, agencies):
    # Two persons nobody in the team works with.
    # Record ids no CSRF token or other page text could hold by chance.
    first = factories.SourceRecordFactory.create(agency=agencies["HEALTH"], record_id="HLT-48213")
    second = factories.SourceRecordFactory.create(
        agency=agencies["EDUCATION"], record_id="EDU-90377"
    )
    merge = actions.merge_persons(
        actor=None, survivor=first.person, merged=second.person, origin=CLI
    )
    client.force_login(team_manager)
    page = client.get(reverse("linkage-merges")).content.decode()
    assert "HLT-48213" not in page
    assert "EDU-90377" not in page
    assert client.get(reverse("linkage-undo-merge", args=[merge.pk])).status_code == 404
    assert PersonMerge.objects.get(pk=merge.pk).undone_at is None


def test_review_pages_give_no_person_id_that_opens_emergency_access(
    client, data_quality, review, merge
):
    # The only way to the emergency-access page is a search result (people search, for
    # those who may trace): no linkage page names a person by id.
    client.force_login(data_quality)
    ids = {str(review.record_a.person.public_id), str(review.record_b.person.public_id)}
    for url in (
        reverse("linkage-reviews"),
        reverse("linkage-review", args=[review.pk]),
        reverse("linkage-merges"),
        reverse("linkage-undo-merge", args=[merge.pk]),
    ):
        page = client.get(url).content.decode()
        assert not any(public_id in page for public_id in ids), url
        assert "/emergency-access/" not in page
