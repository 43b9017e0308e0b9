"""The case summary (through an opened record), caseload counts and ``sightline stats``."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from sightline.accounts.models import Role
from sightline.audit.actions import CLI
from sightline.cases import actions, queries
from sightline.cases.tests.conftest import PAGE, TODAY
from sightline.record.access import Intent, open_record
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def test_the_case_summary_reads_through_the_opened_record(child, social_worker, episode):
    actions.record_strategy_discussion(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        date=dt.date(2026, 2, 6),
        outcome="section47",
    )
    actions.record_conference(
        actor=social_worker,
        origin=PAGE,
        episode=episode,
        kind="initial",
        date=dt.date(2026, 2, 20),
        outcome="plan",
        category="PHY",
    )
    record = open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    case = queries.case_summary(record)
    assert case.episode is not None
    assert case.episode.date_of_initial_cpc == dt.date(2026, 2, 20)
    assert case.plan is not None
    assert case.plan.latest_category == "PHY"
    assert case.looked_after is None
    assert {p.step for p in case.deadlines} >= {"core_group", "first_review_conference"}
    assert case.core_group
    # The episode before the conference's date went on it, and the enquiry likewise.
    assert {type(row).__name__ for row in case.history} == {"EpisodeOfNeed", "Section47"}


def test_caseloads_count_children_on_a_plan_and_looked_after_by_worker(
    child, social_worker, team_manager, csc_team, agencies, episode
):
    worker = factories.UserFactory.create(
        username="wes.worker", agency=agencies["CSC"], team=csc_team, role=Role.PRACTITIONER
    )
    actions.allocate(
        actor=team_manager, origin=PAGE, child=child, worker=worker, start_date=dt.date(2026, 2, 1)
    )
    actions.record_cp_plan(
        actor=None,
        origin=PAGE,
        episode=episode,
        start_date=dt.date(2026, 2, 10),
        initial_category="NEG",
        agency=agencies["CSC"],
    )
    other = factories.PersonFactory.create()
    actions.start_looked_after(
        actor=None,
        origin=PAGE,
        child=other,
        decom=dt.date(2026, 1, 1),
        ls="C2",
        cin="N1",
        place="U4",
        agency=agencies["CSC"],
    )
    rows = queries.caseloads(on=TODAY)
    assert [(r.team, r.worker, r.on_a_plan, r.looked_after) for r in rows] == [
        (csc_team.name, worker.get_full_name() or worker.username, 1, 0),
        ("", "", 0, 1),  # the looked-after child is not allocated
    ]
    assert queries.caseloads(on=dt.date(2026, 2, 5))[0].on_a_plan == 0
    assert [r.worker for r in queries.caseloads(on=TODAY, team_ids=[csc_team.pk])] == [
        worker.get_full_name() or worker.username
    ]


def stats(as_of):
    out = io.StringIO()
    call_command("stats", "--as-of", as_of, stdout=out)
    return json.loads(out.getvalue())


def test_stats_count_the_case_on_the_day_and_plans_started_in_the_collection_year(child, agencies):
    csc = agencies["CSC"]
    first = factories.PersonFactory.create()
    second = factories.PersonFactory.create()
    for person, referral, closure in (
        (child, dt.date(2025, 3, 1), None),
        (first, dt.date(2025, 5, 1), None),
        (second, dt.date(2025, 5, 1), dt.date(2025, 12, 1)),
    ):
        episode = actions.open_episode_of_need(
            actor=None,
            origin=PAGE,
            child=person,
            referral_date=referral,
            referral_source="6",
            closure_date=closure,
            closure_reason="RC8" if closure else "",
            agency=csc,
        )
        if person is child:
            actions.record_cp_plan(
                actor=None,
                origin=PAGE,
                episode=episode,
                start_date=dt.date(2025, 3, 10),  # the year before
                initial_category="NEG",
                agency=csc,
            )
        if person is first:
            actions.record_cp_plan(
                actor=None,
                origin=PAGE,
                episode=episode,
                start_date=dt.date(2025, 6, 1),
                initial_category="PHY",
                latest_category="MUL",
                agency=csc,
            )
    actions.start_looked_after(
        actor=None,
        origin=PAGE,
        child=second,
        decom=dt.date(2025, 4, 1),
        ls="V2",
        cin="N4",
        place="U4",
        agency=csc,
    )
    figures = stats("2026-03-31")
    assert figures["cin_open"] == 2
    assert figures["cp_plans"] == {"MUL": 1, "NEG": 1}
    assert figures["looked_after"] == {
        "total": 1,
        "by_legal_status": {"V2": 1},
        "by_placement": {"U4": 1},
    }
    assert figures["cp_plans_started"] == 1
    assert stats("2025-04-01")["cp_plans_started"] == 0
    assert stats("2025-03-31")["cp_plans_started"] == 1  # the 2024/25 year
    assert stats("2025-05-02")["cin_open"] == 3


def test_collection_years_run_april_to_march():
    assert queries.collection_year_start(dt.date(2026, 3, 31)) == dt.date(2025, 4, 1)
    assert queries.collection_year_start(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
