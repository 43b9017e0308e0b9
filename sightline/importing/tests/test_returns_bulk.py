"""The returns' imports write new case rows in bulk (``cases.bulk``): what each row gets is
what the case action gives it, in a number of statements that does not grow with the file."""

import datetime as dt
from collections import defaultdict

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.assessments.models import DecisionPoint
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.models import ChildProtectionPlan, EpisodeOfNeed, LookedAfterEpisode
from sightline.chronology.models import ChronologyEvent
from sightline.importing import returns
from sightline.people.models import StatusKind, StatusPeriod
from sightline.returns import cin_census, ssda903, synthetic
from sightline.returns.tests import synthetic as hand
from sightline.returns.years import CollectionYear

YEAR = CollectionYear(2026)


@pytest.fixture(autouse=True)
def _after_the_year():
    with time_machine.travel(dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def csc(agencies):
    return agencies["CSC"]


def import_census(csc, message):
    return returns.import_cin_census(
        actor=None, agency=csc, content=cin_census.write(message), filename="c.xml", origin=CLI
    )


def import_903(csc, result):
    return returns.import_ssda903(
        actor=None,
        agency=csc,
        files=ssda903.write_files(result),
        name="903",
        year=YEAR,
        origin=CLI,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("children", [40])
def test_it_imports_in_statements_that_do_not_grow_with_the_children(csc, children):
    message = synthetic.census(children, year=YEAR)
    with CaptureQueriesContext(connection) as census_queries:
        assert import_census(csc, message).ok
    with CaptureQueriesContext(connection) as lac_queries:
        assert import_903(csc, synthetic.return903(message, children // 2)).ok
    # One case action per row took some 80 statements per child of the census.
    assert len(census_queries) < 150, len(census_queries)
    assert len(lac_queries) < 100, len(lac_queries)


@pytest.mark.django_db
def test_it_writes_the_events_audit_rows_and_flags_the_actions_write(csc):
    message = hand.census()
    assert import_census(csc, message).ok
    episodes = list(EpisodeOfNeed.objects.current())
    assert episodes
    for episode in episodes:
        event = ChronologyEvent.objects.get(
            event_id=f"case-episodeofneed-{episode.public_id}", agency=csc
        )
        assert event.person_id == episode.child_id
        assert event.category.code == "referral"
        assert AuditEvent.objects.filter(
            action=AuditAction.OPEN_EPISODE_OF_NEED,
            person_id=episode.child_id,
            detail__record=f"cases.EpisodeOfNeed:{episode.public_id}",
        ).exists()
    plan = ChildProtectionPlan.objects.current().get()
    assert plan.status_period is not None
    assert plan.status_period.kind == StatusKind.CHILD_PROTECTION
    assert plan.status_period.person_id == plan.child_id
    assert ChronologyEvent.objects.filter(
        event_id=f"case-childprotectionplan-{plan.public_id}", category__code="cp_plan_started"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.START_CP_PLAN, person_id=plan.child_id
    ).exists()
    # An import starts no statutory clock.
    assert not DecisionPoint.objects.exists()


@pytest.mark.django_db
def test_episodes_of_one_period_of_care_share_its_status_period(csc):
    message = synthetic.census(10, year=YEAR)
    result = synthetic.return903(message, 5)
    assert import_903(csc, result).ok
    by_child: dict[int, list[LookedAfterEpisode]] = defaultdict(list)
    for episode in LookedAfterEpisode.objects.current().order_by("decom"):
        by_child[episode.child_id].append(episode)
    assert by_child
    for episodes in by_child.values():
        periods = {e.status_period_id for e in episodes if e.rne == "S" and e.status_period_id}
        for episode in episodes:
            assert episode.status_period_id is not None
        for period_id in periods:
            members = [e for e in episodes if e.status_period_id == period_id]
            period = StatusPeriod.objects.get(pk=period_id)
            assert period.kind == StatusKind.LOOKED_AFTER
            assert period.started_on == members[0].decom
            last = members[-1]
            assert period.ended_on == (last.dec if last.rec != "X1" else None)
        assert sum(1 for e in episodes if e.rne == "S") == len(periods)
