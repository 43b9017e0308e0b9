import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.deadlines import actions as closure_actions
from sightline.incidents import actions
from sightline.incidents.models import NotifiedChild, SeriousIncidentNotification
from sightline.people.models import InvolvementRole, RelationshipKind
from sightline.testing import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("aware_on", "due_on"),
    [
        (D(2024, 5, 3), D(2024, 5, 13)),  # the domain example: Monday 6 May bank holiday
        (
            D(2024, 5, 4),
            D(2024, 5, 13),
        ),  # aware on a Saturday; Monday is a bank holiday, Tuesday is day 1
        (D(2024, 5, 6), D(2024, 5, 13)),  # aware on the bank holiday itself
        (D(2024, 3, 28), D(2024, 4, 8)),  # Good Friday and Easter Monday 2024
        (D(2024, 8, 23), D(2024, 9, 2)),  # late summer bank holiday 26 August
        (D(2023, 5, 5), D(2023, 5, 15)),  # coronation, Monday 8 May 2023
        (D(2022, 9, 16), D(2022, 9, 26)),  # state funeral, Monday 19 September 2022
        (D(2022, 6, 1), D(2022, 6, 10)),  # 2 and 3 June 2022
        (D(2021, 12, 24), D(2022, 1, 5)),  # substitute 27, 28 Dec 2021 and 3 Jan 2022
        (D(2022, 12, 25), D(2023, 1, 4)),  # aware on Christmas Day (a Sunday) 2022
    ],
)
def test_it_stores_the_notification_deadline_with_its_rule(notify, aware_on, due_on):
    notification = notify(incident_on=aware_on - dt.timedelta(days=1), aware_on=aware_on)
    assert (notification.due_on, notification.due_rule, notification.due_rule_version) == (
        due_on,
        "serious_incident_notification",
        "WT2023.1",
    )


def test_a_local_closure_moves_the_deadline_when_it_is_recorded(notify, administrator):
    closure_actions.record_local_closure(
        actor=administrator, origin=CLI, date=D(2024, 5, 8), reason="Office closed"
    )
    assert notify().due_on == D(2024, 5, 14)


def test_it_snapshots_what_the_form_asks_about_the_child(notify, child, agencies):
    child.sex = "M"
    child.date_of_birth = D(2021, 5, 3)
    child.ethnicity = "White British"
    child.save()
    mother = factories.PersonFactory.create(given_name="Mara", family_name="Testparent")
    factories.RelationshipFactory.create(
        person=mother, relative=child, kind=RelationshipKind.PARENT, lives_with=True
    )
    factories.StatusPeriodFactory.create(
        person=child,
        kind="child_protection",
        protection_category="physical_abuse",
        started_on=D(2024, 1, 10),
        recorded_by_agency=agencies["CSC"],
    )
    factories.StatusPeriodFactory.create(
        person=child,
        kind="looked_after",
        started_on=D(2023, 1, 1),
        ended_on=D(2023, 6, 1),
        recorded_by_agency=agencies["CSC"],
    )
    record = factories.SourceRecordFactory.create(agency=agencies["HEALTH"], person=child)
    factories.ChronologyEventFactory.create(
        subject_record=record, occurred_at=dt.datetime(2023, 2, 1, 10, tzinfo=dt.UTC)
    )
    notification = notify()
    snapshot = NotifiedChild.objects.get(notification=notification)
    assert snapshot.name == child.full_name
    assert (snapshot.sex, snapshot.age_at_incident, snapshot.ethnicity) == (
        "Male",
        2,
        "White British",
    )
    assert (snapshot.child_in_need, snapshot.child_protection_plan, snapshot.looked_after) == (
        False,
        True,
        False,
    )
    assert snapshot.protection_category == "Physical abuse"
    assert snapshot.agencies_known == [
        "Leeds Children's Social Care",
        "Leeds Health",
        "West Yorkshire Police",
    ]
    assert snapshot.key_relationships == [
        {"name": "Mara Testparent", "relationship": "Parent of the child", "lives_with": True}
    ]
    assert (snapshot.disability, snapshot.placement_type, snapshot.perpetrator_relationship) == (
        "None known",
        "Living with parents",
        "Mother's partner",
    )


def test_it_audits_the_child_lookup_and_the_notification(notify, child, team_manager):
    notification = notify()
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "person", "actor"))
    assert rows == [
        (AuditAction.VIEW_PERSON, child.pk, team_manager.pk),
        # The notification's event in the child's chronology.
        (AuditAction.RECORD_EVENT, child.pk, team_manager.pk),
        (AuditAction.RECORD_NOTIFICATION, child.pk, team_manager.pk),
    ]
    assert AuditEvent.objects.latest("id").detail["notification"] == notification.reference


def test_the_notification_appears_in_each_childs_chronology(notify, child, team_manager):
    notification = notify()
    event = ChronologyEvent.objects.get(person=child)
    assert event.agency == notification.local_authority
    assert event.category.code == "serious_incident_notified"
    assert notification.reference in event.summary
    # What happened to the child is read on the notification, under its own rule.
    assert notification.case_outline not in event.summary


@pytest.mark.parametrize("persona", ["social_worker", "police_officer", "panel_analyst"])
def test_only_local_authority_leads_and_managers_notify(request, notify, persona, child):
    user = request.getfixturevalue(persona)
    if persona == "panel_analyst":
        # The analyst cannot even look the child up.
        with pytest.raises(ValidationError):
            notify(actor=user)
    else:
        with pytest.raises(PermissionDenied):
            notify(actor=user)
    assert not SeriousIncidentNotification.objects.exists()


def test_a_police_lead_cannot_notify_for_the_local_authority(notify, agencies, child):
    police_manager = factories.UserFactory.create(agency=agencies["POLICE"], role="team_manager")
    factories.InvolvementFactory.create(person=child, practitioner=police_manager)
    with pytest.raises(PermissionDenied):
        notify(actor=police_manager)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"aware_on": D(2024, 5, 1)}, "aware_on"),  # before the incident
        ({"aware_on": D(2024, 9, 3)}, "aware_on"),  # tomorrow
        ({"incident_on": D(2024, 9, 3), "aware_on": D(2024, 9, 3)}, "incident_on"),
        ({"case_outline": "   "}, "case_outline"),
        ({"nature": "accident"}, "nature"),
        ({"nature": "other"}, "nature_details"),
        ({"police_involvement": "maybe"}, "police_involvement"),
    ],
)
def test_it_names_the_field_in_error(notify, overrides, field):
    with pytest.raises(ValidationError) as error:
        notify(**overrides)
    assert field in error.value.message_dict
    assert not SeriousIncidentNotification.objects.exists()
    assert not NotifiedChild.objects.exists()


def test_it_checks_the_partnership_agencies(notify, agencies):
    with pytest.raises(ValidationError) as error:
        notify(police=agencies["HOUSING"], integrated_care_board=agencies["EDUCATION"])
    assert set(error.value.message_dict) == {"police", "integrated_care_board"}


def _sibling(child, social_worker, *, related=True):
    sibling = factories.PersonFactory.create(given_name="Sam", family_name="Testchild")
    factories.InvolvementFactory.create(
        person=sibling,
        practitioner=social_worker,
        agency=social_worker.agency,
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=D(2024, 1, 1),
    )
    if related:
        parent = factories.PersonFactory.create(given_name="Pat", family_name="Testparent")
        for person in (child, sibling):
            factories.RelationshipFactory.create(person=parent, relative=person)
    return sibling


def test_siblings_harmed_together_share_one_notification(notify, child, social_worker):
    sibling = _sibling(child, social_worker)
    notification = notify(
        entries=[
            actions.ChildEntry(str(child.public_id)),
            actions.ChildEntry(str(sibling.public_id)),
        ]
    )
    assert notification.children.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_NOTIFICATION).count() == 2


def test_children_who_are_not_siblings_need_separate_notifications(notify, child, social_worker):
    other = _sibling(child, social_worker, related=False)
    with pytest.raises(ValidationError, match="not recorded as siblings"):
        notify(
            entries=[
                actions.ChildEntry(str(child.public_id)),
                actions.ChildEntry(str(other.public_id)),
            ]
        )
    assert not SeriousIncidentNotification.objects.exists()


def test_one_notification_per_child_who_died(notify, child, social_worker):
    sibling = _sibling(child, social_worker)
    with pytest.raises(ValidationError, match="One notification per child who died"):
        notify(
            nature="death",
            entries=[
                actions.ChildEntry(str(child.public_id)),
                actions.ChildEntry(str(sibling.public_id)),
            ],
        )
    with pytest.raises(ValidationError, match="named twice"):
        notify(entries=[actions.ChildEntry(str(child.public_id))] * 2)


def test_a_child_the_notifier_may_not_see_is_refused_and_the_denial_kept(notify):
    stranger = factories.PersonFactory.create()
    with pytest.raises(ValidationError) as error:
        notify(entries=[actions.ChildEntry(str(stranger.public_id))])
    assert "children" in error.value.message_dict
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, person=stranger).exists()


def test_an_adult_is_refused(notify, child):
    child.date_of_birth = D(2006, 1, 1)
    child.save()
    with pytest.raises(ValidationError, match="was 18"):
        notify()


def test_submission_knows_whether_the_deadline_was_met(notify, team_manager):
    on_time = notify()
    actions.submit_notification(
        actor=team_manager, origin=CLI, notification=on_time, submitted_on=D(2024, 5, 13)
    )
    on_time.refresh_from_db()
    assert on_time.met_deadline is True
    late = notify()
    assert late.met_deadline is None
    actions.submit_notification(
        actor=team_manager, origin=CLI, notification=late, submitted_on=D(2024, 5, 14)
    )
    late.refresh_from_db()
    assert late.met_deadline is False
    with pytest.raises(ValidationError, match="Already sent"):
        actions.submit_notification(
            actor=team_manager, origin=CLI, notification=late, submitted_on=D(2024, 5, 14)
        )
    fresh = notify()
    with pytest.raises(ValidationError) as error:
        actions.submit_notification(
            actor=team_manager, origin=CLI, notification=fresh, submitted_on=D(2024, 5, 2)
        )
    assert "submitted_on" in error.value.message_dict
