"""The access rules: each kind of dated relationship, expiry, roles, and the queryset form
kept in step with the per-record rule."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from sightline.access import actions, limits
from sightline.access.models import BreakGlassReason, CaseRole, RateCounter
from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.people.models import InvolvementRole
from sightline.record import rules
from sightline.record.queries import visible_to
from sightline.testing import factories

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2020, 1, 1)
ENDED = dt.date(2023, 12, 31)


def sees(user, person):
    """The per-record rule and the queryset rule, which must agree."""
    one = user.has_perm("people.view_person", person)
    many = visible_to(user).filter(pk=person.pk).exists()
    assert one == many, (user.username, one, many)
    return one


def involvement(person, practitioner, *, role=InvolvementRole.OTHER, ended_on=None, agency=None):
    return factories.InvolvementFactory.create(
        person=person,
        practitioner=practitioner,
        agency=agency or practitioner.agency,
        role=role,
        started_on=LONG_AGO,
        ended_on=ended_on,
    )


@pytest.mark.parametrize(
    "role",
    [
        InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        InvolvementRole.HEALTH_VISITOR,
        InvolvementRole.SCHOOL_SAFEGUARDING_LEAD,
        InvolvementRole.POLICE_OFFICER,
    ],
)
def test_an_active_involvement_of_any_role_opens_the_record_and_an_ended_one_does_not(
    teacher, role
):
    current = factories.PersonFactory.create()
    past = factories.PersonFactory.create()
    involvement(current, teacher, role=role)
    involvement(past, teacher, role=role, ended_on=ENDED)
    assert sees(teacher, current)
    assert not sees(teacher, past)


def test_an_involvement_that_has_not_started_yet_does_not_open_the_record(teacher):
    person = factories.PersonFactory.create()
    factories.InvolvementFactory.create(
        person=person, practitioner=teacher, started_on=timezone.localdate() + dt.timedelta(days=1)
    )
    assert not sees(teacher, person)


def test_a_team_manager_sees_what_active_members_of_their_team_see(
    team_manager, social_worker, child
):
    assert sees(team_manager, child)
    social_worker.is_active = False
    social_worker.save()
    assert not sees(team_manager, child)


def test_a_safeguarding_lead_sees_children_their_agency_is_involved_with(agencies, child):
    police_lead = factories.UserFactory.create(
        agency=agencies["POLICE"], role=Role.SAFEGUARDING_LEAD
    )
    health_lead = factories.UserFactory.create(
        agency=agencies["HEALTH"], role=Role.SAFEGUARDING_LEAD
    )
    assert sees(police_lead, child)
    assert not sees(health_lead, child)
    # An agency's involvement without a named practitioner is enough.
    factories.InvolvementFactory.create(
        person=child,
        practitioner=None,
        agency=agencies["HEALTH"],
        role=InvolvementRole.HEALTH_VISITOR,
        started_on=LONG_AGO,
    )
    assert sees(health_lead, child)
    assert rules.bases(health_lead, child) == [rules.Basis.AGENCY_SAFEGUARDING_LEAD]


@pytest.mark.parametrize("role", CaseRole.values)
def test_core_group_members_and_conference_invitees_see_the_record_while_it_lasts(
    social_worker, teacher, child, role
):
    relationship = actions.record_case_relationship(
        actor=social_worker,
        person=child,
        practitioner=teacher,
        role=role,
        started_on=LONG_AGO,
        origin=CLI,
    )
    assert sees(teacher, child)
    expected = (
        rules.Basis.CORE_GROUP if role == "core_group_member" else rules.Basis.CONFERENCE_INVITEE
    )
    assert rules.bases(teacher, child) == [expected]
    actions.end_case_relationship(
        actor=social_worker, relationship=relationship, ended_on=ENDED, origin=CLI
    )
    assert not sees(teacher, child)


def test_only_the_allocated_worker_or_their_managers_record_case_relationships(
    police_officer, teacher, child
):
    with pytest.raises(actions.AccessActionError, match="allocated worker"):
        actions.record_case_relationship(
            actor=police_officer,
            person=child,
            practitioner=teacher,
            role=CaseRole.CORE_GROUP_MEMBER,
            started_on=LONG_AGO,
            origin=CLI,
        )
    assert not sees(teacher, child)


def test_emergency_access_opens_the_record_until_it_expires(teacher, child):
    with time_machine.travel(dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        actions.break_glass(
            actor=teacher,
            person=child,
            reason_code=BreakGlassReason.IMMEDIATE_RISK,
            reason_text="Disclosure at school this morning",
            origin=CLI,
        )
        assert sees(teacher, child)
        assert rules.bases(teacher, child) == [rules.Basis.BREAK_GLASS]
        assert not rules.may_export_chronology(teacher, child)
    with time_machine.travel(dt.datetime(2025, 6, 2, 12, 59, tzinfo=dt.UTC), tick=False):
        assert sees(teacher, child)
    with time_machine.travel(dt.datetime(2025, 6, 2, 13, 0, tzinfo=dt.UTC), tick=False):
        assert not sees(teacher, child)


@pytest.mark.parametrize("persona", ["administrator", "panel_analyst"])
def test_roles_without_case_records_see_nothing_even_with_an_involvement(request, child, persona):
    user = request.getfixturevalue(persona)
    involvement(child, user)
    if persona == "administrator":
        assert not sees(user, child)
    else:  # an analyst given an involvement is a practitioner for that child
        assert sees(user, child)
    assert not rules.may_trace(user)
    with pytest.raises(actions.AccessActionError):
        actions.break_glass(
            actor=user,
            person=child,
            reason_code=BreakGlassReason.OTHER,
            reason_text="Curious",
            origin=CLI,
        )


def test_an_inactive_user_sees_nothing(social_worker, child):
    social_worker.is_active = False
    social_worker.save()
    assert not sees(social_worker, child)


def test_who_may_see_the_access_log(social_worker, team_manager, police_officer, teacher, child):
    assert rules.may_view_access_log(social_worker, child)
    assert rules.may_view_access_log(team_manager, child)
    assert not rules.may_view_access_log(police_officer, child)
    assert not rules.may_view_access_log(teacher, child)


def test_rates_parse_and_refuse_garbage():
    assert limits.parse_rate("60/hour") == limits.Rate(60, 3600)
    assert limits.parse_rate(" 5 / minutes ") == limits.Rate(5, 60)
    assert str(limits.parse_rate("1/day")) == "1/day"
    for bad in ["", "60", "60/week", "-1/hour", "x/hour"]:
        with pytest.raises(ValueError, match="not a rate"):
            limits.parse_rate(bad)


def test_a_rate_counts_within_a_window_and_starts_again_in_the_next():
    rate = limits.Rate(2, 60)
    start = dt.datetime(2025, 6, 2, 9, 0, 10, tzinfo=dt.UTC)
    assert limits.hit("k", rate, now=start).allowed
    assert limits.hit("k", rate, now=start + dt.timedelta(seconds=5)).allowed
    refused = limits.hit("k", rate, now=start + dt.timedelta(seconds=20))
    assert (refused.allowed, refused.retry_after) == (False, 30)
    assert limits.hit("other", rate, now=start).allowed
    assert limits.hit("k", rate, now=start + dt.timedelta(seconds=50)).allowed
    # The old window's row is removed when the new one starts.
    assert RateCounter.objects.filter(key="k").count() == 1
