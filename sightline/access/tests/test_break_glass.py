"""Emergency access: the page with reasons and re-authentication, the time limit, the
e-mails, the review queue, and "who has seen this record"."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.access import actions
from sightline.access.models import AccessNotice, BreakGlassGrant, BreakGlassReason, ReviewOutcome
from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.sharing import outbox
from sightline.sharing.models import OutboundEmail
from sightline.testing import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
MORNING = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def signed_in(user):
    client = HttpsClient()
    client.force_login(user)
    return client


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def education_lead(agencies):
    return factories.UserFactory.create(
        username="sam.lead", agency=agencies["EDUCATION"], role=Role.SAFEGUARDING_LEAD
    )


def ask(client, child, **overrides):
    data = {
        "reason_code": BreakGlassReason.IMMEDIATE_RISK,
        "reason_text": "Disclosure of harm at school this morning; allocated worker not answering",
        "password": PASSWORD,
        **overrides,
    }
    return client.post(url("access-break-glass", public_id=child.public_id), data)


def actions_of(user):
    return list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))


def test_the_emergency_access_page_shows_the_identity_only_and_is_audited(teacher, child):
    response = signed_in(teacher).get(url("access-break-glass", public_id=child.public_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jamie Testchild" in html
    assert child.nhs_number not in html
    assert "4 hours" in html
    [row] = AuditEvent.objects.all()
    assert (row.action, row.person) == (AuditAction.VIEW_IDENTITY, child)


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_roles_without_case_records_get_404(request, child, persona):
    user = request.getfixturevalue(persona)
    response = signed_in(user).get(url("access-break-glass", public_id=child.public_id))
    assert response.status_code == 404
    assert actions_of(user) == [AuditAction.DENIED]


def test_someone_with_a_relationship_goes_straight_to_the_record(social_worker, child):
    response = signed_in(social_worker).get(url("access-break-glass", public_id=child.public_id))
    assert response.status_code == 302
    assert response["Location"] == url("person-detail", public_id=child.public_id)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason_code": ""}, "Choose why you need to see this record"),
        ({"reason_text": "  "}, "Enter the details of why you need to see this record"),
        ({"password": ""}, "Enter your password"),
        ({"password": "wrong password"}, "Your password is not right"),
    ],
)
def test_it_needs_a_reason_details_and_the_password(teacher, child, overrides, message):
    client = signed_in(teacher)
    response = ask(client, child, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert client.get(url("person-detail", public_id=child.public_id)).status_code == 404


def test_a_wrong_password_is_audited_as_a_denial(teacher, child):
    ask(signed_in(teacher), child, password="wrong password")
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=teacher)
    # The failed password counts as a failed sign-in too (and towards the lockout).
    assert sorted(row.detail["intent"] for row in denied) == ["reauthenticate", "sign_in"]
    assert denied.get(detail__intent="reauthenticate").detail["for"] == "break_glass"


def test_the_journey_opens_the_record_for_four_hours_and_tells_people(
    teacher,
    child,
    social_worker,
    education_lead,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = signed_in(teacher)
    with (
        time_machine.travel(MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = ask(client, child)
        outbox.send_due()  # what the worker does after commit
    assert response.status_code == 302
    assert response["Location"] == url("person-detail", public_id=child.public_id)
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.person, grant.expires_at) == (
        teacher,
        child,
        MORNING + dt.timedelta(hours=4),
    )

    # The allocated worker and the teacher's agency's safeguarding lead are e-mailed,
    # with nothing about the child in the message.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [education_lead.email, social_worker.email]
    )
    assert all("Jamie" not in m.body and "Testchild" not in m.body for m in mailoutbox)
    assert AccessNotice.objects.count() == 2
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()

    with time_machine.travel(MORNING + dt.timedelta(minutes=20), tick=False):
        page = client.get(url("person-detail", public_id=child.public_id))
        assert page.status_code == 200
        assert "You are seeing this record through emergency access" in page.content.decode()
        view = AuditEvent.objects.filter(action=AuditAction.VIEW_PERSON).get()
        assert view.detail["break_glass"] == grant.pk
        assert view.reason.startswith("Emergency access: A child may be at immediate risk of harm.")
        # No export under emergency access.
        assert (
            client.get(url("access-export-chronology", public_id=child.public_id)).status_code
            == 404
        )

    with time_machine.travel(MORNING + dt.timedelta(hours=4), tick=False):
        later = signed_in(teacher)
        assert later.get(url("person-detail", public_id=child.public_id)).status_code == 404


def test_the_user_can_end_emergency_access_early(teacher, child):
    client = signed_in(teacher)
    ask(client, child)
    grant = BreakGlassGrant.objects.get()
    response = client.post(url("access-end-break-glass", grant_id=grant.pk))
    assert response.status_code == 302
    assert client.get(url("person-detail", public_id=child.public_id)).status_code == 404
    assert AuditAction.END_BREAK_GLASS in actions_of(teacher)
    # Nobody else can end someone's access.
    other = factories.UserFactory.create()
    assert (
        signed_in(other).post(url("access-end-break-glass", grant_id=grant.pk)).status_code == 404
    )


def test_notices_that_fail_stay_in_the_one_outbox_for_its_retry(
    teacher, child, social_worker, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "sightline.access.tests.test_break_glass.FailingBackend"
    actions.break_glass(
        actor=teacher,
        person=child,
        reason_code=BreakGlassReason.MISSING_CHILD,
        reason_text="Reported missing from school",
        origin=CLI,
    )
    assert outbox.send_due().failed == 1
    notice = AccessNotice.objects.get()
    waiting = OutboundEmail.objects.get(key=f"access-notice-{notice.pk}")
    assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert "mail server down" in waiting.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The outbox's one retry rule: tried again after its back-off, not before.
    assert outbox.send_due().sent == 0
    with time_machine.travel(waiting.next_attempt_at + dt.timedelta(seconds=1)):
        assert outbox.send_due().sent == 1
    assert [m.to for m in mailoutbox] == [[social_worker.email]]


class FailingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise OSError("mail server down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


# -- review ----------------------------------------------------------------------------------


@pytest.fixture
def grant(teacher, child):
    return actions.break_glass(
        actor=teacher,
        person=child,
        reason_code=BreakGlassReason.IMMEDIATE_RISK,
        reason_text="Disclosure at school",
        origin=CLI,
    )


def test_the_agency_safeguarding_lead_reviews_the_access(grant, education_lead, teacher):
    client = signed_in(education_lead)
    queue = client.get(url("access-reviews"))
    assert queue.status_code == 200
    assert url("access-review", grant_id=grant.pk) in queue.content.decode()
    detail = client.get(url("access-review", grant_id=grant.pk))
    assert "Disclosure at school" in detail.content.decode()
    missing_note = client.post(
        url("access-review", grant_id=grant.pk), {"outcome": ReviewOutcome.NOT_JUSTIFIED}
    )
    assert missing_note.status_code == 400
    assert "Say what will be done" in missing_note.content.decode()
    done = client.post(
        url("access-review", grant_id=grant.pk),
        {"outcome": ReviewOutcome.NOT_JUSTIFIED, "note": "Discussed in supervision"},
    )
    assert done.status_code == 302
    grant.refresh_from_db()
    assert (grant.outcome, grant.reviewed_by, grant.review_note) == (
        ReviewOutcome.NOT_JUSTIFIED,
        education_lead,
        "Discussed in supervision",
    )
    row = AuditEvent.objects.get(action=AuditAction.REVIEW_BREAK_GLASS)
    assert (row.actor, row.person, row.detail["outcome"]) == (
        education_lead,
        grant.person,
        "not_justified",
    )
    with pytest.raises(actions.AccessActionError, match="already been reviewed"):
        actions.review_break_glass(
            actor=education_lead,
            grant=grant,
            outcome=ReviewOutcome.JUSTIFIED,
            note="",
            origin=CLI,
        )


def test_the_team_manager_of_the_practitioner_reviews_it(agencies, teacher, grant):
    team = factories.TeamFactory.create(agency=agencies["EDUCATION"])
    teacher.team = team
    teacher.save()
    manager = factories.UserFactory.create(
        agency=agencies["EDUCATION"], team=team, role=Role.TEAM_MANAGER
    )
    assert signed_in(manager).get(url("access-review", grant_id=grant.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["teacher", "team_manager", "social_worker", "administrator"])
def test_others_cannot_review(request, grant, persona):
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    assert client.get(url("access-review", grant_id=grant.pk)).status_code == 404
    response = client.post(
        url("access-review", grant_id=grant.pk), {"outcome": ReviewOutcome.JUSTIFIED}
    )
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.outcome == ""


def test_the_review_shows_what_was_looked_at_under_the_access(grant, teacher, education_lead):
    signed_in(teacher).get(url("person-detail", public_id=grant.person.public_id))
    html = signed_in(education_lead).get(url("access-review", grant_id=grant.pk)).content.decode()
    assert "Viewed a person&#x27;s record" in html


# -- who has seen this record ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("social_worker", 200),
        ("team_manager", 200),
        ("police_officer", 404),
        ("teacher", 404),
        ("panel_analyst", 404),
        ("administrator", 404),
    ],
)
def test_who_has_seen_this_record_is_for_the_allocated_worker_and_managers(
    request, child, persona, status
):
    user = request.getfixturevalue(persona)
    response = signed_in(user).get(url("access-seen-by", public_id=child.public_id))
    assert response.status_code == status
    expected = AuditAction.VIEW_ACCESS_LOG if status == 200 else AuditAction.DENIED
    assert actions_of(user) == [expected]


def test_who_has_seen_this_record_lists_reads_searches_and_emergency_access(
    social_worker, police_officer, grant, child
):
    signed_in(police_officer).get(url("person-detail", public_id=child.public_id))
    html = signed_in(social_worker).get(url("access-seen-by", public_id=child.public_id)).content
    text = html.decode()
    assert "Pat Police" in text
    assert "Tess Teacher" in text
    assert "Emergency access" in text
    assert "Disclosure at school" in text


# -- renewal: once, then a manager ------------------------------------------------------------


def test_emergency_access_renews_once_and_the_third_time_needs_a_manager(
    teacher, child, education_lead, social_worker, mailoutbox, django_capture_on_commit_callbacks
):
    """The attack: keep a record open without a relationship by renewing without limit."""
    with time_machine.travel(MORNING, tick=False):
        assert ask(signed_in(teacher), child).status_code == 302
    # Renewed once when it runs out.
    with time_machine.travel(MORNING + dt.timedelta(hours=4, minutes=5), tick=False):
        assert ask(signed_in(teacher), child).status_code == 302
    assert BreakGlassGrant.objects.filter(user=teacher).count() == 2
    # The third time is refused, before any password is asked for.
    with time_machine.travel(MORNING + dt.timedelta(hours=8, minutes=10), tick=False):
        client = signed_in(teacher)
        page = client.get(url("access-break-glass", public_id=child.public_id))
        assert page.status_code == 200
        assert "ask your team manager or your agency&#x27;s safeguarding lead" in (
            page.content.decode()
        )
        assert 'id="break-glass-form"' not in page.content.decode()
        third = ask(client, child)
        assert third.status_code == 400
        assert "ask your team manager or your agency&#x27;s safeguarding lead" in (
            third.content.decode()
        )
        assert client.get(url("person-detail", public_id=child.public_id)).status_code == 404
        with pytest.raises(actions.AccessActionError, match="ask your team manager"):
            actions.break_glass(
                actor=teacher,
                person=child,
                reason_code=BreakGlassReason.MISSING_CHILD,
                reason_text="Still missing",
                origin=CLI,
            )
    assert BreakGlassGrant.objects.filter(user=teacher).count() == 2
    assert AuditEvent.objects.filter(
        actor=teacher, action=AuditAction.DENIED, detail__intent="break_glass_renewal"
    ).exists()

    # The agency's safeguarding lead grants a further period from the review page.
    latest = BreakGlassGrant.objects.filter(user=teacher).latest("granted_at")
    later = MORNING + dt.timedelta(hours=8, minutes=30)
    with time_machine.travel(later, tick=False):
        lead = signed_in(education_lead)
        client = signed_in(teacher)
        review = lead.get(url("access-review", grant_id=latest.pk))
        assert 'id="further-period-form"' in review.content.decode()
        empty = lead.post(url("access-review", grant_id=latest.pk), {"form": "further_period"})
        assert empty.status_code == 400
        assert "Enter why a further period is needed" in empty.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            granted = lead.post(
                url("access-review", grant_id=latest.pk),
                {"form": "further_period", "reason_text": "Strategy discussion at 6pm"},
            )
        assert granted.status_code == 302
        further = BreakGlassGrant.objects.filter(user=teacher).latest("granted_at")
        assert (further.granted_by, further.expires_at) == (
            education_lead,
            later + dt.timedelta(hours=4),
        )
        assert client.get(url("person-detail", public_id=child.public_id)).status_code == 200
        outbox.send_due()  # what the worker does after commit
    row = AuditEvent.objects.get(action=AuditAction.EXTEND_BREAK_GLASS)
    assert (row.actor, row.person, row.reason, row.detail["practitioner"]) == (
        education_lead,
        child,
        "Strategy discussion at 6pm",
        "tess.teacher",
    )
    told = {m.to[0] for m in mailoutbox if "further period" in m.body}
    assert told == {teacher.email, social_worker.email}
    # The manager's grant does not give the teacher their own renewals back.
    with time_machine.travel(later + dt.timedelta(hours=5), tick=False):
        assert ask(signed_in(teacher), child).status_code == 400


@pytest.mark.parametrize("persona", ["teacher", "social_worker", "police_officer"])
def test_only_a_manager_of_the_practitioner_grants_a_further_period(
    request, teacher, child, persona
):
    for _ in range(2):
        grant = actions.break_glass(
            actor=teacher,
            person=child,
            reason_code=BreakGlassReason.IMMEDIATE_RISK,
            reason_text="Disclosure at school",
            origin=CLI,
        )
    user = request.getfixturevalue(persona)
    response = signed_in(user).post(
        url("access-review", grant_id=grant.pk),
        {"form": "further_period", "reason_text": "Let me"},
    )
    assert response.status_code == 404
    with pytest.raises(actions.AccessActionError, match="team manager"):
        actions.grant_further_break_glass(actor=user, grant=grant, reason_text="Let me", origin=CLI)
    assert BreakGlassGrant.objects.count() == 2


def test_own_renewals_come_back_after_the_configured_days(settings, teacher, child):
    settings.SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS = 3
    with time_machine.travel(MORNING, tick=False):
        client = signed_in(teacher)
        ask(client, child)
        ask(client, child)
        assert ask(client, child).status_code == 400
    with time_machine.travel(MORNING + dt.timedelta(days=3, minutes=1), tick=False):
        assert ask(signed_in(teacher), child).status_code == 302


# -- who has seen this record: the referrer's identity --------------------------------------


def test_who_has_seen_this_record_does_not_name_the_referrer_to_the_managers(
    social_worker, team_manager, police_officer, csc_team, child, agencies
):
    """The attack: the chronology withholds who made a referral, but the access log names
    them to the allocated worker's managers through the referrer's own rows."""
    from django.contrib.auth.models import Permission

    from sightline.access import sections
    from sightline.accounts.models import User
    from sightline.chronology.models import Category
    from sightline.sharing.actions import raise_referral

    raise_referral(
        actor=police_officer,
        person=child,
        to_team=csc_team.pk,
        urgency="amber",
        reason="Seen out late with older males",
        shared="Police log",
        origin=CLI,
    )
    signed_in(police_officer).get(url("person-detail", public_id=child.public_id))
    # A school's lead submits a referral event about the child, and reads the record.
    school_lead = factories.UserFactory.create(
        first_name="Rhona", last_name="Referrer", agency=agencies["EDUCATION"]
    )
    factories.InvolvementFactory.create(
        person=child, practitioner=school_lead, agency=agencies["EDUCATION"]
    )
    factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(
            agency=agencies["EDUCATION"], person=child, record_id="EDU-REF"
        ),
        category=Category.objects.get(code="referral"),
        practitioner="Rhona Referrer",
        submitted_by=school_lead,
    )
    signed_in(school_lead).get(url("person-detail", public_id=child.public_id))

    log = url("access-seen-by", public_id=child.public_id)
    manager_page = signed_in(team_manager).get(log).content.decode()
    for name in ("Pat Police", "pat.police", "Rhona Referrer"):
        assert name not in manager_page
    assert sections.WITHHELD_REFERRER in manager_page
    assert "Raised a referral" in manager_page  # what happened and when is still there
    # The allocated worker may know who referred, as on the chronology.
    worker_page = signed_in(social_worker).get(log).content.decode()
    assert "Pat Police" in worker_page
    assert "Rhona Referrer" in worker_page
    assert sections.WITHHELD_REFERRER not in worker_page
    # So may the front door.
    team_manager.user_permissions.add(Permission.objects.get(codename="front_door"))
    front_door = User.objects.get(pk=team_manager.pk)
    assert "Pat Police" in signed_in(front_door).get(log).content.decode()


def test_the_agency_that_recorded_the_referral_sees_its_own_referrer_in_the_log(
    social_worker, team_manager, child, agencies, csc_team
):
    """A referral recorded by social care names its maker to social care's managers."""
    from sightline.chronology.models import Category

    colleague = factories.UserFactory.create(
        first_name="Frankie", last_name="Frontdoor", agency=agencies["CSC"], team=csc_team
    )
    factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(
            agency=agencies["CSC"], person=child, record_id="CSC-REF"
        ),
        category=Category.objects.get(code="contact"),
        submitted_by=colleague,
    )
    factories.InvolvementFactory.create(
        person=child, practitioner=colleague, agency=agencies["CSC"]
    )
    signed_in(colleague).get(url("person-detail", public_id=child.public_id))
    page = signed_in(team_manager).get(url("access-seen-by", public_id=child.public_id))
    assert "Frankie Frontdoor" in page.content.decode()


def test_emergency_access_appears_in_the_childs_chronology(grant, teacher, child):
    # As the sharing decision it is: the record shared with the user, and why.
    event = ChronologyEvent.objects.get(person=child)
    assert event.category.code == "information_sharing_decision"
    assert event.agency == teacher.agency
    assert "emergency access" in event.summary.lower()
