import datetime as dt
import io
import json

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents import access, actions, exports
from sightline.incidents.models import Partner, RapidReview
from sightline.learning.models import ReviewDocument, ReviewKind
from sightline.testing import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def notification(notify, team_manager):
    notification = notify()
    return actions.submit_notification(
        actor=team_manager, origin=CLI, notification=notification, submitted_on=D(2024, 5, 10)
    )


@pytest.fixture
def review(notification, team_manager):
    return actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)


def _ready_for_sign_off(review, team_manager, *, needed=True):
    for summary in review.summaries.all():
        actions.record_agency_summary(
            actor=team_manager if summary.agency.code == "CSC" else summary.contributor,
            origin=CLI,
            summary=summary,
            involvement=f"{summary.agency.code} involvement",
            analysis=f"{summary.agency.code} analysis",
            learning=f"{summary.agency.code} learning",
        )
    actions.record_review_meeting(
        actor=team_manager,
        origin=CLI,
        review=review,
        held_on=D(2024, 5, 24),
        attendees="LA, police, ICB",
        notes="Facts agreed.",
    )
    actions.decide_local_review(
        actor=team_manager,
        origin=CLI,
        review=review,
        needed=needed,
        reasons="Learning about information sharing at the hospital front door.",
        decided_on=D(2024, 5, 24),
    )


def _name_contributors(review, team_manager, agencies):
    contributors = {}
    for summary in review.summaries.exclude(agency__code="CSC"):
        contributors[summary.agency.code] = factories.UserFactory.create(
            agency=summary.agency, role=Role.PRACTITIONER
        )
        actions.request_agency_summary(
            actor=team_manager,
            origin=CLI,
            review=review,
            agency=summary.agency,
            contributor=contributors[summary.agency.code],
        )
    return contributors


def test_opening_sets_the_deadlines_from_the_notification(review):
    # Sent Friday 10 May 2024; 27 May is a bank holiday.
    assert (review.due_on, review.due_rule, review.due_rule_version) == (
        D(2024, 6, 3),
        "rapid_review",
        "WT2023.1",
    )
    assert (review.summary_working_day, review.summaries_due_on) == (10, D(2024, 5, 24))


def test_the_local_plan_sets_the_summary_day(notification, team_manager, settings):
    settings.SIGHTLINE_RAPID_REVIEW_SUMMARY_DAY = 8
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    assert review.summaries_due_on == D(2024, 5, 22)


def test_it_proposes_agencies_from_involvements_and_two_years_of_chronology(
    notification, team_manager, child, agencies
):
    education = factories.SourceRecordFactory.create(agency=agencies["EDUCATION"], person=child)
    factories.ChronologyEventFactory.create(
        subject_record=education, occurred_at=dt.datetime(2022, 6, 1, 9, tzinfo=dt.UTC)
    )
    housing = factories.SourceRecordFactory.create(agency=agencies["HOUSING"], person=child)
    factories.ChronologyEventFactory.create(  # more than two years before awareness
        subject_record=housing, occurred_at=dt.datetime(2022, 5, 1, 9, tzinfo=dt.UTC)
    )
    review = actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    proposed = {s.agency.code: s.proposed_because for s in review.summaries.all()}
    assert proposed == {
        "CSC": ["involvement"],
        "POLICE": ["involvement"],
        "EDUCATION": ["chronology"],
    }
    assert all(s.due_on == D(2024, 5, 24) for s in review.summaries.all())


def test_a_review_needs_a_sent_notification_and_opens_once(notify, notification, team_manager):
    with pytest.raises(ValidationError, match="Record when the notification was sent"):
        actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notify())
    actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    with pytest.raises(ValidationError, match="already open"):
        actions.open_rapid_review(actor=team_manager, origin=CLI, notification=notification)
    with pytest.raises(ValidationError) as error:
        actions.open_rapid_review(
            actor=team_manager, origin=CLI, notification=notify(), summary_working_day=0
        )
    assert set(error.value.message_dict) <= {"notification", "summary_working_day"}


def test_three_partners_sign_off_and_the_record_knows_it_was_on_time(
    review, team_manager, leads, agencies
):
    _name_contributors(review, team_manager, agencies)
    with pytest.raises(ValidationError, match="decision on a local review"):
        actions.sign_off_rapid_review(
            actor=leads["CSC"], origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
        )
    _ready_for_sign_off(review, team_manager)
    with pytest.raises(PermissionDenied):  # a team manager is not a safeguarding lead
        actions.sign_off_rapid_review(
            actor=team_manager, origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
        )
    with pytest.raises(PermissionDenied):  # the police lead cannot sign for the ICB
        actions.sign_off_rapid_review(
            actor=leads["POLICE"], origin=CLI, review=review, partner=Partner.INTEGRATED_CARE_BOARD
        )
    for code, partner in (
        ("CSC", Partner.LOCAL_AUTHORITY),
        ("POLICE", Partner.POLICE),
        ("HEALTH", Partner.INTEGRATED_CARE_BOARD),
    ):
        review.refresh_from_db()
        assert review.completed_on is None
        actions.sign_off_rapid_review(actor=leads[code], origin=CLI, review=review, partner=partner)
    review.refresh_from_db()
    # "Today" in these tests is 2 September 2024: well after the 3 June deadline.
    assert (review.completed_on, review.met_deadline) == (D(2024, 9, 2), False)
    with pytest.raises(ValidationError, match="already signed off"):
        actions.sign_off_rapid_review(
            actor=leads["CSC"], origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
        )
    with pytest.raises(ValidationError, match="no longer be changed"):
        actions.record_review_meeting(
            actor=team_manager,
            origin=CLI,
            review=review,
            held_on=D(2024, 5, 24),
            attendees="x",
            notes="y",
        )
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OFF_RAPID_REVIEW).count() == 3


def test_sign_off_waits_for_every_summary(review, team_manager, leads, agencies):
    _name_contributors(review, team_manager, agencies)
    actions.record_review_meeting(
        actor=team_manager,
        origin=CLI,
        review=review,
        held_on=D(2024, 5, 24),
        attendees="a",
        notes="b",
    )
    actions.decide_local_review(
        actor=team_manager,
        origin=CLI,
        review=review,
        needed=False,
        reasons="r",
        decided_on=D(2024, 5, 24),
    )
    with pytest.raises(ValidationError, match="Summaries still awaited from"):
        actions.sign_off_rapid_review(
            actor=leads["CSC"], origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
        )


def test_a_summary_is_written_by_its_contributor_only(review, team_manager, agencies, teacher):
    contributors = _name_contributors(review, team_manager, agencies)
    police_summary = review.summaries.get(agency__code="POLICE")
    with pytest.raises(PermissionDenied):
        actions.record_agency_summary(
            actor=teacher,
            origin=CLI,
            summary=police_summary,
            involvement="a",
            analysis="b",
            learning="c",
        )
    with pytest.raises(ValidationError) as error:
        actions.record_agency_summary(
            actor=contributors["POLICE"],
            origin=CLI,
            summary=police_summary,
            involvement="Two call-outs",
            analysis=" ",
            learning="",
        )
    assert set(error.value.message_dict) == {"analysis", "learning"}
    with pytest.raises(ValidationError, match="not an active user of"):
        actions.request_agency_summary(
            actor=team_manager,
            origin=CLI,
            review=review,
            agency=agencies["POLICE"],
            contributor=teacher,
        )


def test_added_agency_gets_a_summary_request(review, team_manager, agencies, teacher):
    summary = actions.request_agency_summary(
        actor=team_manager,
        origin=CLI,
        review=review,
        agency=agencies["EDUCATION"],
        contributor=teacher,
    )
    assert (summary.proposed_because, summary.due_on) == (["added"], review.summaries_due_on)


def test_safety_actions_have_owners_and_dates(review, team_manager, social_worker):
    action = actions.add_safety_action(
        actor=team_manager,
        origin=CLI,
        review=review,
        description="Visit the sibling",
        owner=social_worker,
        due_on=D(2024, 9, 3),
    )
    actions.complete_safety_action(
        actor=social_worker, origin=CLI, action=action, completed_on=D(2024, 9, 2)
    )
    action.refresh_from_db()
    assert action.completed_on == D(2024, 9, 2)
    with pytest.raises(ValidationError) as error:
        actions.add_safety_action(
            actor=team_manager,
            origin=CLI,
            review=review,
            description=" ",
            owner=social_worker,
            due_on=D(2024, 9, 3),
        )
    assert "description" in error.value.message_dict


def test_panel_response_and_local_review_deadlines(
    review, team_manager, leads, agencies, panel_analyst
):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    review.decided_on = D(2023, 8, 31)  # to exercise the month-end clamp
    review.save()
    with pytest.raises(ValidationError, match="signed off before the panel"):
        actions.record_panel_response(
            actor=panel_analyst,
            origin=CLI,
            review=review,
            received_on=D(2024, 9, 2),
            view="agrees",
            national_review_considered=False,
        )
    for code, partner in (
        ("CSC", Partner.LOCAL_AUTHORITY),
        ("POLICE", Partner.POLICE),
        ("HEALTH", Partner.INTEGRATED_CARE_BOARD),
    ):
        actions.sign_off_rapid_review(actor=leads[code], origin=CLI, review=review, partner=partner)
    review.refresh_from_db()
    # The partners do not type in the panel's response: the panel's role records it.
    with pytest.raises(PermissionDenied, match="ask a panel analyst"):
        actions.record_panel_response(
            actor=team_manager,
            origin=CLI,
            review=review,
            received_on=D(2024, 9, 2),
            view="agrees",
            national_review_considered=False,
        )
    response = actions.record_panel_response(
        actor=panel_analyst,
        origin=CLI,
        review=review,
        received_on=D(2024, 9, 2),
        view="challenges",
        national_review_considered=True,
        comments="Consider a national review.",
    )
    assert response.get_view_display() == "Challenges the rapid review"
    local_review = actions.commission_local_review(
        actor=team_manager,
        origin=CLI,
        review=review,
        reviewer="Dr R. Viewer",
        terms_of_reference="Information sharing between ED and CSC.",
    )
    # 31 Aug 2023 + 6 months = 29 Feb 2024 (clamped); 7 working days before = 20 Feb 2024.
    assert (local_review.publication_due_on, local_review.send_to_panel_due_on) == (
        D(2024, 2, 29),
        D(2024, 2, 20),
    )
    assert local_review.due_rule_version == "WT2023.1"
    milestone = actions.add_milestone(
        actor=team_manager,
        origin=CLI,
        local_review=local_review,
        name="Practitioner event",
        due_on=D(2024, 1, 15),
    )
    with pytest.raises(ValidationError) as error:
        actions.record_local_review_progress(
            actor=team_manager, origin=CLI, local_review=local_review, published_on=D(2024, 2, 28)
        )
    assert "published_on" in error.value.message_dict
    actions.record_local_review_progress(
        actor=team_manager,
        origin=CLI,
        local_review=local_review,
        milestone=milestone,
        milestone_completed_on=D(2024, 1, 15),
        sent_to_panel_on=D(2024, 2, 19),
    )
    local_review.refresh_from_db()
    assert local_review.sent_to_panel_on == D(2024, 2, 19)


def test_no_local_review_without_the_decision(review, team_manager, agencies):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager, needed=False)
    with pytest.raises(ValidationError, match="did not decide"):
        actions.commission_local_review(
            actor=team_manager, origin=CLI, review=review, reviewer="x", terms_of_reference="y"
        )


# Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees", "changes"),
    [
        ("team_manager", True, True),  # CSC: the local authority partner
        ("panel_analyst", True, False),
        ("social_worker", False, False),  # a practitioner, even allocated
        ("police_officer", False, False),
        ("teacher", False, False),
        ("administrator", False, False),
    ],
)
def test_who_sees_a_notification(request, notification, persona, sees, changes):
    user = request.getfixturevalue(persona)
    AuditEvent.objects.all().delete()
    assert (notification in access.visible_to(user)) is sees
    if sees:
        found = access.access_notification(
            user, notification.public_id, intent=access.Intent.VIEW, origin=CLI
        )
        assert found == notification
        row = AuditEvent.objects.get()
        assert (row.action, row.actor, row.person) == (
            AuditAction.VIEW_INCIDENT,
            user,
            notification.children.get().person,
        )
    else:
        with pytest.raises(Http404):
            access.access_notification(
                user, notification.public_id, intent=access.Intent.VIEW, origin=CLI
            )
        assert AuditEvent.objects.get().action == AuditAction.DENIED
    AuditEvent.objects.all().delete()
    if changes:
        access.access_notification(
            user, notification.public_id, intent=access.Intent.CHANGE, origin=CLI
        )
        assert not AuditEvent.objects.exists()
    else:
        with pytest.raises((Http404, PermissionDenied)):
            access.access_notification(
                user, notification.public_id, intent=access.Intent.CHANGE, origin=CLI
            )
        assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_partner_leads_see_and_other_partnerships_do_not(notification, leads, agencies):
    for lead in leads.values():
        assert notification in access.visible_to(lead)
    elsewhere = factories.UserFactory.create(
        agency=factories.AgencyFactory.create(code="CSC2", kind="childrens_social_care"),
        role=Role.SAFEGUARDING_LEAD,
    )
    assert notification not in access.visible_to(elsewhere)
    with pytest.raises(Http404):
        access.access_notification(elsewhere, "not-a-uuid", intent=access.Intent.VIEW, origin=CLI)


def test_a_named_contributor_sees_the_review_and_writes_only_their_summary(
    review, team_manager, agencies
):
    contributors = _name_contributors(review, team_manager, agencies)
    police_contributor = contributors["POLICE"]
    assert review.notification in access.visible_to(police_contributor)
    own = access.access_summary(
        police_contributor, review.summaries.get(agency__code="POLICE").pk, origin=CLI
    )
    assert own.agency.code == "POLICE"
    with pytest.raises(Http404):
        access.access_summary(
            police_contributor, review.summaries.get(agency__code="CSC").pk, origin=CLI
        )
    with pytest.raises(PermissionDenied):
        access.access_notification(
            police_contributor,
            review.notification.public_id,
            intent=access.Intent.CHANGE,
            origin=CLI,
        )


# Exports --------------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_notification_exports_as_json_and_pdf(notification):
    document = exports.notification_document(notification)
    assert json.loads(json.dumps(document)) == document
    assert document["deadline"] == {
        "due_on": "2024-05-13",
        "rule": "serious_incident_notification",
        "rule_version": "WT2023.1",
        "submitted_on": "2024-05-10",
        "met": True,
    }
    assert document["children"][0]["alleged_perpetrator_relationship"] == "Mother's partner"
    text = _pdf_text(exports.notification_pdf(notification))
    for expected in (
        notification.reference,
        "Jamie Testchild",
        "2 May 2024",
        "3 May 2024",
        "13 May 2024",
        "Serious harm",
        "Police investigation under way: Operation Synthetic",
        "Mother's partner",
        "Living with parents",
        "head injury",
        "West Yorkshire Police",
        "on time",
    ):
        assert expected in text, expected


def test_the_rapid_review_exports_as_pdf(review, team_manager, leads, agencies):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    actions.sign_off_rapid_review(
        actor=leads["CSC"], origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
    )
    review = RapidReview.objects.get(pk=review.pk)
    text = _pdf_text(exports.review_pdf(review))
    for expected in (
        "Rapid review for " + review.notification.reference,
        "POLICE analysis",
        "CSC learning",
        "Facts agreed.",
        "Learning about information sharing",
        "Local authority (Leeds Children's Social Care)",
        "3 June 2024",
        "24 May 2024",
    ):
        assert expected in text, expected


def test_pdfs_fetch_nothing(notification, monkeypatch):
    fetcher = exports.NoFetching()
    for url in ("http://127.0.0.1/x.png", "file:///etc/passwd", "data:text/plain,hi"):
        with pytest.raises(ValueError, match="do not fetch"):
            fetcher.fetch(url)
    # weasyprint routes every resource through the fetcher, which refuses it.
    asked = []
    original = exports.NoFetching.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(exports.NoFetching, "fetch", spy)
    monkeypatch.setattr(
        exports,
        "render_to_string",
        lambda template, context: (
            '<p>Outline</p><img src="http://127.0.0.1:9/x.png">'
            '<link rel="stylesheet" href="file:///etc/hosts">'
        ),
    )
    assert "Outline" in _pdf_text(exports.render_pdf("any.html", {}))
    assert sorted(asked) == ["file:///etc/hosts", "http://127.0.0.1:9/x.png"]


def test_entered_markup_is_printed_not_interpreted(notification):
    notification.case_outline = '<img src="file:///etc/passwd"> <b>bold</b>'
    assert '<img src="file:///etc/passwd">' in _pdf_text(exports.notification_pdf(notification))


def test_the_three_partner_leads_sign_off_each_for_their_own_partner_only(
    review, team_manager, agencies
):
    partner_leads = {
        role: factories.UserFactory.create(agency=agencies[code], role=role)
        for code, role in (
            ("CSC", Role.PARTNER_LEAD_LOCAL_AUTHORITY),
            ("POLICE", Role.PARTNER_LEAD_POLICE),
            ("HEALTH", Role.PARTNER_LEAD_ICB),
        )
    }
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    # The local authority's partner lead may not sign for the police, even from the police.
    moved = factories.UserFactory.create(
        agency=agencies["POLICE"], role=Role.PARTNER_LEAD_LOCAL_AUTHORITY
    )
    with pytest.raises(PermissionDenied, match="partner lead of the police"):
        actions.sign_off_rapid_review(
            actor=moved, origin=CLI, review=review, partner=Partner.POLICE
        )
    # A partnership business manager works on the review but does not sign it off.
    manager = factories.UserFactory.create(
        agency=agencies["CSC"], role=Role.PARTNERSHIP_BUSINESS_MANAGER
    )
    assert access.is_partner(manager, review.notification)
    with pytest.raises(PermissionDenied):
        actions.sign_off_rapid_review(
            actor=manager, origin=CLI, review=review, partner=Partner.LOCAL_AUTHORITY
        )
    for role, partner in (
        (Role.PARTNER_LEAD_LOCAL_AUTHORITY, Partner.LOCAL_AUTHORITY),
        (Role.PARTNER_LEAD_POLICE, Partner.POLICE),
        (Role.PARTNER_LEAD_ICB, Partner.INTEGRATED_CARE_BOARD),
    ):
        actions.sign_off_rapid_review(
            actor=partner_leads[role], origin=CLI, review=review, partner=partner
        )
    review.refresh_from_db()
    assert review.completed_on == D(2024, 9, 2)


def _complete(review, team_manager, leads, agencies):
    _name_contributors(review, team_manager, agencies)
    _ready_for_sign_off(review, team_manager)
    for code, partner in (
        ("CSC", Partner.LOCAL_AUTHORITY),
        ("POLICE", Partner.POLICE),
        ("HEALTH", Partner.INTEGRATED_CARE_BOARD),
    ):
        assert not ReviewDocument.objects.exists()  # not before the third sign-off
        actions.sign_off_rapid_review(actor=leads[code], origin=CLI, review=review, partner=partner)
    review.refresh_from_db()


def test_a_completed_rapid_review_enters_the_coding_queue_by_itself(
    review, team_manager, leads, agencies
):
    _complete(review, team_manager, leads, agencies)
    document = ReviewDocument.objects.get()
    notification = review.notification
    assert (document.kind, document.notification, document.completed_on) == (
        ReviewKind.RAPID,
        notification,
        review.completed_on,
    )
    assert document.reference == f"{notification.reference}-RR"
    assert notification.case_outline in document.text
    assert document.local_authority == notification.local_authority.name
    # Not coded yet: it waits in the queue for two analysts.
    assert not document.codings.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORD_REVIEW_DOCUMENT, detail__entered="on completion"
    ).exists()


def test_a_published_local_review_enters_the_coding_queue_by_itself(
    review, team_manager, leads, agencies
):
    _complete(review, team_manager, leads, agencies)
    local_review = actions.commission_local_review(
        actor=team_manager,
        origin=CLI,
        review=review,
        reviewer="Dr R. Viewer",
        terms_of_reference="Information sharing between ED and CSC.",
    )
    actions.record_local_review_progress(
        actor=team_manager, origin=CLI, local_review=local_review, sent_to_panel_on=D(2024, 9, 2)
    )
    assert not ReviewDocument.objects.filter(kind=ReviewKind.LOCAL).exists()
    actions.record_local_review_progress(
        actor=team_manager, origin=CLI, local_review=local_review, published_on=D(2024, 9, 2)
    )
    document = ReviewDocument.objects.get(kind=ReviewKind.LOCAL)
    assert "Information sharing between ED and CSC." in document.text
    assert document.completed_on == D(2024, 9, 2)
