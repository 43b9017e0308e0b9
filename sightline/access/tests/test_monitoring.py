"""Access monitoring (issue 13): a user who opens many records within an hour, any record
out of hours, or the record of someone with their own surname at their home postcode
goes on the access review queue with the records opened. Thresholds are settings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sightline.access import monitoring, tasks
from sightline.access.models import AccessFinding, FindingKind, ReviewOutcome
from sightline.access.monitoring import Read, WorkingTime
from sightline.audit.models import AuditAction, AuditEvent
from sightline.testing import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Monday 2 June 2025, a working day; Monday 26 May 2025 was a bank holiday.
MONDAY = dt.date(2025, 6, 2)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


class HttpsClient(Client):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def signed_in(user):
    client = HttpsClient()
    client.force_login(user)
    return client


def open_record(user, person, moment):
    """The user opens the person's page at ``moment``: one audit row of a read."""
    with time_machine.travel(moment, tick=False):
        response = signed_in(user).get(
            reverse("person-detail", kwargs={"public_id": person.public_id})
        )
    assert response.status_code == 200


@pytest.fixture
def caseload(social_worker, agencies):
    """Forty children the social worker is allocated to."""
    children = []
    for _ in range(40):
        child = factories.PersonFactory.create()
        factories.InvolvementFactory.create(
            person=child, practitioner=social_worker, agency=agencies["CSC"]
        )
        children.append(child)
    return children


def monitor(since, until):
    call_command("monitor-access", "--since", since.isoformat(), "--until", until.isoformat())


def findings(kind=None):
    rows = AccessFinding.objects.all()
    return list(rows.filter(kind=kind) if kind else rows)


# -- many records within an hour ------------------------------------------------------------


def test_opening_more_records_in_an_hour_than_the_default_puts_the_user_on_the_queue(
    social_worker, team_manager, caseload
):
    """The attack: browse the caseload (or a search's results) in bulk."""
    for minute, child in enumerate(caseload[:31]):
        open_record(social_worker, child, at(MONDAY, 10, minute))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings(FindingKind.MANY_RECORDS)
    assert finding.user == social_worker
    assert set(finding.people.all()) == set(caseload[:31])
    assert finding.detail == {"peak": 31, "threshold": 30}
    assert finding.read_count == 31
    queue = signed_in(team_manager).get(reverse("access-reviews")).content.decode()
    assert reverse("access-finding", kwargs={"finding_id": finding.pk}) in queue
    assert "Opened many records within an hour" in queue


def test_thirty_records_in_an_hour_are_not_flagged(social_worker, caseload):
    for minute, child in enumerate(caseload[:30]):
        open_record(social_worker, child, at(MONDAY, 10, minute))
    # The same records again do not count twice.
    open_record(social_worker, caseload[0], at(MONDAY, 10, 45))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    assert findings() == []


def test_the_threshold_is_a_setting_and_the_hour_slides(settings, social_worker, caseload):
    settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR = 3
    # Two before the clock strikes eleven and two after: four within 30 minutes.
    for child, moment in zip(
        caseload[:4],
        [at(MONDAY, 10, 50), at(MONDAY, 10, 55), at(MONDAY, 11, 5), at(MONDAY, 11, 20)],
        strict=True,
    ):
        open_record(social_worker, child, moment)
    # Four more spread over the afternoon: never more than three in an hour.
    for hour, child in zip((13, 14, 15, 16), caseload[4:8], strict=True):
        open_record(social_worker, child, at(MONDAY, hour))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings(FindingKind.MANY_RECORDS)
    assert set(finding.people.all()) == set(caseload[:4])
    assert finding.detail == {"peak": 4, "threshold": 3}


# -- out of hours ---------------------------------------------------------------------------------


def test_opening_a_record_out_of_hours_puts_the_user_on_the_queue(social_worker, caseload):
    saturday, bank_holiday, tuesday = (
        dt.date(2025, 6, 7),
        dt.date(2025, 5, 26),
        MONDAY + dt.timedelta(1),
    )
    open_record(social_worker, caseload[0], at(MONDAY, 19, 30))
    open_record(social_worker, caseload[1], at(MONDAY, 7, 59))
    open_record(social_worker, caseload[2], at(saturday, 11))
    open_record(social_worker, caseload[3], at(bank_holiday, 11))
    open_record(social_worker, caseload[4], at(tuesday, 8))  # in hours
    open_record(social_worker, caseload[5], at(tuesday, 17, 59))  # in hours
    monitor(at(bank_holiday, 0), at(saturday, 23))
    found = {f.day: set(f.people.all()) for f in findings(FindingKind.OUT_OF_HOURS)}
    assert found == {
        MONDAY: {caseload[0], caseload[1]},
        saturday: {caseload[2]},
        bank_holiday: {caseload[3]},
    }
    assert findings(FindingKind.MANY_RECORDS) == []


def test_working_hours_and_days_are_settings(settings, social_worker, caseload):
    settings.SIGHTLINE_MONITOR_WORKING_HOURS = "07:00-20:00"
    settings.SIGHTLINE_MONITOR_WORKING_DAYS = "mon-sat"
    saturday = dt.date(2025, 6, 7)
    open_record(social_worker, caseload[0], at(MONDAY, 19, 30))
    open_record(social_worker, caseload[1], at(saturday, 11))
    open_record(social_worker, caseload[2], at(saturday, 20, 1))
    monitor(at(MONDAY, 0), at(saturday, 23))
    [finding] = findings(FindingKind.OUT_OF_HOURS)
    assert (finding.day, list(finding.people.all())) == (saturday, [caseload[2]])
    assert finding.detail == {"working_hours": "07:00-20:00", "working_days": "mon-sat"}


def test_working_time_settings_are_read_or_refused():
    working = WorkingTime.parse("08:00-18:00", "mon-fri")
    assert working.days == frozenset(range(5))
    assert WorkingTime.parse("09:30-17:00", "mon,wed-thu,sun").days == frozenset({0, 2, 3, 6})
    assert WorkingTime.parse("00:00-23:59", "fri-mon").days == frozenset({4, 5, 6, 0})
    assert working.covers(at(MONDAY, 8), LONDON)
    assert not working.covers(at(MONDAY, 18), LONDON)
    # A local closure day is not working time, at any hour.
    assert not working.covers(at(MONDAY, 8), LONDON, frozenset({MONDAY}))
    for hours, days in [
        ("8-18", "mon-fri"),
        ("18:00-08:00", "mon-fri"),
        ("08:00-18:00", "weekdays"),
    ]:
        with pytest.raises(monitoring.MonitoringSettingError, match="SIGHTLINE_MONITOR_WORKING"):
            WorkingTime.parse(hours, days)


# -- own surname and home postcode --------------------------------------------------------------


def test_opening_a_record_with_ones_own_surname_and_postcode_puts_the_user_on_the_queue(
    social_worker, agencies, caseload, capsys
):
    call_command("set-home-postcode", social_worker.username, "ls1  4ab")
    social_worker.refresh_from_db()
    assert social_worker.home_postcode == "LS1 4AB"
    relative = factories.PersonFactory.create(family_name="SOCIAL", postcode="LS1 4AB")
    # Known to another agency under the same surname at that postcode.
    cousin = factories.PersonFactory.create(family_name="Social-Jones", postcode="LS2 9ZZ")
    factories.SourceRecordFactory.create(
        person=cousin, agency=agencies["HEALTH"], family_name="Social", postcode="ls14ab"
    )
    namesake = factories.PersonFactory.create(family_name="Social", postcode="LS6 1AA")
    for person in (relative, cousin, namesake):
        factories.InvolvementFactory.create(
            person=person, practitioner=social_worker, agency=agencies["CSC"]
        )
        open_record(social_worker, person, at(MONDAY, 11))
    open_record(social_worker, caseload[0], at(MONDAY, 11, 5))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings(FindingKind.OWN_SURNAME_AND_POSTCODE)
    assert set(finding.people.all()) == {relative, cousin}
    assert AuditEvent.objects.get(action=AuditAction.SET_HOME_POSTCODE).detail == {
        "username": social_worker.username,
        "user_id": social_worker.pk,
        "recorded": True,
    }


def test_without_a_home_postcode_the_surname_rule_does_not_apply(social_worker, agencies):
    relative = factories.PersonFactory.create(family_name="Social", postcode="LS1 4AB")
    factories.InvolvementFactory.create(
        person=relative, practitioner=social_worker, agency=agencies["CSC"]
    )
    open_record(social_worker, relative, at(MONDAY, 11))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    assert findings() == []


# -- idempotent, and reviewed -------------------------------------------------------------------


def test_running_again_adds_nothing_and_later_reads_join_the_waiting_finding(
    settings, social_worker, team_manager, caseload
):
    settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR = 3
    for minute, child in enumerate(caseload[:4]):
        open_record(social_worker, child, at(MONDAY, 10, minute))
    monitor(at(MONDAY, 0), at(MONDAY, 12))
    monitor(at(MONDAY, 0), at(MONDAY, 12))
    monitor(at(MONDAY, 9), at(MONDAY, 13))
    [finding] = findings()
    assert AuditEvent.objects.filter(action=AuditAction.FLAG_ACCESS).count() == 1
    # More the same hour, while it waits for review: the same item, with more records.
    open_record(social_worker, caseload[4], at(MONDAY, 10, 30))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings()
    assert finding.people.count() == 5
    assert finding.part == 1
    # Reviewed; then another burst that day is a new item.
    signed_in(team_manager).post(
        reverse("access-finding", kwargs={"finding_id": finding.pk}),
        {"outcome": ReviewOutcome.JUSTIFIED},
    )
    for minute, child in enumerate(caseload[10:14]):
        open_record(social_worker, child, at(MONDAY, 15, minute))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    first, second = sorted(findings(), key=lambda f: f.part)
    assert (first.outcome, second.outcome, second.part) == (ReviewOutcome.JUSTIFIED, "", 2)
    assert set(second.people.all()) == set(caseload[10:14])


def test_the_manager_reviews_a_finding_and_the_review_is_audited(
    settings, social_worker, team_manager, caseload
):
    settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR = 2
    for minute, child in enumerate(caseload[:3]):
        open_record(social_worker, child, at(MONDAY, 10, minute))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings()
    client = signed_in(team_manager)
    url = reverse("access-finding", kwargs={"finding_id": finding.pk})
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for child in caseload[:3]:
        assert child.full_name in html
    seen = AuditEvent.objects.filter(actor=team_manager, action=AuditAction.VIEW_ACCESS_LOG).latest(
        "id"
    )
    assert seen.detail == {
        "view": "access_finding",
        "finding": finding.pk,
        "people": sorted(c.pk for c in caseload[:3]),
    }
    missing_note = client.post(url, {"outcome": ReviewOutcome.NOT_JUSTIFIED})
    assert missing_note.status_code == 400
    done = client.post(
        url, {"outcome": ReviewOutcome.NOT_JUSTIFIED, "note": "Discussed in supervision"}
    )
    assert done.status_code == 302
    finding.refresh_from_db()
    assert (finding.outcome, finding.reviewed_by) == (ReviewOutcome.NOT_JUSTIFIED, team_manager)
    row = AuditEvent.objects.get(action=AuditAction.REVIEW_ACCESS_FINDING)
    assert (row.actor, row.reason, row.detail["practitioner"], row.detail["outcome"]) == (
        team_manager,
        "Discussed in supervision",
        social_worker.username,
        "not_justified",
    )


@pytest.mark.parametrize("persona", ["social_worker", "police_officer", "teacher", "administrator"])
def test_others_cannot_see_or_review_a_finding(request, settings, social_worker, caseload, persona):
    settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR = 2
    for minute, child in enumerate(caseload[:3]):
        open_record(social_worker, child, at(MONDAY, 10, minute))
    monitor(at(MONDAY, 0), at(MONDAY, 23))
    [finding] = findings()
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    url = reverse("access-finding", kwargs={"finding_id": finding.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": ReviewOutcome.JUSTIFIED}).status_code == 404
    finding.refresh_from_db()
    assert finding.outcome == ""
    assert (
        AuditEvent.objects.filter(
            actor=user, action=AuditAction.DENIED, detail__intent="review_access_finding"
        ).count()
        == 2
    )


# -- in the background worker -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_monitoring_and_schedules_the_next_run(settings, social_worker, caseload):
    # Real commits, as the worker (django-tasks' db_worker) closes the connection it used.
    settings.SIGHTLINE_MONITOR_RECORDS_PER_HOUR = 2
    now = at(MONDAY, 11)
    for child in caseload[:3]:
        open_record(social_worker, child, now - dt.timedelta(minutes=20))
    with time_machine.travel(now, tick=True):
        tasks.wake_monitoring()
        call_command("run-worker", "--batch", verbosity=0)
    [finding] = findings(FindingKind.MANY_RECORDS)
    assert finding.user == social_worker
    assert AuditEvent.objects.get(action=AuditAction.FLAG_ACCESS).via == "job"
    upcoming = DBTaskResult.objects.filter(
        task_path=tasks.monitor_access.module_path, status="READY"
    ).get()
    assert upcoming.run_after > now + dt.timedelta(minutes=14)


# -- the sliding hour, by itself ----------------------------------------------------------------


def test_the_sliding_hour_counts_different_people():
    start = at(MONDAY, 9)

    def reads(*minutes_people):
        return [
            Read(
                audit=n,
                user=1,
                person=person,
                at=start + dt.timedelta(minutes=m),
                action="view_person",
            )
            for n, (m, person) in enumerate(minutes_people)
        ]

    spread = reads((0, 1), (59, 2), (60, 3), (119, 4))
    assert monitoring.many_records(spread, limit=2, since=start) == ([], 2)
    burst = reads((0, 1), (10, 1), (20, 2), (30, 3), (200, 4))
    flagged, peak = monitoring.many_records(burst, limit=2, since=start)
    assert ([r.audit for r in flagged], peak) == ([0, 1, 2, 3], 3)
    # Windows that ended before ``since`` were looked at by an earlier run.
    assert monitoring.many_records(burst, limit=2, since=start + dt.timedelta(hours=2)) == ([], 1)
