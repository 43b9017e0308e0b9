import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.importing.rows import EventRow
from sightline.importing.submissions import submit_events
from sightline.people.models import RelationshipKind, StatusKind
from sightline.sharing import actions, queries
from sightline.sharing.models import Alert, AlertReason, InboxItem, OutboundEmail
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def event_row(event_id, subject):
    return EventRow(
        line=2,
        event_id=event_id,
        agency="HEALTH",
        subject_record_id=subject,
        occurred_at=dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC),
        date_only=False,
        category="emergency_attendance",
        summary="Attended with a head injury",
    )


def health_record(agencies, person, record_id="H1"):
    return factories.SourceRecordFactory.create(
        agency=agencies["HEALTH"], record_id=record_id, person=person
    )


# Flags -------------------------------------------------------------------------------


def test_it_flags_children_on_a_plan_or_looked_after_and_not_children_in_need(agencies):
    csc = agencies["CSC"]
    on_plan, looked_after, in_need, long_ago = (factories.PersonFactory.create() for _ in range(4))
    for person, kind, ended in [
        (on_plan, StatusKind.CHILD_PROTECTION, None),
        (looked_after, StatusKind.LOOKED_AFTER, None),
        (in_need, StatusKind.CHILD_IN_NEED, None),
        (long_ago, StatusKind.LOOKED_AFTER, dt.date(2023, 1, 31)),
    ]:
        factories.StatusPeriodFactory.create(
            person=person,
            kind=kind,
            started_on=dt.date(2022, 1, 1),
            ended_on=ended,
            recorded_by_agency=csc,
        )
    found = queries.flags_for([on_plan, looked_after, in_need, long_ago], on=dt.date(2024, 1, 31))
    assert set(found) == {on_plan.pk, looked_after.pk, long_ago.pk}
    assert found[on_plan.pk].authority == csc
    assert found[long_ago.pk].flag.shown_until == dt.date(2024, 1, 31)
    assert long_ago.pk not in queries.flags_for([long_ago], on=dt.date(2024, 2, 1))


def test_it_flags_the_mother_of_an_unborn_child_on_a_pre_birth_plan(agencies):
    mother = factories.PersonFactory.create(date_of_birth=dt.date(1998, 5, 1), sex="F")
    father = factories.PersonFactory.create(date_of_birth=dt.date(1996, 5, 1), sex="M")
    baby = factories.PersonFactory.create(date_of_birth=dt.date(2024, 6, 1))
    for parent in (mother, father):
        factories.RelationshipFactory.create(
            person=parent, relative=baby, kind=RelationshipKind.PARENT
        )
    factories.StatusPeriodFactory.create(
        person=baby,
        kind=StatusKind.CHILD_PROTECTION,
        started_on=dt.date(2024, 3, 1),
        recorded_by_agency=agencies["CSC"],
    )
    found = queries.flags_for([mother, father, baby], on=dt.date(2024, 5, 1))
    assert set(found) == {mother.pk, baby.pk}
    assert found[mother.pk].flag.kind.value == "pre_birth"
    # Held until the birth, then for 12 months.
    assert found[mother.pk].flag.shown_until == dt.date(2025, 6, 1)
    assert mother.pk not in queries.flags_for([mother], on=dt.date(2025, 6, 2))


def test_a_protection_plan_held_against_an_adult_is_a_pre_birth_plan(agencies):
    mother = factories.PersonFactory.create(date_of_birth=dt.date(2000, 1, 1), sex="F")
    factories.StatusPeriodFactory.create(
        person=mother, kind=StatusKind.CHILD_PROTECTION, recorded_by_agency=agencies["CSC"]
    )
    assert queries.flags_for([mother])[mother.pk].label.startswith("Pre-birth")


# Alerts on events --------------------------------------------------------------------


def test_the_pages_flag_from_its_status_periods_is_the_flag_of_flags_for(agencies):
    """``flag_of`` (the child's page, from the status periods it has read) answers what
    ``flags_for`` does: own plans, children in need, ended plans, pre-birth plans."""
    csc = agencies["CSC"]
    mother = factories.PersonFactory.create(date_of_birth=dt.date(1998, 5, 1), sex="F")
    baby = factories.PersonFactory.create(date_of_birth=dt.date(2024, 6, 1))
    factories.RelationshipFactory.create(person=mother, relative=baby, kind=RelationshipKind.PARENT)
    on_plan, in_need, long_ago = (factories.PersonFactory.create() for _ in range(3))
    for person, kind, started, ended in [
        (baby, StatusKind.CHILD_PROTECTION, dt.date(2024, 3, 1), None),
        (on_plan, StatusKind.CHILD_PROTECTION, dt.date(2022, 1, 1), None),
        (on_plan, StatusKind.LOOKED_AFTER, dt.date(2021, 1, 1), dt.date(2021, 6, 1)),
        (in_need, StatusKind.CHILD_IN_NEED, dt.date(2022, 1, 1), None),
        (long_ago, StatusKind.LOOKED_AFTER, dt.date(2022, 1, 1), dt.date(2023, 1, 31)),
    ]:
        factories.StatusPeriodFactory.create(
            person=person, kind=kind, started_on=started, ended_on=ended, recorded_by_agency=csc
        )
    people = [mother, baby, on_plan, in_need, long_ago]
    for day in [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 1),
        dt.date(2024, 5, 1),
        dt.date(2025, 6, 2),
    ]:
        expected = queries.flags_for(people, on=day)
        for person in people:
            periods = list(person.status_periods.select_related("recorded_by_agency"))
            assert queries.flag_of(person, periods, on=day) == expected.get(person.pk)
            # As the child's page asks: whether the person is anyone's parent, from the
            # relationships it has read.
            parent = person.relationships_out.filter(kind=RelationshipKind.PARENT).exists()
            assert queries.flag_of(
                person, periods, may_have_children=parent, on=day
            ) == expected.get(person.pk)
    assert queries.flag_of(mother, [], on=dt.date(2024, 5, 1)) is not None


def test_an_event_about_a_flagged_child_writes_an_alert_in_the_same_transaction(
    agencies, flagged_child, police_officer
):
    health_record(agencies, flagged_child)
    submit_events(actor=None, agency=agencies["HEALTH"], rows=[event_row("E1", "H1")], origin=CLI)
    alert = Alert.objects.get()
    assert alert.reason == AlertReason.EVENT_RECORDED
    assert alert.person == flagged_child
    assert alert.summary == "Leeds Health recorded an event: Emergency department attendance"
    assert alert.delivered_at is None


def test_an_event_that_fails_writes_no_alert(agencies, flagged_child):
    health_record(agencies, flagged_child)
    bad = EventRow(**{**event_row("E1", "H1").__dict__, "category": "no_such_category"})
    with pytest.raises(Exception, match="category"):
        submit_events(actor=None, agency=agencies["HEALTH"], rows=[bad], origin=CLI)
    assert not Alert.objects.exists()


def test_an_event_about_an_unflagged_child_alerts_nobody(agencies, child):
    health_record(agencies, child)
    submit_events(actor=None, agency=agencies["HEALTH"], rows=[event_row("E1", "H1")], origin=CLI)
    assert not Alert.objects.exists()


def test_many_events_about_one_child_in_a_batch_make_one_alert(agencies, flagged_child):
    health_record(agencies, flagged_child)
    rows = [event_row(f"E{i}", "H1") for i in range(3)]
    submit_events(actor=None, agency=agencies["HEALTH"], rows=rows, origin=CLI)
    assert Alert.objects.get().summary.startswith("Leeds Health recorded 3 events")


def test_delivery_writes_the_inbox_items_and_emails_exactly_once(
    agencies, flagged_child, social_worker, duty_team
):
    health_record(agencies, flagged_child)
    submit_events(actor=None, agency=agencies["HEALTH"], rows=[event_row("E1", "H1")], origin=CLI)
    assert actions.deliver_alerts() == 1
    assert actions.deliver_alerts() == 0
    items = InboxItem.objects.order_by("pk")
    assert [(i.user, i.team) for i in items] == [(social_worker, None), (None, duty_team)]
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "duty.north@example.org",
        "sally.social@example.org",
    ]
    email = OutboundEmail.objects.get(to="sally.social@example.org")
    assert "no details about the child" in email.body
    assert flagged_child.family_name not in email.body + email.subject
    assert queries.unread_count(social_worker) == 2  # their own and the duty inbox


def test_without_an_allocated_worker_the_authority_is_emailed(agencies):
    agencies["CSC"].email = "front.door@example.org"
    agencies["CSC"].save()
    person = factories.PersonFactory.create()
    factories.StatusPeriodFactory.create(
        person=person, kind=StatusKind.LOOKED_AFTER, recorded_by_agency=agencies["CSC"]
    )
    health_record(agencies, person)
    submit_events(actor=None, agency=agencies["HEALTH"], rows=[event_row("E1", "H1")], origin=CLI)
    actions.deliver_alerts()
    assert not InboxItem.objects.exists()
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == ["front.door@example.org"]


# Lookups -----------------------------------------------------------------------------


def test_a_nurse_checking_a_flagged_child_sees_the_flag_and_the_worker_is_alerted(
    flagged_child, ed_nurse, social_worker
):
    result = actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=CLI)
    assert result.person == flagged_child
    assert result.flag is not None
    assert result.flag.authority.office_hours_phone == "0113 496 0000"
    alert = Alert.objects.get()
    assert alert.reason == AlertReason.LOOKED_UP
    assert alert.summary == "Looked up by Nina Nurse, Staff nurse, Leeds Health"
    audit = AuditEvent.objects.get(action=AuditAction.CHECK_FLAG)
    assert audit.person == flagged_child
    assert audit.actor == ed_nurse
    actions.deliver_alerts()
    assert InboxItem.objects.filter(user=social_worker, alert=alert).exists()


def test_a_check_by_someone_with_a_relationship_alerts_nobody(flagged_child, police_officer):
    result = actions.check_flag(
        actor=police_officer, nhs_number=flagged_child.nhs_number, origin=CLI
    )
    assert result.flag is not None
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CHECK_FLAG).count() == 1


def test_an_unknown_number_and_an_unflagged_child_look_the_same(child, ed_nurse):
    unflagged = actions.check_flag(actor=ed_nurse, nhs_number=child.nhs_number, origin=CLI)
    unknown = actions.check_flag(actor=ed_nurse, nhs_number="9990699933", origin=CLI)
    assert unflagged == unknown == actions.FlagCheck(None, None)
    audits = AuditEvent.objects.filter(action=AuditAction.CHECK_FLAG)
    assert [a.person for a in audits] == [None, None]
    assert not Alert.objects.exists()


def test_a_wrong_date_of_birth_finds_no_flag(flagged_child, ed_nurse):
    result = actions.check_flag(
        actor=ed_nurse,
        nhs_number=flagged_child.nhs_number,
        date_of_birth=dt.date(2001, 1, 1),
        origin=CLI,
    )
    assert result.flag is None


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_analysts_and_administrators_may_not_check_flags(request, persona, flagged_child):
    with pytest.raises(PermissionDenied):
        actions.check_flag(
            actor=request.getfixturevalue(persona),
            nhs_number=flagged_child.nhs_number,
            origin=CLI,
        )


def test_the_child_keeps_the_last_25_lookups(flagged_child, agencies):
    nurses = [
        factories.UserFactory.create(agency=agencies["HEALTH"], username=f"nurse{i}")
        for i in range(27)
    ]
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False) as clock:
        for nurse in nurses:
            actions.record_lookup(actor=nurse, person=flagged_child, origin=CLI, via="search")
            clock.shift(dt.timedelta(minutes=1))
    lookups = queries.recent_lookups(flagged_child)
    assert len(lookups) == 25
    assert lookups[0].actor == nurses[-1]
    assert lookups[-1].actor == nurses[2]


def test_marking_read_touches_only_my_inbox(flagged_child, ed_nurse, social_worker, teacher):
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=CLI)
    actions.deliver_alerts()
    theirs = list(InboxItem.objects.all())
    assert actions.mark_read(actor=teacher, items=theirs, origin=CLI) == 0
    assert actions.mark_read(actor=social_worker, items=theirs, origin=CLI) == 2
    assert queries.unread_count(social_worker) == 0
    assert AuditEvent.objects.filter(action=AuditAction.READ_ALERT, actor=social_worker).exists()


def test_whoever_recorded_the_event_is_not_alerted_about_it(
    agencies, flagged_child, social_worker, duty_team
):
    record = factories.SourceRecordFactory.create(
        agency=agencies["CSC"], record_id="C1", person=flagged_child
    )
    row = EventRow(**{**event_row("E1", record.record_id).__dict__, "agency": "CSC"})
    submit_events(actor=social_worker, agency=agencies["CSC"], rows=[row], origin=CLI)
    actions.deliver_alerts()
    assert [(i.user, i.team) for i in InboxItem.objects.all()] == [(None, duty_team)]


def test_a_failed_send_schedules_the_retry_as_a_deferred_task(settings, flagged_child, ed_nurse):
    from django_tasks_db.models import DBTaskResult

    from sightline.sharing import tasks
    from sightline.sharing.smtpsink import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=CLI)
    actions.deliver_alerts()
    assert tasks.send_emails.call() == {"sent": 0, "failed": 2}
    retry = DBTaskResult.objects.get(task_path=tasks.send_emails.module_path, status="READY")
    first = OutboundEmail.objects.order_by("next_attempt_at").first()
    assert first is not None
    assert retry.run_after == first.next_attempt_at
