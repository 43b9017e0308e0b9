"""Statements compiled once per shape send the ORM's own SQL and return its own rows."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from sightline.agencies.models import Agency
from sightline.chronology.models import ChronologyEvent
from sightline.core.statements import CountStatement, ValuesStatement
from sightline.people.models import Person
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def _events(values: Mapping[str, Any], shape: bool) -> QuerySet[ChronologyEvent]:
    events = ChronologyEvent.objects.filter(person_id=values["person"])
    if values["agencies"]:
        events = events.filter(agency__code__in=values["agencies"])
    if "since" in values:
        events = events.filter(occurred_at__gte=values["since"])
    if shape:
        events = events.filter(Q(significance="high") | Q(significance="medium"))
    return events.order_by("occurred_at", "id")


def _rows(values: Mapping[str, Any], shape: bool) -> QuerySet[Any]:
    return _events(values, shape).values_list("pk", "agency__code", "occurred_at", "summary")


@pytest.fixture
def events(child: Person, agencies: dict[str, Agency]) -> list[ChronologyEvent]:
    made = []
    for day, code, significance in [
        (1, "CSC", "high"),
        (2, "POLICE", "low"),
        (3, "HEALTH", "medium"),
        (4, "POLICE", "high"),
    ]:
        made.append(
            factories.ChronologyEventFactory.create(
                person=child,
                agency=agencies[code],
                occurred_at=dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC),
                significance=significance,
            )
        )
    return made


CASES: list[tuple[dict[str, Any], bool]] = [
    ({"agencies": ()}, False),
    ({"agencies": ("POLICE",)}, False),
    ({"agencies": ("POLICE", "CSC")}, True),
    ({"agencies": (), "since": dt.datetime(2026, 3, 2, tzinfo=dt.UTC)}, False),
]


@pytest.mark.parametrize(("extra", "shape"), CASES)
def test_rows_and_sql_are_the_orms(
    events: list[ChronologyEvent], child: Person, extra: dict[str, Any], shape: bool
) -> None:
    statement = ValuesStatement("test.rows", _rows)
    values = {"person": child.pk, **extra}
    with CaptureQueriesContext(connection) as orm:
        expected = list(_rows(values, shape))
    # Twice: the first compiles, the second runs the kept SQL.
    for _ in range(2):
        with CaptureQueriesContext(connection) as kept:
            assert statement.fetch(values, shape=shape) == expected
        assert [q["sql"] for q in kept.captured_queries] == [q["sql"] for q in orm.captured_queries]
    assert expected, "the case should find events"


@pytest.mark.parametrize(("extra", "shape"), CASES)
def test_count_is_the_orms(
    events: list[ChronologyEvent], child: Person, extra: dict[str, Any], shape: bool
) -> None:
    statement = CountStatement("test.count", _events)
    values = {"person": child.pk, **extra}
    for _ in range(2):
        assert statement.count(values, shape=shape) == _events(values, shape).count()


def test_new_values_are_bound_into_the_kept_sql(
    events: list[ChronologyEvent], child: Person, agencies: dict[str, Agency]
) -> None:
    statement = ValuesStatement("test.bind", _rows)
    other = factories.PersonFactory.create()
    factories.ChronologyEventFactory.create(person=other, agency=agencies["HEALTH"])
    police = statement.fetch({"person": child.pk, "agencies": ("POLICE",)})
    health = statement.fetch({"person": child.pk, "agencies": ("HEALTH",)})
    others = statement.fetch({"person": other.pk, "agencies": ("HEALTH",)})
    assert [row[1] for row in police] == ["POLICE", "POLICE"]
    assert [row[1] for row in health] == ["HEALTH"]
    assert [row[0] for row in others] == list(
        ChronologyEvent.objects.filter(person=other).values_list("pk", flat=True)
    )


def test_a_value_the_backend_converts_is_never_kept(child: Person) -> None:
    """A lookup that rewrites its value (``icontains`` wraps it in ``%``) cannot be bound
    again: the statement runs the ORM every time, with the right answer."""
    factories.ChronologyEventFactory.create(person=child, summary="Seen at the park")
    statement = ValuesStatement(
        "test.rewritten",
        lambda values, shape: ChronologyEvent.objects.filter(
            summary__icontains=values["text"]
        ).values_list("summary"),
    )
    assert statement.fetch({"text": "park"}) == [("Seen at the park",)]
    assert statement.fetch({"text": "school"}) == []


def test_booleans_belong_to_the_shape(child: Person) -> None:
    statement = ValuesStatement("test.bool", _rows)
    with pytest.raises(TypeError, match="shape"):
        statement.fetch({"person": child.pk, "agencies": (), "flag": True})
