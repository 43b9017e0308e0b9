"""The subject access deadline: one calendar month from receipt to a working day, on the
shared deadline rules; extendable once, by two further months, with a reason."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline import calendars
from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.deadlines import rules
from sightline.deadlines.rules import Step
from sightline.people.models import Person
from sightline.subjectaccess import actions
from sightline.subjectaccess.models import Relationship

D = dt.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        (D(2025, 1, 31), D(2025, 2, 28), "31 January: the last day of a short February"),
        (D(2024, 1, 31), D(2024, 2, 29), "leap year"),
        (D(2024, 1, 30), D(2024, 2, 29), "30 January in a leap year"),
        (D(2025, 3, 4), D(2025, 4, 4), "the same day of the next month (a Friday)"),
        (D(2025, 3, 31), D(2025, 4, 30), "31 March: 30 April"),
        (D(2025, 5, 5), D(2025, 6, 5), "received on a bank holiday still counts that day"),
        (D(2025, 4, 5), D(2025, 5, 6), "5 May 2025 is a bank holiday, so Tuesday 6 May"),
        (D(2025, 2, 22), D(2025, 3, 24), "22 March 2025 is a Saturday: Monday"),
        (D(2024, 11, 25), D(2024, 12, 27), "25 and 26 December: Friday 27"),
        (D(2025, 12, 31), D(2026, 1, 31) + dt.timedelta(days=2), "31 January 2026 is a Saturday"),
    ],
)
def test_it_counts_one_calendar_month(received: dt.date, due: dt.date, why: str) -> None:
    assert rules.deadline(Step.SUBJECT_ACCESS_RESPONSE, received).due_on == due, why


def test_it_extends_to_three_months_from_receipt() -> None:
    assert rules.deadline(Step.SUBJECT_ACCESS_EXTENDED, D(2024, 11, 30)).due_on == D(2025, 2, 28)
    assert rules.deadline(Step.SUBJECT_ACCESS_EXTENDED, D(2025, 1, 31)).due_on == D(2025, 4, 30)


def test_it_honours_local_closures() -> None:
    closure = frozenset({D(2025, 4, 4)})
    assert calendars.add_months_to_working_day(D(2025, 3, 4), 1, closure) == D(2025, 4, 7)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)))
def test_the_deadline_is_a_working_day_at_most_a_few_days_after_the_month(day: dt.date) -> None:
    due = calendars.add_months_to_working_day(day, 1)
    month = calendars.add_months(day, 1)
    assert calendars.is_working_day(due)
    assert month <= due <= month + dt.timedelta(days=5)
    assert (due.year * 12 + due.month) - (day.year * 12 + day.month) in (1, 2)


PAGE = Origin(via="page")


def test_the_request_takes_its_deadline_and_one_extension(officer: User, child: Person) -> None:
    request = actions.record_request(
        actor=officer,
        person=child,
        agency_id=officer.agency_id or 0,
        requester_name="A parent",
        relationship=Relationship.PARENT,
        received_on=D(2025, 1, 31),
        origin=PAGE,
    )
    assert request.due_on == D(2025, 2, 28)
    assert request.rule_version == rules.CURRENT_VERSION
    with pytest.raises(actions.SubjectAccessError, match="why"):
        actions.extend_deadline(actor=officer, request=request, reason="  ", origin=PAGE)
    actions.extend_deadline(
        actor=officer, request=request, reason="Records from 4 agencies", origin=PAGE
    )
    request.refresh_from_db()
    assert request.extended_due_on == D(2025, 4, 30)
    assert request.current_due_on == D(2025, 4, 30)
    with pytest.raises(actions.SubjectAccessError, match="already been extended"):
        actions.extend_deadline(actor=officer, request=request, reason="Again", origin=PAGE)


def test_it_refuses_a_request_received_in_the_future(officer: User, child: Person) -> None:
    with pytest.raises(actions.SubjectAccessError, match="today or in the past"):
        actions.record_request(
            actor=officer,
            person=child,
            agency_id=officer.agency_id or 0,
            requester_name="A parent",
            relationship=Relationship.PARENT,
            received_on=D(2999, 1, 1),
            origin=PAGE,
        )
